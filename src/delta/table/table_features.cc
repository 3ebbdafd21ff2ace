#include "delta/table/table_features.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/table/column_mapping.h"
#include "delta/table/schema.h"
#include "delta/table/table_config.h"
#include "delta/table/type_widening.h"

namespace deltaline::delta {
namespace {

constexpr int kMaxReaderVersion = 3;
constexpr int kMaxWriterVersion = 7;

bool Contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool ColumnMappingOn(const Metadata& metadata) {
  return ColumnMappingMode(metadata.configuration) != "none";
}

// True when any field (at any depth) of the schema carries a metadata key with
// this prefix, e.g. "delta.generationExpression".
bool SchemaHasFieldMetadata(const nlohmann::json& node, const std::string& prefix) {
  if (node.is_object()) {
    auto meta = node.find("metadata");
    if (meta != node.end() && meta->is_object()) {
      for (auto it = meta->begin(); it != meta->end(); ++it) {
        if (it.key().rfind(prefix, 0) == 0) return true;
      }
    }
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (SchemaHasFieldMetadata(*it, prefix)) return true;
    }
  } else if (node.is_array()) {
    for (const auto& item : node) {
      if (SchemaHasFieldMetadata(item, prefix)) return true;
    }
  }
  return false;
}

bool SchemaHas(const Metadata& metadata, const std::string& prefix) {
  auto schema = nlohmann::json::parse(metadata.schema_string, nullptr, false);
  return !schema.is_discarded() && SchemaHasFieldMetadata(schema, prefix);
}

bool HasConstraints(const Metadata& metadata) {
  for (const auto& [key, value] : metadata.configuration) {
    if (key.rfind("delta.constraints.", 0) == 0) return true;
  }
  return false;
}

arrow::Status Refuse(const std::string& feature, const std::string& what) {
  return UnsupportedFeature(
      feature,
      "table feature '" + feature + "' is not supported for " + what + " by deltaline");
}

// Writer features that are safe only while unused: returns the refusal if used.
arrow::Status CheckWriterFeatureUse(const std::string& feature,
                                    const Metadata& metadata) {
  if (feature == "invariants" && SchemaHas(metadata, "delta.invariants")) {
    return Refuse("invariants", "writing (the schema declares column invariants)");
  }
  if (feature == "checkConstraints" && HasConstraints(metadata)) {
    return Refuse("checkConstraints", "writing (the table has CHECK constraints)");
  }
  if (feature == "changeDataFeed" && ChangeDataFeedEnabled(metadata.configuration)) {
    return Refuse("changeDataFeed", "writing (delta.enableChangeDataFeed=true)");
  }
  if (feature == "generatedColumns" &&
      SchemaHas(metadata, "delta.generationExpression")) {
    return Refuse("generatedColumns", "writing (the schema has generated columns)");
  }
  if (feature == "columnMapping" && ColumnMappingOn(metadata)) {
    return Refuse("columnMapping", "writing");
  }
  if (feature == "identityColumns" && SchemaHas(metadata, "delta.identity.")) {
    return Refuse("identityColumns", "writing (the schema has identity columns)");
  }
  return arrow::Status::OK();
}

const std::vector<std::string>& ConditionallySupportedWriterFeatures() {
  static const std::vector<std::string> kList = {"invariants",     "checkConstraints",
                                                 "changeDataFeed", "generatedColumns",
                                                 "columnMapping",  "identityColumns"};
  return kList;
}

}  // namespace

const std::vector<std::string>& SupportedReaderFeatures() {
  // deletionVectors: read only; it stays out of the writer list, so a write, delete or
  // vacuum of a table with DVs is refused by name (it would have to carry them).
  static const std::vector<std::string> kList = {
      "timestampNtz", "vacuumProtocolCheck", "columnMapping" /* none, name, id */,
      "typeWidening", "typeWidening-preview", "v2Checkpoint", "deletionVectors",
      // Variant: unshredded files only; a shredded file is refused when it is read.
      "variantType", "variantType-preview", "variantShredding-preview",
      "variantShredding"};
  return kList;
}

const std::vector<std::string>& SupportedWriterFeatures() {
  static const std::vector<std::string> kList = {"appendOnly", "timestampNtz",
                                                 "domainMetadata", "vacuumProtocolCheck"};
  return kList;
}

arrow::Status CheckReadSupported(const Protocol& protocol, const Metadata& metadata) {
  if (protocol.min_reader_version > kMaxReaderVersion ||
      protocol.min_reader_version < 1) {
    return UnsupportedFeature(
        "readerVersion:" + std::to_string(protocol.min_reader_version),
        "table needs reader version " + std::to_string(protocol.min_reader_version) +
            "; deltaline reads up to " + std::to_string(kMaxReaderVersion));
  }
  // Reader version 2 means column mapping (PROTOCOL.md, "Column Mapping").
  if (protocol.min_reader_version == 2) {
    ARROW_RETURN_NOT_OK(CheckColumnMappingMode(metadata));
  }
  if (protocol.min_reader_version == 3) {
    for (const auto& feature :
         protocol.reader_features.value_or(std::vector<std::string>{})) {
      if (!Contains(SupportedReaderFeatures(), feature))
        return Refuse(feature, "reading");
      if (feature == "columnMapping")
        ARROW_RETURN_NOT_OK(CheckColumnMappingMode(metadata));
    }
  }
  // Type changes are validated whatever the protocol says: files of the old type
  // would otherwise be read by casts nobody vouched for.
  return CheckTypeChanges(metadata.schema_string);
}

arrow::Status CheckWriteSupported(const Protocol& protocol, const Metadata& metadata) {
  ARROW_RETURN_NOT_OK(CheckReadSupported(protocol, metadata));
  int version = protocol.min_writer_version;
  if (version > kMaxWriterVersion || version < 1) {
    return UnsupportedFeature("writerVersion:" + std::to_string(version),
                              "table needs writer version " + std::to_string(version) +
                                  "; deltaline writes up to " +
                                  std::to_string(kMaxWriterVersion));
  }
  std::vector<std::string> implied;
  if (version == kMaxWriterVersion) {
    implied = protocol.writer_features.value_or(std::vector<std::string>{});
  } else {
    // Legacy versions imply a fixed feature set (PROTOCOL.md, "Table Features").
    if (version >= 2) implied.insert(implied.end(), {"appendOnly", "invariants"});
    if (version >= 3) implied.push_back("checkConstraints");
    if (version >= 4)
      implied.insert(implied.end(), {"changeDataFeed", "generatedColumns"});
    if (version >= 5) implied.push_back("columnMapping");
    if (version >= 6) implied.push_back("identityColumns");
  }
  for (const auto& feature : implied) {
    if (Contains(SupportedWriterFeatures(), feature)) continue;
    if (Contains(ConditionallySupportedWriterFeatures(), feature)) {
      ARROW_RETURN_NOT_OK(CheckWriterFeatureUse(feature, metadata));
      continue;
    }
    return Refuse(feature, "writing");
  }
  return arrow::Status::OK();
}

arrow::Result<Protocol> ProtocolForNewTable(const Metadata& metadata) {
  Protocol protocol;
  ARROW_ASSIGN_OR_RAISE(bool ntz, UsesTimestampNtz(metadata.schema_string));
  if (ntz) {
    protocol.min_reader_version = 3;
    protocol.min_writer_version = 7;
    protocol.reader_features = std::vector<std::string>{"timestampNtz"};
    protocol.writer_features = std::vector<std::string>{"timestampNtz"};
  }
  return protocol;
}

// Legacy writer versions imply fixed feature sets (PROTOCOL.md, "Table Features").
std::vector<std::string> WriterFeaturesOf(const Protocol& protocol) {
  if (protocol.min_writer_version >= 7) {
    return protocol.writer_features.value_or(std::vector<std::string>{});
  }
  std::vector<std::string> implied;
  const int version = protocol.min_writer_version;
  if (version >= 2) implied.insert(implied.end(), {"appendOnly", "invariants"});
  if (version >= 3) implied.push_back("checkConstraints");
  if (version >= 4) implied.insert(implied.end(), {"changeDataFeed", "generatedColumns"});
  if (version >= 5) implied.push_back("columnMapping");
  if (version >= 6) implied.push_back("identityColumns");
  return implied;
}

std::vector<std::string> ReaderFeaturesOf(const Protocol& protocol) {
  if (protocol.min_reader_version >= 3) {
    return protocol.reader_features.value_or(std::vector<std::string>{});
  }
  if (protocol.min_reader_version == 2) return {"columnMapping"};
  return {};
}

static void AppendNew(std::vector<std::string>& into,
                      const std::vector<std::string>& items) {
  for (const auto& item : items) {
    if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
  }
}

Protocol MergeProtocols(const Protocol& source, const Protocol& target) {
  if (source == target) return source;
  const bool features = source.min_writer_version >= 7 ||
                        target.min_writer_version >= 7 ||
                        source.min_reader_version >= 3 || target.min_reader_version >= 3;
  Protocol merged;
  if (!features) {
    merged.min_reader_version =
        std::max(source.min_reader_version, target.min_reader_version);
    merged.min_writer_version =
        std::max(source.min_writer_version, target.min_writer_version);
    return merged;
  }
  std::vector<std::string> reader = ReaderFeaturesOf(source);
  AppendNew(reader, ReaderFeaturesOf(target));
  std::vector<std::string> writer = WriterFeaturesOf(source);
  AppendNew(writer, WriterFeaturesOf(target));
  AppendNew(writer, reader);  // a reader feature is always a writer feature too
  merged.min_writer_version = 7;
  merged.writer_features = std::move(writer);
  if (reader.empty()) {
    merged.min_reader_version = 1;
  } else {
    merged.min_reader_version = 3;
    merged.reader_features = std::move(reader);
  }
  return merged;
}

}  // namespace deltaline::delta
