#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/ops/optimize.h"
#include "delta/table/partition_path.h"
#include "delta/write/data_writer.h"

namespace deltaline::delta {

/// \brief One partition to rewrite (Spark's bin): its files, rewritten together.
struct OptimizeJob {
  PartitionKey key;
  std::vector<Add> inputs;  ///< by modification time, then path (insertion order)
  int64_t input_bytes = 0;
  /// Rows the inputs hold once their deletion vectors apply; nullopt when a file
  /// lacks `numRecords`.
  std::optional<int64_t> rows;
};

/// \brief What Optimize decided before it read a row.
struct OptimizePlan {
  std::shared_ptr<const Snapshot> snapshot;
  std::shared_ptr<arrow::Schema> data_schema;  ///< table columns minus partitions
  int64_t target_size = 0;
  DataWriterOptions writer_options;
  std::vector<std::string> zorder_by;
  std::vector<std::string> predicates;  ///< commitInfo's `predicate` (SQL texts)
  std::vector<OptimizeJob> jobs;
  int64_t considered_files = 0;  ///< files of the selected partitions
};

/// \brief Checks the table and the options and picks the partitions and files to
/// rewrite. Errors: see Optimize.
arrow::Result<OptimizePlan> PlanOptimize(LogStore& store, const OptimizeOptions& options);

/// \brief Rewrites one job's rows into new files under its partition directory
/// (Z-ordered when the plan says so). Returns the `add`s (dataChange false, paths
/// encoded, partition values set) and adds to `rows`; `written` collects every path
/// written (table-relative, decoded) for cleanup. `on_file` is called after each
/// input file is read, with its size.
arrow::Result<std::vector<Add>> RewriteJob(LogStore& store, const OptimizePlan& plan,
                                           const OptimizeJob& job, int64_t& rows,
                                           std::vector<std::string>& written,
                                           const std::function<void(int64_t)>& on_file);

}  // namespace deltaline::delta
