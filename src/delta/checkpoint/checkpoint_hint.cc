// `_delta_log/_last_checkpoint`: parse and write the hint. `v2Checkpoint` is parsed
// (it may spare a reader the top-level file of a V2 checkpoint); other unknown fields
// (checkpointSchema, checksum, tags) are ignored, since the hint is only used to start
// listing near the newest checkpoint.

#include <limits>

#include <nlohmann/json.hpp>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"

namespace deltaline::delta {
namespace {

constexpr std::string_view kSource = "_delta_log/_last_checkpoint";

arrow::Status Malformed(std::string_view why) {
  return ProtocolError(std::string(kSource) + ": " + std::string(why));
}

// Reads an optional integer field; JSON null counts as absent (delta-rs writes
// "parts":null). Fractions, strings and out-of-range numbers are malformed.
arrow::Result<std::optional<int64_t>> OptionalInt(const nlohmann::json& doc,
                                                  const char* key, int64_t min_value,
                                                  int64_t max_value) {
  auto it = doc.find(key);
  if (it == doc.end() || it->is_null()) return std::nullopt;
  int64_t value = 0;
  if (it->is_number_unsigned()) {
    const auto raw = it->get<uint64_t>();
    if (raw > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Malformed(std::string("\"") + key + "\" is out of range");
    }
    value = static_cast<int64_t>(raw);
  } else if (it->is_number_integer()) {
    value = it->get<int64_t>();
  } else {
    return Malformed(std::string("\"") + key + "\" is not an integer");
  }
  if (value < min_value || value > max_value) {
    return Malformed(std::string("\"") + key +
                     "\" is out of range: " + std::to_string(value));
  }
  return value;
}

arrow::Result<int64_t> RequiredInt(const nlohmann::json& doc, const char* key) {
  ARROW_ASSIGN_OR_RAISE(auto value,
                        OptionalInt(doc, key, 0, std::numeric_limits<int64_t>::max()));
  if (!value) return Malformed(std::string("missing \"") + key + "\"");
  return *value;
}

arrow::Result<std::vector<Action>> NonFileActions(const nlohmann::json& list,
                                                  LastCheckpointV2& v2) {
  if (!list.is_array())
    return Malformed("\"v2Checkpoint.nonFileActions\" is not an array");
  std::vector<Action> out;
  for (const auto& item : list) {
    if (item.is_object() && item.contains("checkpointMetadata")) {
      if (v2.checkpoint_metadata) return Malformed("two checkpointMetadata actions");
      auto parsed = ParseCheckpointMetadata(item["checkpointMetadata"]);
      if (!parsed.ok()) return Malformed(parsed.status().message());
      v2.checkpoint_metadata = *parsed;
      continue;
    }
    auto action = ParseAction(item);
    if (action.status().IsNotImplemented()) continue;  // an action type we do not know
    if (!action.ok()) return Malformed(action.status().message());
    out.push_back(std::move(action).ValueUnsafe());
  }
  return out;
}

// Spark's LastCheckpointV2. Malformed is an error: the caller then ignores the whole
// hint and lists the log, which is slower but never wrong.
arrow::Result<LastCheckpointV2> ParseV2(const nlohmann::json& doc) {
  if (!doc.is_object()) return Malformed("\"v2Checkpoint\" is not an object");
  LastCheckpointV2 v2;
  auto path = doc.find("path");
  if (path == doc.end() || !path->is_string() || path->get<std::string>().empty()) {
    return Malformed("\"v2Checkpoint.path\" is missing or not a string");
  }
  v2.path = path->get<std::string>();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  ARROW_ASSIGN_OR_RAISE(auto size, OptionalInt(doc, "sizeInBytes", 0, kMax));
  v2.size_in_bytes = size.value_or(0);
  ARROW_ASSIGN_OR_RAISE(auto mtime, OptionalInt(doc, "modificationTime", 0, kMax));
  v2.modification_time = mtime.value_or(0);
  if (auto it = doc.find("nonFileActions"); it != doc.end() && !it->is_null()) {
    ARROW_ASSIGN_OR_RAISE(v2.non_file_actions, NonFileActions(*it, v2));
  }
  if (auto it = doc.find("sidecarFiles"); it != doc.end() && !it->is_null()) {
    if (!it->is_array())
      return Malformed("\"v2Checkpoint.sidecarFiles\" is not an array");
    std::vector<SidecarFile> sidecars;
    for (const auto& item : *it) {
      auto parsed = ParseSidecarFile(item);
      if (!parsed.ok()) return Malformed(parsed.status().message());
      sidecars.push_back(std::move(parsed).ValueUnsafe());
    }
    v2.sidecar_files = std::move(sidecars);
  }
  return v2;
}

}  // namespace

arrow::Result<LastCheckpointHint> ParseLastCheckpoint(std::string_view json) {
  nlohmann::json doc;
  try {
    // allow_exceptions=false: a syntax error yields a "discarded" value; the catch is
    // for what remains (allocation failure).
    doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  } catch (const std::exception& e) {
    return Malformed(e.what());
  }
  if (doc.is_discarded()) return Malformed("not valid JSON");
  if (!doc.is_object()) return Malformed("not a JSON object");

  constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();
  LastCheckpointHint hint;
  ARROW_ASSIGN_OR_RAISE(hint.version, RequiredInt(doc, "version"));
  ARROW_ASSIGN_OR_RAISE(hint.size, RequiredInt(doc, "size"));
  ARROW_ASSIGN_OR_RAISE(
      auto parts, OptionalInt(doc, "parts", 1, std::numeric_limits<int32_t>::max()));
  if (parts) hint.parts = static_cast<int32_t>(*parts);
  ARROW_ASSIGN_OR_RAISE(hint.size_in_bytes,
                        OptionalInt(doc, "sizeInBytes", 0, kMaxInt64));
  if (!hint.size_in_bytes) {
    // delta-rs before 0.11 wrote the snake_case name.
    ARROW_ASSIGN_OR_RAISE(hint.size_in_bytes,
                          OptionalInt(doc, "size_in_bytes", 0, kMaxInt64));
  }
  ARROW_ASSIGN_OR_RAISE(hint.num_of_add_files,
                        OptionalInt(doc, "numOfAddFiles", 0, kMaxInt64));
  if (auto it = doc.find("v2Checkpoint"); it != doc.end() && !it->is_null()) {
    ARROW_ASSIGN_OR_RAISE(hint.v2, ParseV2(*it));
  }
  return hint;
}

std::string SerializeLastCheckpoint(const LastCheckpointHint& hint) {
  // ordered_json keeps the protocol's field order, which Spark also writes.
  nlohmann::ordered_json doc;
  doc["version"] = hint.version;
  doc["size"] = hint.size;
  if (hint.parts) doc["parts"] = *hint.parts;
  if (hint.size_in_bytes) doc["sizeInBytes"] = *hint.size_in_bytes;
  if (hint.num_of_add_files) doc["numOfAddFiles"] = *hint.num_of_add_files;
  return doc.dump();
}

}  // namespace deltaline::delta
