#include "engine/substrait_names.h"

#include <arrow/acero/options.h>
#include <arrow/compute/api_scalar.h>
#include <arrow/compute/expression.h>
#include <arrow/compute/initialize.h>
#include <arrow/scalar.h>
#include <arrow/type.h>

#include "delta/base/errors.h"

namespace deltaline::engine {
namespace {

namespace cp = arrow::compute;

arrow::Result<arrow::FieldVector> RenameFields(const arrow::FieldVector& fields,
                                               const std::vector<std::string>& names,
                                               size_t& next) {
  arrow::FieldVector out;
  for (const auto& field : fields) {
    if (next >= names.size()) {
      return delta::InvalidInput("substrait plan: the root has " +
                                 std::to_string(names.size()) +
                                 " names, fewer than the result's fields");
    }
    auto renamed = field->WithName(names[next++]);
    if (field->type()->id() == arrow::Type::STRUCT) {
      ARROW_ASSIGN_OR_RAISE(auto children,
                            RenameFields(field->type()->fields(), names, next));
      renamed = renamed->WithType(arrow::struct_(std::move(children)));
    }
    out.push_back(std::move(renamed));
  }
  return out;
}

// `expr` (of type `from`) as type `to`, which differs only in struct field names:
// rebuilt field by field, keeping the struct's own nulls.
arrow::Result<cp::Expression> Retyped(cp::Expression expr, const arrow::DataType& from,
                                      const std::shared_ptr<arrow::DataType>& to,
                                      const std::string& column) {
  if (from.Equals(*to)) return expr;
  if (from.id() != arrow::Type::STRUCT) {
    return delta::UnsupportedFeature(
        "substrait", "substrait plan: the root names rename fields nested in column '" +
                         column + "' of type " + from.ToString() +
                         " (inside a list or map), which deltaline cannot apply");
  }
  std::vector<cp::Expression> children;
  std::vector<std::string> names;
  std::vector<bool> nullable;
  std::vector<std::shared_ptr<const arrow::KeyValueMetadata>> metadata;
  for (int i = 0; i < to->num_fields(); ++i) {
    auto child = cp::call("struct_field", {expr}, cp::StructFieldOptions({i}));
    ARROW_ASSIGN_OR_RAISE(child, Retyped(std::move(child), *from.field(i)->type(),
                                         to->field(i)->type(), column));
    children.push_back(std::move(child));
    names.push_back(to->field(i)->name());
    nullable.push_back(to->field(i)->nullable());
    metadata.push_back(to->field(i)->metadata());
  }
  auto made = cp::call("make_struct", std::move(children),
                       cp::MakeStructOptions(names, nullable, metadata));
  return cp::call("if_else", {cp::call("is_valid", {expr}), std::move(made),
                              cp::literal(arrow::MakeNullScalar(to))});
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Schema>> RenameDepthFirst(
    const arrow::Schema& schema, const std::vector<std::string>& names) {
  size_t next = 0;
  ARROW_ASSIGN_OR_RAISE(auto fields, RenameFields(schema.fields(), names, next));
  if (next != names.size()) {
    return delta::InvalidInput(
        "substrait plan: the root has " + std::to_string(names.size()) +
        " names but the result has " + std::to_string(next) + " fields (depth-first)");
  }
  return arrow::schema(std::move(fields), schema.metadata());
}

arrow::Result<arrow::acero::Declaration> ApplyOutputNames(
    arrow::acero::Declaration input, const arrow::Schema& schema,
    const std::vector<std::string>& names) {
  // The project's kernels (struct_field, make_struct, if_else) live in the compute
  // registry, which Arrow fills on first initialisation.
  static const arrow::Status initialized = arrow::compute::Initialize();
  ARROW_RETURN_NOT_OK(initialized);
  ARROW_ASSIGN_OR_RAISE(auto target, RenameDepthFirst(schema, names));
  std::vector<cp::Expression> columns;
  std::vector<std::string> column_names;
  for (int i = 0; i < schema.num_fields(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto column,
                          Retyped(cp::field_ref(i), *schema.field(i)->type(),
                                  target->field(i)->type(), target->field(i)->name()));
    columns.push_back(std::move(column));
    column_names.push_back(target->field(i)->name());
  }
  return arrow::acero::Declaration::Sequence(
      {std::move(input),
       {"project",
        arrow::acero::ProjectNodeOptions(std::move(columns), std::move(column_names))}});
}

}  // namespace deltaline::engine
