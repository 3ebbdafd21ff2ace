#include "delta/write.h"

#include <charconv>
#include <chrono>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <nlohmann/json.hpp>

#include "delta/clock.h"
#include "delta/errors.h"
#include "delta/snapshot.h"
#include "delta/table_config.h"
#include "delta/table_features.h"
#include "delta/uuid.h"

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
  std::shared_ptr<arrow::Schema> schema;     ///< what data files hold
  std::optional<Metadata> new_metadata;
  std::optional<Protocol> new_protocol;
  std::optional<Metadata> schema_update;  ///< existing table whose schema changes
};

arrow::Result<Plan> PlanCreate(const arrow::Schema& input, const WriteOptions& options) {
  Plan plan;
  ARROW_RETURN_NOT_OK(ValidateTableProperties(options.table_properties));
  ARROW_ASSIGN_OR_RAISE(plan.schema, CanonicalArrowSchema(input, options.schema_conversion));
  Metadata metadata;
  metadata.id = NewUuid();
  metadata.name = options.table_name;
  metadata.description = options.table_description;
  ARROW_ASSIGN_OR_RAISE(metadata.schema_string,
                        ArrowToDeltaSchemaJson(input, options.schema_conversion));
  metadata.configuration = options.table_properties;
  metadata.created_time = NowMs();
  ARROW_ASSIGN_OR_RAISE(plan.new_protocol, ProtocolForNewTable(metadata));
  plan.new_metadata = std::move(metadata);
  return plan;
}

arrow::Result<Plan> PlanExisting(LogStore& store, std::shared_ptr<const Snapshot> snapshot,
                                 const arrow::Schema& input, const WriteOptions& options) {
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()));
  if (!snapshot->partition_columns().empty()) {
    return UnsupportedFeature("partitionColumns",
                              "writing to partitioned table '" + store.uri() +
                                  "' is not supported yet");
  }
  ARROW_ASSIGN_OR_RAISE(auto input_canonical,
                        CanonicalArrowSchema(input, options.schema_conversion));
  ARROW_ASSIGN_OR_RAISE(
      auto evolution,
      EvolveSchema(snapshot->metadata(), *snapshot->schema(), *input_canonical,
                   options.schema_mode, options.mode == SaveMode::kOverwrite, store.uri()));
  Plan plan;
  plan.schema = std::move(evolution.write_schema);
  plan.schema_update = std::move(evolution.new_metadata);
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

arrow::Result<WriteResult> WriteBatches(LogStore& store, arrow::RecordBatchReader& input,
                                        const WriteOptions& options) {
  WriteResult result;
  // Casts need the compute kernels, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  result.uri = store.uri();
  result.operation = "WRITE";
  std::shared_ptr<const Snapshot> snapshot;
  auto loaded = Snapshot::Load(store);
  if (loaded.ok()) {
    snapshot = *loaded;
  } else if (!IsKind(loaded.status(), ErrorKind::kTableNotFound)) {
    return loaded.status();
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
    ARROW_ASSIGN_OR_RAISE(plan, PlanExisting(store, snapshot, *input.schema(), options));
  } else {
    ARROW_ASSIGN_OR_RAISE(plan, PlanCreate(*input.schema(), options));
  }
  const StringMap& configuration =
      plan.new_metadata ? plan.new_metadata->configuration : snapshot->metadata().configuration;

  DataWriterOptions writer_options;
  ARROW_ASSIGN_OR_RAISE(writer_options.target_file_size, TargetFileSize(configuration));
  ARROW_ASSIGN_OR_RAISE(writer_options.stats, StatsOptionsFor(configuration));
  writer_options.writer_properties = options.writer_properties;
  ARROW_RETURN_NOT_OK(store.filesystem()->CreateDir(store.root(), /*recursive=*/true));
  ARROW_ASSIGN_OR_RAISE(auto writer, DataFileWriter::Make(store.filesystem(), store.root(),
                                                          plan.schema, writer_options));

  std::vector<Add> adds;
  auto written = [&]() -> arrow::Status {
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto batch, input.Next());
      if (!batch) break;
      ARROW_ASSIGN_OR_RAISE(auto conformed, Conform(*batch, *plan.schema));
      ARROW_RETURN_NOT_OK(writer->Write(*conformed));
      result.rows_added += conformed->num_rows();
    }
    ARROW_ASSIGN_OR_RAISE(adds, writer->Finish());
    return arrow::Status::OK();
  }();
  if (!written.ok()) {
    DeleteFiles(store, writer->written_paths());
    return written;
  }

  auto build = [&](std::shared_ptr<const Snapshot> base) {
    auto txn = std::make_unique<Transaction>(&store, base);
    if (!base) {
      txn->AddAction(*plan.new_protocol);
      txn->AddAction(*plan.new_metadata);
    } else if (plan.schema_update) {
      txn->AddAction(*plan.schema_update);
    }
    result.files_removed = 0;
    result.bytes_removed = 0;
    result.rows_removed = 0;
    if (base && options.mode == SaveMode::kOverwrite) {
      txn->MarkReadWholeTable();
      int64_t now = NowMs();
      for (const auto& file : base->files()) {
        Remove remove;
        remove.path = file.path;
        remove.deletion_timestamp = now;
        remove.data_change = true;
        remove.extended_file_metadata = true;
        remove.partition_values = file.partition_values;
        remove.size = file.size;
        remove.deletion_vector = file.deletion_vector;
        txn->AddAction(std::move(remove));
        result.files_removed += 1;
        result.bytes_removed += file.size;
        auto stats = nlohmann::json::parse(file.stats.value_or(""), nullptr, false);
        if (result.rows_removed >= 0 && stats.is_object() && stats.contains("numRecords") &&
            stats["numRecords"].is_number_integer()) {
          result.rows_removed += stats["numRecords"].get<int64_t>();
        } else {
          result.rows_removed = -1;
        }
      }
    }
    result.files_added = static_cast<int64_t>(adds.size());
    result.bytes_added = 0;
    for (const auto& add : adds) {
      result.bytes_added += add.size;
      txn->AddAction(add);
    }
    txn->SetOperation("WRITE", {{"mode", SparkModeName(options.mode)}, {"partitionBy", "[]"}});
    StringMap metrics = {{"numFiles", std::to_string(result.files_added)},
                         {"numOutputRows", std::to_string(result.rows_added)},
                         {"numOutputBytes", std::to_string(result.bytes_added)},
                         {"numAddedFiles", std::to_string(result.files_added)},
                         {"numRemovedFiles", std::to_string(result.files_removed)},
                         {"numRemovedBytes", std::to_string(result.bytes_removed)}};
    if (result.rows_removed >= 0) metrics["numRemovedRows"] = std::to_string(result.rows_removed);
    txn->SetOperationMetrics(std::move(metrics));
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
        (*reloaded)->partition_columns().empty()) {
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

arrow::Result<WriteResult> WriteTable(LogStore& store, const arrow::Table& table,
                                      const WriteOptions& options) {
  arrow::TableBatchReader reader(table);
  return WriteBatches(store, reader, options);
}

}  // namespace deltaline::delta
