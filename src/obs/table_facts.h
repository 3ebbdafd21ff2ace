#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "delta/base/actions.h"

namespace deltaline::obs {

/// \brief Spark-style operationMetrics (string values) as JSON: counts become numbers,
/// `partitionMetrics` (a JSON text) becomes an object.
nlohmann::json OperationMetricsJson(const delta::StringMap& metrics);

/// \brief A commit's userMetadata: deltaline stores a JSON object whose `deltaline.*`
/// values are themselves JSON texts for the structured ones (policy, orderingKeys,
/// constraints); those are parsed, plain strings (dataset, fingerprint) kept. A
/// free-form (Spark) string becomes {"userMetadata": text}.
nlohmann::json UserMetadataJson(const std::optional<std::string>& user_metadata);

/// \brief What Delta's own log says about the table at `uri`: the protocol, schema,
/// partition columns, properties, stats columns and size at `version` (latest when
/// unset), the commit of that version (operation, parameters, metrics, user
/// metadata) when `with_commit`, and the newest `history_entries` commits at or
/// before it. Keys are camelCase, as in the Delta log.
arrow::Result<nlohmann::json> TableFacts(const std::string& uri,
                                         std::optional<int64_t> version, bool with_commit,
                                         int history_entries);

}  // namespace deltaline::obs
