// STAND-IN (issue 11): engine/substrait_plan's loader, normaliser and runner replace
// this file; see plan_stand_in.h.
#include "engine/plan_stand_in.h"

#include <arrow/acero/exec_plan.h>
#include <arrow/buffer.h>
#include <arrow/compute/initialize.h>
#include <arrow/engine/substrait/api.h>
#include <arrow/engine/substrait/options.h>
#include <arrow/engine/substrait/serde.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::engine {
namespace {

using nlohmann::json;

std::string TableName(const json& read) {
  std::string name;
  if (read.contains("namedTable") && read["namedTable"].contains("names")) {
    for (const auto& part : read["namedTable"]["names"]) {
      if (!name.empty()) name += ".";
      name += part.is_string() ? part.get<std::string>() : part.dump();
    }
  }
  return name.empty() ? "(not a named table)" : name;
}

// Arrow's consumer ignores a filter on a named-table read and refuses a projection
// late; without the normaliser, both are refused here by name.
arrow::Status RefuseReadExtras(const json& node) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "read" && value.is_object()) {
        for (const char* field : {"filter", "bestEffortFilter", "projection"}) {
          if (value.contains(field)) {
            return delta::UnsupportedFeature(
                std::string("substrait.ReadRel.") + field,
                "the plan's read of table " + TableName(value) + " carries a " + field +
                    ", which this runner would not apply; put a FilterRel/ProjectRel "
                    "above the read");
          }
        }
      }
      ARROW_RETURN_NOT_OK(RefuseReadExtras(value));
    }
  } else if (node.is_array()) {
    for (const auto& item : node) ARROW_RETURN_NOT_OK(RefuseReadExtras(item));
  }
  return arrow::Status::OK();
}

arrow::Result<std::string> PlanJson(const std::string& plan_bytes) {
  if (json::accept(plan_bytes)) return plan_bytes;
  arrow::Buffer buffer(plan_bytes);
  auto text = arrow::engine::internal::SubstraitToJSON("Plan", buffer);
  if (!text.ok()) {
    return delta::InvalidInput("the plan is neither JSON nor a binary Substrait Plan: " +
                               text.status().message());
  }
  return text;
}

std::string NamesText(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) text += (text.empty() ? "" : ", ") + name;
  return "[" + text + "]";
}

// Field references in a plan are positions in the read's base schema: a table whose
// columns are named or ordered differently would be read silently wrong.
arrow::Result<arrow::acero::Declaration> NamedSource(
    const Catalog& catalog, const std::vector<std::string>& names,
    const arrow::Schema& base) {
  std::string name;
  for (const auto& part : names) name += (name.empty() ? "" : ".") + part;
  ARROW_ASSIGN_OR_RAISE(auto entry, catalog.Entry(name));
  if (entry.schema->field_names() != base.field_names()) {
    return delta::InvalidInput("the plan reads table " + name + " as the columns " +
                               NamesText(base.field_names()) +
                               " but it is bound to a table with the columns " +
                               NamesText(entry.schema->field_names()));
  }
  return catalog.Source(name);
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Table>> RunPlanStandIn(const std::string& plan_bytes,
                                                            const Catalog& catalog) {
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  ARROW_ASSIGN_OR_RAISE(auto text, PlanJson(plan_bytes));
  ARROW_RETURN_NOT_OK(RefuseReadExtras(json::parse(text)));
  // Unknown fields are errors: ignoring them could drop part of a newer plan.
  ARROW_ASSIGN_OR_RAISE(auto buffer, arrow::engine::internal::SubstraitFromJSON(
                                         "Plan", text, /*ignore_unknown_fields=*/false));
  arrow::engine::ConversionOptions options;
  options.named_table_provider = [&catalog](const std::vector<std::string>& names,
                                            const arrow::Schema& base) {
    return NamedSource(catalog, names, base);
  };
  ARROW_ASSIGN_OR_RAISE(
      auto info, arrow::engine::DeserializePlan(*buffer, nullptr, nullptr, options));
  ARROW_ASSIGN_OR_RAISE(
      auto table, arrow::acero::DeclarationToTable(std::move(info.root.declaration)));
  if (info.names.empty()) return table;
  if (static_cast<int>(info.names.size()) != table->num_columns()) {
    return delta::UnsupportedFeature(
        "substrait.RelRoot.names",
        "the plan names " + std::to_string(info.names.size()) + " output fields for " +
            std::to_string(table->num_columns()) +
            " columns (nested struct names are not applied by this runner)");
  }
  return table->RenameColumns(info.names);
}

}  // namespace deltaline::engine
