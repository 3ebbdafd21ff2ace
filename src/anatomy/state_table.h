#pragma once

// The incremental state: the Delta table `<lake>/anatomy_state`, one row per file of
// the last successful run (change_set.h's FileState plus `file_bucket`, its partition
// column). A run reads it first (what changed since, and the summaries of the files it
// does not reparse) and replaces the rows of the files it touched last, after every
// other table committed: a run that failed half-way left the state as it was, so its
// retry computes the same change set and the same sequence.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/table.h>

#include "anatomy/change_set.h"
#include "pipeline/dataset_spec.h"

namespace deltaline::anatomy {

/// \brief The state table's dataset name (its directory under the lake).
inline constexpr char kStateTable[] = "anatomy_state";

/// \brief The state table's spec: its schema, partitioned by `file_bucket`, `file_id`
/// unique and not null.
const pipeline::DatasetSpec& StateSpec();

/// \brief `files` as rows of the state table (in that order).
arrow::Result<std::shared_ptr<arrow::Table>> BuildStateTable(
    const std::vector<FileState>& files);

/// \brief The rows of a state table read back (the inverse of BuildStateTable).
arrow::Result<std::vector<FileState>> StateFromTable(const arrow::Table& table);

/// \brief What `<lake>/anatomy_state` holds.
struct StoredState {
  bool exists = false;   ///< false: no state table (a first run)
  int64_t version = -1;  ///< its Delta version when it exists
  /// The last sequence `app_id` committed to it (its `txn`); unset when none.
  std::optional<int64_t> sequence;
  std::vector<FileState> files;  ///< sorted by path
};

/// \brief Reads the state table under `lake` (latest version). A missing table is a
/// StoredState with `exists` false, not an error.
arrow::Result<StoredState> ReadState(const std::string& lake, const std::string& app_id);

}  // namespace deltaline::anatomy
