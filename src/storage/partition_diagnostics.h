#pragma once

#include <string>

#include <arrow/status.h>

#include "storage/output_policy.h"
#include "delta/write/write.h"

namespace deltaline::storage {

/// \brief `<run_dir>/_diagnostics/partition_metrics`: where a run's per-partition
/// write counts accumulate.
std::string PartitionMetricsTablePath(const RunContext& run);

/// \brief Appends one row per partition of a committed write (time, run id, dataset,
/// table uri, version, operation, partition directory — "" when unpartitioned —
/// and the files, rows and bytes added and removed, rows copied) to the run's
/// partition_metrics Delta table, as one commit. A write that committed nothing
/// appends nothing.
arrow::Status AppendPartitionMetrics(const RunContext& run, const std::string& dataset,
                                     const delta::WriteResult& result);

}  // namespace deltaline::storage
