#include <algorithm>

#include "delta/base/errors.h"
#include "delta/ops/clone_internal.h"

namespace deltaline::delta::clone_internal {
namespace {

// Writer features whose obligations a clone meets by copying metadata, domain metadata
// and adds verbatim into an add-only version 0: the data already satisfies
// invariants, constraints and generated columns; column mapping, type widening,
// identity high-water marks and clustering live in the schema, properties and
// domains; deletion vectors travel with their adds.
const std::vector<std::string>& CloneableWriterFeatures() {
  static const std::vector<std::string> kList = {
      "appendOnly",          "invariants",           "checkConstraints",
      "changeDataFeed",      "generatedColumns",     "columnMapping",
      "identityColumns",     "deletionVectors",      "timestampNtz",
      "typeWidening",        "typeWidening-preview", "domainMetadata",
      "v2Checkpoint",        "vacuumProtocolCheck",  "variantType",
      "variantType-preview", "variantShredding",     "variantShredding-preview",
      "clustering",          "allowColumnDefaults"};
  return kList;
}

// Why a feature cannot be cloned, for the ones known to need more than a copy.
std::string WhyNotCloneable(const std::string& feature) {
  if (feature == "rowTracking") {
    return "row ids and commit versions would have to be reassigned for the new table";
  }
  if (feature == "inCommitTimestamp") {
    return "every commit of the clone would need an inCommitTimestamp, which deltaline "
           "does not write";
  }
  if (feature.rfind("icebergCompat", 0) == 0 ||
      feature.rfind("icebergWriterCompat", 0) == 0) {
    return "the clone would need Iceberg metadata, which deltaline does not write";
  }
  return "deltaline does not know what this writer feature requires";
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

void AppendNew(std::vector<std::string>& into, const std::vector<std::string>& items) {
  for (const auto& item : items) {
    if (std::find(into.begin(), into.end(), item) == into.end()) into.push_back(item);
  }
}

}  // namespace

arrow::Status CheckCloneSupported(const Protocol& protocol) {
  if (protocol.min_writer_version > 7) {
    return UnsupportedFeature(
        "writerVersion:" + std::to_string(protocol.min_writer_version),
        "cannot clone a table of writer version " +
            std::to_string(protocol.min_writer_version));
  }
  const auto& cloneable = CloneableWriterFeatures();
  for (const auto& feature : WriterFeaturesOf(protocol)) {
    if (std::find(cloneable.begin(), cloneable.end(), feature) != cloneable.end()) {
      continue;
    }
    return UnsupportedFeature(feature, "cannot clone a table with writer feature '" +
                                           feature + "': " + WhyNotCloneable(feature));
  }
  return arrow::Status::OK();
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

}  // namespace deltaline::delta::clone_internal
