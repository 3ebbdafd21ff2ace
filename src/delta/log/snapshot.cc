#include "delta/log/snapshot.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/log/checkpoint_read.h"
#include "delta/log/commit_timestamps.h"
#include "delta/table/schema.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {
namespace {

/// What the listing of `_delta_log/` says, before any file is read.
struct LogListing {
  std::map<int64_t, LogFileInfo> commits;
  /// The checkpoint to use per version (PreferCheckpoint), complete ones only.
  std::map<int64_t, CheckpointCandidate> checkpoints;
};

void Offer(LogListing& out, CheckpointCandidate candidate, std::string_view hinted) {
  auto [it, inserted] = out.checkpoints.try_emplace(candidate.version, candidate);
  if (!inserted && PreferCheckpoint(candidate, it->second, hinted)) {
    it->second = std::move(candidate);
  }
}

// `hinted`: the UUID-named checkpoint `_last_checkpoint` names, preferred at its version.
LogListing Classify(const std::vector<LogFileInfo>& files, std::string_view hinted = {}) {
  LogListing out;
  // (version, parts) → names seen; a multi-part checkpoint counts only when whole.
  std::map<std::pair<int64_t, int32_t>, std::vector<std::string>> parts_seen;
  for (const auto& file : files) {
    ParsedLogName parsed = ParseLogFileName(file.name);
    switch (parsed.type) {
      case LogFileType::kCommit:
        out.commits[parsed.version] = file;
        break;
      case LogFileType::kCheckpoint:
        Offer(out, {parsed.version, CheckpointKind::kClassic, 1, {file.name}}, hinted);
        break;
      case LogFileType::kMultiPartCheckpoint:
        parts_seen[{parsed.version, parsed.parts}].push_back(file.name);
        break;
      case LogFileType::kV2Checkpoint:
        // Written whole or not at all; an empty file is a write that never finished.
        if (file.size > 0) {
          Offer(out, {parsed.version, CheckpointKind::kUuid, 1, {file.name}}, hinted);
        }
        break;
      default:
        break;
    }
  }
  for (auto& [key, names] : parts_seen) {
    if (static_cast<int32_t>(names.size()) != key.second) continue;
    std::sort(names.begin(), names.end());
    Offer(out, {key.first, CheckpointKind::kMultiPart, key.second, names}, hinted);
  }
  return out;
}

arrow::Result<std::vector<Action>> ReadCommitFile(LogStore& store,
                                                  const LogFileInfo& info) {
  ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(info.name));
  return ParseCommitFile(std::string_view(reinterpret_cast<const char*>(bytes->data()),
                                          static_cast<size_t>(bytes->size())),
                         std::string(kLogDir) + "/" + info.name);
}

// The in-commit timestamp span of the table's latest version: which commits carry
// their own time is decided by the newest metaData, as Spark decides it. A table whose
// latest version cannot be loaded (a corrupt tail, only v2 checkpoints…) still has a
// history and older versions: they are timed as if it had no in-commit timestamps.
arrow::Result<InCommitTimestampSpan> LatestTimestampSpan(LogStore& store) {
  SnapshotRequest latest;
  latest.check_read_support = false;
  auto snapshot = Snapshot::Load(store, latest);
  if (!snapshot.ok()) return InCommitTimestampSpan{};
  return InCommitTimestampSpanOf((*snapshot)->metadata().configuration);
}

// Every commit's time (see CommitTimestampOf), the ones without an in-commit
// timestamp made strictly increasing, as Spark's history manager does, so that "the
// version at time T" is well defined even when clocks went backwards.
arrow::Result<std::map<int64_t, int64_t>> CommitTimestamps(
    LogStore& store, const LogListing& listing, const InCommitTimestampSpan& span) {
  std::map<int64_t, int64_t> out;
  for (const auto& [version, info] : listing.commits) {
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommitFile(store, info));
    out[version] = CommitTimestampOf(actions, version, info.modification_time_ms, span);
  }
  MakeMonotonic(out, span);
  return out;
}

arrow::Result<int64_t> ResolveTimestamp(LogStore& store, const LogListing& listing,
                                        int64_t timestamp_ms) {
  ARROW_ASSIGN_OR_RAISE(auto span, LatestTimestampSpan(store));
  ARROW_ASSIGN_OR_RAISE(auto timestamps, CommitTimestamps(store, listing, span));
  std::optional<int64_t> found = VersionAtTimestamp(timestamps, span, timestamp_ms);
  if (!found) {
    return DeltaError(
        ErrorKind::kVersionNotFound,
        "no version of '" + store.uri() + "' was committed at or before " +
            std::to_string(timestamp_ms) + " ms (earliest commit: " +
            (timestamps.empty() ? std::string("none")
                                : std::to_string(timestamps.begin()->second)) +
            " ms)");
  }
  return *found;
}

// Only a hint at or below `target` should have served it: a newer one (after log
// cleanup, the checkpoint the kept log rests on) is not missing, just not usable.
std::string LastCheckpointNote(LogStore& store, int64_t target) {
  auto head = store.HeadLog(kLastCheckpointName);
  if (!head.ok() || !head->has_value()) return "";
  auto bytes = store.ReadLog(kLastCheckpointName);
  if (!bytes.ok()) return "";
  auto hint = ParseLastCheckpoint(
      std::string_view(reinterpret_cast<const char*>((*bytes)->data()),
                       static_cast<size_t>((*bytes)->size())));
  if (!hint.ok())
    return " (_last_checkpoint is unreadable: " + hint.status().message() + ")";
  if (hint->version > target) return "";
  return " (_last_checkpoint points at version " + std::to_string(hint->version) +
         ", whose checkpoint is missing or incomplete)";
}

// `_last_checkpoint`, if it is there and readable. The checkpoint it names may be
// missing or incomplete: the caller checks the listing.
std::optional<LastCheckpointHint> ReadHint(LogStore& store) {
  auto bytes = store.ReadLog(kLastCheckpointName);
  if (!bytes.ok()) return std::nullopt;  // absent (or unreadable): no hint
  auto hint = ParseLastCheckpoint(
      std::string_view(reinterpret_cast<const char*>((*bytes)->data()),
                       static_cast<size_t>((*bytes)->size())));
  if (!hint.ok() || hint->version < 0) return std::nullopt;
  return std::move(hint).ValueUnsafe();
}

// "00000000000000000042": every log file of version 42 and later sorts at or after it.
std::string VersionPrefix(int64_t version) {
  std::string name = CommitFileName(version);
  return name.substr(0, name.find('.'));
}

// The version a request asks for: the latest, or the one named, or the one in force
// at a timestamp. kVersionNotFound beyond the log.
arrow::Result<int64_t> ResolveTarget(LogStore& store, const SnapshotRequest& request,
                                     const LogListing& listing) {
  int64_t latest = -1;
  if (!listing.commits.empty()) latest = listing.commits.rbegin()->first;
  if (!listing.checkpoints.empty()) {
    latest = std::max(latest, listing.checkpoints.rbegin()->first);
  }

  int64_t target = latest;
  if (request.version) {
    target = *request.version;
    if (target < 0 || target > latest) {
      return DeltaError(ErrorKind::kVersionNotFound, "version " + std::to_string(target) +
                                                         " of '" + store.uri() +
                                                         "' does not exist (latest is " +
                                                         std::to_string(latest) + ")");
    }
  } else if (request.timestamp_ms) {
    ARROW_ASSIGN_OR_RAISE(target,
                          ResolveTimestamp(store, listing, *request.timestamp_ms));
  }
  return target;
}

// Without a checkpoint the replay starts at commit 0, which must still exist.
arrow::Status CheckCommitZero(LogStore& store, const SnapshotRequest& request,
                              const LogListing& listing, int64_t target) {
  auto first = listing.commits.begin();
  if (first == listing.commits.end() || first->first != 0) {
    int64_t earliest = first == listing.commits.end() ? -1 : first->first;
    if (request.version || request.timestamp_ms) {
      const std::string oldest_checkpoint =
          listing.checkpoints.empty()
              ? std::string()
              : ", oldest checkpoint " +
                    std::to_string(listing.checkpoints.begin()->first);
      return DeltaError(ErrorKind::kVersionNotFound,
                        "version " + std::to_string(target) + " of '" + store.uri() +
                            "' cannot be rebuilt: its commits were cleaned up and no "
                            "checkpoint at or below it remains (earliest commit " +
                            std::to_string(earliest) + oldest_checkpoint + ")" +
                            LastCheckpointNote(store, target));
    }
    return ProtocolError("table '" + store.uri() +
                         "' cannot be rebuilt: no checkpoint and commit 0 is missing"
                         " (earliest commit " +
                         std::to_string(earliest) + ")" +
                         LastCheckpointNote(store, target));
  }
  return arrow::Status::OK();
}

/// The last commit replayed: what its timestamp is made of.
struct LastCommit {
  std::vector<Action> commit_info;  ///< its commitInfo, if it has one
  int64_t mtime_ms = 0;
};

// Applies commits start..target to `state`; returns the last one (none when there was
// no commit to apply). A missing commit is a cleaned-up version
// (kVersionNotFound) or a corrupt log (kProtocol).
arrow::Result<std::optional<LastCommit>> ReplayCommits(LogStore& store,
                                                       const SnapshotRequest& request,
                                                       const LogListing& listing,
                                                       int64_t start, int64_t target,
                                                       TableState& state) {
  std::optional<LastCommit> last;
  for (int64_t version = start; version <= target; ++version) {
    auto it = listing.commits.find(version);
    if (it == listing.commits.end()) {
      // Below the earliest surviving commit, the gap is log cleanup after a newer
      // checkpoint: the requested version is gone, not the log corrupt. A gap above
      // it (or on the way to the latest version) is corruption.
      bool cleaned_up =
          !listing.commits.empty() && version < listing.commits.begin()->first;
      if (cleaned_up && (request.version || request.timestamp_ms)) {
        return DeltaError(ErrorKind::kVersionNotFound,
                          "version " + std::to_string(target) + " of '" + store.uri() +
                              "' cannot be rebuilt: commit " + CommitFileName(version) +
                              " was cleaned up (earliest commit " +
                              std::to_string(listing.commits.begin()->first) + ")");
      }
      return ProtocolError("table '" + store.uri() + "': commit " +
                           CommitFileName(version) +
                           " is missing (versions must be contiguous up to " +
                           std::to_string(target) + ")");
    }
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommitFile(store, it->second));
    last = LastCommit{{}, it->second.modification_time_ms};
    for (const auto& action : actions) {
      if (std::holds_alternative<CommitInfo>(action)) last->commit_info = {action};
    }
    VersionCounts counts;
    ARROW_RETURN_NOT_OK(ApplyActionBatch(
        state, actions, version, std::string(kLogDir) + "/" + it->second.name, counts));
  }
  return last;
}

}  // namespace

arrow::Result<std::shared_ptr<const Snapshot>> Snapshot::Load(
    LogStore& store, const SnapshotRequest& request) {
  if (request.version && request.timestamp_ms) {
    return InvalidInput("give a version or a timestamp, not both");
  }
  // A long log need not be listed whole: the newest checkpoint at or below the
  // target and the commits after it are all at or after the version the hint names,
  // and so is any newer checkpoint written since. Time travel by timestamp reads
  // every commit's time, so it lists everything.
  std::optional<LastCheckpointHint> hint;
  if (!request.timestamp_ms) {
    hint = ReadHint(store);
    if (hint && (!request.version || *request.version >= hint->version)) {
      auto files = store.ListLogFrom(VersionPrefix(hint->version));
      if (files.ok()) {
        auto loaded = LoadListed(store, request, *files, /*partial=*/true, &*hint);
        // The hint is only a hint: when its part of the log cannot decide, or anything
        // went wrong, the whole log decides (and words the error).
        if (loaded.ok() && *loaded != nullptr) return loaded;
      }
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto files, store.ListLog());
  return LoadListed(store, request, files, /*partial=*/false, hint ? &*hint : nullptr);
}

arrow::Result<std::shared_ptr<const Snapshot>> Snapshot::LoadListed(
    LogStore& store, const SnapshotRequest& request,
    const std::vector<LogFileInfo>& files, bool partial, const LastCheckpointHint* hint) {
  LogListing listing =
      Classify(files, hint && hint->v2 ? std::string_view(hint->v2->path) : "");
  if (partial && listing.checkpoints.empty()) return nullptr;
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    return TableNotFound("no Delta table at '" + store.uri() +
                         "' (no _delta_log/ commits)");
  }
  ARROW_ASSIGN_OR_RAISE(int64_t target, ResolveTarget(store, request, listing));

  auto cp = listing.checkpoints.upper_bound(target);
  // A partial listing holds every checkpoint from its start on, so if it has one at
  // or below the target, it has the newest one, the one the whole log would pick.
  if (partial && cp == listing.checkpoints.begin()) return nullptr;

  auto snapshot = std::shared_ptr<Snapshot>(new Snapshot());
  TableState& state = snapshot->state_;
  int64_t start = 0;
  if (cp != listing.checkpoints.begin()) {
    --cp;
    const CheckpointCandidate& candidate = cp->second;
    ARROW_RETURN_NOT_OK(ReplayCheckpoint(store, candidate, hint, state));
    snapshot->checkpoint_version_ = candidate.version;
    start = candidate.version + 1;
  }

  if (!snapshot->checkpoint_version_) {
    ARROW_RETURN_NOT_OK(CheckCommitZero(store, request, listing, target));
  }

  ARROW_ASSIGN_OR_RAISE(std::optional<LastCommit> last,
                        ReplayCommits(store, request, listing, start, target, state));
  state.version = target;

  if (!state.protocol || !state.metadata) {
    return ProtocolError("table '" + store.uri() + "' at version " +
                         std::to_string(target) + " has no " +
                         (state.protocol ? "metaData" : "protocol") + " action");
  }
  if (request.check_read_support) {
    ARROW_RETURN_NOT_OK(CheckReadSupported(*state.protocol, *state.metadata));
  }
  ARROW_ASSIGN_OR_RAISE(snapshot->schema_,
                        DeltaSchemaJsonToArrow(state.metadata->schema_string));
  if (last) {
    ARROW_ASSIGN_OR_RAISE(auto span,
                          InCommitTimestampSpanOf(state.metadata->configuration));
    snapshot->timestamp_ms_ =
        CommitTimestampOf(last->commit_info, target, last->mtime_ms, span);
  } else if (auto cp_info = listing.checkpoints.find(target);
             cp_info != listing.checkpoints.end()) {
    for (const auto& file : files) {
      if (file.name == cp_info->second.names.front()) {
        snapshot->timestamp_ms_ = file.modification_time_ms;
      }
    }
  }
  return std::shared_ptr<const Snapshot>(std::move(snapshot));
}

std::vector<Add> Snapshot::files() const {
  std::vector<Add> out;
  out.reserve(state_.files.size());
  for (const auto& [key, add] : state_.files) out.push_back(add);
  return out;
}

std::optional<int64_t> Snapshot::AppTransactionVersion(const std::string& app_id) const {
  auto it = state_.txns.find(app_id);
  if (it == state_.txns.end()) return std::nullopt;
  return it->second.version;
}

int64_t Snapshot::size_bytes() const {
  int64_t total = 0;
  for (const auto& [key, add] : state_.files) total += add.size;
  return total;
}

std::optional<int64_t> Snapshot::num_records() const {
  int64_t total = 0;
  for (const auto& [key, add] : state_.files) {
    if (!add.stats) return std::nullopt;
    auto stats = nlohmann::json::parse(*add.stats, nullptr, false);
    if (stats.is_discarded() || !stats.is_object()) return std::nullopt;
    auto it = stats.find("numRecords");
    if (it == stats.end() || !it->is_number_integer()) return std::nullopt;
    // numRecords counts the file's physical rows; its DV's rows are no longer live.
    total += it->get<int64_t>();
    if (add.deletion_vector) total -= add.deletion_vector->cardinality;
  }
  return total;
}

DeletionVectorCounts Snapshot::deletion_vectors() const {
  DeletionVectorCounts counts;
  for (const auto& [key, add] : state_.files) {
    if (!add.deletion_vector) continue;
    ++counts.files;
    counts.deleted_rows += add.deletion_vector->cardinality;
  }
  return counts;
}

std::string Snapshot::Config(const std::string& key, const std::string& fallback) const {
  auto it = state_.metadata->configuration.find(key);
  return it == state_.metadata->configuration.end() ? fallback : it->second;
}

arrow::Result<std::vector<Action>> ReadCommit(LogStore& store, int64_t version) {
  std::string name = CommitFileName(version);
  ARROW_ASSIGN_OR_RAISE(auto head, store.HeadLog(name));
  if (!head) {
    return DeltaError(ErrorKind::kVersionNotFound,
                      "commit " + name + " of '" + store.uri() + "' does not exist");
  }
  return ReadCommitFile(store, *head);
}

arrow::Result<std::vector<CommitRecord>> ReadHistory(LogStore& store, int64_t limit) {
  ARROW_ASSIGN_OR_RAISE(auto files, store.ListLog());
  LogListing listing = Classify(files);
  if (listing.commits.empty() && listing.checkpoints.empty()) {
    return TableNotFound("no Delta table at '" + store.uri() + "'");
  }
  ARROW_ASSIGN_OR_RAISE(auto span, LatestTimestampSpan(store));
  std::vector<CommitRecord> out;
  std::map<int64_t, int64_t> timestamps;
  for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
    if (limit >= 0 && static_cast<int64_t>(out.size()) >= limit) break;
    ARROW_ASSIGN_OR_RAISE(auto actions, ReadCommitFile(store, it->second));
    CommitRecord record;
    record.version = it->first;
    timestamps[it->first] =
        CommitTimestampOf(actions, it->first, it->second.modification_time_ms, span);
    for (const auto& action : actions) {
      if (const auto* ci = std::get_if<CommitInfo>(&action)) record.info = *ci;
    }
    out.push_back(std::move(record));
  }
  // The same times time travel resolves against, so that the timestamp history shows
  // for a version loads that version.
  MakeMonotonic(timestamps, span);
  for (auto& record : out) record.timestamp_ms = timestamps[record.version];
  return out;
}

}  // namespace deltaline::delta
