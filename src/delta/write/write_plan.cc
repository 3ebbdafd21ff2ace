// Planning a write before any row is written: the table's schema and partition
// columns after the write, its new metadata, and how data files are written.
#include <algorithm>
#include <set>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <nlohmann/json.hpp>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/uuid.h"
#include "delta/predicate/file_predicate.h"
#include "delta/table/partition_path.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"
#include "delta/write/write_internal.h"

namespace deltaline::delta {
namespace {

arrow::Result<StatsOptions> StatsOptionsFor(const StringMap& configuration) {
  StatsOptions stats;
  ARROW_ASSIGN_OR_RAISE(stats.num_indexed_cols,
                        DataSkippingNumIndexedCols(configuration));
  stats.stats_columns = DataSkippingStatsColumns(configuration);
  return stats;
}

arrow::Status CheckPartitionBy(const arrow::Schema& schema,
                               const std::vector<std::string>& columns) {
  std::set<std::string> seen;
  for (const auto& column : columns) {
    auto field = schema.GetFieldByName(column);
    if (!field) {
      return InvalidInput("partition column '" + column +
                          "' is not a column of the input (" + schema.ToString() + ")");
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

arrow::Result<WritePlan> PlanCreate(const arrow::Schema& input,
                                    const WriteOptions& options) {
  WritePlan plan;
  ARROW_RETURN_NOT_OK(ValidateTableProperties(options.table_properties));
  ARROW_ASSIGN_OR_RAISE(plan.schema,
                        CanonicalArrowSchema(input, options.schema_conversion));
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

arrow::Result<WritePlan> PlanExisting(LogStore& store,
                                      std::shared_ptr<const Snapshot> snapshot,
                                      const arrow::Schema* input,
                                      const WriteOptions& options) {
  ARROW_RETURN_NOT_OK(CheckWriteSupported(snapshot->protocol(), snapshot->metadata()));
  const bool repartition = !options.partition_by.empty() &&
                           options.partition_by != snapshot->partition_columns();
  // As in Spark: new partition columns only when the whole table and its schema are
  // replaced, else old files would sit in a layout the metadata no longer describes.
  const bool replace_all = options.mode == SaveMode::kOverwrite &&
                           options.schema_mode == SchemaMode::kOverwrite &&
                           !options.replace_where && !options.replace_partitions;
  if (repartition && !replace_all) {
    return SchemaMismatch("table '" + store.uri() + "' is partitioned by " +
                          JoinQuoted(snapshot->partition_columns()) +
                          ", the write asks for " + JoinQuoted(options.partition_by) +
                          "; changing partition columns needs mode overwrite with schema "
                          "mode overwrite");
  }
  WritePlan plan;
  plan.schema = snapshot->schema();
  plan.partition_columns = snapshot->partition_columns();
  if (input) {
    ARROW_ASSIGN_OR_RAISE(auto input_canonical,
                          CanonicalArrowSchema(*input, options.schema_conversion));
    ARROW_ASSIGN_OR_RAISE(
        auto evolution, EvolveSchema(snapshot->metadata(), *snapshot->schema(),
                                     *input_canonical, options.schema_mode,
                                     options.mode == SaveMode::kOverwrite, store.uri()));
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

std::string JoinQuoted(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump(-1, ' ', false,
                                    nlohmann::json::error_handler_t::replace);
}

arrow::Result<WritePlan> PlanWrite(LogStore& store, WriteKind kind,
                                   std::shared_ptr<const Snapshot> snapshot,
                                   const arrow::Schema* input,
                                   const WriteOptions& options) {
  WritePlan plan;
  if (snapshot) {
    ARROW_ASSIGN_OR_RAISE(plan, PlanExisting(store, std::move(snapshot), input, options));
  } else {
    ARROW_ASSIGN_OR_RAISE(plan, PlanCreate(*input, options));
  }
  if (kind == WriteKind::kReplacePartitions && plan.partition_columns.empty()) {
    return InvalidInput(
        "table '" + store.uri() +
        "' is not partitioned: partition replace needs partition columns");
  }
  if (options.replace_where) {
    ARROW_ASSIGN_OR_RAISE(plan.predicate,
                          BindPredicate(*options.replace_where, *plan.schema));
  }
  return plan;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> ConformInput(
    const arrow::RecordBatch& batch, const arrow::Schema& target) {
  std::vector<std::shared_ptr<arrow::Array>> columns;
  columns.reserve(target.num_fields());
  for (const auto& field : target.fields()) {
    auto column = batch.GetColumnByName(field->name());
    // Only schema mode merge lets a nullable column be absent from the input.
    if (!column && field->nullable() &&
        batch.schema()->GetFieldIndex(field->name()) < 0) {
      ARROW_ASSIGN_OR_RAISE(column,
                            arrow::MakeArrayOfNull(field->type(), batch.num_rows()));
    }
    if (!column)
      return SchemaMismatch("input batch lacks column '" + field->name() + "'");
    if (!column->type()->Equals(*field->type(), /*check_metadata=*/false)) {
      auto cast = arrow::compute::Cast(*column, field->type(),
                                       arrow::compute::CastOptions::Safe());
      if (!cast.ok()) {
        return InvalidInput("column '" + field->name() + "': cannot convert " +
                            column->type()->ToString() + " to " +
                            field->type()->ToString() + ": " + cast.status().message());
      }
      column = *cast;
    }
    if (!field->nullable() && column->null_count() > 0) {
      return InvalidInput("column '" + field->name() +
                          "' is NOT NULL but the input has " +
                          std::to_string(column->null_count()) + " null value(s)");
    }
    columns.push_back(std::move(column));
  }
  return arrow::RecordBatch::Make(std::make_shared<arrow::Schema>(target.fields()),
                                  batch.num_rows(), std::move(columns));
}

arrow::Result<DataWriterOptions> DataWriterOptionsFor(const WritePlan& plan,
                                                      const WriteOptions& options) {
  const StringMap& configuration = plan.new_metadata
                                       ? plan.new_metadata->configuration
                                       : plan.snapshot->metadata().configuration;
  DataWriterOptions writer_options;
  ARROW_ASSIGN_OR_RAISE(writer_options.target_file_size, TargetFileSize(configuration));
  ARROW_ASSIGN_OR_RAISE(writer_options.stats, StatsOptionsFor(configuration));
  writer_options.writer_properties = options.writer_properties;
  if (!plan.partition_columns.empty()) {
    // Memory is bounded by the open files' row groups together, not each alone.
    writer_options.max_row_group_bytes = std::min<int64_t>(
        writer_options.max_row_group_bytes,
        (int64_t{1} << 30) / std::max(1, options.max_open_partition_writers));
  }
  return writer_options;
}

}  // namespace deltaline::delta
