#include "cli/json_values.h"

#include <cmath>

#include <arrow/scalar.h>
#include <arrow/util/base64.h>
#include <arrow/visit_type_inline.h>

namespace deltaline::cli {
namespace {

using nlohmann::json;

arrow::Result<json> ScalarToJson(const arrow::Scalar& scalar);

json FloatToJson(double value) {
  // JSON has no NaN/Infinity; print them as strings rather than lose the row.
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

arrow::Result<json> ListToJson(const arrow::Array& values) {
  json out = json::array();
  for (int64_t i = 0; i < values.length(); ++i) {
    ARROW_ASSIGN_OR_RAISE(auto item, ArrayValueToJson(values, i));
    out.push_back(std::move(item));
  }
  return out;
}

arrow::Result<json> ScalarToJson(const arrow::Scalar& scalar) {
  if (!scalar.is_valid) return json(nullptr);
  switch (scalar.type->id()) {
    case arrow::Type::BOOL:
      return json(static_cast<const arrow::BooleanScalar&>(scalar).value);
    case arrow::Type::INT8:
      return json(static_cast<const arrow::Int8Scalar&>(scalar).value);
    case arrow::Type::INT16:
      return json(static_cast<const arrow::Int16Scalar&>(scalar).value);
    case arrow::Type::INT32:
      return json(static_cast<const arrow::Int32Scalar&>(scalar).value);
    case arrow::Type::INT64:
      return json(static_cast<const arrow::Int64Scalar&>(scalar).value);
    case arrow::Type::FLOAT:
      return FloatToJson(static_cast<const arrow::FloatScalar&>(scalar).value);
    case arrow::Type::DOUBLE:
      return FloatToJson(static_cast<const arrow::DoubleScalar&>(scalar).value);
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: {
      const auto& base = static_cast<const arrow::BaseBinaryScalar&>(scalar);
      return json(std::string(reinterpret_cast<const char*>(base.value->data()),
                              static_cast<size_t>(base.value->size())));
    }
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::BINARY_VIEW: {
      const auto& base = static_cast<const arrow::BaseBinaryScalar&>(scalar);
      return json(arrow::util::base64_encode(
          std::string_view(reinterpret_cast<const char*>(base.value->data()),
                           static_cast<size_t>(base.value->size()))));
    }
    case arrow::Type::TIMESTAMP: {
      std::string text = scalar.ToString();
      if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
      return json(text);
    }
    case arrow::Type::STRUCT: {
      const auto& st = static_cast<const arrow::StructScalar&>(scalar);
      json out = json::object();
      for (size_t i = 0; i < st.value.size(); ++i) {
        ARROW_ASSIGN_OR_RAISE(out[st.type->field(static_cast<int>(i))->name()],
                              ScalarToJson(*st.value[i]));
      }
      return out;
    }
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapScalar&>(scalar);
      const auto& entries = static_cast<const arrow::StructArray&>(*map.value);
      json out = json::array();
      for (int64_t i = 0; i < entries.length(); ++i) {
        ARROW_ASSIGN_OR_RAISE(auto key, ArrayValueToJson(*entries.field(0), i));
        ARROW_ASSIGN_OR_RAISE(auto value, ArrayValueToJson(*entries.field(1), i));
        out.push_back({{"key", std::move(key)}, {"value", std::move(value)}});
      }
      return out;
    }
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::FIXED_SIZE_LIST:
      return ListToJson(*static_cast<const arrow::BaseListScalar&>(scalar).value);
    default:
      // Dates and decimals print exactly through their ToString.
      return json(scalar.ToString());
  }
}

}  // namespace

arrow::Result<json> ArrayValueToJson(const arrow::Array& array, int64_t row) {
  ARROW_ASSIGN_OR_RAISE(auto scalar, array.GetScalar(row));
  return ScalarToJson(*scalar);
}

}  // namespace deltaline::cli
