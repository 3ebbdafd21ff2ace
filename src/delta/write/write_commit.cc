// The commit of a write: its actions, its commitInfo, and the counts of WriteResult.
#include "delta/write/write_internal.h"

namespace deltaline::delta {
namespace {

std::string SparkModeName(SaveMode mode) {
  switch (mode) {
    case SaveMode::kAppend:
      return "Append";
    case SaveMode::kOverwrite:
      return "Overwrite";
    case SaveMode::kIgnore:
      return "Ignore";
    case SaveMode::kError:
      return "ErrorIfExists";
  }
  return "ErrorIfExists";
}

// commitInfo.operationParameters, as Spark writes them for WRITE and DELETE.
StringMap CommitParameters(WriteKind kind, const WriteOptions& options,
                           const WritePlan& plan) {
  if (kind == WriteKind::kDelete) {
    return {{"predicate", JoinQuoted({plan.predicate->ToString()})}};
  }
  StringMap parameters = {{"mode", SparkModeName(options.mode)},
                          {"partitionBy", JoinQuoted(plan.partition_columns)}};
  if (plan.predicate) parameters["predicate"] = JoinQuoted({plan.predicate->ToString()});
  if (kind == WriteKind::kReplacePartitions) parameters["replacePartitions"] = "true";
  return parameters;
}

// The removal side of `result`: per partition and in total.
void CountRemovals(const RemovalPlan& removal, WriteResult& result) {
  result.partitions = removal.metrics;
  result.files_removed = 0;
  result.bytes_removed = 0;
  result.rows_removed = 0;
  result.rows_copied = 0;
  for (const auto& [directory, metrics] : removal.metrics) {
    result.files_removed += metrics.files_removed;
    result.bytes_removed += metrics.bytes_removed;
    result.rows_copied += metrics.rows_copied;
    if (result.rows_removed >= 0) {
      result.rows_removed =
          metrics.rows_removed >= 0 ? result.rows_removed + metrics.rows_removed : -1;
    }
  }
}

// The add side of `result`; after CountRemovals, whose partitions it extends.
void CountAdds(const std::vector<std::string>& partition_columns,
               const std::vector<Add>& adds, WriteResult& result) {
  AccumulateAdds(partition_columns, adds, result);
  result.files_added = static_cast<int64_t>(adds.size());
  result.bytes_added = 0;
  result.rows_added = 0;
  for (const auto& add : adds) result.bytes_added += add.size;
  for (const auto& [directory, metrics] : result.partitions) {
    result.rows_added += metrics.rows_added;
  }
}

}  // namespace

std::unique_ptr<Transaction> BuildWriteCommit(LogStore& store, WriteKind kind,
                                              const WriteOptions& options,
                                              const WritePlan& plan,
                                              const WriteOutcome& outcome,
                                              std::shared_ptr<const Snapshot> base,
                                              WriteResult& result) {
  const bool removes = base && kind != WriteKind::kAppend;
  auto txn = std::make_unique<Transaction>(&store, base);
  if (!base) {
    txn->AddAction(*plan.new_protocol);
    txn->AddAction(*plan.new_metadata);
  } else if (plan.schema_update) {
    txn->AddAction(*plan.schema_update);
  }
  CountRemovals(outcome.removal, result);
  if (removes) {
    if (outcome.read_predicate) {
      txn->SetReadPredicate(*outcome.read_predicate, plan.schema);
      for (const auto& path : outcome.removal.read_paths) txn->AddReadFile(path);
    } else {
      txn->MarkReadWholeTable();
    }
    for (const auto& remove : outcome.removal.removes) txn->AddAction(remove);
  }
  CountAdds(plan.partition_columns, outcome.adds, result);
  for (const auto& add : outcome.adds) txn->AddAction(add);
  txn->SetOperation(WriteKindOperation(kind), CommitParameters(kind, options, plan));
  txn->SetOperationMetrics(
      OperationMetrics(result, kind, !plan.partition_columns.empty()));
  txn->SetUserMetadata(options.user_metadata);
  if (options.app_transaction) {
    txn->SetAppTransaction(options.app_transaction->app_id,
                           options.app_transaction->version);
  }
  return txn;
}

}  // namespace deltaline::delta
