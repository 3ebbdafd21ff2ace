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
      ARROW_ASSIGN_OR_RAISE(auto expr,
                            delta::ParsePredicate(predicate, *snapshot->schema()));
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
