#include "delta/write/partition_metrics.h"

#include "delta/base/errors.h"

namespace deltaline::delta {

const std::array<PartitionMetricField, 7>& PartitionMetricFields() {
  static const std::array<PartitionMetricField, 7> kFields = {{
      {"numAddedFiles", &PartitionMetrics::files_added},
      {"numOutputRows", &PartitionMetrics::rows_added},
      {"numAddedBytes", &PartitionMetrics::bytes_added},
      {"numRemovedFiles", &PartitionMetrics::files_removed},
      {"numRemovedRows", &PartitionMetrics::rows_removed},
      {"numRemovedBytes", &PartitionMetrics::bytes_removed},
      {"numCopiedRows", &PartitionMetrics::rows_copied},
  }};
  return kFields;
}

nlohmann::json PartitionMetricsToJson(const PartitionMetrics& metrics) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& field : PartitionMetricFields())
    out[field.name] = metrics.*field.member;
  return out;
}

arrow::Result<PartitionMetrics> PartitionMetricsFromJson(const nlohmann::json& json) {
  if (!json.is_object()) return InvalidInput("partition metrics must be a JSON object");
  PartitionMetrics metrics;
  for (const auto& field : PartitionMetricFields()) {
    auto it = json.find(field.name);
    if (it == json.end()) continue;
    if (!it->is_number_integer()) {
      return InvalidInput(std::string("partition metric ") + field.name +
                          " is not an integer: " + it->dump());
    }
    metrics.*field.member = it->get<int64_t>();
  }
  return metrics;
}

nlohmann::json PartitionMetricsJson(
    const std::map<std::string, PartitionMetrics>& partitions) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [directory, metrics] : partitions) {
    out[directory] = PartitionMetricsToJson(metrics);
  }
  return out;
}

}  // namespace deltaline::delta
