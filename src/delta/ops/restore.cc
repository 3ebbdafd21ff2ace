#include "delta/ops/restore.h"

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/scan/data_file_reader.h"
#include "delta/scan/deletion_vector.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {
namespace {

// The protocol after the restore, or nullopt to keep the current one. Never a
// downgrade (Spark's RestoreTableCommand: sourceProtocol.merge(targetProtocol)).
std::optional<Protocol> RestoredProtocol(const Protocol& current,
                                         const Protocol& target) {
  Protocol merged = MergeProtocols(current, target);
  if (merged == current) return std::nullopt;
  return merged;
}

// Every data file and DV file the re-added files need must still exist (a vacuum may
// have deleted them): Spark's checkSnapshotFilesAvailability.
arrow::Status CheckFilesExist(LogStore& store, const std::vector<Add>& adds,
                              int64_t version) {
  std::vector<std::string> missing;
  for (const auto& add : adds) {
    std::vector<std::pair<std::string, std::string>> needed = {
        {add.path, DataFilePath(store, add.path)}};
    if (add.deletion_vector && add.deletion_vector->storage_type != "i") {
      ARROW_ASSIGN_OR_RAISE(auto dv_path,
                            DeletionVectorFilePath(store, *add.deletion_vector));
      const std::string prefix = store.root() + "/";
      needed.emplace_back(
          dv_path.rfind(prefix, 0) == 0 ? dv_path.substr(prefix.size()) : dv_path,
          dv_path);
    }
    for (const auto& [name, path] : needed) {
      ARROW_ASSIGN_OR_RAISE(auto info, store.filesystem()->GetFileInfo(path));
      if (info.type() != arrow::fs::FileType::File) missing.push_back(name);
    }
  }
  if (missing.empty()) return arrow::Status::OK();
  std::string names;
  for (size_t i = 0; i < missing.size() && i < 5; ++i) {
    names += (i ? ", " : "") + missing[i];
  }
  if (missing.size() > 5) names += ", ...";
  return InvalidInput("cannot restore '" + store.uri() + "' to version " +
                      std::to_string(version) + ": " + std::to_string(missing.size()) +
                      " of its files are no longer in the file system (vacuumed or "
                      "deleted): " +
                      names + "; restore a more recent version or timestamp");
}

StringMap Metrics(const RestoreResult& r) {
  return {{"tableSizeAfterRestore", std::to_string(r.table_size_after_restore)},
          {"numOfFilesAfterRestore", std::to_string(r.num_of_files_after_restore)},
          {"numRemovedFiles", std::to_string(r.num_removed_files)},
          {"numRestoredFiles", std::to_string(r.num_restored_files)},
          {"removedFilesSize", std::to_string(r.removed_files_size)},
          {"restoredFilesSize", std::to_string(r.restored_files_size)}};
}

arrow::Result<std::shared_ptr<const Snapshot>> LoadTarget(LogStore& store,
                                                          const RestoreOptions& options,
                                                          int64_t latest) {
  if (options.version.has_value() == options.timestamp_ms.has_value()) {
    return InvalidInput("restore needs a version or a timestamp (exactly one)");
  }
  if (options.version && *options.version < 0) {
    return InvalidInput("cannot restore to version " + std::to_string(*options.version) +
                        ": versions start at 0");
  }
  SnapshotRequest request;
  request.version = options.version;
  request.timestamp_ms = options.timestamp_ms;
  if (options.version && *options.version >= latest) {
    return InvalidInput("cannot restore '" + store.uri() + "' to version " +
                        std::to_string(*options.version) +
                        ": the version to restore must be older than the latest (" +
                        std::to_string(latest) + ")");
  }
  ARROW_ASSIGN_OR_RAISE(auto target, Snapshot::Load(store, request));
  if (target->version() >= latest) {
    return InvalidInput("cannot restore '" + store.uri() + "' to version " +
                        std::to_string(target->version()) +
                        " (current at the given timestamp): it is the latest version");
  }
  return target;
}

}  // namespace

arrow::Result<RestoreResult> Restore(LogStore& store, const RestoreOptions& options) {
  std::shared_ptr<const Snapshot> current = options.read_snapshot;
  if (!current) {
    ARROW_ASSIGN_OR_RAISE(current, Snapshot::Load(store));
  }
  ARROW_ASSIGN_OR_RAISE(auto target, LoadTarget(store, options, current->version()));
  RestoreResult result;
  result.read_version = current->version();
  result.restored_version = target->version();

  Transaction txn(&store, current);
  txn.MarkReadWholeTable();
  std::vector<Add> to_add;
  for (const auto& [key, add] : target->state().files) {
    if (current->state().files.count(key)) continue;
    Add restored = add;
    restored.data_change = true;
    result.restored_files_size += add.size;
    to_add.push_back(std::move(restored));
  }
  ARROW_RETURN_NOT_OK(CheckFilesExist(store, to_add, target->version()));
  const int64_t now_ms = NowMs();
  for (const auto& [key, add] : current->state().files) {
    if (target->state().files.count(key)) continue;
    result.removed_files_size += add.size;
    ++result.num_removed_files;
    txn.AddAction(RemoveOf(add, now_ms, /*data_change=*/true));
  }
  result.num_restored_files = static_cast<int64_t>(to_add.size());
  for (auto& add : to_add) txn.AddAction(std::move(add));
  result.num_of_files_after_restore = static_cast<int64_t>(target->num_files());
  result.table_size_after_restore = target->size_bytes();

  const auto protocol = RestoredProtocol(current->protocol(), target->protocol());
  if (protocol) {
    result.protocol_changed = true;
    txn.AddAction(*protocol);
  }
  // Always, as Spark and delta-rs: the commit states the table's shape outright.
  result.metadata_changed = !(target->metadata() == current->metadata());
  txn.AddAction(target->metadata());

  StringMap parameters;
  if (options.version) {
    parameters["version"] = std::to_string(*options.version);
  } else {
    parameters["timestamp"] = options.timestamp_text.empty()
                                  ? std::to_string(*options.timestamp_ms)
                                  : options.timestamp_text;
  }
  txn.SetOperation("RESTORE", std::move(parameters));
  txn.SetOperationMetrics(Metrics(result));
  ARROW_ASSIGN_OR_RAISE(auto committed, txn.Commit(options.retry));
  result.version = committed.version;
  return result;
}

}  // namespace deltaline::delta
