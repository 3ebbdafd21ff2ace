#include "delta/table/type_widening.h"

#include <charconv>
#include <optional>
#include <utility>

#include "delta/base/errors.h"
#include "delta/table/schema_internal.h"

namespace deltaline::delta {
namespace {

using schema_internal::Json;

// byte < short < integer < long; 0 for every other type.
int IntegerRank(std::string_view type) {
  if (type == "byte") return 1;
  if (type == "short") return 2;
  if (type == "integer") return 3;
  if (type == "long") return 4;
  return 0;
}

// (precision, scale) of "decimal(p,s)" (spaces allowed), nullopt otherwise.
std::optional<std::pair<int, int>> Decimal(std::string_view type) {
  if (!type.starts_with("decimal(") || !type.ends_with(")")) return std::nullopt;
  std::string text;
  for (char c : type.substr(8, type.size() - 9)) {
    if (c != ' ') text += c;
  }
  auto comma = text.find(',');
  if (comma == std::string::npos) return std::nullopt;
  int precision = 0, scale = 0;
  auto [p_end, p_ec] = std::from_chars(text.data(), text.data() + comma, precision);
  auto [s_end, s_ec] =
      std::from_chars(text.data() + comma + 1, text.data() + text.size(), scale);
  if (p_ec != std::errc() || s_ec != std::errc() || p_end != text.data() + comma ||
      s_end != text.data() + text.size()) {
    return std::nullopt;
  }
  return std::make_pair(precision, scale);
}

// The field's path and its typeChanges, depth first.
arrow::Status CheckNode(const Json& node, const std::string& path);

arrow::Status CheckField(const Json& field, const std::string& parent) {
  std::string name = field.contains("name") && field["name"].is_string()
                         ? field["name"].get<std::string>()
                         : std::string("?");
  std::string path = schema_internal::ChildPath(parent, name);
  auto meta = field.find("metadata");
  if (meta != field.end() && meta->is_object()) {
    auto changes = meta->find("delta.typeChanges");
    if (changes != meta->end()) {
      if (!changes->is_array()) {
        return ProtocolError("column '" + path + "': delta.typeChanges is not a list");
      }
      for (const auto& change : *changes) {
        if (!change.is_object() || !change.contains("fromType") ||
            !change.contains("toType") || !change["fromType"].is_string() ||
            !change["toType"].is_string()) {
          return ProtocolError("column '" + path +
                               "': malformed delta.typeChanges entry " + change.dump());
        }
        const auto& from = change["fromType"].get_ref<const std::string&>();
        const auto& to = change["toType"].get_ref<const std::string&>();
        if (!IsSupportedTypeChange(from, to)) {
          return UnsupportedFeature(
              "typeWidening", "column '" + path + "': type change from " + from + " to " +
                                  to + " is not supported by deltaline");
        }
      }
    }
  }
  auto type = field.find("type");
  return type == field.end() ? arrow::Status::OK() : CheckNode(*type, path);
}

arrow::Status CheckNode(const Json& node, const std::string& path) {
  if (!node.is_object()) return arrow::Status::OK();
  if (auto fields = node.find("fields"); fields != node.end() && fields->is_array()) {
    for (const auto& field : *fields) {
      if (field.is_object()) ARROW_RETURN_NOT_OK(CheckField(field, path));
    }
  }
  for (const char* key : {"elementType", "keyType", "valueType"}) {
    if (auto child = node.find(key); child != node.end()) {
      ARROW_RETURN_NOT_OK(CheckNode(*child, path));
    }
  }
  return arrow::Status::OK();
}

}  // namespace

bool IsSupportedTypeChange(std::string_view from_type, std::string_view to_type) {
  const int from_rank = IntegerRank(from_type);
  const int to_rank = IntegerRank(to_type);
  if (from_rank && to_rank) return from_rank < to_rank;
  if (from_type == "float" && to_type == "double") return true;
  if (from_rank && from_rank < 4 && to_type == "double") return true;
  if (from_type == "date" && to_type == "timestamp_ntz") return true;
  auto to = Decimal(to_type);
  if (!to) return false;
  auto [to_precision, to_scale] = *to;
  std::pair<int, int> from_decimal;
  if (auto from = Decimal(from_type)) {
    from_decimal = *from;
  } else if (from_rank) {
    // Integers widen as if they were decimal(10,0), or decimal(20,0) for long.
    from_decimal = {from_rank == 4 ? 20 : 10, 0};
  } else {
    return false;
  }
  const int k1 = to_precision - from_decimal.first;
  const int k2 = to_scale - from_decimal.second;
  return k1 >= k2 && k2 >= 0 && to_precision <= 38;
}

arrow::Status CheckTypeChanges(std::string_view delta_schema_json) {
  // Cheap exit: almost no schema records a type change.
  if (delta_schema_json.find("delta.typeChanges") == std::string_view::npos) {
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(Json doc,
                        schema_internal::ParseBounded<Json>(delta_schema_json, "schema"));
  return CheckNode(doc, "");
}

}  // namespace deltaline::delta
