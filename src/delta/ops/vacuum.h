#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/log/log_store.h"

namespace deltaline::delta {

struct VacuumOptions {
  /// Files unreferenced for longer than this are deleted (ms). Default nullopt: the
  /// table's `delta.deletedFileRetentionDuration` (one week when unset).
  std::optional<int64_t> retention_ms;
  /// Refuse a retention shorter than the table's (Spark's
  /// `spark.databricks.delta.retentionDurationCheck.enabled`). Default on.
  bool retention_check = true;
  /// List what would be deleted; delete nothing and commit nothing. Default off.
  bool dry_run = false;
  /// Called after each deleted file with (deleted so far, to delete). Default none.
  std::function<void(int64_t, int64_t)> progress;
};

struct VacuumResult {
  int64_t snapshot_version = -1;  ///< the version whose files were kept
  int64_t retention_ms = 0;       ///< the retention applied
  bool dry_run = false;
  /// Paths relative to the table root (decoded, as on disk), sorted: deleted, or
  /// those a dry run would delete.
  std::vector<std::string> files;
  int64_t bytes = 0;  ///< total size of `files`
  int64_t directories_deleted = 0;
  /// Versions of the VACUUM START / VACUUM END commits (unset for a dry run or when
  /// the END commit could not be made after the files were deleted).
  std::optional<int64_t> start_version;
  std::optional<int64_t> end_version;
};

/// \brief Deletes the data files under the table root that the latest snapshot no
/// longer references and that are older than the retention (Spark/delta-rs VACUUM).
///
/// A file is kept when a live `add` references it, when an unexpired tombstone does
/// (deleted less than the retention ago), or when it was modified less than the
/// retention ago (it may belong to a write still in flight). `_delta_log/` and
/// hidden names (`_`/`.` prefixed) are never looked into, except partition
/// directories (`col=value` for a partition column) and `_change_data`, as Spark.
/// Directories left empty by the deletion are removed too.
///
/// The operation is recorded as Spark and delta-rs do: a `VACUUM START` commit
/// (parameters retentionCheckEnabled, specifiedRetentionMillis,
/// defaultRetentionMillis; metrics numFilesToDelete, sizeOfDataToDelete) before
/// anything is deleted, and a `VACUUM END` commit (status COMPLETED; metrics
/// numDeletedFiles, numVacuumedDirectories) after.
///
/// Errors: kInvalidInput when `retention_ms` is negative, or shorter than the table's
/// retention while `retention_check` is on (nothing is deleted); kUnsupportedFeature
/// when the table uses a writer feature deltaline does not support (deletion vector
/// files would look unreferenced); snapshot load errors.
arrow::Result<VacuumResult> Vacuum(LogStore& store, const VacuumOptions& options = {});

}  // namespace deltaline::delta
