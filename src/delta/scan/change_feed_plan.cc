#include "delta/scan/change_feed_plan.h"

#include <algorithm>
#include <climits>

#include <arrow/scalar.h>

#include "delta/base/errors.h"
#include "delta/table/table_config.h"

namespace deltaline::delta {
namespace {

Add DataFile(const std::string& path, PartitionValues partition_values, int64_t size) {
  Add add;
  add.path = path;
  add.partition_values = std::move(partition_values);
  add.size = size;
  return add;
}

// Spark's hotfix for MERGE commits that rewrote files without changing a row: their
// adds and removes carry dataChange=true but no change may be derived from them.
bool IsNoOpMerge(const CommitInfo& info) {
  if (info.operation != "MERGE") return false;
  for (const char* metric :
       {"numTargetRowsInserted", "numTargetRowsUpdated", "numTargetRowsDeleted"}) {
    auto it = info.operation_metrics.find(metric);
    if (it == info.operation_metrics.end() || it->second != "0") return false;
  }
  return true;
}

arrow::Result<PartitionValues> RemovedPartitionValues(
    const Remove& remove, const std::vector<std::string>& partition_columns,
    int64_t version) {
  if (remove.partition_values) return *remove.partition_values;
  if (partition_columns.empty()) return PartitionValues{};
  return ProtocolError("commit " + std::to_string(version) + ": remove of '" +
                       remove.path +
                       "' has no partitionValues, so its rows' partition values are "
                       "unknown to the change data feed");
}

// "2024-05-01 12:00:00.000Z (1714564800000 ms)"
std::string TimeText(int64_t ms) {
  arrow::TimestampScalar stamp(ms, arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"));
  return stamp.ToString() + " (" + std::to_string(ms) + " ms)";
}

}  // namespace

arrow::Result<std::vector<ChangeFile>> PlanCommitChanges(
    const std::vector<Action>& actions, const std::vector<std::string>& partition_columns,
    int64_t version) {
  std::vector<ChangeFile> cdc_files;
  // Keyed by path, in log order, as Spark pairs a remove with the add of the same file.
  std::vector<const Add*> adds;
  std::map<std::string, const Remove*> removes;
  std::vector<std::string> remove_order;
  bool no_op_merge = false;
  for (const auto& action : actions) {
    if (const auto* cdc = std::get_if<Cdc>(&action)) {
      cdc_files.push_back(
          {DataFile(cdc->path, cdc->partition_values, cdc->size), "", {}, {}});
    } else if (const auto* add = std::get_if<Add>(&action)) {
      if (add->data_change) adds.push_back(add);
    } else if (const auto* remove = std::get_if<Remove>(&action)) {
      if (remove->data_change && removes.emplace(remove->path, remove).second) {
        remove_order.push_back(remove->path);
      }
    } else if (const auto* info = std::get_if<CommitInfo>(&action)) {
      no_op_merge = IsNoOpMerge(*info);
    }
  }
  if (!cdc_files.empty()) return cdc_files;
  std::vector<ChangeFile> out;
  if (no_op_merge) return out;

  std::map<std::string, const Add*> paired_adds;
  for (const Add* add : adds) {
    if (removes.count(add->path)) paired_adds.emplace(add->path, add);
  }
  for (const std::string& path : remove_order) {
    const Remove& remove = *removes.at(path);
    ARROW_ASSIGN_OR_RAISE(auto values,
                          RemovedPartitionValues(remove, partition_columns, version));
    Add file = DataFile(remove.path, std::move(values), remove.size.value_or(0));
    auto paired = paired_adds.find(path);
    if (paired == paired_adds.end()) {
      out.push_back({std::move(file), kChangeDelete, {}, remove.deletion_vector});
      continue;
    }
    const auto& old_dv = remove.deletion_vector;
    const auto& new_dv = paired->second->deletion_vector;
    // The same file, same DV: nothing changed. Otherwise the DV diff in both directions
    // (an empty diff reads no row).
    if (!old_dv && !new_dv) continue;
    if (new_dv) out.push_back({file, kChangeDelete, new_dv, old_dv});
    if (old_dv) out.push_back({file, kChangeInsert, old_dv, new_dv});
  }
  for (const Add* add : adds) {
    if (paired_adds.count(add->path)) continue;
    out.push_back({DataFile(add->path, add->partition_values, add->size),
                   kChangeInsert,
                   {},
                   add->deletion_vector});
  }
  return out;
}

bool DisablesChangeDataFeed(const std::vector<Action>& actions) {
  for (const auto& action : actions) {
    const auto* metadata = std::get_if<Metadata>(&action);
    if (metadata && !ChangeDataFeedEnabled(metadata->configuration)) return true;
  }
  return false;
}

std::map<int64_t, int64_t> ChangeFeedTimestamps(
    const std::vector<ListedCommit>& commits,
    const std::map<int64_t, int64_t>& in_commit_timestamps) {
  std::map<int64_t, int64_t> out;
  int64_t previous = INT64_MIN;
  for (const auto& commit : commits) {
    auto ict = in_commit_timestamps.find(commit.version);
    int64_t ts;
    if (ict != in_commit_timestamps.end()) {
      // The protocol makes in-commit timestamps increase; Spark takes them as they are.
      ts = ict->second;
    } else {
      ts = commit.info.modification_time_ms;
      if (previous != INT64_MIN && ts <= previous) ts = previous + 1;
    }
    out[commit.version] = ts;
    previous = ts;
  }
  return out;
}

arrow::Result<ChangeRange> ResolveChangeRange(
    const ChangeFeedRequest& request, const std::map<int64_t, int64_t>& timestamps,
    const std::string& table_uri) {
  if (request.start_version && request.start_timestamp_ms) {
    return InvalidInput(
        "change data feed: give a start version or a start timestamp, "
        "not both");
  }
  if (request.end_version && request.end_timestamp_ms) {
    return InvalidInput(
        "change data feed: give an end version or an end timestamp, "
        "not both");
  }
  if (!request.start_version && !request.start_timestamp_ms) {
    return InvalidInput("change data feed: a start version or timestamp is required");
  }
  const int64_t earliest = timestamps.begin()->first;
  const int64_t latest = timestamps.rbegin()->first;
  const std::string where = " of '" + table_uri + "'";
  auto outside = [&](const char* which, int64_t version) {
    return DeltaError(ErrorKind::kVersionNotFound,
                      std::string("change data feed: ") + which + " version " +
                          std::to_string(version) + where +
                          " is not in the log (commits " + std::to_string(earliest) +
                          " to " + std::to_string(latest) + ")");
  };

  ChangeRange range;
  if (request.start_version) {
    range.start = *request.start_version;
  } else {
    auto first_after = std::find_if(timestamps.begin(), timestamps.end(), [&](auto& e) {
      return e.second >= *request.start_timestamp_ms;
    });
    if (first_after == timestamps.end()) {
      return DeltaError(ErrorKind::kVersionNotFound,
                        "change data feed: no version" + where + " was committed at or " +
                            "after the start time " +
                            TimeText(*request.start_timestamp_ms) +
                            " (latest commit: version " + std::to_string(latest) +
                            " at " + TimeText(timestamps.rbegin()->second) + ")");
    }
    range.start = first_after->first;
  }
  if (request.end_version) {
    range.end = *request.end_version;
  } else if (request.end_timestamp_ms) {
    std::optional<int64_t> found;
    for (const auto& [version, ts] : timestamps) {
      if (ts <= *request.end_timestamp_ms) found = version;
    }
    if (!found) {
      return DeltaError(ErrorKind::kVersionNotFound,
                        "change data feed: no version" + where + " was committed at or " +
                            "before the end time " + TimeText(*request.end_timestamp_ms) +
                            " (earliest commit: version " + std::to_string(earliest) +
                            " at " + TimeText(timestamps.begin()->second) + ")");
    }
    range.end = *found;
  } else {
    range.end = latest;
  }

  if (request.start_timestamp_ms && request.end_timestamp_ms) {
    if (*request.start_timestamp_ms > *request.end_timestamp_ms) {
      return InvalidInput(
          "change data feed: the end time " + TimeText(*request.end_timestamp_ms) +
          " is before the start time " + TimeText(*request.start_timestamp_ms));
    }
    // Both times between the same two commits: no commit in the window.
    if (range.end == range.start - 1) return range;
  }
  if (range.start < earliest || range.start > latest)
    return outside("start", range.start);
  if (range.end < earliest || range.end > latest) return outside("end", range.end);
  if (range.end < range.start) {
    return InvalidInput("change data feed: the end version " + std::to_string(range.end) +
                        " is before the start version " + std::to_string(range.start));
  }
  return range;
}

}  // namespace deltaline::delta
