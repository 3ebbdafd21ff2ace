// Delta schema JSON → Arrow: the reading direction of schema.h.
#include "delta/table/schema.h"

#include <array>
#include <charconv>
#include <exception>
#include <string>
#include <utility>

#include <arrow/util/checked_cast.h>
#include <arrow/util/key_value_metadata.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/table/schema_internal.h"
#include "delta/table/variant_type.h"

namespace deltaline::delta {
namespace {

using arrow::internal::checked_cast;
using schema_internal::ChildPath;
using schema_internal::Column;
using schema_internal::Json;
using schema_internal::kMaxDecimalPrecision;
using schema_internal::ParseBounded;
using schema_internal::TypePtr;

// ---------------------------------------------------------------- Delta → Arrow

arrow::Result<const Json*> Member(const Json& object, const char* key,
                                  const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) return ProtocolError(where + ": missing '" + key + "'");
  return &*it;
}

arrow::Result<const std::string*> StringMember(const Json& object, const char* key,
                                               const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(const Json* value, Member(object, key, where));
  if (!value->is_string()) {
    return ProtocolError(where + ": '" + key + "' must be a string, not " +
                         value->type_name());
  }
  return &value->get_ref<const std::string&>();
}

arrow::Result<bool> BoolMember(const Json& object, const char* key,
                               const std::string& where) {
  ARROW_ASSIGN_OR_RAISE(const Json* value, Member(object, key, where));
  if (!value->is_boolean()) {
    return ProtocolError(where + ": '" + key + "' must be a boolean, not " +
                         value->type_name());
  }
  return value->get<bool>();
}

// Reads optional spaces then an unsigned decimal number, as Spark's type regex does.
bool ConsumeInt(std::string_view& text, int32_t* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text.front()))) {
    return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  if (ec != std::errc()) return false;
  text.remove_prefix(static_cast<size_t>(end - text.data()));
  return true;
}

bool ConsumeChar(std::string_view& text, char expected) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  if (text.empty() || text.front() != expected) return false;
  text.remove_prefix(1);
  return true;
}

arrow::Result<TypePtr> DecimalFromDelta(std::string_view name, const std::string& path) {
  // Bare "decimal" is Spark's legacy spelling of its default decimal(10,0).
  if (name == "decimal") return arrow::decimal128(10, 0);
  std::string_view rest = name.substr(std::string_view("decimal").size());
  int32_t precision = 0;
  int32_t scale = 0;
  if (!ConsumeChar(rest, '(') || !ConsumeInt(rest, &precision) ||
      !ConsumeChar(rest, ',') || !ConsumeInt(rest, &scale) || !ConsumeChar(rest, ')') ||
      !rest.empty()) {
    return ProtocolError(Column(path) + ": malformed decimal type '" + std::string(name) +
                         "'");
  }
  if (precision < 1 || precision > kMaxDecimalPrecision || scale > precision) {
    return ProtocolError(Column(path) + ": decimal type '" + std::string(name) +
                         "' needs 1 <= precision <= 38 and scale <= precision");
  }
  return arrow::decimal128(precision, scale);
}

arrow::Result<TypePtr> PrimitiveFromDelta(const std::string& name,
                                          const std::string& path) {
  if (name == "string") return arrow::utf8();
  if (name == "long") return arrow::int64();
  if (name == "integer") return arrow::int32();
  if (name == "short") return arrow::int16();
  if (name == "byte") return arrow::int8();
  if (name == "float") return arrow::float32();
  if (name == "double") return arrow::float64();
  if (name == "boolean") return arrow::boolean();
  if (name == "binary") return arrow::binary();
  if (name == "date") return arrow::date32();
  if (name == "timestamp") return arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  if (name == "timestamp_ntz") return arrow::timestamp(arrow::TimeUnit::MICRO);
  if (name.starts_with("decimal")) return DecimalFromDelta(name, path);
  if (name == "variant") return VariantType();
  return UnsupportedFeature("type:" + name, Column(path) + ": Delta type '" + name +
                                                "' is not supported by deltaline");
}

arrow::Result<std::shared_ptr<const arrow::KeyValueMetadata>> MetadataFromDelta(
    const Json& field, const std::string& path) {
  auto it = field.find("metadata");
  // Spark always writes "metadata"; older writers may omit it, which means empty.
  if (it == field.end()) return nullptr;
  if (!it->is_object()) {
    return ProtocolError(Column(path) + ": 'metadata' must be an object, not " +
                         it->type_name());
  }
  if (it->empty()) return nullptr;
  auto metadata = std::make_shared<arrow::KeyValueMetadata>();
  try {
    // The parser already checked UTF-8 and depth, so dump should not throw.
    for (const auto& [key, value] : it->items()) {
      metadata->Append(
          key, value.is_string() ? value.get_ref<const std::string&>() : value.dump());
    }
  } catch (const std::exception& e) {
    return ProtocolError(Column(path) + ": unreadable metadata: " + e.what());
  }
  return metadata;
}

arrow::Result<arrow::FieldVector> FieldsFromDelta(const Json& struct_type,
                                                  const std::string& path);

arrow::Result<TypePtr> TypeFromDelta(const Json& type, const std::string& path) {
  if (type.is_string()) {
    return PrimitiveFromDelta(type.get_ref<const std::string&>(), path);
  }
  if (!type.is_object()) {
    return ProtocolError(Column(path) + ": 'type' must be a string or an object, not " +
                         type.type_name());
  }
  ARROW_ASSIGN_OR_RAISE(const std::string* kind,
                        StringMember(type, "type", Column(path)));
  if (*kind == "struct") {
    ARROW_ASSIGN_OR_RAISE(arrow::FieldVector fields, FieldsFromDelta(type, path));
    return arrow::struct_(std::move(fields));
  }
  if (*kind == "array") {
    ARROW_ASSIGN_OR_RAISE(const Json* element, Member(type, "elementType", Column(path)));
    ARROW_ASSIGN_OR_RAISE(bool contains_null,
                          BoolMember(type, "containsNull", Column(path)));
    ARROW_ASSIGN_OR_RAISE(TypePtr element_type,
                          TypeFromDelta(*element, path + ".element"));
    return arrow::list(arrow::field("element", std::move(element_type), contains_null));
  }
  if (*kind == "map") {
    ARROW_ASSIGN_OR_RAISE(const Json* key, Member(type, "keyType", Column(path)));
    ARROW_ASSIGN_OR_RAISE(const Json* value, Member(type, "valueType", Column(path)));
    ARROW_ASSIGN_OR_RAISE(bool value_nullable,
                          BoolMember(type, "valueContainsNull", Column(path)));
    ARROW_ASSIGN_OR_RAISE(TypePtr key_type, TypeFromDelta(*key, path + ".key"));
    ARROW_ASSIGN_OR_RAISE(TypePtr value_type, TypeFromDelta(*value, path + ".value"));
    return std::make_shared<arrow::MapType>(
        arrow::field("key", std::move(key_type), /*nullable=*/false),
        arrow::field("value", std::move(value_type), value_nullable));
  }
  return UnsupportedFeature("type:" + *kind, Column(path) + ": Delta type '" + *kind +
                                                 "' is not supported by deltaline");
}

arrow::Result<std::shared_ptr<arrow::Field>> FieldFromDelta(const Json& field,
                                                            const std::string& parent,
                                                            size_t idx) {
  std::string where = "field #" + std::to_string(idx) + " of " +
                      (parent.empty() ? std::string("the schema") : Column(parent));
  if (!field.is_object()) return ProtocolError(where + " is not an object");
  ARROW_ASSIGN_OR_RAISE(const std::string* name, StringMember(field, "name", where));
  std::string path = ChildPath(parent, *name);
  ARROW_ASSIGN_OR_RAISE(const Json* type, Member(field, "type", Column(path)));
  ARROW_ASSIGN_OR_RAISE(bool nullable, BoolMember(field, "nullable", Column(path)));
  ARROW_ASSIGN_OR_RAISE(TypePtr arrow_type, TypeFromDelta(*type, path));
  ARROW_ASSIGN_OR_RAISE(auto metadata, MetadataFromDelta(field, path));
  return arrow::field(*name, std::move(arrow_type), nullable, std::move(metadata));
}

arrow::Result<arrow::FieldVector> FieldsFromDelta(const Json& struct_type,
                                                  const std::string& path) {
  std::string where = path.empty() ? std::string("schema") : Column(path);
  ARROW_ASSIGN_OR_RAISE(const Json* fields, Member(struct_type, "fields", where));
  if (!fields->is_array()) {
    return ProtocolError(where + ": 'fields' must be an array, not " +
                         fields->type_name());
  }
  arrow::FieldVector out;
  out.reserve(fields->size());
  for (size_t idx = 0; idx < fields->size(); ++idx) {
    ARROW_ASSIGN_OR_RAISE(auto field, FieldFromDelta((*fields)[idx], path, idx));
    out.push_back(std::move(field));
  }
  return out;
}

// Structural walk only: unknown types (variant…) are skipped, not refused, so that
// feature checks work on tables whose other columns we cannot read.
arrow::Result<bool> TypeUsesNtz(const Json& type) {
  if (type.is_string()) return type.get_ref<const std::string&>() == "timestamp_ntz";
  if (!type.is_object()) {
    return ProtocolError("schema: a type is neither string nor object");
  }
  ARROW_ASSIGN_OR_RAISE(const std::string* kind, StringMember(type, "type", "schema"));
  std::array<const char*, 2> children = {nullptr, nullptr};
  if (*kind == "array") children = {"elementType", nullptr};
  if (*kind == "map") children = {"keyType", "valueType"};
  if (*kind == "struct") {
    ARROW_ASSIGN_OR_RAISE(const Json* fields, Member(type, "fields", "schema"));
    if (!fields->is_array()) return ProtocolError("schema: 'fields' must be an array");
    for (const Json& field : *fields) {
      if (!field.is_object()) return ProtocolError("schema: a field is not an object");
      ARROW_ASSIGN_OR_RAISE(const Json* child, Member(field, "type", "schema field"));
      ARROW_ASSIGN_OR_RAISE(bool uses, TypeUsesNtz(*child));
      if (uses) return true;
    }
  }
  for (const char* key : children) {
    if (key == nullptr) continue;
    ARROW_ASSIGN_OR_RAISE(const Json* child, Member(type, key, "schema " + *kind));
    ARROW_ASSIGN_OR_RAISE(bool uses, TypeUsesNtz(*child));
    if (uses) return true;
  }
  return false;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Schema>> DeltaSchemaJsonToArrow(
    std::string_view json) {
  ARROW_ASSIGN_OR_RAISE(Json doc, ParseBounded<Json>(json, "schema"));
  if (!doc.is_object()) return ProtocolError("schema: not a JSON object");
  ARROW_ASSIGN_OR_RAISE(const std::string* kind, StringMember(doc, "type", "schema"));
  if (*kind != "struct") return ProtocolError("schema: top-level type must be 'struct'");
  ARROW_ASSIGN_OR_RAISE(arrow::FieldVector fields, FieldsFromDelta(doc, ""));
  return arrow::schema(std::move(fields));
}

arrow::Result<bool> UsesTimestampNtz(std::string_view delta_schema_json) {
  ARROW_ASSIGN_OR_RAISE(Json doc, ParseBounded<Json>(delta_schema_json, "schema"));
  return TypeUsesNtz(doc);
}

}  // namespace deltaline::delta
