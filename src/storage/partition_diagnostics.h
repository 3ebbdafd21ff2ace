#pragma once

#include <string>

#include <arrow/status.h>

#include "delta/write/write.h"
#include "storage/output_policy.h"

namespace deltaline::storage {

/// \brief `<run_dir>/_diagnostics/partition_metrics`: where a run's per-partition
/// write counts accumulate.
std::string PartitionMetricsTablePath(const RunContext& run);

/// \brief Appends one row per partition of a committed write (time, run id, dataset,
/// table uri, version, operation, partition directory — "" when unpartitioned —
/// and one column per count, named as delta::PartitionMetricFields names them) to the
/// run's partition_metrics Delta table, as one commit (AppendDiagnostics). A write that
/// committed nothing appends nothing.
arrow::Status AppendPartitionMetrics(const RunContext& run, const std::string& dataset,
                                     const delta::WriteResult& result);

}  // namespace deltaline::storage
