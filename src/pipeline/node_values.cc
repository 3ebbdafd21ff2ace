#include "pipeline/node_values.h"

#include <functional>
#include <type_traits>

#include "delta/base/errors.h"
#include "engine/execute.h"
#include "engine/sink_gate.h"

namespace deltaline::pipeline {
namespace {

// The file sinks of a plan, found before the gate refuses it: in production the gate
// returns only an error, and the run still records which nodes were refused.
void CollectSinks(const arrow::acero::Declaration& declaration,
                  std::vector<std::string>* factories) {
  if (engine::IsFileSinkNode(declaration)) factories->push_back(declaration.factory_name);
  for (const auto& input : declaration.inputs) {
    if (const auto* child = std::get_if<arrow::acero::Declaration>(&input)) {
      CollectSinks(*child, factories);
    }
  }
}

}  // namespace

engine::RunOptions PlanOptions(const storage::StorageWriteOptions& storage) {
  engine::RunOptions options;
  options.policy = storage.output;
  options.run = storage.run;
  options.reporter = storage.reporter;
  return options;
}

arrow::Status GateValue(NodeValue& value, const std::string& node,
                        const engine::RunOptions& options,
                        std::vector<Refusal>* refusals) {
  auto* declaration = std::get_if<arrow::acero::Declaration>(&value);
  if (declaration == nullptr) return arrow::Status::OK();
  std::vector<std::string> factories;
  CollectSinks(*declaration, &factories);
  auto gated = engine::GateSinks(*declaration, options);
  if (!gated.ok()) {
    for (const auto& factory : factories) {
      refusals->push_back({node, factory, "", "", gated.status().message()});
    }
    if (factories.empty())
      refusals->push_back({node, "", "", "", gated.status().message()});
    return gated.status().WithMessage("node '", node, "': ", gated.status().message());
  }
  for (const auto& sink : gated->refused) {
    refusals->push_back({node, sink.factory, sink.format, sink.path,
                         "file sink removed from the plan (development mode)"});
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::Table>> Materialise(
    NodeValue value, const engine::RunOptions& options) {
  return std::visit(
      [&](auto&& v) -> arrow::Result<std::shared_ptr<arrow::Table>> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, arrow::acero::Declaration>) {
          return engine::RunToTable(std::move(v), options);
        } else if constexpr (std::is_same_v<T,
                                            std::shared_ptr<arrow::RecordBatchReader>>) {
          if (!v) return delta::InvalidInput("a node returned a null stream");
          return v->ToTable();
        } else {
          if (!v) return delta::InvalidInput("a node returned a null table");
          return v;
        }
      },
      std::move(value));
}

int64_t RowsOf(const NodeValue& value) {
  const auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&value);
  return table != nullptr && *table ? (*table)->num_rows() : -1;
}

}  // namespace deltaline::pipeline
