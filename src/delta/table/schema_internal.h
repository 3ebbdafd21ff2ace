#pragma once

// Shared by the two directions of the schema conversion (schema.cc: Arrow → Delta,
// schema_from_delta.cc: Delta → Arrow). Not installed.

#include <array>
#include <exception>
#include <memory>
#include <string>
#include <string_view>

#include <arrow/type.h>
#include <arrow/util/utf8.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::delta::schema_internal {

// Parsing uses std::map objects: ordered_json's linear-search inserts would make a
// hostile log with many metadata keys quadratic. Writing keeps Spark's key order.
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;
using TypePtr = std::shared_ptr<arrow::DataType>;

// Real schemas nest a few dozen JSON levels at most; the cap keeps our recursive
// walks (and nlohmann's recursive dump/destroy) off the end of the stack.
inline constexpr int kMaxJsonDepth = 256;
inline constexpr int32_t kMaxDecimalPrecision = 38;

// Delta-defined field metadata whose values are JSON numbers, booleans or objects.
// Arrow metadata only holds strings, so reading stores their JSON text; writing turns
// that text back into JSON for these keys only, so that a schema read from a log can
// be written back unchanged (Spark reads a column-mapping id as a long).
inline constexpr std::array<std::string_view, 9> kTypedMetadataKeys = {
    "delta.columnMapping.id",
    "delta.columnMapping.nested.ids",
    "delta.identity.start",
    "delta.identity.step",
    "delta.identity.highWaterMark",
    "delta.identity.allowExplicitInsert",
    "delta.typeChanges",
    "parquet.field.id",
    "parquet.field.nested.ids"};

inline std::string ChildPath(const std::string& parent, std::string_view name) {
  return parent.empty() ? std::string(name) : parent + "." + std::string(name);
}

inline std::string Column(const std::string& path) { return "column '" + path + "'"; }

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

inline bool ValidUtf8(std::string_view text) {
  arrow::util::InitializeUTF8();
  return arrow::util::ValidateUTF8(text);
}

}  // namespace deltaline::delta::schema_internal
