#include "pipeline/declared_nodes.h"

#include <algorithm>
#include <set>

#include <arrow/acero/options.h>
#include <arrow/compute/expression.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/predicate/predicate.h"
#include "engine/execute.h"

namespace deltaline::pipeline {
namespace {

using delta::InvalidInput;

// The runner may hand a pipeline input over as a value or leave it to the node; a
// name it did not pass is read from the pipeline's catalog.
arrow::Result<NodeValue> TakeInput(NodeInputs& inputs, const std::string& name,
                                   const NodeContext& context) {
  auto found = inputs.find(name);
  if (found != inputs.end()) return std::move(found->second);
  if (context.inputs) {
    auto names = context.inputs->Names();
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      ARROW_ASSIGN_OR_RAISE(auto source, context.inputs->Source(name));
      return NodeValue(std::move(source));
    }
  }
  return InvalidInput("node input '" + name + "' was not given a value");
}

void CollectTables(const nlohmann::json& node, std::set<std::string>* names) {
  if (node.is_object()) {
    auto named = node.find("namedTable");
    if (named != node.end() && named->is_object() && named->contains("names") &&
        (*named)["names"].is_array() && !(*named)["names"].empty()) {
      const auto& parts = (*named)["names"];
      if (parts.back().is_string()) names->insert(parts.back().get<std::string>());
    }
    for (const auto& item : node.items()) CollectTables(item.value(), names);
  } else if (node.is_array()) {
    for (const auto& item : node) CollectTables(item, names);
  }
}

// Binds `name` in `catalog` the way the pipeline's catalog binds it, so the plan gets
// the same pinned snapshot (and the Delta scan its pushdown). Only in-memory inputs
// cannot be rebound: false, and the caller materialises the value.
arrow::Result<bool> RebindInput(const engine::Catalog& from, const std::string& name,
                                engine::Catalog* catalog) {
  auto names = from.Names();
  if (std::find(names.begin(), names.end(), name) == names.end()) return false;
  ARROW_ASSIGN_OR_RAISE(auto entry, from.Entry(name));
  switch (entry.kind) {
    case engine::SourceKind::kDelta: {
      engine::DeltaVersionSpec at;
      at.version = entry.version;
      ARROW_RETURN_NOT_OK(catalog->AddDelta(name, entry.uri, at));
      return true;
    }
    case engine::SourceKind::kArrowIpcFile:
      ARROW_RETURN_NOT_OK(catalog->AddArrowIpcFile(name, entry.uri));
      return true;
    case engine::SourceKind::kParquetFile:
      ARROW_RETURN_NOT_OK(catalog->AddParquetFile(name, entry.uri));
      return true;
    case engine::SourceKind::kJsonLines:
      ARROW_RETURN_NOT_OK(catalog->AddJsonLines(name, entry.uri));
      return true;
    case engine::SourceKind::kMemory:
      return false;
  }
  return false;
}

}  // namespace

arrow::acero::Declaration ValueToDeclaration(NodeValue value) {
  if (auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&value)) {
    return {"table_source", arrow::acero::TableSourceNodeOptions(std::move(*table))};
  }
  if (auto* reader = std::get_if<std::shared_ptr<arrow::RecordBatchReader>>(&value)) {
    return {"record_batch_reader_source",
            arrow::acero::RecordBatchReaderSourceNodeOptions(std::move(*reader))};
  }
  return std::get<arrow::acero::Declaration>(std::move(value));
}

arrow::Result<std::shared_ptr<arrow::Table>> MaterializeValue(
    NodeValue value, const engine::RunOptions& options) {
  if (auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&value)) return *table;
  if (auto* reader = std::get_if<std::shared_ptr<arrow::RecordBatchReader>>(&value)) {
    return (*reader)->ToTable();
  }
  return engine::RunToTable(std::get<arrow::acero::Declaration>(std::move(value)),
                            options);
}

arrow::Result<DeclaredNode> MakeFilterNode(const std::string& name,
                                           const std::string& input,
                                           const std::string& where,
                                           const arrow::Schema& input_schema,
                                           NodeContext context) {
  auto predicate = delta::ParsePredicate(where, input_schema);
  if (!predicate.ok()) {
    return predicate.status().WithMessage("node '" + name + "': filter.where '" + where +
                                          "' over '" + input +
                                          "': " + predicate.status().message());
  }
  DeclaredNode out;
  out.schema = std::make_shared<arrow::Schema>(input_schema.fields());
  out.node.name = name;
  out.node.inputs = {input};
  out.node.run = [input, expression = *predicate, context = std::move(context)](
                     NodeInputs inputs) -> arrow::Result<NodeValue> {
    ARROW_ASSIGN_OR_RAISE(auto value, TakeInput(inputs, input, context));
    return NodeValue(arrow::acero::Declaration::Sequence(
        {ValueToDeclaration(std::move(value)),
         {"filter", arrow::acero::FilterNodeOptions(expression)}}));
  };
  return out;
}

arrow::Result<DeclaredNode> MakeSelectNode(const std::string& name,
                                           const std::string& input,
                                           const std::vector<std::string>& columns,
                                           const arrow::Schema& input_schema,
                                           NodeContext context) {
  if (columns.empty())
    return InvalidInput("node '" + name + "': select.columns is empty");
  arrow::FieldVector fields;
  std::vector<arrow::compute::Expression> expressions;
  for (const auto& column : columns) {
    auto field = input_schema.GetFieldByName(column);
    if (!field) {
      return delta::SchemaMismatch(
          "node '" + name + "': select.columns names '" + column + "', which '" + input +
          "' does not have (it has " + input_schema.ToString(false) + ")");
    }
    fields.push_back(field);
    expressions.push_back(arrow::compute::field_ref(column));
  }
  DeclaredNode out;
  out.schema = arrow::schema(std::move(fields));
  out.node.name = name;
  out.node.inputs = {input};
  out.node.run = [input, expressions, columns, context = std::move(context)](
                     NodeInputs inputs) -> arrow::Result<NodeValue> {
    ARROW_ASSIGN_OR_RAISE(auto value, TakeInput(inputs, input, context));
    return NodeValue(arrow::acero::Declaration::Sequence(
        {ValueToDeclaration(std::move(value)),
         {"project", arrow::acero::ProjectNodeOptions(expressions, columns)}}));
  };
  return out;
}

std::vector<std::string> PlanTableNames(const engine::SubstraitPlan& plan) {
  std::set<std::string> names;
  CollectTables(plan.normalized.plan, &names);
  return {names.begin(), names.end()};
}

arrow::Result<DeclaredNode> MakeSubstraitNode(
    const std::string& name, std::shared_ptr<const engine::SubstraitPlan> plan,
    const std::map<std::string, std::shared_ptr<arrow::Schema>>& input_schemas,
    NodeContext context) {
  // Binding the plan to empty tables of its inputs' schemas checks it (tables, columns,
  // types, functions) and gives its result schema, without reading anything.
  engine::Catalog shapes;
  for (const auto& [input, schema] : input_schemas) {
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::Table::MakeEmpty(schema));
    ARROW_RETURN_NOT_OK(shapes.AddTable(input, std::move(empty)));
  }
  auto shaped = engine::PlanToDeclaration(*plan, shapes);
  if (!shaped.ok()) {
    return shaped.status().WithMessage("node '" + name +
                                       "': substrait plan: " + shaped.status().message());
  }
  DeclaredNode out;
  out.schema = shaped->schema;
  out.node.name = name;
  for (const auto& [input, schema] : input_schemas) out.node.inputs.push_back(input);
  out.node.run = [plan, tables = out.node.inputs, context = std::move(context)](
                     NodeInputs inputs) -> arrow::Result<NodeValue> {
    engine::Catalog catalog;
    for (const auto& table : tables) {
      if (context.inputs) {
        ARROW_ASSIGN_OR_RAISE(bool rebound,
                              RebindInput(*context.inputs, table, &catalog));
        if (rebound) continue;
      }
      ARROW_ASSIGN_OR_RAISE(auto value, TakeInput(inputs, table, context));
      ARROW_ASSIGN_OR_RAISE(auto materialized,
                            MaterializeValue(std::move(value), context.run));
      ARROW_RETURN_NOT_OK(catalog.AddTable(table, std::move(materialized)));
    }
    ARROW_ASSIGN_OR_RAISE(auto bound, engine::PlanToDeclaration(*plan, catalog));
    return NodeValue(std::move(bound.declaration));
  };
  return out;
}

}  // namespace deltaline::pipeline
