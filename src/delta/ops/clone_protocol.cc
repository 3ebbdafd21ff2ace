#include <algorithm>

#include "delta/base/errors.h"
#include "delta/ops/clone_internal.h"
#include "delta/table/table_features.h"

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

}  // namespace deltaline::delta::clone_internal
