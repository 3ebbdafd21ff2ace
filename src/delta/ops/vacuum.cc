#include "delta/ops/vacuum.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/table/partition_path.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {
namespace {

struct Listed {
  std::string relative;  ///< path under the root, as on disk
  int64_t size = 0;
  int64_t mtime_ms = 0;
};

// Spark's DeltaTableUtils.isHiddenDirectory: `_`/`.` names are not the table's data,
// except partition directories (which may start with `_`) and change data files.
bool IsHidden(const std::string& name,
              const std::vector<std::string>& partition_columns) {
  if (name.empty() || (name[0] != '_' && name[0] != '.')) return false;
  if (name.rfind("_change_data", 0) == 0) return false;
  for (const auto& column : partition_columns) {
    if (name.rfind(column + "=", 0) == 0) return false;
  }
  return true;
}

// The on-disk relative path an `add`/`remove` path names, or nullopt when it points
// outside the table (absolute URIs elsewhere are never ours to delete).
std::optional<std::string> RelativeOnDisk(const std::string& path,
                                          const std::string& root) {
  DecodedDataFilePath decoded = DecodeDataFilePath(path);
  switch (decoded.kind) {
    case DecodedDataFilePath::Kind::kRelative:
      return std::move(decoded.path);
    case DecodedDataFilePath::Kind::kForeignUri:
      return std::nullopt;
    case DecodedDataFilePath::Kind::kLocalAbsolute:
      break;
  }
  const std::string prefix = root + "/";
  if (decoded.path.rfind(prefix, 0) != 0) return std::nullopt;
  return decoded.path.substr(prefix.size());
}

int64_t ToMs(arrow::fs::TimePoint time) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch())
      .count();
}

// Every data file under the root, and every directory entered (deepest last).
arrow::Status ListTable(LogStore& store,
                        const std::vector<std::string>& partition_columns,
                        std::vector<Listed>& files, std::vector<std::string>& dirs) {
  const std::string& root = store.root();
  std::vector<std::string> pending = {""};
  while (!pending.empty()) {
    std::string dir = std::move(pending.back());
    pending.pop_back();
    arrow::fs::FileSelector selector;
    selector.base_dir = dir.empty() ? root : root + "/" + dir;
    selector.allow_not_found = true;  // a directory deleted concurrently
    selector.recursive = false;
    ARROW_ASSIGN_OR_RAISE(auto infos, store.filesystem()->GetFileInfo(selector));
    for (const auto& info : infos) {
      const std::string name = info.base_name();
      if (IsHidden(name, partition_columns)) continue;
      std::string relative = dir.empty() ? name : dir + "/" + name;
      if (info.IsDirectory()) {
        pending.push_back(relative);
        dirs.push_back(std::move(relative));
      } else if (info.IsFile()) {
        files.push_back({std::move(relative), info.size(), ToMs(info.mtime())});
      }
    }
  }
  return arrow::Status::OK();
}

arrow::Result<int64_t> CommitMarker(LogStore& store, std::string operation,
                                    StringMap parameters, StringMap metrics) {
  // A fresh snapshot each time: the END marker follows START and whatever landed
  // meanwhile. Marker commits carry no actions, so they never conflict.
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(store));
  Transaction txn(&store, snapshot);
  txn.SetOperation(std::move(operation), std::move(parameters));
  txn.SetOperationMetrics(std::move(metrics));
  ARROW_ASSIGN_OR_RAISE(auto committed, txn.Commit());
  return committed.version;
}

std::string ParentOf(const std::string& relative) {
  auto slash = relative.rfind('/');
  return slash == std::string::npos ? std::string() : relative.substr(0, slash);
}

arrow::Status CheckRetention(LogStore& store, int64_t retention_ms,
                             int64_t table_retention_ms, const VacuumOptions& options) {
  if (retention_ms < 0) {
    return InvalidInput("vacuum retention must not be negative (got " +
                        std::to_string(retention_ms) + " ms)");
  }
  if (options.retention_check && retention_ms < table_retention_ms) {
    return InvalidInput(
        "vacuum retention of " + std::to_string(retention_ms / 3'600'000.0) +
        " hours is shorter than the table's delta.deletedFileRetentionDuration (" +
        std::to_string(table_retention_ms / 3'600'000) + " hours) of '" + store.uri() +
        "': files still needed by readers of older versions or by writes in flight could "
        "be deleted; disable the retentionDurationCheck to do it anyway");
  }
  return arrow::Status::OK();
}

// On-disk paths the snapshot still needs: live files, and tombstones younger than the
// cutoff (readers of older versions may open them).
std::set<std::string> KeptPaths(LogStore& store, const Snapshot& snapshot,
                                int64_t cutoff_ms) {
  std::set<std::string> keep;
  for (const auto& [key, add] : snapshot.state().files) {
    if (auto relative = RelativeOnDisk(add.path, store.root())) keep.insert(*relative);
  }
  for (const auto& [key, remove] : snapshot.state().tombstones) {
    if (remove.deletion_timestamp.value_or(0) < cutoff_ms) continue;
    if (auto relative = RelativeOnDisk(remove.path, store.root())) keep.insert(*relative);
  }
  return keep;
}

// Fills result.files and result.bytes from the listing; counts, per directory, the
// entries that stay.
void ChooseFiles(const std::vector<Listed>& listed, const std::set<std::string>& keep,
                 int64_t cutoff_ms, VacuumResult& result,
                 std::map<std::string, int64_t>& remaining_in_dir) {
  for (const auto& file : listed) {
    // Belt and braces: the listing never enters `_delta_log`, and nothing under it
    // may ever be deleted here.
    if (file.relative.rfind(std::string(kLogDir), 0) == 0) continue;
    if (keep.count(file.relative) || file.mtime_ms >= cutoff_ms) {
      remaining_in_dir[ParentOf(file.relative)] += 1;
      continue;
    }
    result.files.push_back(file.relative);
    result.bytes += file.size;
  }
  std::sort(result.files.begin(), result.files.end());
}

arrow::Result<int64_t> DeleteChosenFiles(LogStore& store,
                                         const std::vector<std::string>& files,
                                         const VacuumOptions& options) {
  const int64_t total = static_cast<int64_t>(files.size());
  int64_t deleted = 0;
  for (const auto& relative : files) {
    auto st = store.filesystem()->DeleteFile(store.root() + "/" + relative);
    // Gone already (another vacuum): the goal is reached all the same.
    if (!st.ok() && !st.IsIOError()) return st;
    if (!st.ok()) {
      ARROW_ASSIGN_OR_RAISE(
          auto info, store.filesystem()->GetFileInfo(store.root() + "/" + relative));
      if (info.type() != arrow::fs::FileType::NotFound) return st;
    }
    ++deleted;
    if (options.progress) options.progress(deleted, total);
  }
  return deleted;
}

// Returns how many directories were deleted.
arrow::Result<int64_t> DeleteEmptyDirs(LogStore& store,
                                       const std::vector<std::string>& dirs,
                                       std::map<std::string, int64_t>& remaining_in_dir) {
  int64_t deleted = 0;
  // Deepest directories first, so that a parent emptied by its children goes too.
  std::vector<std::string> by_depth = dirs;
  std::sort(
      by_depth.begin(), by_depth.end(), [](const std::string& a, const std::string& b) {
        return std::count(a.begin(), a.end(), '/') > std::count(b.begin(), b.end(), '/');
      });
  for (const auto& dir : by_depth) {
    bool empty = remaining_in_dir[dir] == 0;
    if (empty) {
      // The listing skipped hidden names, and a writer may have just created a file
      // here: only a directory that is empty now goes.
      arrow::fs::FileSelector selector;
      selector.base_dir = store.root() + "/" + dir;
      selector.allow_not_found = true;
      ARROW_ASSIGN_OR_RAISE(auto entries, store.filesystem()->GetFileInfo(selector));
      empty = entries.empty();
    }
    if (!empty) {
      remaining_in_dir[ParentOf(dir)] += 1;
      continue;
    }
    ARROW_RETURN_NOT_OK(store.filesystem()->DeleteDir(store.root() + "/" + dir));
    ++deleted;
  }
  return deleted;
}

}  // namespace

arrow::Result<VacuumResult> Vacuum(LogStore& store, const VacuumOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(store));
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()));
  ARROW_ASSIGN_OR_RAISE(int64_t table_retention_ms,
                        DeletedFileRetentionMs(snapshot->metadata().configuration));
  VacuumResult result;
  result.snapshot_version = snapshot->version();
  result.dry_run = options.dry_run;
  result.retention_ms = options.retention_ms.value_or(table_retention_ms);
  ARROW_RETURN_NOT_OK(
      CheckRetention(store, result.retention_ms, table_retention_ms, options));
  const int64_t cutoff_ms = NowMs() - result.retention_ms;
  const std::set<std::string> keep = KeptPaths(store, *snapshot, cutoff_ms);

  std::vector<Listed> listed;
  std::vector<std::string> dirs;
  ARROW_RETURN_NOT_OK(ListTable(store, snapshot->partition_columns(), listed, dirs));
  std::map<std::string, int64_t> remaining_in_dir;  // entries not deleted, per directory
  ChooseFiles(listed, keep, cutoff_ms, result, remaining_in_dir);
  if (options.dry_run) return result;

  ARROW_ASSIGN_OR_RAISE(
      result.start_version,
      CommitMarker(store, "VACUUM START",
                   {{"retentionCheckEnabled", options.retention_check ? "true" : "false"},
                    {"specifiedRetentionMillis", std::to_string(result.retention_ms)},
                    {"defaultRetentionMillis", std::to_string(table_retention_ms)}},
                   {{"numFilesToDelete", std::to_string(result.files.size())},
                    {"sizeOfDataToDelete", std::to_string(result.bytes)}}));
  ARROW_ASSIGN_OR_RAISE(int64_t deleted, DeleteChosenFiles(store, result.files, options));
  ARROW_ASSIGN_OR_RAISE(result.directories_deleted,
                        DeleteEmptyDirs(store, dirs, remaining_in_dir));
  ARROW_ASSIGN_OR_RAISE(result.end_version,
                        CommitMarker(store, "VACUUM END", {{"status", "COMPLETED"}},
                                     {{"numDeletedFiles", std::to_string(deleted)},
                                      {"numVacuumedDirectories",
                                       std::to_string(result.directories_deleted)}}));
  return result;
}

}  // namespace deltaline::delta
