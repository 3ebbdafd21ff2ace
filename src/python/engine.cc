// query and insert_into: a Substrait plan over tables bound by name (engine/catalog.h),
// its rows as a re-openable Arrow stream, or written into a Delta table in one commit
// (engine/insert_into.h), as `deltaline query` and `deltaline query --into` do.
#include <filesystem>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/shared_ptr.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include "engine/catalog.h"
#include "engine/execute.h"
#include "engine/insert_into.h"
#include "engine/substrait_plan.h"
#include "python/bindings.h"
#include "python/streams.h"
#include "python/write_options.h"

namespace deltaline::python {
namespace {

namespace fs = std::filesystem;

/// A name → path binding from Python: a version pins a Delta table; without one the
/// path may carry `@VERSION` (a number or RFC 3339 time), as `--table` takes it.
using PathBinding = std::tuple<std::string, std::string, std::optional<int64_t>>;

arrow::Status BindPath(engine::Catalog& catalog, const PathBinding& binding) {
  const auto& [name, uri, version] = binding;
  if (version) return catalog.AddDelta(name, uri, {version, {}});
  std::error_code ec;
  // A file (Arrow IPC, Parquet, JSON lines) is told apart by its magic, as --table does.
  if (fs::is_regular_file(uri, ec)) return catalog.AddBinding(name + "=" + uri);
  // Anything else is meant as a Delta table: a missing one is kTableNotFound naming
  // the path, not the binding syntax's "neither a Delta table nor a file".
  ARROW_ASSIGN_OR_RAISE(auto parsed, engine::ParseBinding(name + "=" + uri));
  engine::DeltaVersionSpec at;
  if (!parsed.at.empty()) {
    ARROW_ASSIGN_OR_RAISE(at, engine::ParseVersionSpec(parsed.at));
  }
  return catalog.AddDelta(name, parsed.uri, at);
}

/// What a query needs to run again: the catalog (Delta tables pinned when bound, so
/// every run reads the same snapshots), the loaded plan and how it runs.
struct Prepared {
  std::shared_ptr<engine::Catalog> catalog = std::make_shared<engine::Catalog>();
  engine::SubstraitPlan plan;
  engine::SubstraitRunOptions options;
};

// Binds the tables and loads the plan; the in-memory tables are read in (GIL held for
// the import only, released while their rows are read).
std::shared_ptr<Prepared> Prepare(const std::string& plan_bytes,
                                  const std::vector<PathBinding>& paths,
                                  const nb::dict& memory, engine::RunOptions run) {
  auto prepared = std::make_shared<Prepared>();
  prepared->options.run = std::move(run);
  std::vector<std::pair<std::string, std::shared_ptr<arrow::RecordBatchReader>>> readers;
  for (auto [key, value] : memory) {
    readers.emplace_back(nb::cast<std::string>(key), ImportStream(value));
  }
  arrow::Status status;
  {
    nb::gil_scoped_release release;
    status = [&]() -> arrow::Status {
      for (const auto& binding : paths) {
        ARROW_RETURN_NOT_OK(BindPath(*prepared->catalog, binding));
      }
      for (auto& [name, reader] : readers) {
        ARROW_ASSIGN_OR_RAISE(auto table,
                              arrow::Table::FromRecordBatchReader(reader.get()));
        ARROW_RETURN_NOT_OK(prepared->catalog->AddTable(name, std::move(table)));
      }
      ARROW_ASSIGN_OR_RAISE(prepared->plan, engine::LoadSubstraitPlan(plan_bytes));
      return arrow::Status::OK();
    }();
  }
  Check(status);
  return prepared;
}

// The storage options of `config` + `options` (deltaline/_write.py's shapes).
storage::StorageWriteOptions StorageOptions(const std::string& config,
                                            const WriteRequest& request,
                                            delta::Reporter reporter) {
  return Unwrap(BuildWriteOptions(config, request, std::move(reporter)));
}

std::tuple<std::shared_ptr<Stream>, std::vector<std::string>> Query(
    nb::bytes plan, const std::vector<PathBinding>& paths, const nb::dict& memory,
    const std::string& config) {
  Warnings warnings;
  const auto storage =
      StorageOptions(config, ReadWriteRequest(nb::dict()), warnings.reporter());
  // The rows are read after this call returns, when no one is left to show warnings:
  // the run itself reports to no one (its errors still reach the reader).
  auto prepared = Prepare(std::string(plan.c_str(), plan.size()), paths, memory,
                          {storage.output, storage.run, delta::Reporter{}, true});
  arrow::Result<engine::PlanDeclaration> bound;
  {
    nb::gil_scoped_release release;
    bound =
        engine::PlanToDeclaration(prepared->plan, *prepared->catalog, prepared->options);
  }
  warnings.Emit();
  // Bound once here so that an unknown table or a plan Arrow cannot run fails now.
  auto first = Unwrap(std::move(bound));
  auto stream = std::make_shared<Stream>(
      first.schema,
      [prepared]() -> arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> {
        ARROW_ASSIGN_OR_RAISE(
            auto declared, engine::PlanToDeclaration(prepared->plan, *prepared->catalog,
                                                     prepared->options));
        ARROW_ASSIGN_OR_RAISE(
            auto reader,
            engine::RunToReader(std::move(declared.declaration), prepared->options.run));
        return std::make_shared<OwningReader>(std::move(reader), prepared);
      });
  return {std::move(stream), std::move(first.bindings)};
}

nb::dict InsertInto(nb::bytes plan, const std::string& path,
                    const std::vector<PathBinding>& paths, const nb::dict& memory,
                    const std::string& config, const nb::dict& options,
                    const std::string& insert_path) {
  Warnings warnings;
  const WriteRequest request = ReadWriteRequest(options);
  engine::InsertOptions insert;
  insert.storage = StorageOptions(config, request, warnings.reporter());
  insert.path = Unwrap(engine::ParseInsertPath(insert_path));
  const auto& storage = insert.storage;
  auto prepared = Prepare(std::string(plan.c_str(), plan.size()), paths, memory,
                          {storage.output, storage.run, storage.reporter, true});
  arrow::Result<engine::InsertResult> written;
  {
    nb::gil_scoped_release release;
    written = [&]() -> arrow::Result<engine::InsertResult> {
      ARROW_RETURN_NOT_OK(
          ApplyTargetedOptions(request, ExistingSchema(path), &insert.storage));
      ARROW_ASSIGN_OR_RAISE(auto bound,
                            engine::PlanToDeclaration(prepared->plan, *prepared->catalog,
                                                      prepared->options));
      return engine::InsertIntoTable(std::move(bound.declaration), path, insert);
    }();
  }
  warnings.Emit();
  auto result = Unwrap(std::move(written));
  nb::dict out = ResultDict(result.write);
  out["insert_path"] = engine::InsertPathName(result.path);
  return out;
}

}  // namespace

void RegisterEngine(nb::module_& m) {
  m.def("query", &Query, nb::arg("plan"), nb::arg("tables"), nb::arg("memory"),
        nb::arg("config"),
        "Binds `tables` ((name, path, version)) and `memory` (name → Arrow stream "
        "object), loads `plan` (Substrait JSON or binary): (re-openable rows, the "
        "bindings as text).");
  m.def("insert_into", &InsertInto, nb::arg("plan"), nb::arg("path"), nb::arg("tables"),
        nb::arg("memory"), nb::arg("config"), nb::arg("options"), nb::arg("insert_path"),
        "Runs `plan` and writes its rows into the Delta table at `path`, one commit.");
}

}  // namespace deltaline::python
