// The output storage policy from Python: require_delta_output (the seed's check, over
// the one gate storage::CheckSink) and the gated Parquet export.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>

#include "python/bindings.h"
#include "storage/export_parquet.h"
#include "storage/output_policy.h"

namespace deltaline::python {
namespace {

// OutputStoragePolicy._config() of deltaline/_policy.py: format, allow_parquet_exports,
// run_mode.
storage::OutputStoragePolicy ReadPolicy(const nb::dict& config) {
  storage::OutputStoragePolicy policy;
  if (Has(config, "format")) policy.format = nb::cast<std::string>(config["format"]);
  if (Has(config, "allow_parquet_exports")) {
    policy.allow_parquet_exports = nb::cast<bool>(config["allow_parquet_exports"]);
  }
  if (Has(config, "run_mode")) {
    policy.mode =
        Unwrap(storage::ParseRunMode(nb::cast<std::string>(config["run_mode"])));
  }
  return policy;
}

// The sinks a pipeline names: the policy's own format first (a policy naming another
// format is itself a forbidden sink, as output_config.cc treats `output.format`),
// then the requested format. True when the output may go ahead in Delta.
bool RequireDeltaOutput(const nb::dict& config, const std::string& sink,
                        const std::string& path, const std::string& format,
                        const std::string& run_id, const std::string& run_dir) {
  const storage::OutputStoragePolicy policy = ReadPolicy(config);
  const storage::RunContext run{run_id, run_dir};
  Warnings warnings;
  arrow::Result<bool> allowed;
  {
    // The gate may append a row to the run's diagnostics table: IO.
    nb::gil_scoped_release release;
    allowed = [&]() -> arrow::Result<bool> {
      bool ok = true;
      const delta::Reporter reporter = warnings.reporter();
      if (policy.format != "delta") {
        ARROW_ASSIGN_OR_RAISE(
            auto decision,
            storage::CheckSink({sink + " policy.format", policy.format, path}, policy,
                               run, /*is_export=*/false, reporter));
        ok = ok && decision == storage::SinkDecision::kAllowed;
      }
      if (format != "delta" && format != policy.format) {
        ARROW_ASSIGN_OR_RAISE(auto decision,
                              storage::CheckSink({sink, format, path}, policy, run,
                                                 /*is_export=*/false, reporter));
        ok = ok && decision == storage::SinkDecision::kAllowed;
      }
      return ok;
    }();
  }
  warnings.Emit();
  return Unwrap(std::move(allowed));
}

nb::object ExportParquet(const std::string& table, const std::string& out_dir,
                         const nb::dict& config, std::optional<int64_t> version,
                         const std::string& run_id, const std::string& run_dir) {
  const storage::OutputStoragePolicy policy = ReadPolicy(config);
  Warnings warnings;
  storage::ExportOptions options;
  options.version = version;
  options.run = {run_id, run_dir};
  options.reporter = warnings.reporter();
  arrow::Result<storage::ExportReport> exported;
  {
    nb::gil_scoped_release release;
    exported = storage::ExportParquet(table, out_dir, policy, options);
  }
  warnings.Emit();
  return ToPython(Unwrap(std::move(exported)).ToJson());
}

}  // namespace

void RegisterPolicy(nb::module_& m) {
  m.def("require_delta_output", &RequireDeltaOutput, nb::arg("policy"), nb::arg("sink"),
        nb::arg("path"), nb::arg("format"), nb::arg("run_id"), nb::arg("run_dir"),
        "Checks an output against the policy (storage::CheckSink); false when refused "
        "in development mode.");
  m.def("export_parquet", &ExportParquet, nb::arg("table"), nb::arg("out_dir"),
        nb::arg("policy"), nb::arg("version") = nb::none(), nb::arg("run_id") = "",
        nb::arg("run_dir") = "",
        "The gated Parquet export (storage::ExportParquet); its report as a dict.");
}

}  // namespace deltaline::python
