// migrate_parquet: a legacy Parquet dataset into Delta (storage::MigrateParquet, as
// `deltaline migrate-parquet` runs it); the report is the command's --json
// (storage/migrate_parquet_report.h).
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "delta/base/errors.h"
#include "delta/ops/parquet_layout.h"
#include "python/bindings.h"
#include "storage/migrate_parquet.h"

namespace deltaline::python {
namespace {

nb::dict MigrateParquet(const std::string& source, const std::string& target,
                        bool in_place,
                        std::optional<std::vector<std::string>> partition_by,
                        const std::string& schema_mode, bool verify, bool dry_run) {
  storage::MigrateOptions options;
  options.source = source;
  options.destination = target;
  options.in_place = in_place;
  options.layout.partition_by = std::move(partition_by);
  if (schema_mode == "merge") {
    options.layout.schema_mode = delta::ParquetSchemaMode::kMerge;
  } else if (schema_mode != "strict") {
    Check(delta::InvalidInput("migrate_parquet: unknown schema_mode '" + schema_mode +
                              "' (expected strict or merge)"));
  }
  options.verify = verify;
  options.dry_run = dry_run;
  Warnings warnings;
  options.reporter = warnings.reporter();
  arrow::Result<storage::MigrateOutcome> migrated;
  {
    nb::gil_scoped_release release;
    migrated = storage::MigrateParquet(options);
  }
  warnings.Emit();
  const storage::MigrateOutcome done = Unwrap(std::move(migrated));
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
