// The table tools from Python: vacuum, checkpoint, clone, optimize, restore,
// cleanup_log and migrate_parquet, as the commands of src/cli/commands/ call them.
// Each reads its arguments with the GIL held, runs without it, and returns its result
// as a dict with the fields of the command's --json (snake_case), which
// deltaline/_tools.py turns into a frozen dataclass.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "delta/base/errors.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/log_cleanup.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/ops/clone.h"
#include "delta/ops/optimize.h"
#include "delta/ops/restore.h"
#include "delta/ops/vacuum.h"
#include "python/bindings.h"

namespace deltaline::python {

// tools_migrate.cc
void RegisterMigrate(nb::module_& m);

namespace {

using nlohmann::json;

json OrNull(const std::optional<int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

// Runs `work` without the GIL, then converts its JSON (or raises its error) with it.
template <typename Work>
nb::object Run(Work&& work) {
  arrow::Result<json> result;
  {
    nb::gil_scoped_release release;
    result = work();
  }
  return ToPython(Unwrap(std::move(result)));
}

nb::object Vacuum(const std::string& path, std::optional<int64_t> retention_ms,
                  bool dry_run, bool enforce_retention_duration) {
  delta::VacuumOptions options;
  options.retention_ms = retention_ms;
  options.retention_check = enforce_retention_duration;
  options.dry_run = dry_run;
  return Run([&]() -> arrow::Result<json> {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
    ARROW_ASSIGN_OR_RAISE(auto result, delta::Vacuum(*store, options));
    return json{{"table", store->uri()},
                {"snapshot_version", result.snapshot_version},
                {"dry_run", result.dry_run},
                {"retention_ms", result.retention_ms},
                {"files", result.files},
                {"bytes", result.bytes},
                {"directories_deleted", result.directories_deleted},
                {"start_version", OrNull(result.start_version)},
                {"end_version", OrNull(result.end_version)}};
  });
}

nb::object Checkpoint(const std::string& path) {
  return Run([&]() -> arrow::Result<json> {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
    ARROW_RETURN_NOT_OK(delta::WriteCheckpoint(*store, *snapshot));
    return json{{"table", store->uri()}, {"version", snapshot->version()}};
  });
}

nb::object CleanupLog(const std::string& path, bool dry_run) {
  delta::LogCleanupOptions options;
  options.dry_run = dry_run;
  return Run([&]() -> arrow::Result<json> {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
    ARROW_ASSIGN_OR_RAISE(auto result, delta::CleanupExpiredLogs(*store, options));
    return json{{"table", store->uri()},
                {"dry_run", result.dry_run},
                {"retention_ms", result.retention_ms},
                {"cutoff_ms", result.cutoff_ms},
                {"checkpoint_version", OrNull(result.checkpoint_version)},
                {"earliest_version", OrNull(result.earliest_version)},
                {"latest_version", result.latest_version},
                {"files", result.files},
                {"bytes", result.bytes}};
  });
}

nb::object Clone(const std::string& source, const std::string& target,
                 std::optional<int64_t> version, std::optional<int64_t> timestamp_ms,
                 bool shallow, const std::string& mode) {
  delta::CloneOptions options;
  options.version = version;
  options.timestamp_ms = timestamp_ms;
  options.shallow = shallow;
  if (mode == "overwrite") {
    options.mode = delta::CloneMode::kOverwrite;
  } else if (mode != "error") {
    Check(delta::InvalidInput("clone: unknown mode '" + mode +
                              "' (expected error or overwrite)"));
  }
  return Run([&]() -> arrow::Result<json> {
    ARROW_ASSIGN_OR_RAISE(auto from, delta::FileSystemLogStore::Open(source));
    ARROW_ASSIGN_OR_RAISE(auto to, delta::FileSystemLogStore::Open(target));
    ARROW_ASSIGN_OR_RAISE(auto r, delta::CloneTable(*from, *to, options));
    return json{{"source", r.source_uri},
                {"source_version", r.source_version},
                {"target", r.target_uri},
                {"version", r.target_version},
                {"shallow", r.shallow},
                {"num_files", r.num_files},
                {"source_table_size", r.source_table_size},
                {"num_copied_files", r.num_copied_files},
                {"copied_files_size", r.copied_files_size},
                {"num_reused_files", r.num_reused_files},
                {"num_copied_deletion_vector_files", r.num_copied_dv_files},
                {"num_removed_files", r.num_removed_files},
                {"removed_files_size", r.removed_files_size}};
  });
}

json SizesJson(const delta::FileSizeStats& stats) {
  return {{"min", stats.min},
          {"max", stats.max},
          {"avg", stats.avg},
          {"total_files", stats.total_files},
          {"total_size", stats.total_size}};
}

nb::object Optimize(const std::string& path, std::optional<int64_t> target_size,
                    std::optional<std::string> where,
                    std::vector<std::string> zorder_by) {
  delta::OptimizeOptions options;
  options.target_size = target_size;
  options.where = std::move(where);
  options.zorder_by = std::move(zorder_by);
  return Run([&]() -> arrow::Result<json> {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
    ARROW_ASSIGN_OR_RAISE(auto r, delta::Optimize(*store, options));
    return json{{"table", store->uri()},
                {"version", r.version},
                {"committed", r.committed},
                {"num_files_added", r.num_files_added},
                {"num_files_removed", r.num_files_removed},
                {"files_added", SizesJson(r.files_added)},
                {"files_removed", SizesJson(r.files_removed)},
                {"partitions_optimized", r.partitions_optimized},
                {"num_batches", r.num_batches},
                {"total_considered_files", r.total_considered_files},
                {"total_files_skipped", r.total_files_skipped},
                {"num_deletion_vectors_removed", r.num_deletion_vectors_removed},
                {"rows", r.rows},
                {"zorder_by", r.zorder_by},
                {"commit_attempts", r.commit_attempts}};
  });
}

nb::object Restore(const std::string& path, std::optional<int64_t> version,
                   std::optional<int64_t> timestamp_ms,
                   const std::string& timestamp_text) {
  delta::RestoreOptions options;
  options.version = version;
  options.timestamp_ms = timestamp_ms;
  options.timestamp_text = timestamp_text;
  return Run([&]() -> arrow::Result<json> {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
    ARROW_ASSIGN_OR_RAISE(auto r, delta::Restore(*store, options));
    return json{{"table", store->uri()},
                {"version", r.version},
                {"restored_version", r.restored_version},
                {"read_version", r.read_version},
                {"table_size_after_restore", r.table_size_after_restore},
                {"num_of_files_after_restore", r.num_of_files_after_restore},
                {"num_removed_files", r.num_removed_files},
                {"num_restored_files", r.num_restored_files},
                {"removed_files_size", r.removed_files_size},
                {"restored_files_size", r.restored_files_size},
                {"metadata_changed", r.metadata_changed},
                {"protocol_changed", r.protocol_changed}};
  });
}

}  // namespace

void RegisterTools(nb::module_& m) {
  m.def("vacuum", &Vacuum, nb::arg("path"), nb::arg("retention_ms").none(),
        nb::arg("dry_run"), nb::arg("enforce_retention_duration"));
  m.def("checkpoint", &Checkpoint, nb::arg("path"));
  m.def("cleanup_log", &CleanupLog, nb::arg("path"), nb::arg("dry_run"));
  m.def("clone", &Clone, nb::arg("source"), nb::arg("target"), nb::arg("version").none(),
        nb::arg("timestamp_ms").none(), nb::arg("shallow"), nb::arg("mode"));
  m.def("optimize", &Optimize, nb::arg("path"), nb::arg("target_size").none(),
        nb::arg("where").none(), nb::arg("zorder_by"));
  m.def("restore", &Restore, nb::arg("path"), nb::arg("version").none(),
        nb::arg("timestamp_ms").none(), nb::arg("timestamp_text"));
  RegisterMigrate(m);
}

}  // namespace deltaline::python
