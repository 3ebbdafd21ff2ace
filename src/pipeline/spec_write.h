#pragma once

// Writes one pipeline output under its DatasetSpec: the spec decides the commit's
// metadata and table properties, the check (spec_check.h) decides which rows commit,
// and the finalize writer commits them with their side tables.

#include <memory>
#include <string>
#include <variant>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "pipeline/dataset_spec.h"
#include "pipeline/spec_check.h"
#include "storage/storage_writer.h"

namespace deltaline::pipeline {

/// \brief A materialised output: a whole table or a stream (consumed once).
using OutputValue = std::variant<std::shared_ptr<arrow::Table>,
                                 std::shared_ptr<arrow::RecordBatchReader>>;

struct SpecWriteResult {
  std::string uri;  ///< `<lake>/<spec.name>`
  /// The main commit, and the `_errors` / `_error_stats` commits when the spec has
  /// rules (see WriteOutput).
  storage::FinalizeResult written;
  SpecCheckCounts counts;
};

/// \brief The spec's constraints as commit metadata (`deltaline.constraints`): every
/// rule of SpecRules by name → its expression (`not_null_id` → "id IS NOT NULL",
/// `unique_a_b` → "UNIQUE (a, b)", a CHECK → its SQL).
arrow::Result<std::map<std::string, std::string>> SpecConstraints(
    const DatasetSpec& spec);

/// \brief `base` with what the spec decides: dataset = spec.name, partition_by,
/// ordering_keys (each when the spec sets it), the spec's constraints on top of
/// base's, the spec's write policy (replacing base's when set), and its stats columns
/// as the policy's `stats_columns` (→ `delta.dataSkippingStatsColumns`). Everything
/// else, `delta.app_transaction` included, is passed through untouched.
arrow::Result<storage::StorageWriteOptions> SpecWriteOptions(
    const DatasetSpec& spec, storage::StorageWriteOptions base);

/// \brief Checks `value` against `spec` and commits it to `<lake_uri>/<spec.name>`
/// through storage::WriteFinalizeResultDelta.
///
/// A stream is checked as it is written (bounded memory, see spec_check.h); a table is
/// checked whole before anything is written. Side tables `<name>_errors` and
/// `<name>_error_stats` are written on every run of a spec that has rules — whether
/// or not a row broke one — so that whether they exist follows from the spec alone
/// and `_error_stats` holds a row per rule per run (zeros included); a spec without
/// rules writes none. The side tables take the main write's options (the same `txn`
/// included) except partitioning and stats columns, which belong to the main table.
/// Under kFailRun a violation fails with IsConstraintViolation naming the dataset,
/// the rule and an example row, and nothing is committed (a stream's data files
/// already written stay uncommitted).
arrow::Result<SpecWriteResult> WriteOutput(OutputValue value, const DatasetSpec& spec,
                                             const std::string& lake_uri,
                                             storage::StorageWriteOptions base,
                                             const SpecCheckOptions& check = {});

}  // namespace deltaline::pipeline
