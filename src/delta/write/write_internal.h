#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "delta/base/actions.h"
#include "delta/write/partitioned_writer.h"
#include "delta/log/snapshot.h"
#include "delta/write/write.h"

namespace deltaline::delta {

/// \brief The removes of one commit and what they cost, per partition directory.
struct RemovalPlan {
  std::vector<Remove> removes;
  /// Files read to decide or rewrite them (a winner removing one conflicts).
  std::vector<std::string> read_paths;
  std::map<std::string, PartitionMetrics> metrics;
};

/// \brief Every live file removed (plain overwrite).
arrow::Result<RemovalPlan> PlanRemoveAll(const Snapshot& snapshot);

/// \brief Files of the partitions in `ids` (PartitionKey::id), removed whole.
arrow::Result<RemovalPlan> PlanRemovePartitions(const Snapshot& snapshot,
                                                const std::set<std::string>& ids);

/// \brief Rows where the bound `predicate` is true go away: files where it holds for
/// every row are removed, files where it holds for some are removed and their other
/// rows written to `rewrites`, the rest are untouched. A file is judged by its
/// partition values first and read only when they cannot decide. `schema` is what
/// the commit writes (the table's, or its evolved form): kept rows are read in it.
arrow::Result<RemovalPlan> PlanRemoveWhere(LogStore& store, const Snapshot& snapshot,
                                           const std::shared_ptr<arrow::Schema>& schema,
                                           const arrow::compute::Expression& predicate,
                                           PartitionedWriter& rewrites);

/// \brief kInvalidInput naming the first row of `batch` (numbered from `first_row`)
/// for which the bound `predicate` is not true.
arrow::Status CheckRowsSatisfy(const arrow::compute::Expression& predicate,
                               const arrow::RecordBatch& batch, int64_t first_row);

/// \brief Adds the files, rows and bytes of `adds` to `result.partitions`.
void AccumulateAdds(const std::vector<std::string>& partition_columns,
                    const std::vector<Add>& adds, WriteResult& result);

/// \brief commitInfo.operationMetrics of a write (Spark's names, plus
/// `partitionMetrics` as JSON when `partitioned`).
StringMap OperationMetrics(const WriteResult& result, bool targeted, bool partitioned);

/// \brief The write behind WriteBatches, ReplacePartitions and Delete. `input` is
/// null for a delete (then `options.replace_where` is the delete predicate).
arrow::Result<WriteResult> ExecuteWrite(LogStore& store, arrow::RecordBatchReader* input,
                                        const WriteOptions& options,
                                        const std::string& operation);

}  // namespace deltaline::delta
