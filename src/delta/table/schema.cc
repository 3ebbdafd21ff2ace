#include "delta/table/schema.h"

#include <charconv>
#include <exception>
#include <string>
#include <unordered_map>
#include <utility>

#include <arrow/util/checked_cast.h>
#include <arrow/util/key_value_metadata.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/table/schema_internal.h"

namespace deltaline::delta {
namespace {

using arrow::internal::checked_cast;
using schema_internal::ChildPath;
using schema_internal::Column;
using schema_internal::kMaxDecimalPrecision;
using schema_internal::kTypedMetadataKeys;
using schema_internal::OrderedJson;
using schema_internal::ParseBounded;
using schema_internal::ValidUtf8;

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
    case arrow::TimeUnit::SECOND:
      return "s";
    case arrow::TimeUnit::MILLI:
      return "ms";
    case arrow::TimeUnit::MICRO:
      return "us";
    case arrow::TimeUnit::NANO:
      return "ns";
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
    case Type::BOOL:
      return OrderedJson("boolean");
    case Type::INT8:
      return OrderedJson("byte");
    case Type::INT16:
      return OrderedJson("short");
    case Type::INT32:
      return OrderedJson("integer");
    case Type::INT64:
      return OrderedJson("long");
    case Type::FLOAT:
      return OrderedJson("float");
    case Type::DOUBLE:
      return OrderedJson("double");
    case Type::STRING:
    case Type::LARGE_STRING:
    case Type::STRING_VIEW:
      return OrderedJson("string");
    // fixed_size_binary loses only its width check; Arrow casts it to binary as is.
    case Type::BINARY:
    case Type::LARGE_BINARY:
    case Type::BINARY_VIEW:
    case Type::FIXED_SIZE_BINARY:
      return OrderedJson("binary");
    case Type::DATE32:
      return OrderedJson("date");
    case Type::UINT8:
    case Type::UINT16:
    case Type::UINT32:
    case Type::UINT64:
      return UnsignedToDelta(type, path, options);
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
    case Type::NA:
      return Refuse(path, type, "null", "cast it to a concrete type");
    case Type::HALF_FLOAT:
      return Refuse(path, type, type.name(), "cast it to float");
    case Type::DATE64:
      return Refuse(path, type, type.name(), "cast it to date32");
    case Type::DICTIONARY:
    case Type::RUN_END_ENCODED:
      return Refuse(path, type, type.name(), "decode it (cast it to its value type)");
    case Type::EXTENSION:
      return Refuse(path, type, type.name(), "cast it to its storage type");
    default:
      return Refuse(path, type, type.name(), "");
  }
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

arrow::Result<std::shared_ptr<arrow::Schema>> CanonicalArrowSchema(
    const arrow::Schema& input, const SchemaConversionOptions& options) {
  ARROW_ASSIGN_OR_RAISE(std::string json, ArrowToDeltaSchemaJson(input, options));
  return DeltaSchemaJsonToArrow(json);
}

}  // namespace deltaline::delta
