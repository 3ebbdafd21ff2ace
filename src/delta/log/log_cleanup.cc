#include "delta/log/log_cleanup.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <set>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_v2.h"
#include "delta/log/checkpoint_read.h"
#include "delta/log/snapshot.h"
#include "delta/table/table_config.h"

namespace deltaline::delta {
namespace {

constexpr std::string_view kSidecarDir = "_sidecars";

/// A `_delta_log/` entry that belongs to one version.
struct VersionedFile {
  LogFileInfo info;
  LogFileType type = LogFileType::kOther;
  /// The version it serves; for a compacted log, the last version it covers, so that
  /// it goes only once every version it holds is below the boundary.
  int64_t version = -1;
};

struct LogIndex {
  std::vector<VersionedFile> files;
  std::map<int64_t, int64_t> commit_mtimes;
  std::set<int64_t> complete_checkpoints;
  int64_t latest = -1;
};

// "<start>.<end>.compacted.json": the end version, or -1 when malformed.
int64_t CompactionEnd(const std::string& name) {
  if (name.size() < 42 || name[20] != '.' || name[41] != '.') return -1;
  int64_t end = 0;
  for (char c : name.substr(21, 20)) {
    if (c < '0' || c > '9') return -1;
    end = end * 10 + (c - '0');
  }
  return end;
}

LogIndex IndexLog(const std::vector<LogFileInfo>& listing) {
  LogIndex index;
  std::map<std::pair<int64_t, int32_t>, int32_t> parts_seen;  // (version, parts) → n
  for (const auto& info : listing) {
    ParsedLogName parsed = ParseLogFileName(info.name);
    if (parsed.type == LogFileType::kOther) continue;
    VersionedFile file{info, parsed.type, parsed.version};
    switch (parsed.type) {
      case LogFileType::kCommit:
        index.commit_mtimes[parsed.version] = info.modification_time_ms;
        index.latest = std::max(index.latest, parsed.version);
        break;
      case LogFileType::kCheckpoint:
      case LogFileType::kV2Checkpoint:
        index.complete_checkpoints.insert(parsed.version);
        index.latest = std::max(index.latest, parsed.version);
        break;
      case LogFileType::kMultiPartCheckpoint:
        if (++parts_seen[{parsed.version, parsed.parts}] == parsed.parts) {
          index.complete_checkpoints.insert(parsed.version);
          index.latest = std::max(index.latest, parsed.version);
        }
        break;
      case LogFileType::kCompaction:
        file.version = CompactionEnd(info.name);
        if (file.version < 0) continue;
        break;
      default:
        break;
    }
    index.files.push_back(std::move(file));
  }
  return index;
}

// The newest version whose commit is expired. File times are made strictly
// increasing first (Spark's BufferingLogDeletionIterator): a commit is never
// considered older than the one before it, so the expired versions are a prefix.
std::optional<int64_t> NewestExpired(const LogIndex& index, int64_t cutoff_ms) {
  std::optional<int64_t> newest;
  int64_t previous = std::numeric_limits<int64_t>::min();
  for (const auto& [version, mtime] : index.commit_mtimes) {
    int64_t adjusted = previous == std::numeric_limits<int64_t>::min()
                           ? mtime
                           : std::max(mtime, previous + 1);
    if (adjusted > cutoff_ms) break;
    newest = version;
    previous = adjusted;
  }
  return newest;
}

// The oldest version loadable from the files that remain: 0 (commit 0 kept) or a
// complete checkpoint, followed by contiguous commits up to the newest version.
std::optional<int64_t> EarliestLoadable(const LogIndex& index,
                                        const std::set<std::string>& deleted) {
  std::set<int64_t> commits;
  std::set<int64_t> checkpoints;
  for (const auto& file : index.files) {
    if (deleted.count(file.info.name)) continue;
    if (file.type == LogFileType::kCommit) commits.insert(file.version);
    if (index.complete_checkpoints.count(file.version) &&
        (file.type == LogFileType::kCheckpoint ||
         file.type == LogFileType::kV2Checkpoint ||
         file.type == LogFileType::kMultiPartCheckpoint)) {
      checkpoints.insert(file.version);
    }
  }
  // Commits from `first_needed` to the latest are all there.
  int64_t first_needed = index.latest + 1;
  while (commits.count(first_needed - 1)) --first_needed;
  std::optional<int64_t> earliest;
  if (commits.count(0) && first_needed == 0) earliest = 0;
  for (int64_t cp : checkpoints) {
    if (cp + 1 >= first_needed && (!earliest || cp < *earliest)) earliest = cp;
  }
  return earliest;
}

// The sidecar names ("_sidecars/<file>") the checkpoints that stay reference.
arrow::Result<std::set<std::string>> ReferencedSidecars(
    LogStore& store, const LogIndex& index, const std::set<std::string>& deleted) {
  std::set<std::string> out;
  for (const auto& file : index.files) {
    // Only single-file checkpoints can be V2-spec (multi-part ones have no sidecars).
    if (file.type != LogFileType::kCheckpoint && file.type != LogFileType::kV2Checkpoint)
      continue;
    if (deleted.count(file.info.name)) continue;
    ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(file.info.name));
    const std::string source = std::string(kLogDir) + "/" + file.info.name;
    V2CheckpointRefs refs;
    if (file.info.name.size() > 5 &&
        file.info.name.compare(file.info.name.size() - 5, 5, ".json") == 0) {
      ARROW_RETURN_NOT_OK(DecodeJsonCheckpoint(
          bytes, source, [](std::vector<Action>&) { return arrow::Status::OK(); },
          &refs));
    } else {
      ARROW_RETURN_NOT_OK(DecodeV2CheckpointRefs(bytes, source, &refs));
    }
    for (const auto& sidecar : refs.sidecars) {
      ARROW_ASSIGN_OR_RAISE(auto name, SidecarLogName(store, sidecar));
      out.insert(std::move(name));
    }
  }
  return out;
}

// Expired sidecars no remaining checkpoint references, added to `plan`.
arrow::Status PlanSidecars(LogStore& store, const LogIndex& index, int64_t cutoff_ms,
                           std::set<std::string>& deleted, LogCleanupResult& result) {
  arrow::fs::FileSelector selector;
  selector.base_dir =
      store.root() + "/" + std::string(kLogDir) + "/" + std::string(kSidecarDir);
  selector.allow_not_found = true;
  ARROW_ASSIGN_OR_RAISE(auto infos, store.filesystem()->GetFileInfo(selector));
  std::vector<arrow::fs::FileInfo> expired;
  for (const auto& info : infos) {
    const int64_t mtime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                 info.mtime().time_since_epoch())
                                 .count();
    // A young sidecar may belong to a checkpoint being written right now.
    if (info.IsFile() && mtime_ms <= cutoff_ms) expired.push_back(info);
  }
  if (expired.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto referenced, ReferencedSidecars(store, index, deleted));
  for (const auto& info : expired) {
    std::string name = std::string(kSidecarDir) + "/" + info.base_name();
    if (referenced.count(name)) continue;
    result.bytes += info.size();
    deleted.insert(name);
    result.files.push_back(std::move(name));
  }
  return arrow::Status::OK();
}

// The version `_last_checkpoint` names, when it is there and readable. Readers that
// trust it open that checkpoint first, so it must survive (Spark never deletes at or
// above it either).
arrow::Result<std::optional<int64_t>> HintedVersion(LogStore& store) {
  ARROW_ASSIGN_OR_RAISE(auto head, store.HeadLog(kLastCheckpointName));
  if (!head) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(kLastCheckpointName));
  auto hint = ParseLastCheckpoint(std::string_view(
      reinterpret_cast<const char*>(bytes->data()), static_cast<size_t>(bytes->size())));
  if (!hint.ok()) return std::nullopt;
  return hint->version;
}

}  // namespace

bool ExpiredLogCleanupEnabled(const StringMap& configuration) {
  auto it = configuration.find("delta.enableExpiredLogCleanup");
  if (it == configuration.end()) return true;
  std::string value = it->second;
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return value != "false";
}

arrow::Result<LogCleanupResult> CleanupExpiredLogs(LogStore& store,
                                                   const LogCleanupOptions& options) {
  LogCleanupResult result;
  result.dry_run = options.dry_run;
  if (options.retention_ms) {
    result.retention_ms = *options.retention_ms;
  } else {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(store));
    ARROW_ASSIGN_OR_RAISE(result.retention_ms,
                          LogRetentionMs(snapshot->metadata().configuration));
  }
  if (result.retention_ms < 0) {
    return InvalidInput("log retention must not be negative (got " +
                        std::to_string(result.retention_ms) + " ms)");
  }
  result.cutoff_ms = options.now_ms.value_or(NowMs()) - result.retention_ms;

  ARROW_ASSIGN_OR_RAISE(auto listing, store.ListLog());
  const LogIndex index = IndexLog(listing);
  if (index.latest < 0) {
    return TableNotFound("no Delta table at '" + store.uri() + "' (no _delta_log)");
  }
  result.latest_version = index.latest;
  std::set<std::string> deleted;
  if (auto newest_expired = NewestExpired(index, result.cutoff_ms)) {
    int64_t limit = *newest_expired;
    ARROW_ASSIGN_OR_RAISE(auto hinted, HintedVersion(store));
    if (hinted) limit = std::min(limit, *hinted);
    auto it = index.complete_checkpoints.upper_bound(limit);
    if (it != index.complete_checkpoints.begin()) result.checkpoint_version = *--it;
  }
  if (result.checkpoint_version) {
    std::vector<const VersionedFile*> chosen;
    for (const auto& file : index.files) {
      if (file.version < *result.checkpoint_version &&
          file.info.modification_time_ms <= result.cutoff_ms) {
        chosen.push_back(&file);
      }
    }
    for (const auto* file : chosen) {
      deleted.insert(file->info.name);
      result.files.push_back(file->info.name);
      result.bytes += file->info.size;
    }
    ARROW_RETURN_NOT_OK(PlanSidecars(store, index, result.cutoff_ms, deleted, result));
  }
  result.earliest_version = EarliestLoadable(index, deleted);
  std::sort(result.files.begin(), result.files.end());
  if (options.dry_run) return result;
  // Oldest first (the names sort by version): an interrupted cleanup leaves a log
  // that still starts at a loadable point for every version it kept.
  for (const auto& name : result.files) ARROW_RETURN_NOT_OK(store.DeleteLog(name));
  return result;
}

}  // namespace deltaline::delta
