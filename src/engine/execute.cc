// Names the Substrait dataset-write factory so that the route is gated here and
// nowhere else (tests/parquet_sink_scan_test.cc allows this file by name).
#include "engine/execute.h"

#include <mutex>

#include <arrow/compute/initialize.h>
#include <arrow/dataset/plan.h>

#include "engine/pushdown.h"

namespace deltaline::engine {
namespace {

namespace acero = arrow::acero;

// Everything between a caller's declaration and Arrow: the gate first, so that no
// later pass can run ahead of it.
arrow::Result<GateReport> PrepareToRun(acero::Declaration& declaration,
                                       const RunOptions& options) {
  ARROW_RETURN_NOT_OK(InitializeEngine());
  ARROW_ASSIGN_OR_RAISE(GateReport report, GateSinks(declaration, options));
  // After the gate: a removed sink must not keep columns of a scan below it wanted.
  ARROW_RETURN_NOT_OK(PushDownIntoScans(declaration));
  return report;
}

acero::QueryOptions QueryOptionsFor(const RunOptions& options) {
  acero::QueryOptions query;
  query.use_threads = options.use_threads;
  return query;
}

}  // namespace

arrow::Status InitializeEngine() {
  static arrow::Status initialized = [] {
    ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
    arrow::dataset::internal::Initialize();
    return arrow::Status::OK();
  }();
  return initialized;
}

arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> RunToReader(
    acero::Declaration declaration, const RunOptions& options) {
  ARROW_RETURN_NOT_OK(PrepareToRun(declaration, options).status());
  return acero::DeclarationToReader(std::move(declaration), QueryOptionsFor(options));
}

arrow::Result<std::shared_ptr<arrow::Table>> RunToTable(acero::Declaration declaration,
                                                        const RunOptions& options) {
  ARROW_RETURN_NOT_OK(PrepareToRun(declaration, options).status());
  return acero::DeclarationToTable(std::move(declaration), QueryOptionsFor(options));
}

arrow::Status RunToStatus(acero::Declaration declaration, const RunOptions& options) {
  ARROW_RETURN_NOT_OK(PrepareToRun(declaration, options).status());
  return acero::DeclarationToStatus(std::move(declaration), QueryOptionsFor(options));
}

arrow::Result<SubstraitFilesReport> RunSubstraitToFiles(
    const arrow::Buffer& plan, const arrow::engine::WriteOptionsFactory& write_options,
    const RunOptions& options, const arrow::engine::ConversionOptions& conversion) {
  ARROW_RETURN_NOT_OK(InitializeEngine());
  ARROW_ASSIGN_OR_RAISE(auto declarations, arrow::engine::DeserializePlans(
                                               plan, write_options,
                                               /*registry=*/nullptr,
                                               /*ext_set_out=*/nullptr, conversion));
  SubstraitFilesReport report;
  report.relations = static_cast<int>(declarations.size());
  // All relations pass the gate before the first runs: a refusal in the second
  // must not leave the first's files behind.
  for (auto& declaration : declarations) {
    ARROW_ASSIGN_OR_RAISE(GateReport gated, PrepareToRun(declaration, options));
    for (auto& sink : gated.refused) report.gate.refused.push_back(std::move(sink));
  }
  for (auto& declaration : declarations) {
    ARROW_RETURN_NOT_OK(
        acero::DeclarationToStatus(std::move(declaration), QueryOptionsFor(options)));
  }
  return report;
}

}  // namespace deltaline::engine
