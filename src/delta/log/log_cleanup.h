#pragma once

// Expired log cleanup (Spark's MetadataCleanup, delta-rs's cleanup_metadata): deletes
// the log files that only versions older than the log retention need. It lives in
// log/ because Transaction runs it after a checkpoint (delta.enableExpiredLogCleanup).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"

namespace deltaline::delta {

struct LogCleanupOptions {
  /// List what would be deleted; delete nothing. Default off.
  bool dry_run = false;
  /// "Now" in ms since the epoch (tests). Default nullopt: the wall clock.
  std::optional<int64_t> now_ms;
  /// How long log files are kept (ms). Default nullopt: the table's
  /// `delta.logRetentionDuration` (30 days when unset), read from the latest version.
  std::optional<int64_t> retention_ms;
};

struct LogCleanupResult {
  bool dry_run = false;
  int64_t retention_ms = 0;
  int64_t cutoff_ms = 0;  ///< files modified at or before this are expired
  /// Names inside `_delta_log/` (sidecars as "_sidecars/<file>"), sorted: deleted, or
  /// those a dry run would delete.
  std::vector<std::string> files;
  int64_t bytes = 0;  ///< total size of `files`
  /// The checkpoint the kept log rests on: nothing of a lower version is needed by a
  /// kept version. Unset when no checkpoint qualifies (then nothing is deleted).
  std::optional<int64_t> checkpoint_version;
  /// The oldest version that can still be loaded once `files` are gone.
  std::optional<int64_t> earliest_version;
  int64_t latest_version = -1;
};

/// \brief Whether commits run the cleanup after writing a checkpoint:
/// `delta.enableExpiredLogCleanup`, default true as in Spark (DeltaConfigs) and
/// delta-rs (TableConfig::enable_expired_log_cleanup).
bool ExpiredLogCleanupEnabled(const StringMap& configuration);

/// \brief Deletes the log files no version within the log retention needs.
///
/// cutoff = now − retention. A commit is expired when its file time (made strictly
/// increasing over the versions, as Spark's BufferingLogDeletionIterator does) is at
/// or before the cutoff. The boundary is the newest complete checkpoint (classic,
/// multi-part or V2) at or below the newest expired version and at or below the
/// version `_last_checkpoint` names (readers open that one first); commits, checkpoints,
/// `.crc` files and compacted logs of versions below it whose own file time is
/// expired are deleted, oldest first, so that every version from the boundary on
/// still loads (and every version within the retention is at or after it). V2
/// sidecars under `_delta_log/_sidecars/` that no remaining checkpoint references
/// and that are expired go too. Nothing is deleted when no checkpoint qualifies.
/// The boundary checkpoint, the newest version and `_last_checkpoint` are never
/// deleted. Loading a deleted version afterwards fails with kVersionNotFound.
///
/// Errors: kTableNotFound (no log), kInvalidInput (negative retention), the errors
/// of reading the latest snapshot (when `retention_ms` is not given), storage errors.
arrow::Result<LogCleanupResult> CleanupExpiredLogs(LogStore& store,
                                                   const LogCleanupOptions& options = {});

}  // namespace deltaline::delta
