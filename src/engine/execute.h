#pragma once

#include <memory>

#include <arrow/acero/exec_plan.h>
#include <arrow/buffer.h>
#include <arrow/engine/substrait/options.h>
#include <arrow/engine/substrait/serde.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "engine/run_options.h"
#include "engine/sink_gate.h"

namespace deltaline::engine {

/// \brief The one place the engine runs a declaration. Every caller (the builder, the
/// Substrait runner, insert_into, the CLI) goes through these, so no plan runs without
/// the sink gate (sink_gate.h): a file-writing node is refused before Arrow sees the
/// plan (production: storage::PolicyViolation; development: the node is removed and the
/// rest runs). Arrow's compute functions and dataset nodes are registered on first use.
arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> RunToReader(
    arrow::acero::Declaration declaration, const RunOptions& options = {});
arrow::Result<std::shared_ptr<arrow::Table>> RunToTable(
    arrow::acero::Declaration declaration, const RunOptions& options = {});
/// \brief Runs a plan for its side effects (a plan ending in `delta_write`).
arrow::Status RunToStatus(arrow::acero::Declaration declaration,
                          const RunOptions& options = {});

/// \brief What happened to a Substrait plan deserialised with a dataset-write factory.
struct SubstraitFilesReport {
  int relations = 0;  ///< top-level relations of the plan
  GateReport gate;    ///< development mode: the write nodes removed
};

/// \brief The Substrait route to files: deserialises `plan` (binary protobuf) with
/// Arrow's `DeserializePlans(buf, WriteOptionsFactory)`, which ends each top-level
/// relation in a `write` node, and runs the result through the same gate as every
/// plan. Every relation is gated before any of them runs, so under any policy nothing
/// is written: production fails with storage::PolicyViolation; development removes the
/// write nodes, runs the rest (a `delta_write` tap still commits) and lists what was
/// removed.
arrow::Result<SubstraitFilesReport> RunSubstraitToFiles(
    const arrow::Buffer& plan, const arrow::engine::WriteOptionsFactory& write_options,
    const RunOptions& options = {},
    const arrow::engine::ConversionOptions& conversion = {});

/// \brief Registers Arrow's compute functions and dataset nodes (`scan`, `write`…)
/// once per process. Called by the Run* functions; idempotent.
arrow::Status InitializeEngine();

}  // namespace deltaline::engine
