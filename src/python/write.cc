// write_table_delta, write_dataset_delta and delete_delta: the storage surface
// (storage/storage_writer.h) with the options the Python package passes as a config
// JSON (storage/output_config.h keys) plus the per-write options.
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "python/bindings.h"
#include "python/write_options.h"
#include "storage/storage_writer.h"

namespace deltaline::python {
namespace {

nb::dict PartitionsDict(const std::map<std::string, delta::PartitionMetrics>& partitions) {
  nb::dict out;
  for (const auto& [key, m] : partitions) {
    nb::dict entry;
    entry["files_added"] = m.files_added;
    entry["rows_added"] = m.rows_added;
    entry["bytes_added"] = m.bytes_added;
    entry["files_removed"] = m.files_removed;
    entry["rows_removed"] = m.rows_removed;
    entry["bytes_removed"] = m.bytes_removed;
    entry["rows_copied"] = m.rows_copied;
    out[key.c_str()] = entry;
  }
  return out;
}

nb::dict ResultDict(const storage::WriteResult& written) {
  const delta::WriteResult& r = written.delta;
  nb::dict out;
  out["path"] = r.uri;
  out["version"] = r.version;
  out["operation"] = r.operation;
  out["committed"] = r.committed;
  out["files_added"] = r.files_added;
  out["files_removed"] = r.files_removed;
  out["rows_added"] = r.rows_added;
  out["rows_removed"] = r.rows_removed < 0 ? nb::object(nb::none()) : nb::object(nb::int_(r.rows_removed));
  out["bytes_added"] = r.bytes_added;
  out["bytes_removed"] = r.bytes_removed;
  out["rows_copied"] = r.rows_copied;
  out["partitions"] = PartitionsDict(r.partitions);
  out["schema_changed"] = r.schema_changed;
  out["checkpoint_written"] = r.checkpoint_written;
  out["attempts"] = written.attempts;
  nb::dict user;
  for (const auto& [key, value] : written.user_metadata) user[key.c_str()] = value;
  out["commit_metadata"] = user;
  return out;
}

// The schema of the table at `path`, or null when there is none yet.
std::shared_ptr<arrow::Schema> ExistingSchema(const std::string& path) {
  auto store = delta::FileSystemLogStore::Open(path);
  if (!store.ok()) return nullptr;
  auto snapshot = delta::Snapshot::Load(**store);
  return snapshot.ok() ? (*snapshot)->schema() : nullptr;
}

nb::dict Write(nb::handle data, const std::string& path, const std::string& config,
               const nb::dict& options, bool replayable) {
  Warnings warnings;
  const WriteRequest request = ReadWriteRequest(options);
  storage::StorageWriteOptions write_options =
      Unwrap(BuildWriteOptions(config, request, warnings.reporter()));
  arrow::Result<storage::WriteResult> written;
  {
    nb::gil_scoped_release release;
    auto applied = ApplyTargetedOptions(request, ExistingSchema(path), &write_options);
    if (!applied.ok()) {
      written = applied;
    } else if (replayable) {
      // Each attempt asks the object for its rows again (a pyarrow or Polars table, a
      // DuckDB relation), so a concurrent-append conflict can be redone.
      nb::gil_scoped_acquire acquire;
      nb::object source = nb::borrow(data);
      storage::ReaderFactory open =
          [source]() -> arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> {
        nb::gil_scoped_acquire again;
        try {
          return ImportStream(source);
        } catch (const StatusError& e) {
          return e.status();
        } catch (const std::exception& e) {
          return delta::InvalidInput(std::string("reading the input: ") + e.what());
        }
      };
      nb::gil_scoped_release work;
      written = storage::WriteReplayableDelta(open, path, write_options);
    } else {
      std::shared_ptr<arrow::RecordBatchReader> reader;
      {
        nb::gil_scoped_acquire acquire;
        reader = ImportStream(data);
      }
      written = storage::WriteDatasetDelta(*reader, path, write_options);
    }
  }
  warnings.Emit();
  return ResultDict(Unwrap(std::move(written)));
}

nb::dict Delete(const std::string& path, const std::string& predicate,
                const std::string& config, const nb::dict& options) {
  Warnings warnings;
  storage::StorageWriteOptions write_options =
      Unwrap(BuildWriteOptions(config, ReadWriteRequest(options), warnings.reporter()));
  arrow::Result<storage::WriteResult> deleted;
  {
    nb::gil_scoped_release release;
    deleted = [&]() -> arrow::Result<storage::WriteResult> {
      ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
      ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
      ARROW_ASSIGN_OR_RAISE(auto expr, delta::ParsePredicate(predicate, *snapshot->schema()));
      write_options.delta.read_snapshot = snapshot;
      return storage::Delete(path, expr, write_options);
    }();
  }
  warnings.Emit();
  return ResultDict(Unwrap(std::move(deleted)));
}

}  // namespace

void RegisterWrite(nb::module_& m) {
  m.def("write", &Write, nb::arg("data"), nb::arg("path"), nb::arg("config"),
        nb::arg("options"), nb::arg("replayable"),
        "One commit of the rows of `data` (an __arrow_c_stream__ object) to `path`.");
  m.def("delete", &Delete, nb::arg("path"), nb::arg("predicate"), nb::arg("config"),
        nb::arg("options"), "Deletes the rows matching the SQL `predicate`, one commit.");
}

}  // namespace deltaline::python
