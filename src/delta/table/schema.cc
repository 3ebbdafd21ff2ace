#include "delta/table/schema.h"

#include <array>
#include <cctype>
#include <charconv>
#include <exception>
#include <string>
#include <unordered_map>
#include <utility>

#include <arrow/util/checked_cast.h>
#include <arrow/util/key_value_metadata.h>
#include <arrow/util/utf8.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

using arrow::internal::checked_cast;
// Parsing uses std::map objects: ordered_json's linear-search inserts would make a
// hostile log with many metadata keys quadratic. Writing keeps Spark's key order.
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
using TypePtr = std::shared_ptr<arrow::DataType>;

// Real schemas nest a few dozen JSON levels at most; the cap keeps our recursive
// walks (and nlohmann's recursive dump/destroy) off the end of the stack.
constexpr int kMaxJsonDepth = 256;
constexpr int32_t kMaxDecimalPrecision = 38;

// Delta-defined field metadata whose values are JSON numbers, booleans or objects.
// Arrow metadata only holds strings, so reading stores their JSON text; writing turns
// that text back into JSON for these keys only, so that a schema read from a log can
// be written back unchanged (Spark reads a column-mapping id as a long).
constexpr std::array<std::string_view, 9> kTypedMetadataKeys = {
    "delta.columnMapping.id",
    "delta.columnMapping.nested.ids",
    "delta.identity.start",
    "delta.identity.step",
    "delta.identity.highWaterMark",
    "delta.identity.allowExplicitInsert",
    "delta.typeChanges",
    "parquet.field.id",
    "parquet.field.nested.ids"};

std::string ChildPath(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

std::string Column(const std::string& path) { return "column '" + path + "'"; }

// Parses with a depth cap. Exceptions stay inside: parse errors become kProtocol
// (the text came from a log) and carry nlohmann's byte position.
template <typename J>
arrow::Result<J> ParseBounded(std::string_view text, const char* what) {
  bool too_deep = false;
  typename J::parser_callback_t cap = [&too_deep](int depth, typename J::parse_event_t,
                                                  J&) {
    if (depth > kMaxJsonDepth) too_deep = true;
    return !too_deep;
  };
  J doc;
  try {
    doc = J::parse(text.begin(), text.end(), cap);
  } catch (const std::exception& e) {
    return ProtocolError(std::string(what) + " is not valid JSON: " + e.what());
  }
  if (too_deep) {
    return ProtocolError(std::string(what) + " nests deeper than " +
                         std::to_string(kMaxJsonDepth) + " levels");
  }
  return doc;
}

bool ValidUtf8(std::string_view text) {
  arrow::util::InitializeUTF8();
  return arrow::util::ValidateUTF8(text);
}

// ---------------------------------------------------------------- Arrow → Delta

arrow::Status Refuse(const std::string& path, const arrow::DataType& type,
                     std::string feature, std::string_view hint) {
  std::string msg =
      Column(path) + ": type " + type.ToString() + " is not supported by Delta Lake";
  if (!hint.empty()) msg += "; " + std::string(hint);
  return UnsupportedFeature("type:" + feature, std::move(msg));
}

const char* UnitName(arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND: return "s";
    case arrow::TimeUnit::MILLI: return "ms";
    case arrow::TimeUnit::MICRO: return "us";
    case arrow::TimeUnit::NANO: return "ns";
  }
  return "?";
}

OrderedJson MetadataValueToDelta(const std::string& key, const std::string& value) {
  bool typed = false;
  for (std::string_view typed_key : kTypedMetadataKeys) typed = typed || key == typed_key;
  if (!typed) return value;
  auto parsed = ParseBounded<OrderedJson>(value, "metadata");
  // A typed key whose value is not JSON is kept as the string the caller gave.
  if (!parsed.ok() || parsed->is_string()) return value;
  return std::move(parsed).ValueUnsafe();
}

arrow::Result<OrderedJson> MetadataToDelta(const arrow::KeyValueMetadata* metadata,
                                           const std::string& path) {
  OrderedJson out = OrderedJson::object();
  if (metadata == nullptr) return out;
  for (int64_t idx = 0; idx < metadata->size(); ++idx) {
    const std::string& key = metadata->key(idx);
    const std::string& value = metadata->value(idx);
    if (!ValidUtf8(key) || !ValidUtf8(value)) {
      return InvalidInput(Column(path) + ": field metadata is not valid UTF-8");
    }
    // A JSON object cannot hold both values; keeping either would lose one silently.
    if (out.contains(key)) {
      return InvalidInput(Column(path) + ": field metadata key '" + key +
                          "' appears twice");
    }
    out[key] = MetadataValueToDelta(key, value);
  }
  return out;
}

arrow::Result<OrderedJson> TypeToDelta(const arrow::DataType& type,
                                       const std::string& path,
                                       const SchemaConversionOptions& options);

arrow::Result<OrderedJson> StructToDelta(const arrow::FieldVector& fields,
                                         const std::string& path,
                                         const SchemaConversionOptions& options) {
  OrderedJson out_fields = OrderedJson::array();
  // Spark resolves columns case-insensitively, so it refuses names differing only
  // in case. ASCII folding only: Spark folds all of Unicode, we may under-refuse.
  std::unordered_map<std::string, std::string> seen;
  for (size_t idx = 0; idx < fields.size(); ++idx) {
    const arrow::Field& field = *fields[idx];
    if (field.name().empty()) {
      return InvalidInput("field #" + std::to_string(idx) + " of " +
                          (path.empty() ? "the schema" : Column(path)) +
                          " has an empty name");
    }
    std::string child = ChildPath(path, field.name());
    if (!ValidUtf8(field.name())) {
      return InvalidInput(Column(child) + ": name is not UTF-8");
    }
    std::string folded = field.name();
    for (char& ch : folded) {
      ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    auto [it, inserted] = seen.emplace(folded, field.name());
    if (!inserted) {
      return InvalidInput(Column(child) + " duplicates '" + it->second +
                          "' (Delta Lake column names are case-insensitive)");
    }
    OrderedJson out;
    out["name"] = field.name();
    ARROW_ASSIGN_OR_RAISE(out["type"], TypeToDelta(*field.type(), child, options));
    out["nullable"] = field.nullable();
    ARROW_ASSIGN_OR_RAISE(out["metadata"],
                          MetadataToDelta(field.metadata().get(), child));
    out_fields.push_back(std::move(out));
  }
  OrderedJson out;
  out["type"] = "struct";
  out["fields"] = std::move(out_fields);
  return out;
}

arrow::Result<OrderedJson> TimestampToDelta(const arrow::TimestampType& type,
                                            const std::string& path,
                                            const SchemaConversionOptions& options) {
  if (type.unit() != arrow::TimeUnit::MICRO && !options.coerce_timestamps) {
    return Refuse(
        path, type, std::string("timestamp[") + UnitName(type.unit()) + "]",
        "Delta Lake stores microseconds; set "
        "SchemaConversionOptions::coerce_timestamps to write it as microseconds");
  }
  // Any zone is fine: Arrow stores instants as UTC; the zone is display only.
  return OrderedJson(type.timezone().empty() ? "timestamp_ntz" : "timestamp");
}

arrow::Result<OrderedJson> UnsignedToDelta(const arrow::DataType& type,
                                           const std::string& path,
                                           const SchemaConversionOptions& options) {
  const char* wider = type.id() == arrow::Type::UINT8    ? "short"
                      : type.id() == arrow::Type::UINT16 ? "integer"
                                                         : "long";
  if (options.widen_unsigned) return OrderedJson(wider);
  return Refuse(
      path, type, type.name(),
      std::string("set SchemaConversionOptions::widen_unsigned to write it as ") + wider);
}

arrow::Result<OrderedJson> DecimalToDelta(const arrow::DecimalType& type,
                                          const std::string& path) {
  if (type.precision() > kMaxDecimalPrecision) {
    return Refuse(path, type, type.name(), "Delta Lake decimals have at most 38 digits");
  }
  if (type.scale() < 0 || type.scale() > type.precision()) {
    return Refuse(path, type, type.name(), "Delta Lake needs 0 <= scale <= precision");
  }
  return OrderedJson("decimal(" + std::to_string(type.precision()) + "," +
                     std::to_string(type.scale()) + ")");
}

arrow::Result<OrderedJson> TypeToDelta(const arrow::DataType& type,
                                       const std::string& path,
                                       const SchemaConversionOptions& options) {
  using arrow::Type;
  switch (type.id()) {
    case Type::BOOL: return OrderedJson("boolean");
    case Type::INT8: return OrderedJson("byte");
    case Type::INT16: return OrderedJson("short");
    case Type::INT32: return OrderedJson("integer");
    case Type::INT64: return OrderedJson("long");
    case Type::FLOAT: return OrderedJson("float");
    case Type::DOUBLE: return OrderedJson("double");
    case Type::STRING:
    case Type::LARGE_STRING:
    case Type::STRING_VIEW: return OrderedJson("string");
    // fixed_size_binary loses only its width check; Arrow casts it to binary as is.
    case Type::BINARY:
    case Type::LARGE_BINARY:
    case Type::BINARY_VIEW:
    case Type::FIXED_SIZE_BINARY: return OrderedJson("binary");
    case Type::DATE32: return OrderedJson("date");
    case Type::UINT8:
    case Type::UINT16:
    case Type::UINT32:
    case Type::UINT64: return UnsignedToDelta(type, path, options);
    case Type::TIMESTAMP:
      return TimestampToDelta(checked_cast<const arrow::TimestampType&>(type), path,
                              options);
    case Type::DECIMAL32:
    case Type::DECIMAL64:
    case Type::DECIMAL128:
    case Type::DECIMAL256:
      return DecimalToDelta(checked_cast<const arrow::DecimalType&>(type), path);
    case Type::STRUCT:
      // Parquet has no empty group, so such a column could never be written.
      if (type.num_fields() == 0) return Refuse(path, type, "empty_struct", "");
      return StructToDelta(type.fields(), path, options);
    case Type::MAP: {
      const auto& map = checked_cast<const arrow::MapType&>(type);
      OrderedJson out;
      out["type"] = "map";
      ARROW_ASSIGN_OR_RAISE(out["keyType"],
                            TypeToDelta(*map.key_type(), path + ".key", options));
      ARROW_ASSIGN_OR_RAISE(out["valueType"],
                            TypeToDelta(*map.item_type(), path + ".value", options));
      out["valueContainsNull"] = map.item_field()->nullable();
      return out;
    }
    case Type::LIST:
    case Type::LARGE_LIST:
    case Type::FIXED_SIZE_LIST:
    case Type::LIST_VIEW:
    case Type::LARGE_LIST_VIEW: {
      const auto& list = checked_cast<const arrow::BaseListType&>(type);
      OrderedJson out;
      out["type"] = "array";
      ARROW_ASSIGN_OR_RAISE(out["elementType"],
                            TypeToDelta(*list.value_type(), path + ".element", options));
      out["containsNull"] = list.value_field()->nullable();
      return out;
    }
    case Type::NA: return Refuse(path, type, "null", "cast it to a concrete type");
    case Type::HALF_FLOAT: return Refuse(path, type, type.name(), "cast it to float");
    case Type::DATE64: return Refuse(path, type, type.name(), "cast it to date32");
    case Type::DICTIONARY:
    case Type::RUN_END_ENCODED:
      return Refuse(path, type, type.name(), "decode it (cast it to its value type)");
    case Type::EXTENSION:
      return Refuse(path, type, type.name(), "cast it to its storage type");
    default: return Refuse(path, type, type.name(), "");
  }
}

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

arrow::Result<std::string> ArrowToDeltaSchemaJson(
    const arrow::Schema& schema, const SchemaConversionOptions& options) {
  ARROW_ASSIGN_OR_RAISE(OrderedJson root, StructToDelta(schema.fields(), "", options));
  try {
    return root.dump();
  } catch (const std::exception& e) {
    // Unreachable after the UTF-8 checks above; kept so no exception escapes.
    return InvalidInput(std::string("cannot serialize schema: ") + e.what());
  }
}

arrow::Result<std::shared_ptr<arrow::Schema>> DeltaSchemaJsonToArrow(
    std::string_view json) {
  ARROW_ASSIGN_OR_RAISE(Json doc, ParseBounded<Json>(json, "schema"));
  if (!doc.is_object()) return ProtocolError("schema: not a JSON object");
  ARROW_ASSIGN_OR_RAISE(const std::string* kind, StringMember(doc, "type", "schema"));
  if (*kind != "struct") return ProtocolError("schema: top-level type must be 'struct'");
  ARROW_ASSIGN_OR_RAISE(arrow::FieldVector fields, FieldsFromDelta(doc, ""));
  return arrow::schema(std::move(fields));
}

arrow::Result<std::shared_ptr<arrow::Schema>> CanonicalArrowSchema(
    const arrow::Schema& input, const SchemaConversionOptions& options) {
  ARROW_ASSIGN_OR_RAISE(std::string json, ArrowToDeltaSchemaJson(input, options));
  return DeltaSchemaJsonToArrow(json);
}

arrow::Result<bool> UsesTimestampNtz(std::string_view delta_schema_json) {
  ARROW_ASSIGN_OR_RAISE(Json doc, ParseBounded<Json>(delta_schema_json, "schema"));
  return TypeUsesNtz(doc);
}

}  // namespace deltaline::delta
