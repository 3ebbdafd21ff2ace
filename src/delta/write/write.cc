#include "delta/write/write.h"

#include <set>

#include <arrow/compute/api.h>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/file_predicate.h"
#include "delta/table/partition_path.h"
#include "delta/write/write_internal.h"

namespace deltaline::delta {
namespace {

void DeleteFiles(LogStore& store, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    (void)store.filesystem()->DeleteFile(store.root() + "/" + path);
  }
}

// The table the write builds on; null when it does not exist yet and the write
// creates it (a delete needs the table).
arrow::Result<std::shared_ptr<const Snapshot>> LoadBase(LogStore& store, WriteKind kind,
                                                        const WriteOptions& options) {
  if (options.read_snapshot) return options.read_snapshot;
  auto loaded = Snapshot::Load(store);
  if (loaded.ok()) return std::shared_ptr<const Snapshot>(*std::move(loaded));
  if (IsKind(loaded.status(), ErrorKind::kTableNotFound) && kind != WriteKind::kDelete) {
    return std::shared_ptr<const Snapshot>();
  }
  return loaded.status();
}

// True when the existing table makes the write a no-op (mode ignore, or an app
// transaction already committed); kTableAlreadyExists for mode error.
arrow::Result<bool> NothingToDo(LogStore& store, const Snapshot& snapshot,
                                const WriteOptions& options) {
  if (options.mode == SaveMode::kError) {
    return TableAlreadyExists("table '" + store.uri() + "' already exists (version " +
                              std::to_string(snapshot.version()) +
                              "); use mode append, overwrite or ignore");
  }
  if (options.mode == SaveMode::kIgnore) return true;
  if (options.app_transaction) {
    auto done = snapshot.AppTransactionVersion(options.app_transaction->app_id);
    if (done && *done >= options.app_transaction->version) return true;
  }
  return false;
}

// The partitions a partition replace removes: those the input wrote, plus the ones
// the caller asked to delete.
arrow::Result<std::set<std::string>> ReplacedPartitionIds(
    const WriteOptions& options, const WritePlan& plan, const PartitionedWriter& writer) {
  std::set<std::string> ids;
  for (const auto& [id, key] : writer.partitions()) ids.insert(id);
  const std::set<std::string> columns(plan.partition_columns.begin(),
                                      plan.partition_columns.end());
  for (const auto& values : options.delete_partitions) {
    // A misspelt column must not silently select the null partition.
    std::vector<std::string> named;
    for (const auto& [column, value] : values) named.push_back(column);
    if (std::set<std::string>(named.begin(), named.end()) != columns) {
      return InvalidInput("partition to delete names " + JoinQuoted(named) +
                          ", the table's partition columns are " +
                          JoinQuoted(plan.partition_columns));
    }
    ARROW_ASSIGN_OR_RAISE(auto normal, NormalizePartitionValues(
                                           *plan.schema, plan.partition_columns, values));
    ARROW_ASSIGN_OR_RAISE(auto key, MakePartitionKey(plan.partition_columns, normal));
    ids.insert(key.id);
  }
  return ids;
}

// The live files the write removes (after its own rows are written: a partition
// replace removes the partitions the input reached).
arrow::Result<RemovalPlan> PlanRemovals(LogStore& store, WriteKind kind,
                                        const WriteOptions& options,
                                        const WritePlan& plan,
                                        PartitionedWriter& writer) {
  switch (kind) {
    case WriteKind::kAppend:
      return RemovalPlan{};
    case WriteKind::kOverwrite:
      return PlanRemoveAll(*plan.snapshot);
    case WriteKind::kReplaceWhere:
    case WriteKind::kDelete:
      return PlanRemoveWhere(store, *plan.snapshot, plan.schema, *plan.predicate, writer);
    case WriteKind::kReplacePartitions: {
      ARROW_ASSIGN_OR_RAISE(auto ids, ReplacedPartitionIds(options, plan, writer));
      return PlanRemovePartitions(*plan.snapshot, ids);
    }
  }
  return arrow::Status::Invalid("unknown write kind");
}

// Writes the input's rows (and the rows a targeted removal keeps) into data files,
// and decides the removes. On failure the caller deletes what was written.
arrow::Status WriteFiles(LogStore& store, WriteKind kind, arrow::RecordBatchReader* input,
                         const WriteOptions& options, const WritePlan& plan,
                         PartitionedWriter& writer, WriteOutcome& outcome) {
  int64_t input_rows = 0;
  while (input) {
    ARROW_ASSIGN_OR_RAISE(auto batch, input->Next());
    if (!batch) break;
    ARROW_ASSIGN_OR_RAISE(auto conformed, ConformInput(*batch, *plan.schema));
    if (plan.predicate) {
      ARROW_RETURN_NOT_OK(CheckRowsSatisfy(*plan.predicate, *conformed, input_rows));
    }
    ARROW_RETURN_NOT_OK(writer.Write(*conformed));
    input_rows += conformed->num_rows();
  }
  if (plan.snapshot) {
    ARROW_ASSIGN_OR_RAISE(outcome.removal,
                          PlanRemovals(store, kind, options, plan, writer));
  }
  ARROW_ASSIGN_OR_RAISE(outcome.adds, writer.Finish());
  return arrow::Status::OK();
}

// What a concurrent winner must not have touched: the rows of the predicate, or the
// partitions replaced; none (the whole table) otherwise.
arrow::Result<std::optional<arrow::compute::Expression>> ReadPredicate(
    WriteKind kind, const WriteOptions& options, const WritePlan& plan,
    const PartitionedWriter& writer) {
  if (kind != WriteKind::kReplacePartitions) return plan.predicate;
  std::vector<PartitionValues> replaced;
  for (const auto& [id, key] : writer.partitions()) replaced.push_back(key.values);
  for (const auto& values : options.delete_partitions) replaced.push_back(values);
  ARROW_ASSIGN_OR_RAISE(
      auto any, PartitionsPredicate(*plan.schema, plan.partition_columns, replaced));
  ARROW_ASSIGN_OR_RAISE(auto bound, BindPredicate(any, *plan.schema));
  return std::optional<arrow::compute::Expression>(std::move(bound));
}

arrow::Result<CommitResult> CommitWrite(LogStore& store, WriteKind kind,
                                        const WriteOptions& options,
                                        const WritePlan& plan,
                                        const WriteOutcome& outcome,
                                        WriteResult& result) {
  auto committed =
      BuildWriteCommit(store, kind, options, plan, outcome, plan.snapshot, result)
          ->Commit(options.retry);
  // Two writers created the table at once; an append can still land on the winner's
  // table when the schemas agree (the data files already hold the right types).
  if (!committed.ok() && !plan.snapshot && options.mode == SaveMode::kAppend &&
      IsKind(committed.status(), ErrorKind::kTableAlreadyExists)) {
    auto reloaded = Snapshot::Load(store);
    if (reloaded.ok() && DiffSchemas(*(*reloaded)->schema(), *plan.schema).empty() &&
        (*reloaded)->partition_columns() == plan.partition_columns) {
      committed = BuildWriteCommit(store, kind, options, plan, outcome, *reloaded, result)
                      ->Commit(options.retry);
    }
  }
  return committed;
}

}  // namespace

const char* SaveModeName(SaveMode mode) {
  switch (mode) {
    case SaveMode::kAppend:
      return "append";
    case SaveMode::kOverwrite:
      return "overwrite";
    case SaveMode::kIgnore:
      return "ignore";
    case SaveMode::kError:
      return "error";
  }
  return "error";
}

arrow::Result<SaveMode> ParseSaveMode(const std::string& text) {
  for (SaveMode mode :
       {SaveMode::kError, SaveMode::kAppend, SaveMode::kOverwrite, SaveMode::kIgnore}) {
    if (text == SaveModeName(mode)) return mode;
  }
  if (text == "errorifexists") return SaveMode::kError;
  return InvalidInput("unknown write mode '" + text +
                      "' (expected error, append, overwrite or ignore)");
}

const char* WriteKindOperation(WriteKind kind) {
  return kind == WriteKind::kDelete ? "DELETE" : "WRITE";
}

arrow::Result<WriteKind> WriteKindOf(const WriteOptions& options) {
  const bool targeted = options.replace_where || options.replace_partitions;
  if (targeted && options.mode != SaveMode::kOverwrite) {
    return InvalidInput(
        "a replaceWhere predicate or partition replace needs mode overwrite, not " +
        std::string(SaveModeName(options.mode)));
  }
  if (options.replace_where && options.replace_partitions) {
    return InvalidInput("replaceWhere and partition replace cannot be combined");
  }
  if (options.replace_where) return WriteKind::kReplaceWhere;
  if (options.replace_partitions) return WriteKind::kReplacePartitions;
  return options.mode == SaveMode::kOverwrite ? WriteKind::kOverwrite
                                              : WriteKind::kAppend;
}

arrow::Result<WriteResult> ExecuteWrite(LogStore& store, WriteKind kind,
                                        arrow::RecordBatchReader* input,
                                        const WriteOptions& options) {
  // Casts need the compute kernels, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  WriteResult result;
  result.uri = store.uri();
  result.operation = WriteKindOperation(kind);
  ARROW_ASSIGN_OR_RAISE(auto snapshot, LoadBase(store, kind, options));
  if (snapshot) {
    result.version = snapshot->version();
    ARROW_ASSIGN_OR_RAISE(bool nothing_to_do, NothingToDo(store, *snapshot, options));
    if (nothing_to_do) return result;
  }
  ARROW_ASSIGN_OR_RAISE(auto plan,
                        PlanWrite(store, kind, std::move(snapshot),
                                  input ? input->schema().get() : nullptr, options));
  ARROW_ASSIGN_OR_RAISE(auto writer_options, DataWriterOptionsFor(plan, options));
  ARROW_RETURN_NOT_OK(store.filesystem()->CreateDir(store.root(), /*recursive=*/true));
  ARROW_ASSIGN_OR_RAISE(
      auto writer, PartitionedWriter::Make(store.filesystem(), store.root(), plan.schema,
                                           plan.partition_columns, writer_options,
                                           options.max_open_partition_writers));
  WriteOutcome outcome;
  auto written = WriteFiles(store, kind, input, options, plan, *writer, outcome);
  if (!written.ok()) {
    DeleteFiles(store, writer->written_paths());
    return written;
  }
  if (kind == WriteKind::kDelete && outcome.removal.removes.empty()) return result;
  ARROW_ASSIGN_OR_RAISE(outcome.read_predicate,
                        ReadPredicate(kind, options, plan, *writer));
  auto committed = CommitWrite(store, kind, options, plan, outcome, result);
  if (!committed.ok()) {
    DeleteFiles(store, writer->written_paths());
    return committed.status();
  }
  result.version = committed->version;
  result.committed = true;
  result.checkpoint_written = committed->checkpoint_written;
  result.commit_attempts = committed->attempts;
  result.schema_changed = plan.schema_update.has_value();
  return result;
}

arrow::Result<WriteResult> WriteBatches(LogStore& store, arrow::RecordBatchReader& input,
                                        const WriteOptions& options) {
  ARROW_ASSIGN_OR_RAISE(WriteKind kind, WriteKindOf(options));
  return ExecuteWrite(store, kind, &input, options);
}

arrow::Result<WriteResult> WriteTable(LogStore& store, const arrow::Table& table,
                                      const WriteOptions& options) {
  arrow::TableBatchReader reader(table);
  return WriteBatches(store, reader, options);
}

}  // namespace deltaline::delta
