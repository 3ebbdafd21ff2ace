// The gate reads dataset-write options to name what a node would write; it never
// builds or runs a writer (tests/parquet_sink_scan_test.cc allows it by name).
#include "engine/sink_gate.h"

#include <set>

#include <arrow/dataset/file_base.h>

#include "delta/base/errors.h"
#include "storage/policy_error.h"

namespace deltaline::engine {
namespace {

namespace acero = arrow::acero;

// CheckSink's own hint is to allow exports; for the engine's file nodes that would not
// help, so every engine refusal carries this one too.
constexpr const char* kEngineHint =
    "The engine writes only Delta tables (InsertInto, WriteDelta, a delta_write node, "
    "query --into), even with allow_parquet_exports: Parquet leaves only through the "
    "export module (deltaline export-parquet, storage/export_parquet.h), which exports a "
    "Delta table version";

const arrow::dataset::WriteNodeOptions* DatasetWriteOptions(
    const acero::Declaration& declaration) {
  return dynamic_cast<const arrow::dataset::WriteNodeOptions*>(declaration.options.get());
}

storage::SinkRequest RequestFor(const acero::Declaration& declaration) {
  storage::SinkRequest request;
  request.sink = "engine:" + declaration.factory_name;
  request.format = "unknown";
  if (const auto* write = DatasetWriteOptions(declaration)) {
    const auto& file_options = write->write_options.file_write_options;
    if (file_options && file_options->format()) {
      request.format = file_options->format()->type_name();
    }
    request.path = write->write_options.base_dir;
  }
  // A file format calling itself "delta" is still a plain file writer, not a Delta
  // commit; CheckSink must not mistake it for one.
  if (request.format == "delta") request.format = "file-format:delta";
  return request;
}

// Production refusals keep their PolicyViolation detail and gain the engine's hint.
arrow::Status WithEngineHint(const arrow::Status& refused) {
  if (!storage::IsPolicyViolation(refused)) return refused;
  return storage::PolicyViolation(refused.message() + ". " + kEngineHint);
}

arrow::Result<storage::SinkDecision> Check(const storage::SinkRequest& request,
                                           const RunOptions& options) {
  auto decision = storage::CheckSink(request, options.policy, options.run,
                                     /*is_export=*/false, options.reporter);
  if (!decision.ok()) return WithEngineHint(decision.status());
  if (*decision == storage::SinkDecision::kRefused) {
    options.reporter.Warn("policy: " + request.sink + " removed from the plan. " +
                          kEngineHint);
  }
  return decision;
}

arrow::Status Gate(acero::Declaration& declaration, const RunOptions& options,
                   GateReport* report) {
  while (IsFileSinkNode(declaration)) {
    storage::SinkRequest request = RequestFor(declaration);
    ARROW_ASSIGN_OR_RAISE(auto decision, Check(request, options));
    if (decision == storage::SinkDecision::kAllowed) break;  // not reachable today
    if (declaration.inputs.size() != 1 ||
        !std::holds_alternative<acero::Declaration>(declaration.inputs[0])) {
      return delta::InvalidInput("refused file sink '" + request.sink + "' has " +
                                 std::to_string(declaration.inputs.size()) +
                                 " inputs; it cannot be removed from the plan");
    }
    report->refused.push_back({declaration.factory_name, request.format, request.path});
    acero::Declaration input =
        std::get<acero::Declaration>(std::move(declaration.inputs[0]));
    declaration = std::move(input);
  }
  for (auto& input : declaration.inputs) {
    if (auto* child = std::get_if<acero::Declaration>(&input)) {
      ARROW_RETURN_NOT_OK(Gate(*child, options, report));
      continue;
    }
    return delta::UnsupportedFeature(
        "prebuilt ExecNode input",
        "the input of node '" + declaration.factory_name +
            "' is an already-built ExecNode, which the sink gate cannot inspect: build "
            "plans from Declarations only");
  }
  return arrow::Status::OK();
}

}  // namespace

bool IsFileSinkNode(const acero::Declaration& declaration) {
  static const std::set<std::string> kFileWriters = {"write", "tee"};
  return kFileWriters.count(declaration.factory_name) > 0 ||
         DatasetWriteOptions(declaration) != nullptr;
}

arrow::Result<GateReport> GateSinks(acero::Declaration& declaration,
                                    const RunOptions& options) {
  GateReport report;
  // Production fails at the first file sink, before changing anything.
  ARROW_RETURN_NOT_OK(Gate(declaration, options, &report));
  return report;
}

arrow::Result<QueryOutputDecision> CheckQueryOutputFormat(const std::string& format,
                                                          const std::string& output_path,
                                                          const RunOptions& options) {
  static const std::set<std::string> kResultFormats = {"csv", "jsonl", "arrow", "arrows"};
  if (kResultFormats.count(format)) return QueryOutputDecision::kWrite;
  if (format == "delta") {
    return delta::InvalidInput(
        "query --format delta is not a result format: write into a Delta table with "
        "--into TABLE --mode MODE");
  }
  storage::SinkRequest request{"query --format " + format, format, output_path};
  ARROW_ASSIGN_OR_RAISE(auto decision, Check(request, options));
  if (decision == storage::SinkDecision::kAllowed) return QueryOutputDecision::kWrite;
  return QueryOutputDecision::kRefused;
}

}  // namespace deltaline::engine
