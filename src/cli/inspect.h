#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "delta/log/snapshot.h"

namespace deltaline::cli {

/// \brief `describe --json`: version, protocol, metadata, schema, numFiles,
/// sizeBytes, numRecords (null when a file lacks stats).
nlohmann::json DescribeJson(const delta::Snapshot& snapshot);

/// \brief `history --json`: one object per commit, newest first, with version,
/// timestamp, operation, operationParameters, operationMetrics and userMetadata.
nlohmann::json HistoryJson(const std::vector<delta::CommitRecord>& commits);

/// \brief Human-readable renderings of the same.
std::string DescribeText(const nlohmann::json& describe);
std::string HistoryText(const nlohmann::json& history);

}  // namespace deltaline::cli
