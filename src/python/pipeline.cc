// run and anatomy: a declared pipeline (pipeline/runner.h) and the anatomy run
// (anatomy/anatomy_run.h) under a run configuration, recorded as `deltaline run` and
// `deltaline anatomy` record them (manifest in the run directory, a row in
// `<lake>/_runs`; run() also leaves the repro bundle).
#include <memory>
#include <optional>

#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "anatomy/anatomy_run.h"
#include "pipeline/output_write.h"
#include "pipeline/run_config.h"
#include "pipeline/runner.h"
#include "python/bindings.h"
#include "runs/pipeline_run.h"
#include "runs/run_record.h"
#include "storage/policy_error.h"

namespace deltaline::python {
namespace {

using nlohmann::json;

/// Calls the Python `progress(what, done, total)` from the library's worker threads
/// with the GIL taken. The first exception it raises is kept, later calls are skipped,
/// and Rethrow() raises it once the run is over.
class Progress {
 public:
  explicit Progress(nb::object callback) : callback_(std::move(callback)) {}

  bool enabled() const { return !callback_.is_none(); }

  void Call(const std::string& what, int64_t done, int64_t total) {
    nb::gil_scoped_acquire acquire;
    if (error_) return;
    try {
      callback_(what, done, total);
    } catch (nb::python_error& e) {
      error_ = std::make_unique<nb::python_error>(std::move(e));
    }
  }

  void Rethrow() {
    if (!error_) return;
    error_->restore();
    throw nb::python_error();
  }

 private:
  nb::object callback_;
  std::unique_ptr<nb::python_error> error_;
};

std::string EventText(const pipeline::ProgressEvent& event) {
  switch (event.kind) {
    case pipeline::ProgressKind::kPhase:
      return "phase " + event.phase;
    case pipeline::ProgressKind::kNodeStarted:
      return "node " + event.name + " started";
    case pipeline::ProgressKind::kNodeFinished:
      return "node " + event.name + " done";
    case pipeline::ProgressKind::kOutputStarted:
      return "writing " + event.name;
    case pipeline::ProgressKind::kOutputFinished:
      return "wrote " + event.name;
  }
  return event.phase;
}

// The keyword arguments, as the CLI's flags: they beat the configuration's keys.
pipeline::RunConfigOverrides ReadOverrides(const nb::dict& overrides) {
  pipeline::RunConfigOverrides set;
  if (Has(overrides, "lake")) set.lake = nb::cast<std::string>(overrides["lake"]);
  if (Has(overrides, "run_id")) set.run_id = nb::cast<std::string>(overrides["run_id"]);
  if (Has(overrides, "sequence")) set.sequence = nb::cast<int64_t>(overrides["sequence"]);
  if (Has(overrides, "run_dir"))
    set.run_dir = nb::cast<std::string>(overrides["run_dir"]);
  if (Has(overrides, "parallelism")) {
    set.parallelism = nb::cast<int>(overrides["parallelism"]);
  }
  if (Has(overrides, "pipeline_id")) {
    set.pipeline_id = nb::cast<std::string>(overrides["pipeline_id"]);
  }
  if (Has(overrides, "tables")) {
    set.inputs = nb::cast<std::vector<std::string>>(overrides["tables"]);
  }
  if (Has(overrides, "run_mode")) {
    set.mode =
        Unwrap(storage::ParseRunMode(nb::cast<std::string>(overrides["run_mode"])));
  }
  return set;
}

/// A run configuration as given: its JSON text (`source` names it in messages), or
/// none for the defaults.
struct ConfigText {
  std::optional<std::string> text;
  std::string source;
};

arrow::Result<pipeline::RunConfig> ParseConfig(const ConfigText& config,
                                               const pipeline::RunConfigOverrides& set,
                                               const delta::Reporter& reporter) {
  return config.text
             ? pipeline::ParseRunConfig(*config.text, config.source, set, reporter)
             : pipeline::LoadRunConfig(std::nullopt, set, reporter);
}

nb::dict OutputDict(const pipeline::Output& output, const pipeline::OutputRun& run,
                    const std::string& lake) {
  nb::dict out;
  out["dataset"] = output.spec.name;
  out["path"] = pipeline::OutputUri(lake, output.spec.name);
  out["status"] = pipeline::TaskStatusName(run.status);
  out["version_before"] = run.result.version_before;
  const bool committed =
      run.status == pipeline::TaskStatus::kSucceeded && run.result.write.delta.committed;
  out["version_after"] = committed ? nb::object(nb::int_(run.result.write.delta.version))
                                   : nb::object(nb::none());
  out["rows_added"] = committed ? run.result.write.delta.rows_added : 0;
  out["files_added"] = committed ? run.result.write.delta.files_added : 0;
  nb::dict violations;
  for (const auto& [rule, count] : run.result.constraint_counts) {
    violations[rule.c_str()] = count;
  }
  out["constraint_violations"] = violations;
  out["error"] = run.error;
  return out;
}

nb::dict RunFile(const std::string& pipeline_path,
                 const std::optional<std::string>& config_text,
                 const std::string& config_source, const nb::dict& overrides,
                 const std::vector<std::string>& argv, nb::object progress_callback) {
  Warnings warnings;
  Progress progress(std::move(progress_callback));
  const delta::Reporter reporter = warnings.reporter();
  const ConfigText given{config_text, config_source};
  const pipeline::RunConfigOverrides set = ReadOverrides(overrides);
  arrow::Result<pipeline::RunConfig> loaded;
  {
    nb::gil_scoped_release release;
    loaded = ParseConfig(given, set, reporter);
    if (!loaded.ok() && storage::IsPolicyViolation(loaded.status())) {
      const auto load = [&given](const pipeline::RunConfigOverrides& reload) {
        return ParseConfig(given, reload, {});
      };
      auto refused =
          runs::RecordRefusedRun(load, set, given.source, loaded.status(), reporter);
      if (!refused.ok()) loaded = refused.status();
    }
  }
  warnings.Emit();
  pipeline::RunConfig config = Unwrap(std::move(loaded));
  pipeline::Pipeline pipe;
  pipeline::RunResult result;
  arrow::Result<json> recorded;
  {
    nb::gil_scoped_release release;
    recorded = [&]() -> arrow::Result<json> {
      ARROW_ASSIGN_OR_RAISE(pipe, runs::LoadRunPipeline(pipeline_path, config, reporter));
      ARROW_ASSIGN_OR_RAISE(auto settings,
                            runs::RunSettingsFor(config, pipe.id, reporter));
      if (progress.enabled()) {
        settings.progress = [&progress](const pipeline::ProgressEvent& event) {
          progress.Call(EventText(event), event.nodes_done, event.nodes_total);
        };
      }
      ARROW_ASSIGN_OR_RAISE(result, pipeline::RunPipeline(pipe, settings));
      ARROW_ASSIGN_OR_RAISE(
          auto manifest,
          runs::RecordPipelineRun(pipeline_path, pipe, config, result, argv, reporter));
      return manifest;
    }();
  }
  warnings.Emit();
  progress.Rethrow();
  const json manifest = Unwrap(std::move(recorded));
  Check(result.status);
  nb::dict out;
  out["run_id"] = result.run_id;
  out["pipeline_id"] = result.pipeline_id;
  out["sequence"] = result.sequence;
  out["run_dir"] = config.run_dir;
  out["lake"] = config.lake;
  nb::list outputs;
  for (size_t i = 0; i < pipe.outputs.size() && i < result.outputs.size(); ++i) {
    outputs.append(OutputDict(pipe.outputs[i], result.outputs[i], config.lake));
  }
  out["outputs"] = outputs;
  out["manifest"] = ToPython(manifest);
  return out;
}

nb::dict TableDict(const anatomy::AnatomyTableResult& table, const std::string& lake) {
  nb::dict out;
  out["table"] = table.table;
  out["path"] = pipeline::OutputUri(lake, table.table);
  out["rows_written"] = table.rows_written;
  out["rows_removed"] = table.rows_removed < 0 ? nb::object(nb::none())
                                               : nb::object(nb::int_(table.rows_removed));
  out["rows_copied"] = table.rows_copied;
  out["files_added"] = table.files_added;
  out["files_removed"] = table.files_removed;
  out["version_before"] = table.version_before;
  out["version_after"] = table.version_after;
  out["skipped"] = table.skipped;
  return out;
}

nb::dict Anatomy(const std::string& source_root, const std::string& lake, bool full,
                 int threads, const std::optional<std::string>& config_text,
                 const std::string& config_source, const nb::dict& overrides,
                 nb::object progress_callback) {
  Warnings warnings;
  Progress progress(std::move(progress_callback));
  const delta::Reporter reporter = warnings.reporter();
  pipeline::RunConfigOverrides set = ReadOverrides(overrides);
  set.lake = lake;
  arrow::Result<pipeline::RunConfig> loaded;
  {
    nb::gil_scoped_release release;
    loaded = ParseConfig({config_text, config_source}, set, reporter);
  }
  pipeline::RunConfig config = Unwrap(std::move(loaded));
  if (config.pipeline_id.empty()) config.pipeline_id = "anatomy";
  anatomy::AnatomyOptions options;
  options.source_root = source_root;
  options.lake = config.lake;
  options.full = full;
  options.threads = threads;
  options.parallelism = config.parallelism;
  options.run_id = config.run_id;
  options.pipeline_id = config.pipeline_id;
  options.storage = runs::StorageOptionsFor(config, reporter);
  if (progress.enabled()) {
    options.progress = [&progress](const anatomy::AnatomyProgress& event) {
      const std::string what =
          event.table.empty() ? event.phase : event.phase + " " + event.table;
      progress.Call(what, event.files_done, event.files_total);
    };
  }
  anatomy::AnatomyResult result;
  arrow::Result<json> recorded;
  {
    nb::gil_scoped_release release;
    recorded = [&]() -> arrow::Result<json> {
      ARROW_ASSIGN_OR_RAISE(result, anatomy::RunAnatomy(options));
      ARROW_ASSIGN_OR_RAISE(auto manifest,
                            runs::BuildRunManifest(result.pipeline, config, result.run));
      manifest["anatomy"] = anatomy::AnatomyManifestJson(result);
      ARROW_RETURN_NOT_OK(runs::RecordManifest(manifest, config, reporter));
      return manifest;
    }();
  }
  warnings.Emit();
  progress.Rethrow();
  const json manifest = Unwrap(std::move(recorded));
  Check(result.run.status);
  nb::dict out;
  out["run_id"] = result.run.run_id;
  out["sequence"] = result.sequence;
  out["incremental"] = result.incremental;
  out["nothing_changed"] = result.nothing_changed;
  out["run_dir"] = config.run_dir;
  out["lake"] = config.lake;
  out["files"] = ToPython(manifest["anatomy"]["files"]);
  nb::list tables;
  for (const auto& table : result.tables) tables.append(TableDict(table, config.lake));
  out["tables"] = tables;
  out["manifest"] = ToPython(manifest);
  return out;
}

}  // namespace

void RegisterPipeline(nb::module_& m) {
  m.def("run", &RunFile, nb::arg("pipeline"), nb::arg("config").none(),
        nb::arg("config_source"), nb::arg("overrides"), nb::arg("argv"),
        nb::arg("progress").none(),
        "Runs the declared pipeline file and records the run; its facts as a dict.");
  m.def("anatomy", &Anatomy, nb::arg("source_root"), nb::arg("lake"), nb::arg("full"),
        nb::arg("threads"), nb::arg("config").none(), nb::arg("config_source"),
        nb::arg("overrides"), nb::arg("progress").none(),
        "The anatomy run of a Python tree into `lake`, recorded; its facts as a dict.");
}

}  // namespace deltaline::python
