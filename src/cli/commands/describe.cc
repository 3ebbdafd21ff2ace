// `deltaline describe TABLE`: protocol, metadata, schema, size and the table's policy.
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/log/snapshot.h"
#include "delta/table/clustering.h"
#include "storage/write_policy.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct DescribeArgs {
  std::string table;
  std::optional<int64_t> version;  ///< unset: latest
  bool json = false;
};

json MapToJson(const delta::StringMap& map) {
  json out = json::object();
  for (const auto& [key, value] : map) out[key] = value;
  return out;
}

// version, protocol, metadata, schema, numFiles, sizeBytes, numRecords (live rows:
// deletion vectors subtracted; null when a file lacks stats), and the files with a
// deletion vector and the rows they delete.
json DescribeJson(const delta::Snapshot& snapshot) {
  const auto& protocol = snapshot.protocol();
  const auto& metadata = snapshot.metadata();
  json proto = {
      {"minReaderVersion", protocol.min_reader_version},
      {"minWriterVersion", protocol.min_writer_version},
      {"readerFeatures",
       protocol.reader_features ? json(*protocol.reader_features) : json(nullptr)},
      {"writerFeatures",
       protocol.writer_features ? json(*protocol.writer_features) : json(nullptr)}};
  json meta = {
      {"id", metadata.id},
      {"name", metadata.name ? json(*metadata.name) : json(nullptr)},
      {"description", metadata.description ? json(*metadata.description) : json(nullptr)},
      {"partitionColumns", metadata.partition_columns},
      {"configuration", MapToJson(metadata.configuration)},
      {"createdTime",
       metadata.created_time ? json(*metadata.created_time) : json(nullptr)}};
  json schema = json::parse(metadata.schema_string, nullptr, false);
  auto records = snapshot.num_records();
  json domains = json::object();
  for (const auto& [name, domain] : snapshot.state().domains) {
    domains[name] = domain.configuration;
  }
  const auto dvs = snapshot.deletion_vectors();
  return {{"version", snapshot.version()},
          {"protocol", proto},
          {"metadata", meta},
          {"schema", schema.is_discarded() ? json(metadata.schema_string) : schema},
          {"numFiles", snapshot.num_files()},
          {"sizeBytes", snapshot.size_bytes()},
          {"numRecords", records ? json(*records) : json(nullptr)},
          {"numFilesWithDeletionVectors", dvs.files},
          {"numDeletedRows", dvs.deleted_rows},
          {"domainMetadata", domains}};
}

// Column paths as text: "a", "b.c" (a name with a dot or backtick is quoted).
std::string PathText(const json& path) {
  std::string out;
  for (const auto& name : path) {
    std::string text = name.get<std::string>();
    if (text.find_first_of(".`") != std::string::npos) text = "`" + text + "`";
    out += (out.empty() ? "" : ".") + text;
  }
  return out;
}

std::string DescribeText(const json& d) {
  std::ostringstream out;
  out << "version:        " << d["version"].dump() << "\n";
  out << "protocol:       reader " << d["protocol"]["minReaderVersion"].dump()
      << ", writer " << d["protocol"]["minWriterVersion"].dump();
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
  if (d["clusteringColumns"].is_array()) {
    out << "clustered by:   ";
    for (size_t idx = 0; idx < d["clusteringColumns"].size(); ++idx) {
      out << (idx ? ", " : "") << PathText(d["clusteringColumns"][idx]);
    }
    out << "\n";
  }
  out << "configuration:  " << d["metadata"]["configuration"].dump() << "\n";
  if (!d["domainMetadata"].empty()) {
    out << "domains:        ";
    bool first = true;
    for (const auto& [name, config] : d["domainMetadata"].items()) {
      out << (first ? "" : ", ") << name << " " << config.get<std::string>();
      first = false;
    }
    out << "\n";
  }
  out << "files:          " << d["numFiles"].dump() << "\n";
  out << "size (bytes):   " << d["sizeBytes"].dump() << "\n";
  out << "records:        "
      << (d["numRecords"].is_null() ? "unknown" : d["numRecords"].dump());
  if (d["numFilesWithDeletionVectors"].get<int64_t>() > 0) {
    out << " (" << d["numDeletedRows"].dump() << " deleted by the deletion vectors of "
        << d["numFilesWithDeletionVectors"].dump() << " files)";
  }
  out << "\n";
  out << "schema:\n";
  if (d["schema"].is_object() && d["schema"]["fields"].is_array()) {
    for (const auto& field : d["schema"]["fields"]) {
      out << "  " << field.value("name", "?") << ": "
          << (field["type"].is_string() ? field["type"].get<std::string>()
                                        : field["type"].dump())
          << (field.value("nullable", true) ? "" : " NOT NULL") << "\n";
    }
  }
  return out.str();
}

arrow::Status Run(const DescribeArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  delta::SnapshotRequest request;
  request.version = args.version;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store, request));
  auto described = DescribeJson(*snapshot);
  ARROW_ASSIGN_OR_RAISE(auto clustering,
                        delta::ClusteringColumns(snapshot->state().domains,
                                                 snapshot->metadata().schema_string));
  described["clusteringColumns"] = clustering ? json(*clustering) : json(nullptr);
  described["policy"] = storage::TablePolicyJson(snapshot->metadata().configuration);
  if (args.json) {
    PrintJson(described);
  } else {
    std::cout << DescribeText(described);
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterDescribe(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<DescribeArgs>();
  auto* cmd = app.add_subcommand("describe", "Protocol, metadata, schema and size");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--version", args->version, "Version to describe (default latest)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "Print the description as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
