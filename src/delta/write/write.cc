#include "delta/write/write.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <nlohmann/json.hpp>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/predicate/file_predicate.h"
#include "delta/table/partition_path.h"
#include "delta/log/snapshot.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"
#include "delta/base/uuid.h"
#include "delta/write/write_internal.h"

namespace deltaline::delta {
namespace {

std::string SparkModeName(SaveMode mode) {
  switch (mode) {
    case SaveMode::kAppend: return "Append";
    case SaveMode::kOverwrite: return "Overwrite";
    case SaveMode::kIgnore: return "Ignore";
    case SaveMode::kError: return "ErrorIfExists";
  }
  return "ErrorIfExists";
}

// Lists every difference between the input and the table schema, so one error
// tells the user everything to fix. Column order does not matter.
arrow::Status CompareSchemas(const arrow::Schema& table, const arrow::Schema& input,
                             const std::string& uri) {
  std::vector<std::string> diffs;
  for (const auto& field : table.fields()) {
    auto other = input.GetFieldByName(field->name());
    if (!other) {
      diffs.push_back("missing column '" + field->name() + "' (" + field->type()->ToString() +
                      ")");
    } else if (!other->type()->Equals(*field->type(), /*check_metadata=*/false)) {
      diffs.push_back("column '" + field->name() + "' is " + other->type()->ToString() +
                      ", the table has " + field->type()->ToString());
    }
  }
  for (const auto& field : input.fields()) {
    if (table.GetFieldIndex(field->name()) < 0) {
      diffs.push_back("extra column '" + field->name() + "' (" + field->type()->ToString() +
                      ")");
    }
  }
  if (table.num_fields() != input.num_fields() && diffs.empty()) {
    diffs.push_back("duplicate column names in the input");
  }
  if (diffs.empty()) return arrow::Status::OK();
  std::string msg = "input schema does not match table '" + uri + "': ";
  for (size_t i = 0; i < diffs.size(); ++i) msg += (i ? "; " : "") + diffs[i];
  return SchemaMismatch(msg);
}

// Casts and reorders one input batch to the table's Arrow schema.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> Conform(const arrow::RecordBatch& batch,
                                                           const arrow::Schema& target) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  columns.reserve(target.num_fields());
  for (const auto& field : target.fields()) {
    auto column = batch.GetColumnByName(field->name());
    // Only schema mode merge lets a nullable column be absent from the input.
    if (!column && field->nullable() && batch.schema()->GetFieldIndex(field->name()) < 0) {
      ARROW_ASSIGN_OR_RAISE(column, arrow::MakeArrayOfNull(field->type(), batch.num_rows()));
    }
    if (!column) return SchemaMismatch("input batch lacks column '" + field->name() + "'");
    if (!column->type()->Equals(*field->type(), /*check_metadata=*/false)) {
      auto cast = arrow::compute::Cast(*column, field->type(),
                                       arrow::compute::CastOptions::Safe());
      if (!cast.ok()) {
        return InvalidInput("column '" + field->name() + "': cannot convert " +
                            column->type()->ToString() + " to " + field->type()->ToString() +
                            ": " + cast.status().message());
      }
      column = *cast;
    }
    if (!field->nullable() && column->null_count() > 0) {
      return InvalidInput("column '" + field->name() + "' is NOT NULL but the input has " +
                          std::to_string(column->null_count()) + " null value(s)");
    }
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(
      std::make_shared<arrow::Schema>(target.fields()), batch.num_rows(), std::move(columns));
}

arrow::Result<StatsOptions> StatsOptionsFor(const StringMap& configuration) {
  StatsOptions stats;
  if (auto it = configuration.find("delta.dataSkippingNumIndexedCols");
      it != configuration.end()) {
    int value = 0;
    const std::string& text = it->second;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value < -1) {
      return InvalidInput("delta.dataSkippingNumIndexedCols='" + text +
                          "' must be an integer >= -1");
    }
    stats.num_indexed_cols = value;
  }
  if (auto it = configuration.find("delta.dataSkippingStatsColumns");
      it != configuration.end()) {
    std::string item;
    for (char c : it->second + ",") {
      if (c == ',') {
        auto begin = item.find_first_not_of(' ');
        if (begin != std::string::npos) {
          stats.stats_columns.push_back(item.substr(begin, item.find_last_not_of(' ') - begin + 1));
        }
        item.clear();
      } else {
        item += c;
      }
    }
  }
  return stats;
}

void DeleteFiles(LogStore& store, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    (void)store.filesystem()->DeleteFile(store.root() + "/" + path);
  }
}

struct Plan {
  std::shared_ptr<const Snapshot> snapshot;  ///< null when creating
  std::shared_ptr<arrow::Schema> schema;     ///< the table's full Arrow schema
  std::vector<std::string> partition_columns;
  std::optional<Metadata> new_metadata;
  std::optional<Protocol> new_protocol;
  std::optional<Metadata> schema_update;  ///< existing table whose schema changes
};

std::string JoinQuoted(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

arrow::Status CheckPartitionBy(const arrow::Schema& schema,
                               const std::vector<std::string>& columns) {
  std::set<std::string> seen;
  for (const auto& column : columns) {
    auto field = schema.GetFieldByName(column);
    if (!field) {
      return InvalidInput("partition column '" + column + "' is not a column of the input (" +
                          schema.ToString() + ")");
    }
    if (!seen.insert(column).second) {
      return InvalidInput("partition column '" + column + "' is listed twice");
    }
    ARROW_RETURN_NOT_OK(CheckPartitionColumnType(column, *field->type()));
  }
  if (!columns.empty() && static_cast<int>(columns.size()) >= schema.num_fields()) {
    return InvalidInput("cannot partition by every column (" + JoinQuoted(columns) +
                        "): data files need at least one column");
  }
  return arrow::Status::OK();
}

arrow::Result<Plan> PlanCreate(const arrow::Schema& input, const WriteOptions& options) {
  Plan plan;
  ARROW_RETURN_NOT_OK(ValidateTableProperties(options.table_properties));
  ARROW_ASSIGN_OR_RAISE(plan.schema, CanonicalArrowSchema(input, options.schema_conversion));
  ARROW_RETURN_NOT_OK(CheckPartitionBy(*plan.schema, options.partition_by));
  plan.partition_columns = options.partition_by;
  Metadata metadata;
  metadata.id = NewUuid();
  metadata.name = options.table_name;
  metadata.description = options.table_description;
  ARROW_ASSIGN_OR_RAISE(metadata.schema_string,
                        ArrowToDeltaSchemaJson(input, options.schema_conversion));
  metadata.partition_columns = options.partition_by;
  metadata.configuration = options.table_properties;
  metadata.created_time = NowMs();
  ARROW_ASSIGN_OR_RAISE(plan.new_protocol, ProtocolForNewTable(metadata));
  plan.new_metadata = std::move(metadata);
  return plan;
}

arrow::Result<Plan> PlanExisting(LogStore& store, std::shared_ptr<const Snapshot> snapshot,
                                 const arrow::Schema* input, const WriteOptions& options) {
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()));
  const bool repartition =
      !options.partition_by.empty() && options.partition_by != snapshot->partition_columns();
  // As in Spark: new partition columns only when the whole table and its schema are
  // replaced, else old files would sit in a layout the metadata no longer describes.
  const bool replace_all = options.mode == SaveMode::kOverwrite &&
                           options.schema_mode == SchemaMode::kOverwrite &&
                           !options.replace_where && !options.replace_partitions;
  if (repartition && !replace_all) {
    return SchemaMismatch("table '" + store.uri() + "' is partitioned by " +
                          JoinQuoted(snapshot->partition_columns()) + ", the write asks for " +
                          JoinQuoted(options.partition_by) +
                          "; changing partition columns needs mode overwrite with schema "
                          "mode overwrite");
  }
  Plan plan;
  plan.schema = snapshot->schema();
  plan.partition_columns = snapshot->partition_columns();
  if (input) {
    ARROW_ASSIGN_OR_RAISE(auto input_canonical,
                          CanonicalArrowSchema(*input, options.schema_conversion));
    ARROW_ASSIGN_OR_RAISE(
        auto evolution,
        EvolveSchema(snapshot->metadata(), *snapshot->schema(), *input_canonical,
                     options.schema_mode, options.mode == SaveMode::kOverwrite, store.uri()));
    plan.schema = std::move(evolution.write_schema);
    plan.schema_update = std::move(evolution.new_metadata);
  }
  if (repartition) {
    ARROW_RETURN_NOT_OK(CheckPartitionBy(*plan.schema, options.partition_by));
    if (!plan.schema_update) plan.schema_update = snapshot->metadata();
    plan.schema_update->partition_columns = options.partition_by;
    plan.partition_columns = options.partition_by;
  }
  plan.snapshot = std::move(snapshot);
  return plan;
}

}  // namespace

const char* SaveModeName(SaveMode mode) {
  switch (mode) {
    case SaveMode::kAppend: return "append";
    case SaveMode::kOverwrite: return "overwrite";
    case SaveMode::kIgnore: return "ignore";
    case SaveMode::kError: return "error";
  }
  return "error";
}

arrow::Result<SaveMode> ParseSaveMode(const std::string& text) {
  for (SaveMode mode : {SaveMode::kError, SaveMode::kAppend, SaveMode::kOverwrite,
                        SaveMode::kIgnore}) {
    if (text == SaveModeName(mode)) return mode;
  }
  if (text == "errorifexists") return SaveMode::kError;
  return InvalidInput("unknown write mode '" + text +
                      "' (expected error, append, overwrite or ignore)");
}

arrow::Result<WriteResult> ExecuteWrite(LogStore& store, arrow::RecordBatchReader* input,
                                        const WriteOptions& options,
                                        const std::string& operation) {
  WriteResult result;
  // Casts need the compute kernels, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  result.uri = store.uri();
  result.operation = operation;
  const bool targeted = options.replace_where || options.replace_partitions;
  if (targeted && options.mode != SaveMode::kOverwrite) {
    return InvalidInput("a replaceWhere predicate or partition replace needs mode overwrite, not " +
                        std::string(SaveModeName(options.mode)));
  }
  if (options.replace_where && options.replace_partitions) {
    return InvalidInput("replaceWhere and partition replace cannot be combined");
  }
  std::shared_ptr<const Snapshot> snapshot = options.read_snapshot;
  if (!snapshot) {
    auto loaded = Snapshot::Load(store);
    if (loaded.ok()) {
      snapshot = *loaded;
    } else if (!IsKind(loaded.status(), ErrorKind::kTableNotFound) || !input) {
      return loaded.status();
    }
  }

  if (snapshot) {
    result.version = snapshot->version();
    if (options.mode == SaveMode::kError) {
      return TableAlreadyExists("table '" + store.uri() + "' already exists (version " +
                                std::to_string(snapshot->version()) +
                                "); use mode append, overwrite or ignore");
    }
    if (options.mode == SaveMode::kIgnore) return result;
    if (options.app_transaction) {
      auto done = snapshot->AppTransactionVersion(options.app_transaction->app_id);
      if (done && *done >= options.app_transaction->version) return result;
    }
  }

  Plan plan;
  if (snapshot) {
    ARROW_ASSIGN_OR_RAISE(plan, PlanExisting(store, snapshot, input ? input->schema().get()
                                                                      : nullptr, options));
  } else {
    ARROW_ASSIGN_OR_RAISE(plan, PlanCreate(*input->schema(), options));
  }
  if (options.replace_partitions && plan.partition_columns.empty()) {
    return InvalidInput("table '" + store.uri() +
                        "' is not partitioned: partition replace needs partition columns");
  }
  std::optional<arrow::compute::Expression> predicate;
  if (options.replace_where) {
    ARROW_ASSIGN_OR_RAISE(predicate, BindPredicate(*options.replace_where, *plan.schema));
  }
  const StringMap& configuration =
      plan.new_metadata ? plan.new_metadata->configuration : snapshot->metadata().configuration;

  DataWriterOptions writer_options;
  ARROW_ASSIGN_OR_RAISE(writer_options.target_file_size, TargetFileSize(configuration));
  ARROW_ASSIGN_OR_RAISE(writer_options.stats, StatsOptionsFor(configuration));
  writer_options.writer_properties = options.writer_properties;
  if (!plan.partition_columns.empty()) {
    // Memory is bounded by the open files' row groups together, not each alone.
    writer_options.max_row_group_bytes =
        std::min<int64_t>(writer_options.max_row_group_bytes,
                          (int64_t{1} << 30) / std::max(1, options.max_open_partition_writers));
  }
  ARROW_RETURN_NOT_OK(store.filesystem()->CreateDir(store.root(), /*recursive=*/true));
  ARROW_ASSIGN_OR_RAISE(
      auto writer, PartitionedWriter::Make(store.filesystem(), store.root(), plan.schema,
                                           plan.partition_columns, writer_options,
                                           options.max_open_partition_writers));

  std::vector<Add> adds;
  RemovalPlan removal;
  auto written = [&]() -> arrow::Status {
    int64_t input_rows = 0;
    while (input) {
      ARROW_ASSIGN_OR_RAISE(auto batch, input->Next());
      if (!batch) break;
      ARROW_ASSIGN_OR_RAISE(auto conformed, Conform(*batch, *plan.schema));
      if (predicate) ARROW_RETURN_NOT_OK(CheckRowsSatisfy(*predicate, *conformed, input_rows));
      ARROW_RETURN_NOT_OK(writer->Write(*conformed));
      input_rows += conformed->num_rows();
    }
    if (snapshot && options.mode == SaveMode::kOverwrite) {
      if (predicate) {
        ARROW_ASSIGN_OR_RAISE(removal, PlanRemoveWhere(store, *snapshot, plan.schema,
                                                             *predicate, *writer));
      } else if (options.replace_partitions) {
        std::set<std::string> ids;
        for (const auto& [id, key] : writer->partitions()) ids.insert(id);
        for (const auto& values : options.delete_partitions) {
          // A misspelt column must not silently select the null partition.
          std::vector<std::string> named;
          for (const auto& [column, value] : values) named.push_back(column);
          if (std::set<std::string>(named.begin(), named.end()) !=
              std::set<std::string>(plan.partition_columns.begin(),
                                    plan.partition_columns.end())) {
            return InvalidInput("partition to delete names " + JoinQuoted(named) +
                                ", the table's partition columns are " +
                                JoinQuoted(plan.partition_columns));
          }
          ARROW_ASSIGN_OR_RAISE(auto normal, NormalizePartitionValues(
                                                 *plan.schema, plan.partition_columns, values));
          ARROW_ASSIGN_OR_RAISE(auto key, MakePartitionKey(plan.partition_columns, normal));
          ids.insert(key.id);
        }
        ARROW_ASSIGN_OR_RAISE(removal, PlanRemovePartitions(*snapshot, ids));
      } else {
        ARROW_ASSIGN_OR_RAISE(removal, PlanRemoveAll(*snapshot));
      }
    }
    ARROW_ASSIGN_OR_RAISE(adds, writer->Finish());
    return arrow::Status::OK();
  }();
  if (!written.ok()) {
    DeleteFiles(store, writer->written_paths());
    return written;
  }
  if (!input && removal.removes.empty()) return result;  // a delete that matched nothing

  // What a concurrent winner must not have touched: the partitions we replace.
  std::optional<arrow::compute::Expression> read_predicate = predicate;
  if (options.replace_partitions) {
    std::vector<PartitionValues> replaced;
    for (const auto& [id, key] : writer->partitions()) replaced.push_back(key.values);
    for (const auto& values : options.delete_partitions) replaced.push_back(values);
    ARROW_ASSIGN_OR_RAISE(auto any, PartitionsPredicate(*plan.schema, plan.partition_columns,
                                                        replaced));
    ARROW_ASSIGN_OR_RAISE(read_predicate, BindPredicate(any, *plan.schema));
  }

  auto build = [&](std::shared_ptr<const Snapshot> base) {
    auto txn = std::make_unique<Transaction>(&store, base);
    if (!base) {
      txn->AddAction(*plan.new_protocol);
      txn->AddAction(*plan.new_metadata);
    } else if (plan.schema_update) {
      txn->AddAction(*plan.schema_update);
    }
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
    if (base && options.mode == SaveMode::kOverwrite) {
      if (read_predicate) {
        txn->SetReadPredicate(*read_predicate, plan.schema);
        for (const auto& path : removal.read_paths) txn->AddReadFile(path);
      } else {
        txn->MarkReadWholeTable();
      }
      for (const auto& remove : removal.removes) txn->AddAction(remove);
    }
    AccumulateAdds(plan.partition_columns, adds, result);
    result.files_added = static_cast<int64_t>(adds.size());
    result.bytes_added = 0;
    result.rows_added = 0;
    for (const auto& add : adds) {
      result.bytes_added += add.size;
      txn->AddAction(add);
    }
    for (const auto& [directory, metrics] : result.partitions) {
      result.rows_added += metrics.rows_added;
    }
    StringMap parameters;
    if (operation == "DELETE") {
      parameters["predicate"] = JoinQuoted({predicate->ToString()});
    } else {
      parameters = {{"mode", SparkModeName(options.mode)},
                    {"partitionBy", JoinQuoted(plan.partition_columns)}};
      if (predicate) parameters["predicate"] = JoinQuoted({predicate->ToString()});
      if (options.replace_partitions) parameters["replacePartitions"] = "true";
    }
    txn->SetOperation(operation, std::move(parameters));
    txn->SetOperationMetrics(OperationMetrics(result, predicate.has_value(),
                                              !plan.partition_columns.empty()));
    txn->SetUserMetadata(options.user_metadata);
    if (options.app_transaction) {
      txn->SetAppTransaction(options.app_transaction->app_id, options.app_transaction->version);
    }
    return txn;
  };

  auto committed = build(snapshot)->Commit(options.retry);
  // Two writers created the table at once; an append can still land on the winner's
  // table when the schemas agree (the data files already hold the right types).
  if (!committed.ok() && !snapshot && options.mode == SaveMode::kAppend &&
      IsKind(committed.status(), ErrorKind::kTableAlreadyExists)) {
    auto reloaded = Snapshot::Load(store);
    if (reloaded.ok() &&
        CompareSchemas(*(*reloaded)->schema(), *plan.schema, store.uri()).ok() &&
        (*reloaded)->partition_columns() == plan.partition_columns) {
      committed = build(*reloaded)->Commit(options.retry);
    }
  }
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
  return ExecuteWrite(store, &input, options, "WRITE");
}

arrow::Result<WriteResult> WriteTable(LogStore& store, const arrow::Table& table,
                                      const WriteOptions& options) {
  arrow::TableBatchReader reader(table);
  return WriteBatches(store, reader, options);
}

}  // namespace deltaline::delta
