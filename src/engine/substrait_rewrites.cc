#include "engine/substrait_rewrites.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>

#include "delta/base/errors.h"

namespace deltaline::engine {
namespace {

using json = nlohmann::json;

constexpr int64_t kAllRows = std::numeric_limits<int64_t>::max();

// Protobuf's JSON form writes 64-bit integers as strings and smaller ones as numbers.
std::optional<int64_t> JsonInteger(const json& value) {
  if (value.is_number_integer()) return value.get<int64_t>();
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  int64_t out = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return out;
}

// An integer literal's value, or nullopt for a typed null literal; anything else (a
// column, a parameter, a computation) is refused: the consumer takes numbers only.
arrow::Result<std::optional<int64_t>> LiteralCount(const json& expr,
                                                   const std::string& path,
                                                   const std::string& field) {
  auto refuse = [&] {
    return RefuseField(path, field,
                       "is not an integer literal; Arrow 26's Substrait consumer takes "
                       "a fixed number only");
  };
  if (!expr.is_object() || !expr.contains("literal")) return refuse();
  const json& literal = expr["literal"];
  if (literal.contains("null")) return std::optional<int64_t>{};
  for (const char* kind : {"i64", "i32", "i16", "i8"}) {
    if (!literal.contains(kind)) continue;
    auto value = JsonInteger(literal[kind]);
    if (!value) return refuse();
    if (*value < 0) return RefuseField(path, field, "is negative");
    return std::optional<int64_t>{*value};
  }
  return refuse();
}

arrow::Result<int64_t> TranslateOffset(json& fetch, const std::string& path,
                                       SubstraitRewriteContext* ctx) {
  if (fetch.contains("offsetExpr")) {
    if (fetch.contains("offset")) {
      return RefuseField(path, "offsetExpr", "is set together with offset");
    }
    ARROW_ASSIGN_OR_RAISE(auto offset,
                          LiteralCount(fetch["offsetExpr"], path, "offsetExpr"));
    fetch.erase("offsetExpr");
    fetch["offset"] = std::to_string(offset.value_or(0));
    ctx->Record(path, "offsetExpr literal → offset " +
                          std::to_string(offset.value_or(0)) +
                          " (Arrow's consumer reads only offset)");
    return offset.value_or(0);
  }
  if (!fetch.contains("offset")) return 0;
  auto offset = JsonInteger(fetch["offset"]);
  if (!offset || *offset < 0) return RefuseField(path, "offset", "is not a count");
  return *offset;
}

}  // namespace

arrow::Status RefuseField(const std::string& path, const std::string& field,
                          const std::string& why) {
  return delta::UnsupportedFeature(
      "substrait", "substrait plan: " + path + "." + field + " " + why +
                       "; refusing the plan rather than running it without it");
}

arrow::Status CheckFields(const json& object, const std::string& path,
                          std::initializer_list<const char*> allowed) {
  if (!object.is_object()) return arrow::Status::OK();
  for (const auto& item : object.items()) {
    // Not a structured binding: clang (the sanitizer build) cannot capture one.
    const std::string& key = item.key();
    const bool known = std::any_of(allowed.begin(), allowed.end(),
                                   [&key](const char* name) { return key == name; });
    if (!known) {
      return RefuseField(path, key,
                         "is not read by Arrow 26's Substrait consumer (Substrait 0.44)");
    }
  }
  return arrow::Status::OK();
}

arrow::Status TranslateFetch(json& fetch, const std::string& path,
                             bool unset_count_is_all, SubstraitRewriteContext* ctx) {
  // countExpr/offsetExpr mark a producer of Substrait ≥ 0.63, whatever its version says.
  unset_count_is_all |= fetch.contains("countExpr") || fetch.contains("offsetExpr");
  ARROW_ASSIGN_OR_RAISE(int64_t offset, TranslateOffset(fetch, path, ctx));
  std::optional<int64_t> count;
  std::string how;
  if (fetch.contains("countExpr")) {
    if (fetch.contains("count")) {
      return RefuseField(path, "countExpr", "is set together with count");
    }
    ARROW_ASSIGN_OR_RAISE(count, LiteralCount(fetch["countExpr"], path, "countExpr"));
    fetch.erase("countExpr");
    how = "countExpr literal";
  } else if (fetch.contains("count")) {
    auto value = JsonInteger(fetch["count"]);
    if (!value || *value < -1) return RefuseField(path, "count", "is not a count");
    if (*value >= 0) return arrow::Status::OK();  // already the consumer's spelling
    how = "count -1 (all rows)";
  } else if (unset_count_is_all) {
    how = "count unset (all rows since Substrait 0.63)";
  } else {
    return arrow::Status::OK();  // Substrait < 0.63: unset is 0, as the consumer reads
  }
  const int64_t rows = count.value_or(kAllRows - offset);
  fetch["count"] = std::to_string(rows);
  ctx->Record(path, how + " → count " + (count ? std::to_string(rows) : "all") +
                        " (Arrow's consumer reads only count; apache/arrow#50634)");
  return arrow::Status::OK();
}

arrow::Status TranslateGroupings(json& aggregate, const std::string& path,
                                 SubstraitRewriteContext* ctx) {
  json* groupings = aggregate.contains("groupings") ? &aggregate["groupings"] : nullptr;
  const json shared = aggregate.value("groupingExpressions", json::array());
  bool translated = false;
  for (size_t i = 0; groupings && i < groupings->size(); ++i) {
    const std::string at = path + ".groupings[" + std::to_string(i) + "]";
    json& grouping = (*groupings)[i];
    ARROW_RETURN_NOT_OK(
        CheckFields(grouping, at, {"groupingExpressions", "expressionReferences"}));
    if (!grouping.contains("expressionReferences")) continue;
    if (grouping.contains("groupingExpressions")) {
      return RefuseField(at, "expressionReferences",
                         "is set together with the deprecated groupingExpressions");
    }
    json keys = json::array();
    for (const auto& ref : grouping["expressionReferences"]) {
      auto index = JsonInteger(ref);
      if (!index || *index < 0 || *index >= static_cast<int64_t>(shared.size())) {
        return delta::InvalidInput("substrait plan: " + at +
                                   ".expressionReferences refers to no entry of " + path +
                                   ".groupingExpressions");
      }
      keys.push_back(shared[static_cast<size_t>(*index)]);
    }
    grouping.erase("expressionReferences");
    grouping["groupingExpressions"] = std::move(keys);
    translated = true;
  }
  if (aggregate.contains("groupingExpressions")) {
    if (!translated && !shared.empty()) {
      return delta::InvalidInput("substrait plan: " + path +
                                 ".groupingExpressions are referred to by no grouping");
    }
    aggregate.erase("groupingExpressions");
    ctx->Record(path,
                "groupingExpressions + expressionReferences → per-grouping "
                "groupingExpressions (Arrow's consumer would drop the keys)");
  }
  if (groupings && groupings->size() > 1) {
    return RefuseField(path, "groupings",
                       "holds " + std::to_string(groupings->size()) +
                           " grouping sets (GROUPING SETS/ROLLUP/CUBE); Arrow 26's "
                           "Substrait consumer runs one");
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::engine
