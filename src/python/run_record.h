#pragma once

// The run manifest's records from a runner's result, for run() and anatomy(). A copy
// of cli/run_record.{h,cc} (the Python layer may not include cli/): both belong in one
// place below cli/ and python/, for the merger to move.

#include <string>
#include <vector>

#include "delta/base/reporter.h"
#include "obs/run_manifest.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_config.h"
#include "pipeline/runner.h"
#include "storage/storage_writer.h"

namespace deltaline::python {

/// \brief cli::ToRunRecord: ids, times, outcome, config, policies, pinned inputs, node
/// timings and refused sinks.
obs::RunRecord ToRunRecord(const pipeline::Pipeline& pipeline,
                           const pipeline::RunConfig& config,
                           const pipeline::RunResult& result);

/// \brief cli::ToOutputRecords: one record per output.
std::vector<obs::OutputRecord> ToOutputRecords(const pipeline::Pipeline& pipeline,
                                               const pipeline::RunConfig& config,
                                               const pipeline::RunResult& result);

/// \brief cli::StorageOptionsFor, warnings to `reporter` instead of stderr.
storage::StorageWriteOptions StorageOptionsFor(const pipeline::RunConfig& config,
                                               delta::Reporter reporter);

}  // namespace deltaline::python
