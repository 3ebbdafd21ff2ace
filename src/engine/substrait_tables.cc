// Named tables of a Substrait plan, resolved through the Catalog and bound by column
// name: a plan's baseSchema lists columns by position, so binding it positionally to a
// table whose columns differ in order would silently read the wrong columns.
#include <algorithm>

#include <arrow/acero/options.h>
#include <arrow/compute/expression.h>
#include <arrow/type.h>

#include "delta/base/errors.h"
#include "engine/substrait_plan.h"

namespace deltaline::engine {
namespace {

// Types equal up to nullability and the names of list/map children (Substrait does not
// name them; Delta and Arrow spell them differently).
bool SameType(const arrow::DataType& plan, const arrow::DataType& table) {
  if (plan.id() != table.id()) return false;
  if (plan.num_fields() == 0) return plan.Equals(table);
  if (plan.num_fields() != table.num_fields()) return false;
  const bool named = plan.id() == arrow::Type::STRUCT;
  for (int i = 0; i < plan.num_fields(); ++i) {
    if (named && plan.field(i)->name() != table.field(i)->name()) return false;
    if (!SameType(*plan.field(i)->type(), *table.field(i)->type())) return false;
  }
  return true;
}

std::string TableName(const std::vector<std::string>& names, const Catalog& catalog) {
  std::string joined;
  for (const auto& part : names) joined += (joined.empty() ? "" : ".") + part;
  auto bound = catalog.Names();
  if (std::find(bound.begin(), bound.end(), joined) != bound.end()) return joined;
  return names.back();
}

std::string Describe(const CatalogEntry& entry) {
  std::string out = std::string(SourceKindName(entry.kind));
  if (!entry.uri.empty()) out += " " + entry.uri;
  if (entry.version) out += " @ version " + std::to_string(*entry.version);
  return out;
}

// The source of `entry` with the plan's columns, in the plan's order.
arrow::Result<arrow::acero::Declaration> BindByName(const Catalog& catalog,
                                                    const CatalogEntry& entry,
                                                    const arrow::Schema& base,
                                                    bool& reordered) {
  const arrow::Schema& table = *entry.schema;
  std::vector<arrow::compute::Expression> columns;
  std::vector<std::string> names;
  reordered = base.num_fields() != table.num_fields();
  for (int i = 0; i < base.num_fields(); ++i) {
    const auto& wanted = base.field(i);
    const int at = table.GetFieldIndex(wanted->name());
    if (at < 0) {
      return delta::SchemaMismatch(
          "substrait plan reads column '" + wanted->name() + "' of table '" + entry.name +
          "', which has no such column (it has " + table.ToString(false) + ")");
    }
    if (!SameType(*wanted->type(), *table.field(at)->type())) {
      return delta::SchemaMismatch("substrait plan reads column '" + wanted->name() +
                                   "' of table '" + entry.name + "' as " +
                                   wanted->type()->ToString() + ", but the table holds " +
                                   table.field(at)->type()->ToString());
    }
    reordered |= at != i;
    columns.push_back(arrow::compute::field_ref(at));
    names.push_back(wanted->name());
  }
  ARROW_ASSIGN_OR_RAISE(auto source, catalog.Source(entry.name));
  if (!reordered) return source;
  return arrow::acero::Declaration::Sequence(
      {std::move(source),
       {"project",
        arrow::acero::ProjectNodeOptions(std::move(columns), std::move(names))}});
}

}  // namespace

arrow::engine::NamedTableProvider CatalogTableProvider(
    const Catalog& catalog, std::shared_ptr<std::vector<std::string>> bindings) {
  return [&catalog, bindings](
             const std::vector<std::string>& names,
             const arrow::Schema& base) -> arrow::Result<arrow::acero::Declaration> {
    if (names.empty())
      return delta::InvalidInput("substrait plan reads a table with no name");
    const std::string name = TableName(names, catalog);
    auto entry = catalog.Entry(name);
    if (!entry.ok()) {
      std::string bound;
      for (const auto& known : catalog.Names())
        bound += (bound.empty() ? "" : ", ") + known;
      return delta::InvalidInput(
          "substrait plan reads table '" + name + "', which no binding names (bound: " +
          (bound.empty() ? "none" : bound) + "; bind it with --table " + name + "=URI)");
    }
    bool reordered = false;
    ARROW_ASSIGN_OR_RAISE(auto source, BindByName(catalog, *entry, base, reordered));
    if (bindings) {
      bindings->push_back(name + " → " + Describe(*entry) +
                          (reordered ? " (columns bound by name)" : ""));
    }
    return source;
  };
}

}  // namespace deltaline::engine
