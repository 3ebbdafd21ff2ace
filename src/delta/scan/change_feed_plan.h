#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"

namespace deltaline::delta {

// The pure half of the change data feed: which files a commit's changes come from,
// which versions a request covers and what time each commit reports. No IO here;
// change_feed.h reads the log and the files.

inline constexpr char kChangeTypeColumn[] = "_change_type";
inline constexpr char kCommitVersionColumn[] = "_commit_version";
inline constexpr char kCommitTimestampColumn[] = "_commit_timestamp";
inline constexpr char kChangeInsert[] = "insert";
inline constexpr char kChangeDelete[] = "delete";

/// \brief One file a commit's changes are read from, and which of its rows count.
struct ChangeFile {
  /// The file to open (path, partitionValues, size). Its deletion_vector is always
  /// unset: the rows to keep are said by the two fields below, so a data file reader
  /// that applies DVs itself does not apply one twice.
  Add file;
  /// kChangeInsert or kChangeDelete for a file derived from add/remove; empty for a
  /// cdc file, whose rows carry their own `_change_type`.
  std::string change_type;
  /// When set, only the rows this DV deletes (a DV diff of a remove and an add of the
  /// same file in one commit).
  std::optional<DeletionVectorDescriptor> only_rows_deleted_by;
  /// When set, not the rows this DV deletes (the file's own DV).
  std::optional<DeletionVectorDescriptor> except_rows_deleted_by;

  bool from_cdc() const { return change_type.empty(); }
};

/// \brief The files one commit's changes are read from, as Spark's table_changes
/// derives them:
/// - a commit with `cdc` actions: exactly its cdc files (adds and removes ignored);
/// - otherwise its adds (inserts) and removes (deletes) with dataChange=true, each
///   minus the rows of its own DV, so a commit of dataChange=false actions only
///   (OPTIMIZE…) yields nothing;
/// - an add and a remove of the same path (a DV added or changed, no cdc): the rows in
///   the add's DV but not the remove's are deletes, those in the remove's DV but not
///   the add's are inserts (a restore);
/// - a MERGE whose metrics say it inserted, updated and deleted no row: nothing.
/// Errors: kProtocol, naming `version` and the file, for a remove without
/// partitionValues in a partitioned table (its rows' partition values are unknown).
arrow::Result<std::vector<ChangeFile>> PlanCommitChanges(
    const std::vector<Action>& actions, const std::vector<std::string>& partition_columns,
    int64_t version);

/// \brief True when one of `actions` is a metaData whose `delta.enableChangeDataFeed`
/// is not "true": from this commit on the table records no change data.
bool DisablesChangeDataFeed(const std::vector<Action>& actions);

/// \brief A commit of the log listing: its version and file entry.
struct ListedCommit {
  int64_t version = 0;
  LogFileInfo info;
};

/// \brief The `_commit_timestamp` of each commit, as Spark's change data feed reports
/// it: the commit's inCommitTimestamp when `in_commit_timestamps` has one, else the
/// commit file's modification time, raised to previous + 1 ms where it does not
/// increase (Spark's monotonised commit times). `commits` ascending by version.
std::map<int64_t, int64_t> ChangeFeedTimestamps(
    const std::vector<ListedCommit>& commits,
    const std::map<int64_t, int64_t>& in_commit_timestamps);

/// \brief Which versions to read. A start is required (version or timestamp); the end
/// defaults to the latest version.
struct ChangeFeedRequest {
  std::optional<int64_t> start_version;
  /// Milliseconds since the epoch: the first version committed at or after it.
  std::optional<int64_t> start_timestamp_ms;
  std::optional<int64_t> end_version;
  /// Milliseconds since the epoch: the last version committed at or before it.
  std::optional<int64_t> end_timestamp_ms;
};

/// \brief Versions [start, end], both included; empty when two timestamps fall
/// between the same two commits (Spark returns no rows then).
struct ChangeRange {
  int64_t start = 0;
  int64_t end = -1;
  bool empty() const { return end < start; }
};

/// \brief Resolves `request` against the commits the log still has (`timestamps`,
/// version → commit time, ascending, not empty). Errors, each naming the versions or
/// times involved: kInvalidInput for a request without a start, with both a version
/// and a timestamp for one end, or whose end comes before its start;
/// kVersionNotFound for a version outside [earliest, latest] commit or a timestamp
/// after the latest commit (start) or before the earliest one (end).
arrow::Result<ChangeRange> ResolveChangeRange(
    const ChangeFeedRequest& request, const std::map<int64_t, int64_t>& timestamps,
    const std::string& table_uri);

}  // namespace deltaline::delta
