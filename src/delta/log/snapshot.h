#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include "delta/base/actions.h"
#include "delta/log/log_replay.h"
#include "delta/log/log_store.h"

namespace deltaline::delta {

struct LastCheckpointHint;

/// \brief Which version to load. At most one of the two may be set; neither = latest.
struct SnapshotRequest {
  std::optional<int64_t> version;
  /// Milliseconds since the epoch: the newest version committed at or before it.
  std::optional<int64_t> timestamp_ms;
  /// Check reader features (off only for inspection tools that must open anything).
  bool check_read_support = true;
};

/// \brief What the deletion vectors of a snapshot's live files delete.
struct DeletionVectorCounts {
  int64_t files = 0;         ///< live files with a DV
  int64_t deleted_rows = 0;  ///< sum of their cardinalities
};

/// \brief One commit as `history` shows it.
struct CommitRecord {
  int64_t version = 0;
  /// See CommitTimestampOf: the inCommitTimestamp where the table has them, else the
  /// file time (tables with in-commit timestamps) or commitInfo.timestamp; the times
  /// that are not in-commit timestamps are raised where needed to be strictly
  /// increasing over the commits listed, as time travel sees them.
  int64_t timestamp_ms = 0;
  std::optional<CommitInfo> info;
};

/// \brief An immutable view of a table at one version. Share it as
/// std::shared_ptr<const Snapshot>; it holds no open files.
class Snapshot {
 public:
  /// \brief Lists the log, picks the newest complete checkpoint at or below the
  /// target version, and replays the commits after it. When `_last_checkpoint` names
  /// a version at or below the target (and no timestamp is asked for), the log is
  /// listed from that version on; if that part holds no complete checkpoint at or
  /// below the target, or loading from it fails, the whole log is listed instead.
  ///
  /// Errors: kTableNotFound (no log), kVersionNotFound (version/timestamp outside
  /// the log that survives), kProtocol (a gap in the versions, malformed or
  /// truncated files, a missing sidecar of the chosen V2 checkpoint, version 0
  /// without protocol/metaData), kUnsupportedFeature
  /// (a reader feature deltaline does not implement, named).
  static arrow::Result<std::shared_ptr<const Snapshot>> Load(
      LogStore& store, const SnapshotRequest& request = {});

  int64_t version() const { return state_.version; }
  const Protocol& protocol() const { return *state_.protocol; }
  const Metadata& metadata() const { return *state_.metadata; }
  /// Full table schema (data and partition columns), canonical Arrow types.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  const std::vector<std::string>& partition_columns() const {
    return state_.metadata->partition_columns;
  }
  /// Live files, sorted by path.
  std::vector<Add> files() const;
  size_t num_files() const { return state_.files.size(); }
  const TableState& state() const { return state_; }
  /// Last version committed by `app_id` (the `txn` action), if any.
  std::optional<int64_t> AppTransactionVersion(const std::string& app_id) const;
  /// Commit timestamp of this version (ms).
  int64_t timestamp_ms() const { return timestamp_ms_; }
  /// Version of the checkpoint replay started from, if any.
  std::optional<int64_t> checkpoint_version() const { return checkpoint_version_; }
  int64_t size_bytes() const;
  /// Live rows: the sum of `numRecords` over live files minus the rows their deletion
  /// vectors delete (`numRecords` counts a file's physical rows); nullopt when any
  /// file lacks stats.
  std::optional<int64_t> num_records() const;
  /// Live files with a deletion vector, and the rows those DVs delete (their
  /// cardinalities, from the log: no DV is read).
  DeletionVectorCounts deletion_vectors() const;
  /// Table configuration value, or `fallback`.
  std::string Config(const std::string& key, const std::string& fallback = "") const;

 private:
  Snapshot() = default;
  /// Load from one listing of the log. With `partial`, `files` is the log from some
  /// version on; returns nullptr when it holds no complete checkpoint at or below
  /// the target (only the whole log can decide then).
  static arrow::Result<std::shared_ptr<const Snapshot>> LoadListed(
      LogStore& store, const SnapshotRequest& request,
      const std::vector<LogFileInfo>& files, bool partial,
      const LastCheckpointHint* hint);

  TableState state_;
  std::shared_ptr<arrow::Schema> schema_;
  int64_t timestamp_ms_ = 0;
  std::optional<int64_t> checkpoint_version_;
};

/// \brief Commit records, newest first, for the commits still in the log
/// (`limit` < 0 = all). Commits whose JSON was cleaned up after a checkpoint are
/// not listed.
arrow::Result<std::vector<CommitRecord>> ReadHistory(LogStore& store, int64_t limit = -1);

/// \brief Reads and parses one commit file (`_delta_log/<version>.json`).
arrow::Result<std::vector<Action>> ReadCommit(LogStore& store, int64_t version);

}  // namespace deltaline::delta
