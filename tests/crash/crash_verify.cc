#include "crash_verify.h"

#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <arrow/util/uri.h>
#include <nlohmann/json.hpp>

#include "crash_ops.h"
#include "delta/base/action_json.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/log/snapshot.h"
#include "delta/ops/vacuum.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/deltars_reader.h"

namespace deltaline::crash {
namespace {

namespace fs = std::filesystem;
using arrow::Status;

std::string At(int64_t version) { return " at version " + std::to_string(version); }

// Every commit and checkpoint file is whole: put-if-absent publishes complete files
// only, so a torn one means a partial commit became visible.
Status CheckLogFiles(delta::LogStore& store, Model& model, CheckCounts& counts) {
  ARROW_ASSIGN_OR_RAISE(auto listing, store.ListLog());
  for (const auto& file : listing) {
    if (model.checked_log_files.count(file.name)) continue;
    auto parsed = delta::ParseLogFileName(file.name);
    if (parsed.type == delta::LogFileType::kCommit) {
      ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(file.name));
      std::string_view text(reinterpret_cast<const char*>(bytes->data()),
                            static_cast<size_t>(bytes->size()));
      if (text.empty() || text.back() != '\n') {
        return Status::Invalid("partial commit visible: ", file.name, " (", text.size(),
                               " bytes) does not end with a newline");
      }
      ARROW_ASSIGN_OR_RAISE(auto actions, delta::ParseCommitFile(text, file.name));
      int infos = 0;
      for (const auto& action : actions)
        infos += std::holds_alternative<delta::CommitInfo>(action);
      if (infos != 1)
        return Status::Invalid(file.name, " has ", infos, " commitInfo actions");
      counts.commit_files += 1;
    } else if (parsed.type == delta::LogFileType::kCheckpoint) {
      ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(file.name));
      ARROW_RETURN_NOT_OK(delta::DecodeCheckpoint(bytes, file.name).status());
      counts.checkpoints += 1;
    } else if (file.name == delta::kLastCheckpointName) {
      ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(file.name));
      ARROW_ASSIGN_OR_RAISE(auto hint, delta::ParseLastCheckpoint(std::string_view(
                                           reinterpret_cast<const char*>(bytes->data()),
                                           static_cast<size_t>(bytes->size()))));
      ARROW_ASSIGN_OR_RAISE(auto head,
                            store.HeadLog(delta::CheckpointFileName(hint.version)));
      if (!head) return Status::Invalid("_last_checkpoint names a missing checkpoint");
      continue;  // rewritten by later checkpoints: check it every time
    } else {
      continue;  // temporary files of killed writers are hidden names, never read
    }
    model.checked_log_files.insert(file.name);
  }
  return Status::OK();
}

// What version `version`'s commit does to the model's rows.
Status ApplyToModel(delta::LogStore& store, Model& model, int64_t version) {
  ARROW_ASSIGN_OR_RAISE(auto actions, delta::ReadCommit(store, version));
  const delta::CommitInfo* info = nullptr;
  for (const auto& action : actions) {
    if (const auto* ci = std::get_if<delta::CommitInfo>(&action)) info = ci;
  }
  if (info == nullptr) return Status::Invalid("no commitInfo", At(version));
  if (info->operation == "VACUUM START") model.vacuum_starts.push_back(version);
  if (info->operation == "VACUUM START" || info->operation == "VACUUM END") {
    return Status::OK();
  }
  auto tags = nlohmann::json::parse(info->user_metadata.value_or(""), nullptr, false);
  if (!tags.is_object() || !tags.contains(kOpKey) || !tags.contains(kKindKey)) {
    return Status::Invalid("commit", At(version), " (", info->operation,
                           ") carries no op tag: ", info->user_metadata.value_or("none"));
  }
  const int64_t op = std::stoll(tags[kOpKey].get<std::string>());
  const std::string kind = tags[kKindKey].get<std::string>();
  if (!model.landed_ops.insert(op).second) {
    return Status::Invalid("op ", op, " landed twice (again", At(version), ")");
  }
  if (kind != OpKindName(KindForOp(model.seed, op)) && !IsControllerOp(op)) {
    return Status::Invalid("op ", op, " is tagged ", kind, At(version));
  }
  if (kind == OpKindName(OpKind::kAppend)) {
    model.ops.push_back(op);
  } else if (kind == OpKindName(OpKind::kOverwrite)) {
    model.ops = {op};
  } else {
    return Status::Invalid("op ", op, " of kind ", kind, " committed", At(version));
  }
  return Status::OK();
}

// The rows of `table` are exactly those of `ops`, each with its derived values.
Status CompareRows(const arrow::Table& table, const Model& model, int64_t version) {
  std::vector<int64_t> expected;
  for (int64_t op : model.ops) {
    for (int64_t row = 0; row < RowsForOp(model.seed, op); ++row) {
      expected.push_back(op * kIdsPerOp + row);
    }
  }
  std::vector<int64_t> actual;
  actual.reserve(static_cast<size_t>(table.num_rows()));
  ARROW_ASSIGN_OR_RAISE(auto batch, table.CombineChunksToBatch());
  auto ids = std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName("id"));
  auto values =
      std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName("value"));
  auto payloads =
      std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName("payload"));
  if (!ids || !values || !payloads)
    return Status::Invalid("columns missing", At(version));
  for (int64_t row = 0; row < batch->num_rows(); ++row) {
    const int64_t id = ids->Value(row);
    if (!model.landed_ops.count(id / kIdsPerOp)) {
      return Status::Invalid("rows of op ", id / kIdsPerOp,
                             ", which never landed, are visible", At(version));
    }
    if (values->Value(row) != ValueFor(model.seed, id) ||
        payloads->GetString(row) != PayloadFor(model.seed, id)) {
      return Status::Invalid("row ", id, " has wrong values", At(version));
    }
    actual.push_back(id);
  }
  std::sort(expected.begin(), expected.end());
  std::sort(actual.begin(), actual.end());
  if (actual != expected) {
    return Status::Invalid(actual.size(), " rows", At(version), " where the model has ",
                           expected.size(),
                           " (ops landed so far: ", model.landed_ops.size(), ")");
  }
  return Status::OK();
}

std::set<std::string> LivePaths(const delta::Snapshot& snapshot) {
  std::set<std::string> out;
  for (const auto& [key, add] : snapshot.state().files) {
    out.insert(arrow::util::UriUnescape(add.path));
  }
  return out;
}

Status VerifyVersion(delta::LogStore& store, const Model& model, int64_t version,
                     int64_t latest, CheckCounts& counts,
                     std::map<int64_t, std::set<std::string>>& live_before_vacuum) {
  delta::SnapshotRequest request;
  request.version = version;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(store, request));
  std::vector<std::string> missing;
  for (const auto& path : LivePaths(*snapshot)) {
    if (!fs::exists(fs::path(store.root()) / path)) missing.push_back(path);
  }
  if (missing.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(store, snapshot));
    ARROW_RETURN_NOT_OK(CompareRows(*table, model, version));
    counts.versions_read += 1;
    return Status::OK();
  }
  if (version == latest) {
    return Status::Invalid("live file ", missing[0], " of the latest version ", version,
                           " is gone");
  }
  // Only a later vacuum may have taken them, and only one that ran once they were no
  // longer live.
  for (const auto& path : missing) {
    bool entitled = false;
    for (auto vacuum = std::upper_bound(model.vacuum_starts.begin(),
                                        model.vacuum_starts.end(), version);
         vacuum != model.vacuum_starts.end() && !entitled; ++vacuum) {
      auto cached = live_before_vacuum.find(*vacuum);
      if (cached == live_before_vacuum.end()) {
        request.version = *vacuum - 1;
        ARROW_ASSIGN_OR_RAISE(auto before_vacuum, delta::Snapshot::Load(store, request));
        cached = live_before_vacuum.emplace(*vacuum, LivePaths(*before_vacuum)).first;
      }
      entitled = !cached->second.count(path);
    }
    if (!entitled) {
      return Status::Invalid("file ", path, " of version ", version,
                             " is gone, but no vacuum since ran while it was not live");
    }
  }
  counts.versions_vacuumed += 1;
  return Status::OK();
}

}  // namespace

Status VerifyNewVersions(delta::LogStore& store, Model& model, CheckCounts& counts) {
  ARROW_RETURN_NOT_OK(CheckLogFiles(store, model, counts));
  ARROW_ASSIGN_OR_RAISE(auto latest, delta::Snapshot::Load(store));
  // The model of each new version first (vacuums later in the log decide which
  // files older versions may miss), then the data.
  std::vector<std::pair<int64_t, std::vector<int64_t>>> pending;
  for (int64_t version = model.verified_through + 1; version <= latest->version();
       ++version) {
    ARROW_RETURN_NOT_OK(ApplyToModel(store, model, version));
    pending.emplace_back(version, model.ops);
  }
  Model at_version;
  at_version.seed = model.seed;
  at_version.landed_ops = model.landed_ops;
  at_version.vacuum_starts = model.vacuum_starts;
  for (auto& [version, ops] : pending) {
    at_version.ops = std::move(ops);
    ARROW_RETURN_NOT_OK(VerifyVersion(store, at_version, version, latest->version(),
                                      counts, model.live_before_vacuum));
  }
  model.verified_through = latest->version();
  return Status::OK();
}

Status NextWriteLands(delta::LogStore& store, Model& model, int64_t op) {
  ARROW_ASSIGN_OR_RAISE(auto batches, BatchesForOp(model.seed, op));
  ARROW_ASSIGN_OR_RAISE(auto table,
                        arrow::Table::FromRecordBatches(CrashSchema(), batches));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.user_metadata = {{kOpKey, std::to_string(op)}, {kKindKey, "append"}};
  ARROW_ASSIGN_OR_RAISE(auto result, delta::WriteTable(store, *table, options));
  if (result.version != model.verified_through + 1) {
    return Status::Invalid("the next write landed at version ", result.version,
                           ", expected ", model.verified_through + 1);
  }
  return Status::OK();
}

Status VacuumLeavesNoOrphans(delta::LogStore& store, CheckCounts& counts) {
  // Retention 0 keeps files modified at or after "now": let the clock move past the
  // killed writer's last write.
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  delta::VacuumOptions options;
  options.retention_ms = 0;
  options.retention_check = false;
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Vacuum(store, options));
  counts.orphans_removed += static_cast<int64_t>(result.files.size());
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(store));
  const auto live = LivePaths(*snapshot);
  const fs::path root(store.root());
  for (auto it = fs::recursive_directory_iterator(root);
       it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (name.starts_with("_") || name.starts_with(".")) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    const std::string relative = fs::relative(it->path(), root).string();
    if (!live.count(relative)) {
      return Status::Invalid("after vacuum, data file ", relative, " is not referenced");
    }
  }
  return Status::OK();
}

Status CheckWithDeltaRs(const std::string& python, const std::string& table,
                        const Model& model) {
  int64_t rows = 0, id_sum = 0;
  for (int64_t op : model.ops) {
    const int64_t n = RowsForOp(model.seed, op);
    rows += n;
    id_sum += n * op * kIdsPerOp + n * (n - 1) / 2;
  }
  auto read = testing::ReadWithDeltaRs(
      table,
      "a = t.to_pyarrow_table()\n"
      "print(t.version(), a.num_rows, pc.sum(a[\"id\"]).as_py() or 0, flush=True)",
      python);
  if (!read.ok())
    return Status::Invalid("delta-rs cannot read the table: ", read.status().message());
  const std::string& out = *read;
  const std::string want = std::to_string(model.verified_through) + " " +
                           std::to_string(rows) + " " + std::to_string(id_sum) + "\n";
  if (out != want) {
    return Status::Invalid("delta-rs reads '", out, "', the model says '", want, "'");
  }
  return Status::OK();
}

}  // namespace deltaline::crash
