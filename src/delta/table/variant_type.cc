#include "delta/table/variant_type.h"

#include <arrow/array/builder_binary.h>
#include <arrow/extension/parquet_variant.h>
#include <arrow/extension_type.h>
#include <arrow/util/checked_cast.h>

#include "delta/base/errors.h"
#include "delta/table/variant_json.h"

namespace deltaline::delta {
namespace {

using arrow::internal::checked_cast;

constexpr const char* kVariantExtensionName = "arrow.parquet.variant";

// Variant → utf8 JSON text, row by row.
arrow::Result<std::shared_ptr<arrow::Array>> RenderVariants(const arrow::Array& array) {
  const auto& storage = checked_cast<const arrow::StructArray&>(
      *checked_cast<const arrow::ExtensionArray&>(array).storage());
  auto metadata = storage.GetFieldByName("metadata");
  auto value = storage.GetFieldByName("value");
  if (!metadata || !value || metadata->type_id() != arrow::Type::BINARY ||
      value->type_id() != arrow::Type::BINARY) {
    return ProtocolError(
        "variant column is not struct<metadata: binary, value: binary>: " +
        storage.type()->ToString());
  }
  const auto& metadata_bytes = checked_cast<const arrow::BinaryArray&>(*metadata);
  const auto& value_bytes = checked_cast<const arrow::BinaryArray&>(*value);
  arrow::StringBuilder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(array.length()));
  for (int64_t row = 0; row < array.length(); ++row) {
    if (array.IsNull(row) || value_bytes.IsNull(row) || metadata_bytes.IsNull(row)) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(std::string text, VariantToJson(metadata_bytes.GetView(row),
                                                          value_bytes.GetView(row)));
    ARROW_RETURN_NOT_OK(builder.Append(text));
  }
  return builder.Finish();
}

// The type `type` has once its variants are text.
std::shared_ptr<arrow::DataType> TextType(const std::shared_ptr<arrow::DataType>& type);

std::shared_ptr<arrow::Field> TextField(const std::shared_ptr<arrow::Field>& field) {
  return field->WithType(TextType(field->type()));
}

std::shared_ptr<arrow::DataType> TextType(const std::shared_ptr<arrow::DataType>& type) {
  if (IsVariantType(*type)) return arrow::utf8();
  if (!ContainsVariant(*type)) return type;
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector fields;
      for (const auto& field : type->fields()) fields.push_back(TextField(field));
      return arrow::struct_(std::move(fields));
    }
    case arrow::Type::LIST:
      return arrow::list(TextField(type->field(0)));
    case arrow::Type::LARGE_LIST:
      return arrow::large_list(TextField(type->field(0)));
    case arrow::Type::MAP: {
      const auto& map = checked_cast<const arrow::MapType&>(*type);
      return std::make_shared<arrow::MapType>(
          TextField(map.key_field()), TextField(map.item_field()), map.keys_sorted());
    }
    default:
      return type;
  }
}

// Same layout and buffers; children converted. Children are whole (not sliced by the
// parent's offset), so the parent's offset still applies to the new ones.
arrow::Result<std::shared_ptr<arrow::ArrayData>> Convert(
    const std::shared_ptr<arrow::ArrayData>& data) {
  if (!ContainsVariant(*data->type)) return data;
  if (IsVariantType(*data->type)) {
    ARROW_ASSIGN_OR_RAISE(auto text, RenderVariants(*arrow::MakeArray(data)));
    return text->data();
  }
  auto out = data->Copy();
  out->type = TextType(data->type);
  for (auto& child : out->child_data) {
    ARROW_ASSIGN_OR_RAISE(child, Convert(child));
  }
  return out;
}

}  // namespace

std::shared_ptr<arrow::DataType> VariantType() {
  static const auto kType = arrow::extension::variant(
      arrow::struct_({arrow::field("value", arrow::binary(), /*nullable=*/false),
                      arrow::field("metadata", arrow::binary(), /*nullable=*/false)}));
  return kType;
}

bool IsVariantType(const arrow::DataType& type) {
  return type.id() == arrow::Type::EXTENSION &&
         checked_cast<const arrow::ExtensionType&>(type).extension_name() ==
             kVariantExtensionName;
}

bool ContainsVariant(const arrow::DataType& type) {
  if (IsVariantType(type)) return true;
  if (type.id() == arrow::Type::EXTENSION) return false;
  for (const auto& field : type.fields()) {
    if (ContainsVariant(*field->type())) return true;
  }
  return false;
}

arrow::Result<std::shared_ptr<arrow::Array>> VariantsToJsonText(
    const std::shared_ptr<arrow::Array>& array) {
  if (!ContainsVariant(*array->type())) return array;
  ARROW_ASSIGN_OR_RAISE(auto data, Convert(array->data()));
  return arrow::MakeArray(data);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> VariantsToJsonText(
    const arrow::RecordBatch& batch) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  for (int col = 0; col < batch.num_columns(); ++col) {
    ARROW_ASSIGN_OR_RAISE(auto column, VariantsToJsonText(batch.column(col)));
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(VariantsAsTextSchema(batch.schema()), batch.num_rows(),
                                  std::move(columns));
}

std::shared_ptr<arrow::Schema> VariantsAsTextSchema(
    const std::shared_ptr<arrow::Schema>& schema) {
  arrow::FieldVector fields;
  for (const auto& field : schema->fields()) fields.push_back(TextField(field));
  return arrow::schema(std::move(fields), schema->metadata());
}

arrow::Status CheckUnshreddedVariants(const arrow::DataType& table_type,
                                      const arrow::DataType& file_type,
                                      const std::string& column,
                                      const std::string& file) {
  if (!ContainsVariant(table_type)) return arrow::Status::OK();
  if (IsVariantType(table_type)) {
    if (file_type.id() != arrow::Type::STRUCT) return arrow::Status::OK();  // cast fails
    for (const auto& field : file_type.fields()) {
      if (field->name() != "value" && field->name() != "metadata") {
        return UnsupportedFeature("variantShredding-preview",
                                  "data file '" + file + "': column '" + column +
                                      "' is a shredded variant (" + file_type.ToString() +
                                      "); deltaline reads unshredded variants only");
      }
    }
    return arrow::Status::OK();
  }
  if (table_type.id() == arrow::Type::STRUCT && file_type.id() == arrow::Type::STRUCT) {
    for (const auto& field : table_type.fields()) {
      auto in_file =
          checked_cast<const arrow::StructType&>(file_type).GetFieldByName(field->name());
      if (!in_file) continue;
      ARROW_RETURN_NOT_OK(CheckUnshreddedVariants(*field->type(), *in_file->type(),
                                                  column + "." + field->name(), file));
    }
    return arrow::Status::OK();
  }
  // Lists and maps: children by position (element; key, value).
  if (table_type.num_fields() == file_type.num_fields() &&
      table_type.id() == file_type.id()) {
    for (int idx = 0; idx < table_type.num_fields(); ++idx) {
      ARROW_RETURN_NOT_OK(CheckUnshreddedVariants(
          *table_type.field(idx)->type(), *file_type.field(idx)->type(),
          column + "." + table_type.field(idx)->name(), file));
    }
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
