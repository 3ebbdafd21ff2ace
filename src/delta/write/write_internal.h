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
#include "delta/log/snapshot.h"
#include "delta/write/partitioned_writer.h"
#include "delta/write/write.h"

namespace deltaline::delta {

/// \brief What a write does to the files already in the table; chosen once, from
/// the entry point and its options, and read by every step after.
enum class WriteKind {
  kAppend,             ///< add rows, remove nothing (also modes error/ignore)
  kOverwrite,          ///< add rows, remove every live file
  kReplaceWhere,       ///< add rows, replace the rows a predicate selects
  kReplacePartitions,  ///< add rows, replace the partitions they fall in
  kDelete,             ///< no rows in: remove the rows a predicate selects
};

/// \brief commitInfo.operation: "DELETE" for kDelete, else "WRITE".
const char* WriteKindOperation(WriteKind kind);

/// \brief The kind of a write of rows (kDelete is Delete's own). kInvalidInput for
/// combinations that mean nothing (replaceWhere without mode overwrite…).
arrow::Result<WriteKind> WriteKindOf(const WriteOptions& options);

/// \brief What a write decided before it wrote a row.
struct WritePlan {
  std::shared_ptr<const Snapshot> snapshot;  ///< null when creating the table
  std::shared_ptr<arrow::Schema> schema;     ///< what data files are written with
  std::vector<std::string> partition_columns;
  std::optional<Metadata> new_metadata;   ///< when creating
  std::optional<Protocol> new_protocol;   ///< when creating
  std::optional<Metadata> schema_update;  ///< existing table whose metadata changes
  /// replaceWhere or delete predicate, bound to `schema`.
  std::optional<arrow::compute::Expression> predicate;
};

/// \brief Plans a write of rows with schema `input` (null for a delete) into the
/// table `snapshot` (null: create it). Errors: kSchemaMismatch, kInvalidInput, and
/// those of CheckWriteSupported and EvolveSchema.
arrow::Result<WritePlan> PlanWrite(LogStore& store, WriteKind kind,
                                   std::shared_ptr<const Snapshot> snapshot,
                                   const arrow::Schema* input,
                                   const WriteOptions& options);

/// \brief Casts and reorders one input batch to `target` (a WritePlan's schema).
arrow::Result<std::shared_ptr<arrow::RecordBatch>> ConformInput(
    const arrow::RecordBatch& batch, const arrow::Schema& target);

/// \brief Data-file options from the table's properties and the write's options.
arrow::Result<DataWriterOptions> DataWriterOptionsFor(const WritePlan& plan,
                                                      const WriteOptions& options);

/// \brief `["a","b"]`, for messages and commitInfo parameters.
std::string JoinQuoted(const std::vector<std::string>& names);

/// \brief The removes of one commit and what they cost, per partition directory.
struct RemovalPlan {
  std::vector<Remove> removes;
  /// Files read to decide or rewrite them (a winner removing one conflicts).
  std::vector<std::string> read_paths;
  std::map<std::string, PartitionMetrics> metrics;
};

/// \brief Everything a write produced, ready to be committed.
struct WriteOutcome {
  std::vector<Add> adds;
  RemovalPlan removal;
  /// What a concurrent winner must not have touched; none = the whole table (when
  /// the write removes anything at all).
  std::optional<arrow::compute::Expression> read_predicate;
};

/// \brief The transaction of a write on top of `base` (null: the table is created),
/// filling the counts of `result`. Called again on the winner's table when a create
/// race is lost, so it starts every count from zero.
std::unique_ptr<Transaction> BuildWriteCommit(LogStore& store, WriteKind kind,
                                              const WriteOptions& options,
                                              const WritePlan& plan,
                                              const WriteOutcome& outcome,
                                              std::shared_ptr<const Snapshot> base,
                                              WriteResult& result);

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
/// `partitionMetrics` as JSON when `partitioned`; `numDeletedRows` for kDelete).
StringMap OperationMetrics(const WriteResult& result, WriteKind kind, bool partitioned);

/// \brief The write behind WriteBatches, ReplacePartitions and Delete. `input` is
/// null exactly for kDelete (then `options.replace_where` is the delete predicate).
arrow::Result<WriteResult> ExecuteWrite(LogStore& store, WriteKind kind,
                                        arrow::RecordBatchReader* input,
                                        const WriteOptions& options);

}  // namespace deltaline::delta
