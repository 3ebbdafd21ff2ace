#include "obs/table_facts.h"

#include <algorithm>
#include <variant>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/table/table_config.h"

namespace deltaline::obs {
namespace {

using nlohmann::json;

json MapToJson(const delta::StringMap& map) {
  json out = json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

// A JSON text that holds a structure is that structure; anything else (a plain name,
// a number that is a name) stays the string it was stored as.
json ParsedIfStructured(const std::string& text) {
  json parsed = json::parse(text, nullptr, false);
  if (parsed.is_object() || parsed.is_array()) return parsed;
  return text;
}

json ProtocolJson(const delta::Protocol& protocol) {
  return {{"minReaderVersion", protocol.min_reader_version},
          {"minWriterVersion", protocol.min_writer_version},
          {"readerFeatures",
           protocol.reader_features ? json(*protocol.reader_features) : json(nullptr)},
          {"writerFeatures",
           protocol.writer_features ? json(*protocol.writer_features) : json(nullptr)}};
}

// The columns that get file statistics, as the writer decides them: the explicit list
// wins over the count.
arrow::Result<json> StatsColumnsJson(const delta::StringMap& configuration) {
  ARROW_ASSIGN_OR_RAISE(int indexed, delta::DataSkippingNumIndexedCols(configuration));
  auto columns = delta::DataSkippingStatsColumns(configuration);
  return json{
      {"dataSkippingStatsColumns", columns.empty() ? json(nullptr) : json(columns)},
      {"dataSkippingNumIndexedCols", indexed}};
}

// The headline counts of a commit under one set of names, whatever the operation.
json CountsJson(const json& metrics) {
  static const std::vector<std::pair<const char*, const char*>> kNames{
      {"rowsAdded", "numOutputRows"},      {"rowsRemoved", "numRemovedRows"},
      {"rowsCopied", "numCopiedRows"},     {"filesAdded", "numAddedFiles"},
      {"filesRemoved", "numRemovedFiles"}, {"bytesAdded", "numOutputBytes"},
      {"bytesRemoved", "numRemovedBytes"}};
  json out = json::object();
  for (const auto& [name, key] : kNames) {
    out[name] = metrics.contains(key) ? metrics[key] : json(nullptr);
  }
  return out;
}

json CommitJson(int64_t version, const delta::CommitInfo& info) {
  const auto timestamp =
      info.in_commit_timestamp ? info.in_commit_timestamp : info.timestamp;
  json parameters = json::object();
  for (const auto& [key, value] : info.operation_parameters) {
    parameters[key] = ParsedIfStructured(value);
  }
  return {{"version", version},
          {"timestamp", timestamp ? json(*timestamp) : json(nullptr)},
          {"operation", info.operation},
          {"operationParameters", parameters},
          {"operationMetrics", OperationMetricsJson(info.operation_metrics)},
          {"userMetadata", UserMetadataJson(info.user_metadata)},
          {"engineInfo", info.engine_info ? json(*info.engine_info) : json(nullptr)},
          {"readVersion", info.read_version ? json(*info.read_version) : json(nullptr)}};
}

// The commit at `version`; a commit without commitInfo (some writers omit it) has a
// null operation.
arrow::Result<json> ReadCommitJson(delta::LogStore& store, int64_t version) {
  ARROW_ASSIGN_OR_RAISE(auto actions, delta::ReadCommit(store, version));
  for (const auto& action : actions) {
    if (const auto* info = std::get_if<delta::CommitInfo>(&action)) {
      return CommitJson(version, *info);
    }
  }
  return json{{"version", version},
              {"timestamp", nullptr},
              {"operation", nullptr},
              {"operationParameters", json::object()},
              {"operationMetrics", json::object()},
              {"userMetadata", json::object()},
              {"engineInfo", nullptr},
              {"readVersion", nullptr}};
}

// Newest first. Commits whose JSON a checkpoint let be cleaned up end the list.
json HistoryJson(delta::LogStore& store, int64_t version, int entries) {
  json out = json::array();
  for (int64_t at = version; at >= 0 && at > version - entries; --at) {
    auto commit = ReadCommitJson(store, at);
    if (!commit.ok()) break;
    out.push_back(std::move(*commit));
  }
  return out;
}

}  // namespace

json OperationMetricsJson(const delta::StringMap& metrics) {
  json out = json::object();
  for (const auto& [key, value] : metrics) {
    json parsed = json::parse(value, nullptr, false);
    out[key] = (parsed.is_number() || parsed.is_object()) ? parsed : json(value);
  }
  return out;
}

json UserMetadataJson(const std::optional<std::string>& user_metadata) {
  if (!user_metadata) return json::object();
  json parsed = json::parse(*user_metadata, nullptr, false);
  if (!parsed.is_object()) return json{{"userMetadata", *user_metadata}};
  json out = json::object();
  for (const auto& [key, value] : parsed.items()) {
    out[key] = value.is_string() ? ParsedIfStructured(value.get<std::string>()) : value;
  }
  return out;
}

arrow::Result<json> TableFacts(const std::string& uri, std::optional<int64_t> version,
                               bool with_commit, int history_entries) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  delta::SnapshotRequest request;
  request.version = version;
  // The manifest describes whatever the run wrote, readable here or not.
  request.check_read_support = false;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store, request));
  const auto& metadata = snapshot->metadata();
  json schema = json::parse(metadata.schema_string, nullptr, false);
  ARROW_ASSIGN_OR_RAISE(json stats_columns, StatsColumnsJson(metadata.configuration));
  auto records = snapshot->num_records();
  json facts = {{"exists", true},
                {"version", snapshot->version()},
                {"tableId", metadata.id},
                {"protocol", ProtocolJson(snapshot->protocol())},
                {"schema", schema.is_discarded() ? json(metadata.schema_string) : schema},
                {"partitionColumns", metadata.partition_columns},
                {"tableProperties", MapToJson(metadata.configuration)},
                {"statsColumns", stats_columns},
                {"numFiles", snapshot->num_files()},
                {"sizeBytes", snapshot->size_bytes()},
                {"numRecords", records ? json(*records) : json(nullptr)},
                {"commit", nullptr}};
  if (with_commit) {
    ARROW_ASSIGN_OR_RAISE(json commit, ReadCommitJson(*store, snapshot->version()));
    facts["counts"] = CountsJson(commit["operationMetrics"]);
    const json& metrics = commit["operationMetrics"];
    facts["partitionMetrics"] = metrics.contains("partitionMetrics")
                                    ? metrics["partitionMetrics"]
                                    : json::object();
    facts["commit"] = std::move(commit);
  }
  facts["history"] = HistoryJson(*store, snapshot->version(), history_entries);
  return facts;
}

}  // namespace deltaline::obs
