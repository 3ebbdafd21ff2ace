#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

namespace deltaline::delta {

/// \brief Counts for one partition of one commit (files, rows and bytes added and
/// removed). `rows_removed` is -1 when a removed file had no `numRecords`.
struct PartitionMetrics {
  int64_t files_added = 0;
  int64_t rows_added = 0;
  int64_t bytes_added = 0;
  int64_t files_removed = 0;
  int64_t rows_removed = 0;
  int64_t bytes_removed = 0;
  /// Rows carried over from rewritten files (also counted in rows_added).
  int64_t rows_copied = 0;
};

/// \brief One count of PartitionMetrics and its one name. The names are Spark's
/// operationMetrics names (`numAddedFiles`, `numOutputRows`…), which Spark and
/// delta-rs readers of `commitInfo.operationMetrics["partitionMetrics"]` may read;
/// the CLI's JSON and the run's partition_metrics diagnostics table use them too.
struct PartitionMetricField {
  const char* name;
  int64_t PartitionMetrics::*member;
};

/// \brief Every field, in PartitionMetrics order: the one list of names.
const std::array<PartitionMetricField, 7>& PartitionMetricFields();

/// \brief `{numAddedFiles: …, numOutputRows: …, …}`: every field by its name.
nlohmann::json PartitionMetricsToJson(const PartitionMetrics& metrics);

/// \brief The inverse of PartitionMetricsToJson. A missing field stays 0; a field that
/// is not an integer, or an argument that is not an object, is kInvalidInput.
arrow::Result<PartitionMetrics> PartitionMetricsFromJson(const nlohmann::json& json);

/// \brief `{directory: PartitionMetricsToJson(…)}`, as stored in
/// `commitInfo.operationMetrics["partitionMetrics"]` (directory "" when
/// unpartitioned).
nlohmann::json PartitionMetricsJson(
    const std::map<std::string, PartitionMetrics>& partitions);

}  // namespace deltaline::delta
