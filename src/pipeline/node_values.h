#pragma once

// What the runner does to a node's value between its node and its consumers: gate its
// plan, materialise it for several consumers, count its rows.

#include <string>
#include <vector>

#include <arrow/result.h>

#include "engine/run_options.h"
#include "pipeline/pipeline.h"
#include "pipeline/runner.h"

namespace deltaline::pipeline {

/// \brief Sends a Declaration value through engine::GateSinks (other values have no
/// sinks). Every refused sink is appended to `refusals` under `node`; production mode
/// returns the gate's PolicyViolation, development mode leaves the plan without them.
arrow::Status GateValue(NodeValue& value, const std::string& node,
                        const engine::RunOptions& options,
                        std::vector<Refusal>* refusals);

/// \brief The value as a Table: a reader read to its end, a Declaration run through
/// engine::RunToTable (so the sink gate sees it).
arrow::Result<std::shared_ptr<arrow::Table>> Materialise(
    NodeValue value, const engine::RunOptions& options);

/// \brief Rows of a Table value; -1 for a stream or plan (not known until consumed).
int64_t RowsOf(const NodeValue& value);

/// \brief What plans of a run answer to: the storage options' policy, run, reporter.
engine::RunOptions PlanOptions(const storage::StorageWriteOptions& storage);

}  // namespace deltaline::pipeline
