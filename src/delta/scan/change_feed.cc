#include "delta/scan/change_feed.h"

#include <algorithm>

#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/scan/change_feed_reader.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {
namespace {

// The change reader applies deletion vectors itself (as row selections), so a table
// with them reads here even where a plain scan still refuses them.
arrow::Status CheckChangeFeedReadSupported(const Protocol& protocol,
                                           const Metadata& metadata) {
  Protocol without_dvs = protocol;
  if (without_dvs.reader_features) {
    auto& features = *without_dvs.reader_features;
    features.erase(std::remove(features.begin(), features.end(), "deletionVectors"),
                   features.end());
  }
  return CheckReadSupported(without_dvs, metadata);
}

std::vector<ListedCommit> ListCommits(const std::vector<LogFileInfo>& files) {
  std::vector<ListedCommit> out;
  for (const auto& file : files) {
    ParsedLogName parsed = ParseLogFileName(file.name);
    if (parsed.type == LogFileType::kCommit) out.push_back({parsed.version, file});
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.version < b.version; });
  return out;
}

std::optional<int64_t> InCommitTimestamp(const std::vector<Action>& actions) {
  for (const auto& action : actions) {
    if (const auto* info = std::get_if<CommitInfo>(&action)) {
      return info->in_commit_timestamp;
    }
  }
  return std::nullopt;
}

arrow::Status NotRecorded(const LogStore& store, int64_t version,
                          const ChangeRange& range) {
  return DeltaError(ErrorKind::kChangeDataNotRecorded,
                    "change data of '" + store.uri() + "' for versions " +
                        std::to_string(range.start) + " to " + std::to_string(range.end) +
                        " was not recorded: delta.enableChangeDataFeed is not true at "
                        "version " +
                        std::to_string(version));
}

std::shared_ptr<arrow::Schema> ChangeSchema(const arrow::Schema& table) {
  arrow::FieldVector fields = table.fields();
  fields.push_back(arrow::field(kChangeTypeColumn, arrow::utf8()));
  fields.push_back(arrow::field(kCommitVersionColumn, arrow::int64()));
  fields.push_back(arrow::field(kCommitTimestampColumn,
                                arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")));
  return arrow::schema(std::move(fields));
}

}  // namespace

arrow::Result<std::unique_ptr<ChangeFeed>> ChangeFeed::Make(
    LogStore& store, const ChangeFeedRequest& request) {
  SnapshotRequest latest_request;
  latest_request.check_read_support = false;
  ARROW_ASSIGN_OR_RAISE(auto latest, Snapshot::Load(store, latest_request));
  ARROW_RETURN_NOT_OK(
      CheckChangeFeedReadSupported(latest->protocol(), latest->metadata()));
  std::unique_ptr<ChangeFeed> feed(new ChangeFeed(store, latest));
  feed->schema_ = ChangeSchema(*latest->schema());

  ARROW_ASSIGN_OR_RAISE(auto files, store.ListLog());
  std::vector<ListedCommit> listed = ListCommits(files);
  if (listed.empty()) {
    return DeltaError(ErrorKind::kVersionNotFound,
                      "change data feed: '" + store.uri() +
                          "' keeps no commit files (only checkpoints)");
  }
  // In-commit timestamps live inside the commits: resolving a time against them needs
  // every commit read. Otherwise the commits of the range are read below anyway.
  std::map<int64_t, int64_t> in_commit_timestamps;
  if ((request.start_timestamp_ms || request.end_timestamp_ms) &&
      latest->Config("delta.enableInCommitTimestamps") == "true") {
    for (const auto& commit : listed) {
      ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(store, commit.version));
      if (auto ict = InCommitTimestamp(actions)) {
        in_commit_timestamps[commit.version] = *ict;
      }
    }
  }
  auto timestamps = ChangeFeedTimestamps(listed, in_commit_timestamps);
  ARROW_ASSIGN_OR_RAISE(feed->range_,
                        ResolveChangeRange(request, timestamps, store.uri()));
  const ChangeRange& range = feed->range_;
  if (range.empty()) return feed;

  // Spark's rule: enabled in the metadata in force at the start version, and no commit
  // of the range turns it off.
  SnapshotRequest start_request;
  start_request.version = range.start;
  start_request.check_read_support = false;
  ARROW_ASSIGN_OR_RAISE(auto start, Snapshot::Load(store, start_request));
  if (!ChangeDataFeedEnabled(start->metadata().configuration)) {
    return NotRecorded(store, range.start, range);
  }
  bool new_timestamps = false;
  for (int64_t version = range.start; version <= range.end; ++version) {
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommit(store, version));
    if (version > range.start && DisablesChangeDataFeed(actions)) {
      return NotRecorded(store, version, range);
    }
    if (auto ict = InCommitTimestamp(actions);
        ict && !in_commit_timestamps.count(version)) {
      in_commit_timestamps[version] = *ict;
      new_timestamps = true;
    }
    ARROW_ASSIGN_OR_RAISE(
        auto planned, PlanCommitChanges(actions, latest->partition_columns(), version));
    if (!planned.empty()) feed->commits_.push_back({version, 0, std::move(planned)});
  }
  if (new_timestamps) timestamps = ChangeFeedTimestamps(listed, in_commit_timestamps);
  for (auto& commit : feed->commits_) commit.timestamp_ms = timestamps.at(commit.version);
  return feed;
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> ChangeFeed::Scan(
    const ChangeFeedOptions& options) const {
  return MakeChangeReader(store_, latest_->partition_columns(), schema_, commits_,
                          options);
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadChanges(
    LogStore& store, const ChangeFeedRequest& request, const ChangeFeedOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto feed, ChangeFeed::Make(store, request));
  ARROW_ASSIGN_OR_RAISE(auto reader, feed->Scan(options));
  return reader->ToTable();
}

}  // namespace deltaline::delta
