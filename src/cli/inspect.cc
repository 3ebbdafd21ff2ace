#include "cli/inspect.h"

#include <ctime>
#include <sstream>

namespace deltaline::cli {
namespace {

using nlohmann::json;

json MapToJson(const delta::StringMap& map) {
  json out = json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

// operationParameters values are JSON-encoded strings in Spark's logs
// ("partitionBy": "[]"); show the decoded value when it is valid JSON.
json DecodeParameters(const delta::StringMap& map) {
  json out = json::object();
  for (const auto& [key, value] : map) {
    json parsed = json::parse(value, nullptr, false);
    out[key] = (parsed.is_discarded() || parsed.is_string() || parsed.is_number() ||
                parsed.is_boolean())
                   ? json(value)
                   : parsed;
  }
  return out;
}

std::string IsoTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
  char out[48];
  std::snprintf(out, sizeof(out), "%s.%03lldZ", buf, static_cast<long long>(ms % 1000));
  return out;
}

}  // namespace

json DescribeJson(const delta::Snapshot& snapshot) {
  const auto& protocol = snapshot.protocol();
  const auto& metadata = snapshot.metadata();
  json proto = {{"minReaderVersion", protocol.min_reader_version},
                {"minWriterVersion", protocol.min_writer_version},
                {"readerFeatures", protocol.reader_features ? json(*protocol.reader_features)
                                                            : json(nullptr)},
                {"writerFeatures", protocol.writer_features ? json(*protocol.writer_features)
                                                            : json(nullptr)}};
  json meta = {{"id", metadata.id},
               {"name", metadata.name ? json(*metadata.name) : json(nullptr)},
               {"description",
                metadata.description ? json(*metadata.description) : json(nullptr)},
               {"partitionColumns", metadata.partition_columns},
               {"configuration", MapToJson(metadata.configuration)},
               {"createdTime",
                metadata.created_time ? json(*metadata.created_time) : json(nullptr)}};
  json schema = json::parse(metadata.schema_string, nullptr, false);
  auto records = snapshot.num_records();
  return {{"version", snapshot.version()},
          {"protocol", proto},
          {"metadata", meta},
          {"schema", schema.is_discarded() ? json(metadata.schema_string) : schema},
          {"numFiles", snapshot.num_files()},
          {"sizeBytes", snapshot.size_bytes()},
          {"numRecords", records ? json(*records) : json(nullptr)}};
}

json HistoryJson(const std::vector<delta::CommitRecord>& commits) {
  json out = json::array();
  for (const auto& commit : commits) {
    json entry = {{"version", commit.version}, {"timestamp", commit.timestamp_ms}};
    if (commit.info) {
      const auto& info = *commit.info;
      entry["operation"] = info.operation;
      entry["operationParameters"] = DecodeParameters(info.operation_parameters);
      entry["operationMetrics"] = MapToJson(info.operation_metrics);
      json user = json::object();
      if (info.user_metadata) {
        json parsed = json::parse(*info.user_metadata, nullptr, false);
        // Spark stores one free-form string; deltaline stores a JSON object.
        user = parsed.is_object() ? parsed : json{{"userMetadata", *info.user_metadata}};
      }
      entry["userMetadata"] = user;
      if (info.engine_info) entry["engineInfo"] = *info.engine_info;
    } else {
      entry["operation"] = nullptr;
      entry["operationParameters"] = json::object();
      entry["operationMetrics"] = json::object();
      entry["userMetadata"] = json::object();
    }
    out.push_back(std::move(entry));
  }
  return out;
}

std::string DescribeText(const json& d) {
  std::ostringstream out;
  out << "version:        " << d["version"].dump() << "\n";
  out << "protocol:       reader " << d["protocol"]["minReaderVersion"].dump() << ", writer "
      << d["protocol"]["minWriterVersion"].dump();
  if (d["protocol"]["readerFeatures"].is_array()) {
    out << ", reader features " << d["protocol"]["readerFeatures"].dump();
  }
  if (d["protocol"]["writerFeatures"].is_array()) {
    out << ", writer features " << d["protocol"]["writerFeatures"].dump();
  }
  out << "\n";
  out << "id:             " << d["metadata"]["id"].get<std::string>() << "\n";
  if (d["metadata"]["name"].is_string()) {
    out << "name:           " << d["metadata"]["name"].get<std::string>() << "\n";
  }
  out << "partitioned by: " << d["metadata"]["partitionColumns"].dump() << "\n";
  out << "configuration:  " << d["metadata"]["configuration"].dump() << "\n";
  out << "files:          " << d["numFiles"].dump() << "\n";
  out << "size (bytes):   " << d["sizeBytes"].dump() << "\n";
  out << "records:        " << (d["numRecords"].is_null() ? "unknown" : d["numRecords"].dump())
      << "\n";
  out << "schema:\n";
  if (d["schema"].is_object() && d["schema"]["fields"].is_array()) {
    for (const auto& field : d["schema"]["fields"]) {
      out << "  " << field.value("name", "?") << ": "
          << (field["type"].is_string() ? field["type"].get<std::string>() : field["type"].dump())
          << (field.value("nullable", true) ? "" : " NOT NULL") << "\n";
    }
  }
  return out.str();
}

std::string HistoryText(const json& history) {
  std::ostringstream out;
  out << "version  timestamp                 operation  parameters / metrics\n";
  for (const auto& entry : history) {
    out << entry["version"].dump();
    for (size_t pad = entry["version"].dump().size(); pad < 9; ++pad) out << ' ';
    out << IsoTime(entry["timestamp"].get<int64_t>()) << "  ";
    std::string op = entry["operation"].is_string() ? entry["operation"].get<std::string>() : "-";
    out << op;
    for (size_t pad = op.size(); pad < 11; ++pad) out << ' ';
    out << entry["operationParameters"].dump() << " " << entry["operationMetrics"].dump();
    if (!entry["userMetadata"].empty()) out << " user=" << entry["userMetadata"].dump();
    out << "\n";
  }
  return out.str();
}

}  // namespace deltaline::cli
