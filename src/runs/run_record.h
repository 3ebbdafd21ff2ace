#pragma once

// Joins the pipeline layer and obs/ (siblings that never include each other): a
// runner's result as the records a run manifest is built from, and the manifest
// written where runs are listed. Shared by the CLI (`run`, `anatomy`) and Python.

#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"
#include "obs/run_manifest.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_config.h"
#include "pipeline/runner.h"
#include "storage/storage_writer.h"

namespace deltaline::runs {

/// \brief The run's facts for obs::BuildManifest: ids, times, outcome, the effective
/// config and policies, the pipeline's inputs (pinned versions), node timings and the
/// refused sinks.
obs::RunRecord ToRunRecord(const pipeline::Pipeline& pipeline,
                           const pipeline::RunConfig& config,
                           const pipeline::RunResult& result);

/// \brief One record per output: its table, versions before and after, whether the
/// run's txn was already there, and the rows charged to each rule.
std::vector<obs::OutputRecord> ToOutputRecords(const pipeline::Pipeline& pipeline,
                                               const pipeline::RunConfig& config,
                                               const pipeline::RunResult& result);

/// \brief obs::BuildManifest over ToRunRecord and ToOutputRecords.
arrow::Result<nlohmann::json> BuildRunManifest(const pipeline::Pipeline& pipeline,
                                               const pipeline::RunConfig& config,
                                               const pipeline::RunResult& result);

/// \brief The storage options a run's commits get from its config: output and write
/// policies, schema mode, commit retry, run context, and `reporter` for warnings.
storage::StorageWriteOptions StorageOptionsFor(const pipeline::RunConfig& config,
                                               delta::Reporter reporter);

/// \brief Writes `manifest` into the run directory and appends its row to
/// `<lake>/_runs` (under the config's output policy). A failed run is recorded too.
arrow::Status RecordManifest(const nlohmann::json& manifest,
                             const pipeline::RunConfig& config,
                             const delta::Reporter& reporter);

}  // namespace deltaline::runs
