#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <arrow/result.h>

#include "delta/base/retry.h"
#include "delta/log/log_store.h"

namespace deltaline::delta {

/// \brief What to do when the target already holds a table.
enum class CloneMode {
  kError,      ///< refuse with kTableAlreadyExists, nothing written
  kOverwrite,  ///< one new commit replaces the target's content and metadata
};

/// \brief Where a deep clone stands: data and deletion-vector files.
struct CloneProgress {
  int64_t files_done = 0;
  int64_t files_total = 0;
  int64_t bytes_done = 0;
  int64_t bytes_total = 0;
};

struct CloneOptions {
  /// Source version to clone. Default: the latest (or `timestamp_ms`).
  std::optional<int64_t> version;
  /// Clone the source version current at this time (ms since the epoch). At most one
  /// of `version` and `timestamp_ms` may be set. Default none.
  std::optional<int64_t> timestamp_ms;
  /// Reference the source's files by absolute URI instead of copying them. Default off.
  bool shallow = false;
  /// Default kError.
  CloneMode mode = CloneMode::kError;
  /// Called as files are copied (never for a shallow clone), from the copying threads
  /// but never two calls at once. Default none.
  std::function<void(const CloneProgress&)> progress;
  /// Retries of the target commit when another writer took its version (overwrite).
  CommitRetryPolicy retry;
};

struct CloneResult {
  std::string source_uri;  ///< the source as recorded in the commit (absolute)
  int64_t source_version = -1;
  std::string target_uri;
  int64_t target_version = -1;  ///< the CLONE commit
  bool shallow = false;
  int64_t num_files = 0;            ///< data files of the clone (= source live files)
  int64_t source_table_size = 0;    ///< their bytes
  int64_t num_copied_files = 0;     ///< data files copied (0 for a shallow clone)
  int64_t copied_files_size = 0;    ///< their bytes
  int64_t num_reused_files = 0;     ///< identical files already in the target, kept
  int64_t num_copied_dv_files = 0;  ///< deletion-vector files copied
  int64_t num_removed_files = 0;    ///< target files replaced (overwrite)
  int64_t removed_files_size = 0;
};

/// \brief Clones `source` at one version into `target` (Spark's CLONE): one commit
/// with the source's protocol, schema, partitioning, table properties and domain
/// metadata, a new table id, and one `add` per live source file (stats, partition
/// values, tags and deletion vector kept).
///
/// A deep clone copies every live data file and every `u` deletion-vector file to the
/// same relative path under the target, in parallel on Arrow's IO pool. Each copy is
/// checked against the log's `add.size` and read back: its CRC-32 must equal the
/// CRC-32 of the bytes read from the source. A file already at the target path is
/// never overwritten: an identical one (size and CRC-32) is reused, a different one is
/// refused (kInvalidInput naming it). Absolute `p` deletion vectors are kept as they
/// are. A shallow clone copies nothing: adds and `u` deletion vectors reference the
/// source's files by absolute `file://` URI (local sources only).
///
/// The commit is `operation = CLONE` with parameters source, sourceVersion, isShallow
/// and Spark's metrics (sourceTableSize, sourceNumOfFiles, numRemovedFiles,
/// numCopiedFiles, removedFilesSize, copiedFilesSize). When anything fails, the files
/// this call copied are deleted and nothing is committed.
///
/// Errors: kTableAlreadyExists (the target has a log and mode is kError; nothing is
/// written), kInvalidInput (source = target or nested in it, both version and timestamp,
/// a different file in the way), kUnsupportedFeature naming a writer feature that cannot
/// be cloned correctly (rowTracking, inCommitTimestamp, icebergCompat*, unknown ones),
/// kProtocol when a source file's size contradicts its `add`, snapshot load errors
/// (kTableNotFound, kVersionNotFound), IO errors naming the file, commit conflicts.
arrow::Result<CloneResult> CloneTable(LogStore& source, LogStore& target,
                                      const CloneOptions& options = {});

}  // namespace deltaline::delta
