#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/retry.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"

namespace deltaline::delta {

struct RestoreOptions {
  /// The version to restore. Exactly one of `version` and `timestamp_ms` is set.
  std::optional<int64_t> version;
  /// Restore the version current at this time (ms since the epoch), as time travel
  /// resolves it.
  std::optional<int64_t> timestamp_ms;
  /// How the timestamp was given (commitInfo.operationParameters.timestamp). Default
  /// empty: the ms value as a number.
  std::string timestamp_text;
  CommitRetryPolicy retry;
  /// Restore on top of this snapshot instead of the latest one (a caller that read
  /// the table earlier); anything committed since is conflict-checked. Default null.
  std::shared_ptr<const Snapshot> read_snapshot;
};

struct RestoreResult {
  int64_t version = -1;           ///< the RESTORE commit
  int64_t restored_version = -1;  ///< the version whose content the table now has
  int64_t read_version = -1;      ///< the latest version when the restore began
  // Spark's operationMetrics of RESTORE.
  int64_t table_size_after_restore = 0;
  int64_t num_of_files_after_restore = 0;
  int64_t num_removed_files = 0;
  int64_t num_restored_files = 0;
  int64_t removed_files_size = 0;
  int64_t restored_files_size = 0;
  bool metadata_changed = false;  ///< the restored version's metadata differed
  bool protocol_changed = false;  ///< the protocol had to be raised
};

/// \brief Makes the table's content that of an older version, in one new commit
/// (Spark's RESTORE TABLE, delta-rs's restore).
///
/// A file is identified by its path and deletion vector. Files live at the target and
/// not now are re-added (dataChange true, their stats and DV kept); files live now
/// and not at the target are removed (dataChange true, with size, partition values,
/// extendedFileMetadata and DV). The target's metadata (schema, partitioning,
/// properties) is committed as Spark and delta-rs do; the protocol is never
/// downgraded: it stays, or is raised to cover the target's (both merged, as Spark's
/// Protocol.merge). The commit is `RESTORE` with parameters `version` or `timestamp`
/// and Spark's metrics (tableSizeAfterRestore, numOfFilesAfterRestore,
/// numRemovedFiles, numRestoredFiles, removedFilesSize, restoredFilesSize). It reads
/// the whole table: any concurrent data or metadata change is a typed conflict.
///
/// Errors: kInvalidInput when neither or both of version/timestamp are set, or the
/// target is not older than the latest version (as Spark and delta-rs, restoring the
/// current version is refused: it would change nothing), or when a data file or
/// deletion vector file to re-add is gone (vacuumed; the first ones are named with
/// their count, nothing is committed); kVersionNotFound for a version or timestamp
/// outside the log that survives; kUnsupportedFeature when the two protocols cannot
/// be merged (one with table features, one without); kConcurrentModification.
arrow::Result<RestoreResult> Restore(LogStore& store, const RestoreOptions& options);

}  // namespace deltaline::delta
