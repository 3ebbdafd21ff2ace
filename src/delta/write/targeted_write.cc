// Targeted removal for replaceWhere, partition replace and delete: which live files
// go, which are rewritten, and what that costs per partition.
#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <nlohmann/json.hpp>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/predicate/file_predicate.h"
#include "delta/predicate/skipping.h"
#include "delta/scan/data_file_reader.h"
#include "delta/table/partition_path.h"
#include "delta/write/write_internal.h"

namespace deltaline::delta {
namespace {

std::optional<int64_t> NumRecords(const Add& file) {
  auto stats = nlohmann::json::parse(file.stats.value_or(""), nullptr, false);
  if (stats.is_object() && stats.contains("numRecords") &&
      stats["numRecords"].is_number_integer()) {
    return stats["numRecords"].get<int64_t>();
  }
  return std::nullopt;
}

void AddRemove(RemovalPlan& plan, const Add& file, const std::string& directory,
               std::optional<int64_t> rows, int64_t now) {
  plan.removes.push_back(RemoveOf(file, now, /*data_change=*/true));
  PartitionMetrics& metrics = plan.metrics[directory];
  metrics.files_removed += 1;
  metrics.bytes_removed += file.size;
  if (metrics.rows_removed >= 0)
    metrics.rows_removed = rows ? metrics.rows_removed + *rows : -1;
}

arrow::Result<PartitionKey> KeyOf(const Snapshot& snapshot, const Add& file) {
  ARROW_ASSIGN_OR_RAISE(auto values, NormalizePartitionValues(
                                         *snapshot.schema(), snapshot.partition_columns(),
                                         file.partition_values));
  return MakePartitionKey(snapshot.partition_columns(), values);
}

arrow::Result<std::string> DirectoryOf(const Snapshot& snapshot, const Add& file) {
  ARROW_ASSIGN_OR_RAISE(auto key, KeyOf(snapshot, file));
  return key.directory;
}

}  // namespace

arrow::Status CheckRowsSatisfy(const arrow::compute::Expression& predicate,
                               const arrow::RecordBatch& batch, int64_t first_row) {
  ARROW_ASSIGN_OR_RAISE(auto is_true, PredicateIsTrue(predicate, batch));
  if (is_true->true_count() == batch.num_rows()) return arrow::Status::OK();
  int64_t row = 0;
  while (row < batch.num_rows() && is_true->Value(row)) ++row;
  return InvalidInput("input row " + std::to_string(first_row + row) +
                      " does not satisfy the overwrite predicate " +
                      predicate.ToString() + "; nothing was committed");
}

void AccumulateAdds(const std::vector<std::string>& partition_columns,
                    const std::vector<Add>& adds, WriteResult& result) {
  for (const auto& add : adds) {
    auto key = MakePartitionKey(partition_columns, add.partition_values);
    PartitionMetrics& metrics = result.partitions[key.ok() ? key->directory : add.path];
    metrics.files_added += 1;
    metrics.bytes_added += add.size;
    auto stats = nlohmann::json::parse(add.stats.value_or(""), nullptr, false);
    if (stats.is_object() && stats.contains("numRecords") &&
        stats["numRecords"].is_number_integer()) {
      metrics.rows_added += stats["numRecords"].get<int64_t>();
    }
  }
}

StringMap OperationMetrics(const WriteResult& result, WriteKind kind, bool partitioned) {
  const bool targeted = kind == WriteKind::kReplaceWhere || kind == WriteKind::kDelete;
  StringMap metrics = {{"numFiles", std::to_string(result.files_added)},
                       {"numOutputRows", std::to_string(result.rows_added)},
                       {"numOutputBytes", std::to_string(result.bytes_added)},
                       {"numAddedFiles", std::to_string(result.files_added)},
                       {"numRemovedFiles", std::to_string(result.files_removed)},
                       {"numRemovedBytes", std::to_string(result.bytes_removed)}};
  if (result.rows_removed >= 0)
    metrics["numRemovedRows"] = std::to_string(result.rows_removed);
  if (targeted) metrics["numCopiedRows"] = std::to_string(result.rows_copied);
  if (kind == WriteKind::kDelete && result.rows_removed >= 0) {
    metrics["numDeletedRows"] = std::to_string(result.rows_removed - result.rows_copied);
  }
  if (partitioned) {
    metrics["partitionMetrics"] =
        PartitionMetricsJson(result.partitions)
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return metrics;
}

arrow::Result<RemovalPlan> PlanRemoveAll(const Snapshot& snapshot) {
  RemovalPlan plan;
  const int64_t now = NowMs();
  for (const auto& file : snapshot.files()) {
    ARROW_ASSIGN_OR_RAISE(auto directory, DirectoryOf(snapshot, file));
    AddRemove(plan, file, directory, NumRecords(file), now);
  }
  return plan;
}

arrow::Result<RemovalPlan> PlanRemovePartitions(const Snapshot& snapshot,
                                                const std::set<std::string>& ids) {
  RemovalPlan plan;
  const int64_t now = NowMs();
  for (const auto& file : snapshot.files()) {
    ARROW_ASSIGN_OR_RAISE(auto key, KeyOf(snapshot, file));
    if (!ids.count(key.id)) continue;
    AddRemove(plan, file, key.directory, NumRecords(file), now);
    plan.read_paths.push_back(file.path);
  }
  return plan;
}

arrow::Result<RemovalPlan> PlanRemoveWhere(LogStore& store, const Snapshot& snapshot,
                                           const std::shared_ptr<arrow::Schema>& schema,
                                           const arrow::compute::Expression& predicate,
                                           PartitionedWriter& rewrites) {
  RemovalPlan plan;
  const int64_t now = NowMs();
  // Partition values and stats decide most files; only undecided ones are read.
  ARROW_ASSIGN_OR_RAISE(
      auto pruner, FilePruner::Make(predicate, schema, snapshot.partition_columns()));
  for (const auto& file : snapshot.files()) {
    ARROW_ASSIGN_OR_RAISE(auto verdict, pruner->Evaluate(file));
    if (verdict.match == FileMatch::kNone) continue;
    ARROW_ASSIGN_OR_RAISE(auto directory, DirectoryOf(snapshot, file));
    plan.read_paths.push_back(file.path);
    if (verdict.match == FileMatch::kAll) {
      AddRemove(plan, file, directory, NumRecords(file), now);
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(
        auto rows, ReadDataFile(store, schema, snapshot.partition_columns(), file));
    ARROW_ASSIGN_OR_RAISE(auto combined, rows->CombineChunksToBatch());
    ARROW_ASSIGN_OR_RAISE(auto is_true, PredicateIsTrue(predicate, *combined));
    const int64_t matching = is_true->true_count();
    if (matching == 0) continue;
    AddRemove(plan, file, directory, combined->num_rows(), now);
    if (matching == combined->num_rows()) continue;
    ARROW_ASSIGN_OR_RAISE(auto keep, arrow::compute::CallFunction("invert", {is_true}));
    ARROW_ASSIGN_OR_RAISE(auto kept, arrow::compute::Filter(combined, keep));
    ARROW_RETURN_NOT_OK(rewrites.Write(*kept.record_batch()));
    plan.metrics[directory].rows_copied += kept.record_batch()->num_rows();
  }
  return plan;
}

arrow::Result<WriteResult> ReplacePartitions(
    LogStore& store, arrow::RecordBatchReader& input,
    const std::vector<std::string>& partition_columns,
    const std::vector<PartitionValues>& delete_partitions, WriteOptions options) {
  if (partition_columns.empty()) {
    return InvalidInput("ReplacePartitions on '" + store.uri() +
                        "' needs partition columns");
  }
  if (options.replace_where) {
    return InvalidInput("ReplacePartitions takes no replaceWhere predicate");
  }
  options.mode = SaveMode::kOverwrite;
  options.partition_by = partition_columns;
  options.replace_partitions = true;
  options.delete_partitions = delete_partitions;
  ARROW_ASSIGN_OR_RAISE(WriteKind kind, WriteKindOf(options));
  return ExecuteWrite(store, kind, &input, options);
}

arrow::Result<WriteResult> Delete(LogStore& store,
                                  const arrow::compute::Expression& predicate,
                                  WriteOptions options) {
  options.mode = SaveMode::kOverwrite;
  options.replace_where = predicate;
  options.replace_partitions = false;
  return ExecuteWrite(store, WriteKind::kDelete, nullptr, options);
}

}  // namespace deltaline::delta
