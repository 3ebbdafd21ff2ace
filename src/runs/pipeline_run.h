#pragma once

// The steps around a declared pipeline's run that `deltaline run` and Python's run()
// share: the pipeline under its config, the sequence, the runner's settings, and the
// records the run leaves (manifest, `_runs` row, repro bundle), a refused run included.

#include <functional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_config.h"
#include "pipeline/runner.h"

namespace deltaline::runs {

/// \brief The pipeline file at `path` under `config`: its options from the config, and
/// each output without a write policy of its own given the config's policy for its
/// dataset.
arrow::Result<pipeline::Pipeline> LoadRunPipeline(const std::string& path,
                                                  const pipeline::RunConfig& config,
                                                  const delta::Reporter& reporter);

/// \brief Unset sequence: one more than the highest sequence this pipeline's runs
/// SUCCEEDED with, so a run that failed or crashed is retried with its own sequence and
/// its committed outputs are skipped rather than applied twice.
arrow::Result<int64_t> NextSequence(const pipeline::RunConfig& config,
                                    const std::string& pipeline_id);

/// \brief The runner's settings: lake, run id, parallelism, storage options
/// (StorageOptionsFor with `reporter`) and the sequence: the config's, else
/// NextSequence. No progress callback: the caller sets its own.
arrow::Result<pipeline::RunSettings> RunSettingsFor(const pipeline::RunConfig& config,
                                                    const std::string& pipeline_id,
                                                    const delta::Reporter& reporter);

/// \brief Records the run (manifest file, `_runs` row, repro bundle with `argv`, the
/// command line to re-run), a failed run too; returns the manifest.
arrow::Result<nlohmann::json> RecordPipelineRun(const std::string& pipeline_path,
                                                const pipeline::Pipeline& pipeline,
                                                const pipeline::RunConfig& config,
                                                const pipeline::RunResult& result,
                                                const std::vector<std::string>& argv,
                                                const delta::Reporter& reporter);

/// \brief Reads the caller's run configuration (its file or text) under `overrides`.
using RunConfigLoader = std::function<arrow::Result<pipeline::RunConfig>(
    const pipeline::RunConfigOverrides& overrides)>;

/// \brief A configuration the policy refused (production: an output format other than
/// Delta): nothing runs, but the refused run is recorded, refusal included, in its
/// manifest and in `_runs`; returns that manifest. `source` names the configuration
/// (its path) in the record. The configuration is re-read by `load` in development
/// mode only to learn where the run would have gone; when even that fails, the error
/// is `refusal` itself.
arrow::Result<nlohmann::json> RecordRefusedRun(const RunConfigLoader& load,
                                               pipeline::RunConfigOverrides overrides,
                                               const std::string& source,
                                               const arrow::Status& refusal,
                                               const delta::Reporter& reporter);

}  // namespace deltaline::runs
