#include "delta/ops/table_properties_update.h"

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {

arrow::Result<TablePropertiesUpdate> SetTableProperties(LogStore& store,
                                                        const StringMap& properties,
                                                        const CommitRetryPolicy& retry) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(store));
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()));
  TablePropertiesUpdate update;
  update.version = snapshot->version();
  Metadata metadata = snapshot->metadata();
  for (const auto& [key, value] : properties) {
    auto it = metadata.configuration.find(key);
    if (it != metadata.configuration.end() && it->second == value) continue;
    metadata.configuration[key] = value;
    update.changed[key] = value;
  }
  if (update.changed.empty()) return update;
  ARROW_RETURN_NOT_OK(ValidateTableProperties(metadata.configuration));

  Transaction txn(&store, snapshot);
  txn.AddAction(metadata);
  nlohmann::json changed(update.changed);
  txn.SetOperation("SET TBLPROPERTIES", {{"properties", changed.dump()}});
  ARROW_ASSIGN_OR_RAISE(auto committed, txn.Commit(retry));
  update.version = committed.version;
  update.committed = true;
  return update;
}

}  // namespace deltaline::delta
