#pragma once

// A dataset spec: what an output must be before it may commit. The struct is plain
// data; checking rows against it lives in spec_check.h.

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/type_fwd.h>

#include "storage/write_policy.h"

namespace deltaline::pipeline {

/// \brief What happens to rows that break a constraint.
enum class ViolationAction {
  kQuarantine,  ///< they go to `<dataset>_errors` with the rule they broke (default)
  kFailRun,     ///< the run fails and the output commits nothing
};

/// \brief One CHECK constraint: a name and a SQL predicate (delta/predicate) that every
/// row must satisfy (a row where it is false or null breaks it).
struct CheckConstraint {
  std::string name;
  std::string expression;
};

struct DatasetSpec {
  std::string name;  ///< the dataset: the table directory under the lake
  /// The output's schema; null = whatever the node produces (no schema check).
  std::shared_ptr<arrow::Schema> schema;
  std::vector<std::string> partition_by;
  /// Columns with file statistics (`delta.dataSkippingStatsColumns`); empty = default.
  std::vector<std::string> stats_columns;
  std::vector<std::string> ordering_keys;
  std::vector<std::string> not_null;    ///< NOT NULL columns
  std::vector<std::string> unique_key;  ///< columns that together identify a row
  std::vector<CheckConstraint> checks;
  ViolationAction on_violation = ViolationAction::kQuarantine;
  /// Write-policy overrides of this dataset (compression, file size…); unset = the
  /// run's write policy.
  std::optional<storage::DeltaWritePolicy> write_policy;
};

}  // namespace deltaline::pipeline
