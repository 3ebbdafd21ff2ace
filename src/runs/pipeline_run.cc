#include "runs/pipeline_run.h"

#include <algorithm>

#include "delta/base/clock.h"
#include "obs/repro_bundle.h"
#include "obs/run_manifest.h"
#include "obs/run_store.h"
#include "pipeline/pipeline_file.h"
#include "runs/run_record.h"

namespace deltaline::runs {

arrow::Result<pipeline::Pipeline> LoadRunPipeline(const std::string& path,
                                                  const pipeline::RunConfig& config,
                                                  const delta::Reporter& reporter) {
  ARROW_ASSIGN_OR_RAISE(auto pipe,
                        pipeline::LoadPipelineFile(
                            path, pipeline::PipelineFileOptionsFor(config, reporter)));
  for (auto& output : pipe.outputs) {
    if (!output.spec.write_policy && config.dataset_write.count(output.spec.name)) {
      output.spec.write_policy = config.WritePolicyFor(output.spec.name);
    }
  }
  return pipe;
}

arrow::Result<int64_t> NextSequence(const pipeline::RunConfig& config,
                                    const std::string& pipeline_id) {
  ARROW_ASSIGN_OR_RAISE(auto runs, obs::ListRuns(config.lake));
  int64_t next = 1;
  for (const auto& run : runs) {
    if (run.pipeline_id == pipeline_id && run.outcome == "succeeded") {
      next = std::max(next, run.sequence + 1);
    }
  }
  return next;
}

arrow::Result<pipeline::RunSettings> RunSettingsFor(const pipeline::RunConfig& config,
                                                    const std::string& pipeline_id,
                                                    const delta::Reporter& reporter) {
  pipeline::RunSettings settings;
  settings.lake = config.lake;
  if (config.sequence) {
    settings.sequence = *config.sequence;
  } else {
    ARROW_ASSIGN_OR_RAISE(settings.sequence, NextSequence(config, pipeline_id));
  }
  settings.run_id = config.run_id;
  settings.parallelism = config.parallelism;
  settings.storage = StorageOptionsFor(config, reporter);
  return settings;
}

arrow::Result<nlohmann::json> RecordPipelineRun(const std::string& pipeline_path,
                                                const pipeline::Pipeline& pipeline,
                                                const pipeline::RunConfig& config,
                                                const pipeline::RunResult& result,
                                                const std::vector<std::string>& argv,
                                                const delta::Reporter& reporter) {
  ARROW_ASSIGN_OR_RAISE(auto manifest, BuildRunManifest(pipeline, config, result));
  ARROW_RETURN_NOT_OK(RecordManifest(manifest, config, reporter));
  ARROW_RETURN_NOT_OK(obs::WriteReproBundle(config.run_dir + "/repro",
                                            pipeline::RunConfigJson(config),
                                            pipeline_path, manifest, argv));
  return manifest;
}

arrow::Result<nlohmann::json> RecordRefusedRun(const RunConfigLoader& load,
                                               pipeline::RunConfigOverrides overrides,
                                               const std::string& source,
                                               const arrow::Status& refusal,
                                               const delta::Reporter& reporter) {
  overrides.mode = storage::RunMode::kDevelopment;
  auto config = load(overrides);
  if (!config.ok()) return refusal;
  config->output.storage.mode = storage::RunMode::kProduction;
  obs::RunRecord run;
  run.run_id = config->run_id;
  run.pipeline_id = config->pipeline_id;
  run.sequence = config->sequence.value_or(0);
  run.started_ms = run.ended_ms = delta::NowMs();
  run.outcome = "refused";
  run.error = refusal.ToString();
  run.config = pipeline::RunConfigJson(*config);
  run.refusals.push_back(
      {"config:" + source + " output.format", "", source, refusal.message()});
  ARROW_ASSIGN_OR_RAISE(auto manifest, obs::BuildManifest(run, {}));
  ARROW_RETURN_NOT_OK(obs::WriteManifest(manifest, config->run_dir));
  storage::StorageWriteOptions runs;
  runs.run = config->run_context();
  runs.reporter = reporter;
  ARROW_RETURN_NOT_OK(obs::AppendRunRow(manifest, config->lake, runs).status());
  return manifest;
}

}  // namespace deltaline::runs
