// migrate_parquet: a legacy Parquet dataset into Delta, copied as a regular write or
// converted in place, optionally verified, as `deltaline migrate-parquet` runs it;
// the report is the command's --json (storage/migrate_parquet_report.h).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/ops/convert_to_delta.h"
#include "delta/ops/migration_verify.h"
#include "delta/ops/parquet_layout.h"
#include "python/bindings.h"
#include "storage/migrate_parquet.h"
#include "storage/migrate_parquet_report.h"

namespace deltaline::python {
namespace {

using nlohmann::json;

struct MigrateRequest {
  std::string source;
  std::string target;  ///< = source in place
  bool in_place = false;
  delta::ParquetLayoutOptions layout;
  bool verify = false;
  bool dry_run = false;
};

// The report and, when verification found differences, the text the CLI fails with.
struct Migrated {
  json report;
  std::string failure;
};

arrow::Result<json> Write(const MigrateRequest& request,
                          const delta::ParquetLayout& layout, delta::LogStore& target,
                          const delta::Reporter& reporter) {
  if (request.in_place) {
    ARROW_ASSIGN_OR_RAISE(auto converted, delta::ConvertToDelta(target, layout));
    return json{
        {"version", converted.version}, {"operation", "CONVERT"},
        {"numFiles", converted.files},  {"bytes", converted.bytes},
        {"rows", converted.rows},       {"filesWithStats", converted.files_with_stats}};
  }
  storage::MigrateParquetOptions options;
  options.write.reporter = reporter;
  ARROW_ASSIGN_OR_RAISE(auto written,
                        storage::MigrateParquetCopy(layout, request.target, options));
  return json{{"version", written.delta.version},
              {"operation", written.delta.operation},
              {"numFiles", written.delta.files_added},
              {"bytes", written.delta.bytes_added},
              {"rows", written.delta.rows_added}};
}

arrow::Result<Migrated> RunMigration(const MigrateRequest& request,
                                     const delta::Reporter& reporter) {
  ARROW_ASSIGN_OR_RAISE(auto source_store,
                        delta::FileSystemLogStore::Open(request.source));
  ARROW_ASSIGN_OR_RAISE(auto layout,
                        delta::PlanParquetLayout(source_store->filesystem(),
                                                 source_store->root(), request.layout));
  Migrated out;
  out.report = {{"source", source_store->uri()},
                {"destination", request.target},
                {"mode", request.in_place ? "in-place" : "copy"},
                {"dryRun", request.dry_run},
                {"plan", storage::MigrationPlanJson(layout)}};
  if (request.dry_run) return out;
  ARROW_ASSIGN_OR_RAISE(auto target_store,
                        delta::FileSystemLogStore::Open(request.target));
  ARROW_ASSIGN_OR_RAISE(out.report["result"],
                        Write(request, layout, *target_store, reporter));
  if (request.verify) {
    ARROW_ASSIGN_OR_RAISE(auto verified, delta::VerifyMigration(layout, *target_store));
    out.report["verification"] = storage::VerifyJson(verified);
    if (!verified.ok) {
      out.failure = "verification failed:";
      for (const auto& mismatch : verified.mismatches) {
        out.failure += "\n  " + storage::MismatchText(mismatch);
      }
    }
  }
  return out;
}

nb::dict MigrateParquet(const std::string& source, const std::string& target,
                        bool in_place,
                        std::optional<std::vector<std::string>> partition_by,
                        const std::string& schema_mode, bool verify, bool dry_run) {
  MigrateRequest request{source, in_place ? source : target, in_place, {}, verify,
                         dry_run};
  request.layout.partition_by = std::move(partition_by);
  if (schema_mode == "merge") {
    request.layout.schema_mode = delta::ParquetSchemaMode::kMerge;
  } else if (schema_mode != "strict") {
    Check(delta::InvalidInput("migrate_parquet: unknown schema_mode '" + schema_mode +
                              "' (expected strict or merge)"));
  }
  Warnings warnings;
  arrow::Result<Migrated> migrated;
  {
    nb::gil_scoped_release release;
    migrated = RunMigration(request, warnings.reporter());
  }
  warnings.Emit();
  Migrated done = Unwrap(std::move(migrated));
  nb::dict out;
  out["report"] = ToPython(done.report);
  out["failure"] =
      done.failure.empty() ? nb::none() : nb::object(nb::str(done.failure.c_str()));
  return out;
}

}  // namespace

void RegisterMigrate(nb::module_& m) {
  m.def("migrate_parquet", &MigrateParquet, nb::arg("source"), nb::arg("target"),
        nb::arg("in_place"), nb::arg("partition_by").none(), nb::arg("schema_mode"),
        nb::arg("verify"), nb::arg("dry_run"));
}

}  // namespace deltaline::python
