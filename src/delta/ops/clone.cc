#include "delta/ops/clone.h"

#include <map>
#include <set>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/base/uuid.h"
#include "delta/log/log_replay.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/ops/clone_internal.h"
#include "delta/scan/data_file_reader.h"
#include "delta/scan/deletion_vector.h"
#include "delta/table/partition_path.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {
namespace {

using clone_internal::CopyJob;
using clone_internal::CopyOutcome;

bool IsLocal(const LogStore& store) { return store.filesystem()->type_name() == "local"; }

std::pair<std::string, std::string> SplitLast(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {std::string(), path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

// `add.path` of a file at `relative` (decoded) under a table root.
std::string EncodeRelative(const std::string& relative) {
  auto [dir, name] = SplitLast(relative);
  return EncodeDataFilePath(dir, name);
}

// The absolute `file://` URI of a local path, each segment URI-encoded as add.path
// is (so a Hive escape's `%` becomes `%25`).
std::string FileUri(const std::string& absolute_path) {
  auto [dir, name] = SplitLast(absolute_path);
  std::string rest = dir.empty() || dir == "/" ? std::string() : dir.substr(1);
  return "file:///" + EncodeDataFilePath(rest, name);
}

std::string TableUri(const LogStore& store) {
  if (!IsLocal(store)) return store.uri();
  return "file://" + store.root();
}

struct Plan {
  std::vector<Add> adds;
  std::vector<CopyJob> jobs;
  int64_t source_bytes = 0;
};

// Where a deep clone puts one source data file: its path under the target root
// (decoded) and the add.path naming it there.
arrow::Result<std::pair<std::string, std::string>> DeepTarget(const LogStore& source,
                                                              const Add& add) {
  DecodedDataFilePath decoded = DecodeDataFilePath(add.path);
  switch (decoded.kind) {
    case DecodedDataFilePath::Kind::kRelative:
      ARROW_RETURN_NOT_OK(CheckPathStaysInside(decoded.path));
      return std::make_pair(decoded.path, add.path);
    case DecodedDataFilePath::Kind::kForeignUri:
      return InvalidInput("cannot deep-clone '" + add.path + "' of '" + source.uri() +
                          "': deltaline reads no file of another filesystem");
    case DecodedDataFilePath::Kind::kLocalAbsolute:
      break;
  }
  // An absolute path (the source is itself a shallow clone): inside the source root it
  // keeps its relative place; elsewhere it lands at the target root by its name.
  const std::string prefix = source.root() + "/";
  std::string relative = decoded.path.rfind(prefix, 0) == 0
                             ? decoded.path.substr(prefix.size())
                             : SplitLast(decoded.path).second;
  ARROW_RETURN_NOT_OK(CheckPathStaysInside(relative));
  return std::make_pair(relative, EncodeRelative(relative));
}

arrow::Status AddJob(std::map<std::string, std::string>& claimed,
                     std::vector<CopyJob>& jobs, CopyJob job) {
  auto [it, fresh] = claimed.emplace(job.name, job.source_path);
  if (!fresh) {
    if (it->second == job.source_path) return arrow::Status::OK();  // shared DV file
    return InvalidInput("cannot deep-clone both '" + it->second + "' and '" +
                        job.source_path + "' to '" + job.name + "'");
  }
  jobs.push_back(std::move(job));
  return arrow::Status::OK();
}

arrow::Result<Plan> PlanClone(LogStore& source, LogStore& target,
                              const Snapshot& snapshot, bool shallow) {
  if (shallow && !IsLocal(source)) {
    return InvalidInput("a shallow clone references files by file:// URI: the source '" +
                        source.uri() + "' must be on the local filesystem");
  }
  Plan plan;
  std::map<std::string, std::string> claimed;  // target relative path -> source path
  for (Add add : snapshot.files()) {
    plan.source_bytes += add.size;
    add.data_change = true;
    // Row ids belong to the source's history (rowTracking is refused anyway).
    add.base_row_id.reset();
    add.default_row_commit_version.reset();
    auto& dv = add.deletion_vector;
    std::optional<std::string> dv_relative;
    if (dv && dv->storage_type == "u") {
      ARROW_ASSIGN_OR_RAISE(dv_relative,
                            RelativeDeletionVectorPath(dv->path_or_inline_dv));
      ARROW_RETURN_NOT_OK(CheckPathStaysInside(*dv_relative));
    }
    if (shallow) {
      DecodedDataFilePath decoded = DecodeDataFilePath(add.path);
      if (decoded.kind == DecodedDataFilePath::Kind::kRelative) {
        add.path = FileUri(source.root() + "/" + decoded.path);
      }
      if (dv_relative) {
        dv->storage_type = "p";
        dv->path_or_inline_dv = FileUri(source.root() + "/" + *dv_relative);
      }
      plan.adds.push_back(std::move(add));
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto place, DeepTarget(source, add));
    ARROW_RETURN_NOT_OK(
        AddJob(claimed, plan.jobs,
               {DataFilePath(source, add.path), target.root() + "/" + place.first,
                place.first, add.size, false}));
    add.path = place.second;
    if (dv_relative) {
      const std::string from = source.root() + "/" + *dv_relative;
      ARROW_ASSIGN_OR_RAISE(auto info, source.filesystem()->GetFileInfo(from));
      if (!info.IsFile()) {
        return arrow::Status::IOError("deletion vector file '", *dv_relative, "' of '",
                                      source.uri(), "' (of data file '", add.path,
                                      "') is missing");
      }
      ARROW_RETURN_NOT_OK(AddJob(
          claimed, plan.jobs,
          {from, target.root() + "/" + *dv_relative, *dv_relative, info.size(), true}));
    }
    plan.adds.push_back(std::move(add));
  }
  return plan;
}

// The target's current table, or null when there is none to replace.
arrow::Result<std::shared_ptr<const Snapshot>> ExistingTarget(LogStore& target,
                                                              CloneMode mode) {
  ARROW_ASSIGN_OR_RAISE(auto log, target.ListLog());
  bool has_commits = false;
  for (const auto& entry : log) {
    has_commits = has_commits || ParseLogFileName(entry.name).type != LogFileType::kOther;
  }
  if (!has_commits) return nullptr;
  if (mode == CloneMode::kError) {
    return TableAlreadyExists("cannot clone into '" + target.uri() +
                              "': a Delta table already exists there (use overwrite mode "
                              "to replace it)");
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(target));
  // Checked now rather than at commit, so that nothing is copied for a refusal.
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()));
  return snapshot;
}

// The actions of the CLONE commit, removes of the replaced content included.
std::vector<Action> CommitActions(const Snapshot& source_snapshot,
                                  const Snapshot* replaced, Plan& plan,
                                  CloneResult& result) {
  Metadata metadata = source_snapshot.metadata();
  // A new table gets a new id (as Spark's clone); a replaced one stays the same table.
  metadata.id = replaced ? replaced->metadata().id : NewUuid();
  metadata.name.reset();
  metadata.created_time = NowMs();
  Protocol protocol = source_snapshot.protocol();
  if (replaced) protocol = MergeProtocols(protocol, replaced->protocol());

  std::vector<Action> actions;
  actions.emplace_back(std::move(protocol));
  actions.emplace_back(std::move(metadata));
  for (const auto& [name, domain] : source_snapshot.state().domains) {
    actions.emplace_back(domain);
  }
  if (replaced) {
    std::set<std::string> kept;
    for (const auto& add : plan.adds) kept.insert(FileKey(add.path, add.deletion_vector));
    const int64_t now_ms = NowMs();
    for (const auto& [key, add] : replaced->state().files) {
      if (kept.count(key)) continue;
      ++result.num_removed_files;
      result.removed_files_size += add.size;
      actions.emplace_back(RemoveOf(add, now_ms, /*data_change=*/true));
    }
    // Domains of the replaced table that the source lacks are dropped with it.
    for (const auto& [name, domain] : replaced->state().domains) {
      if (source_snapshot.state().domains.count(name)) continue;
      actions.emplace_back(DomainMetadata{name, domain.configuration, true});
    }
  }
  for (auto& add : plan.adds) actions.emplace_back(std::move(add));
  return actions;
}

arrow::Result<int64_t> Commit(LogStore& target, std::shared_ptr<const Snapshot> replaced,
                              std::vector<Action> actions, const CloneResult& result,
                              const CommitRetryPolicy& retry) {
  const bool overwrite = replaced != nullptr;
  Transaction txn(&target, std::move(replaced));
  for (auto& action : actions) txn.AddAction(std::move(action));
  if (overwrite) txn.MarkReadWholeTable();
  txn.SetOperation("CLONE", {{"source", result.source_uri},
                             {"sourceVersion", std::to_string(result.source_version)},
                             {"isShallow", result.shallow ? "true" : "false"}});
  txn.SetOperationMetrics(
      {{"sourceTableSize", std::to_string(result.source_table_size)},
       {"sourceNumOfFiles", std::to_string(result.num_files)},
       {"numRemovedFiles", std::to_string(result.num_removed_files)},
       {"numCopiedFiles", std::to_string(result.num_copied_files)},
       {"removedFilesSize", std::to_string(result.removed_files_size)},
       {"copiedFilesSize", std::to_string(result.copied_files_size)}});
  ARROW_ASSIGN_OR_RAISE(auto committed, txn.Commit(retry));
  return committed.version;
}

}  // namespace

arrow::Result<CloneResult> CloneTable(LogStore& source, LogStore& target,
                                      const CloneOptions& options) {
  if (options.version && options.timestamp_ms) {
    return InvalidInput("clone takes a version or a timestamp, not both");
  }
  if (source.filesystem()->type_name() == target.filesystem()->type_name()) {
    if (source.root() == target.root()) {
      return InvalidInput("cannot clone '" + source.uri() + "' into itself");
    }
    // Nested roots: the vacuum of the outer table would see the inner one's files as
    // its own unreferenced files and delete them.
    const auto inside = [](const std::string& path, const std::string& root) {
      return path.rfind(root + "/", 0) == 0;
    };
    if (inside(target.root(), source.root()) || inside(source.root(), target.root())) {
      return InvalidInput("cannot clone '" + source.uri() + "' into '" + target.uri() +
                          "': one table's directory would lie inside the other's");
    }
  }
  SnapshotRequest request;
  request.version = options.version;
  request.timestamp_ms = options.timestamp_ms;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(source, request));
  ARROW_RETURN_NOT_OK(clone_internal::CheckCloneSupported(snapshot->protocol()));
  ARROW_ASSIGN_OR_RAISE(auto replaced, ExistingTarget(target, options.mode));

  CloneResult result;
  result.source_uri = TableUri(source);
  result.source_version = snapshot->version();
  result.target_uri = target.uri();
  result.shallow = options.shallow;
  ARROW_ASSIGN_OR_RAISE(Plan plan, PlanClone(source, target, *snapshot, options.shallow));
  result.num_files = static_cast<int64_t>(plan.adds.size());
  result.source_table_size = plan.source_bytes;

  CopyOutcome copied;
  arrow::Status st =
      clone_internal::CopyVerified(source, target, plan.jobs, options.progress, copied);
  result.num_copied_files = copied.copied_files;
  result.copied_files_size = copied.copied_bytes;
  result.num_reused_files = copied.reused_files;
  result.num_copied_dv_files = copied.copied_dv_files;
  if (st.ok()) {
    auto actions = CommitActions(*snapshot, replaced.get(), plan, result);
    auto version = Commit(target, replaced, std::move(actions), result, options.retry);
    if (version.ok()) {
      result.target_version = *version;
      return result;
    }
    st = version.status();
  }
  // Nothing was committed: what this call copied would only be garbage.
  clone_internal::DeleteWritten(target, copied.written);
  return st;
}

}  // namespace deltaline::delta
