#include "delta/scan/scan.h"

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/util/uri.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include "delta/base/errors.h"
#include "delta/predicate/predicate.h"
#include "delta/predicate/skipping.h"
#include "delta/scan/data_file_reader.h"
#include "delta/table/partition_path.h"

namespace deltaline::delta {
namespace {

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* out) {
  if (field.column_index >= 0) out->push_back(field.column_index);
  for (const auto& child : field.children) CollectLeaves(child, out);
}

class SnapshotReader : public arrow::RecordBatchReader {
 public:
  /// `schema` is what is read: the output columns first, then the columns only the
  /// filter needs. `filter` is bound to `schema`.
  SnapshotReader(LogStore& store, std::shared_ptr<const Snapshot> snapshot,
                 std::vector<Add> files, std::shared_ptr<arrow::Schema> schema,
                 int output_columns, std::optional<arrow::compute::Expression> filter,
                 int64_t batch_size, ScanMetrics* metrics)
      : store_(store),
        snapshot_(std::move(snapshot)),
        files_(std::move(files)),
        schema_(std::move(schema)),
        output_columns_(output_columns),
        filter_(std::move(filter)),
        batch_size_(batch_size),
        metrics_(metrics) {
    output_schema_ = output_columns_ == schema_->num_fields()
                         ? schema_
                         : arrow::schema(arrow::FieldVector(
                               schema_->fields().begin(),
                               schema_->fields().begin() + output_columns_));
  }

  std::shared_ptr<arrow::Schema> schema() const override { return output_schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    while (true) {
      if (current_) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(current_->ReadNext(&batch));
        if (batch) {
          ARROW_ASSIGN_OR_RAISE(auto conformed, Conform(*batch));
          if (metrics_) metrics_->rows_read += conformed->num_rows();
          ARROW_ASSIGN_OR_RAISE(conformed, Filter(std::move(conformed)));
          // A batch the filter emptied is not worth a caller's round trip.
          if (conformed->num_rows() == 0) continue;
          if (metrics_) metrics_->rows_returned += conformed->num_rows();
          *out = Project(std::move(conformed));
          return arrow::Status::OK();
        }
        current_.reset();
        parquet_.reset();
      }
      if (file_idx_ >= files_.size()) {
        *out = nullptr;
        return arrow::Status::OK();
      }
      ARROW_RETURN_NOT_OK(OpenFile(files_[file_idx_++]));
    }
  }

 private:
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Filter(
      std::shared_ptr<arrow::RecordBatch> batch) const {
    if (!filter_) return batch;
    ARROW_ASSIGN_OR_RAISE(auto mask, arrow::compute::ExecuteScalarExpression(
                                         *filter_, arrow::compute::ExecBatch(*batch)));
    if (mask.is_scalar()) {
      const auto& keep = static_cast<const arrow::BooleanScalar&>(*mask.scalar());
      return keep.is_valid && keep.value ? batch : batch->Slice(0, 0);
    }
    // The default FilterOptions drop rows where the predicate is null (SQL WHERE).
    ARROW_ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(batch, mask));
    return filtered.record_batch();
  }

  std::shared_ptr<arrow::RecordBatch> Project(std::shared_ptr<arrow::RecordBatch> batch) const {
    if (output_columns_ == batch->num_columns()) return batch;
    std::vector<std::shared_ptr<arrow::Array>> columns(
        batch->columns().begin(), batch->columns().begin() + output_columns_);
    return arrow::RecordBatch::Make(output_schema_, batch->num_rows(), std::move(columns));
  }

  arrow::Status OpenFile(const Add& add) {
    if (add.deletion_vector) {
      return UnsupportedFeature("deletionVectors",
                                "file '" + add.path + "' has a deletion vector");
    }
    if (metrics_) {
      ++metrics_->files_read;
      metrics_->bytes_read += add.size;
    }
    const std::string path = DataFilePath(store_, add.path);
    auto opened = store_.filesystem()->OpenInputFile(path);
    if (!opened.ok()) {
      return arrow::Status::IOError("data file '", add.path, "' of table '", store_.uri(),
                                    "' cannot be opened: ", opened.status().message());
    }
    parquet::ArrowReaderProperties properties;
    properties.set_batch_size(batch_size_);
    // Old Spark files store timestamps as INT96; Delta's unit is microseconds.
    properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
    std::unique_ptr<parquet::arrow::FileReader> reader;
    try {
      parquet::arrow::FileReaderBuilder builder;
      ARROW_RETURN_NOT_OK(builder.Open(*opened));
      ARROW_ASSIGN_OR_RAISE(reader, builder.properties(properties)->Build());
    } catch (const parquet::ParquetException& e) {
      return arrow::Status::IOError("data file '", add.path, "' is not valid Parquet: ", e.what());
    }
    std::shared_ptr<arrow::Schema> file_schema;
    ARROW_RETURN_NOT_OK(reader->GetSchema(&file_schema));
    std::vector<int> leaves;
    file_columns_.clear();
    const auto& manifest = reader->manifest();
    for (const auto& field : schema_->fields()) {
      int index = file_schema->GetFieldIndex(field->name());
      if (index < 0 || IsPartitionColumn(field->name())) continue;
      CollectLeaves(manifest.schema_fields[index], &leaves);
      file_columns_.push_back(field->name());
    }
    std::vector<int> row_groups(reader->num_row_groups());
    for (int rg = 0; rg < reader->num_row_groups(); ++rg) row_groups[rg] = rg;
    partition_values_ = &add.partition_values;
    parquet_ = std::move(reader);
    if (leaves.empty()) {
      // Only partition (or missing) columns: still need the row count.
      rows_without_columns_ = parquet_->parquet_reader()->metadata()->num_rows();
      current_.reset();
      return EmitRowCountOnly();
    }
    ARROW_ASSIGN_OR_RAISE(current_, parquet_->GetRecordBatchReader(row_groups, leaves));
    return arrow::Status::OK();
  }

  arrow::Status EmitRowCountOnly() {
    // Emit the file's rows in batch_size_ chunks of an empty-column batch.
    auto empty_schema = arrow::schema({});
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    for (int64_t done = 0; done < rows_without_columns_; done += batch_size_) {
      int64_t rows = std::min(batch_size_, rows_without_columns_ - done);
      batches.push_back(arrow::RecordBatch::Make(empty_schema, rows,
                                                 std::vector<std::shared_ptr<arrow::Array>>{}));
    }
    ARROW_ASSIGN_OR_RAISE(current_, arrow::RecordBatchReader::Make(batches, empty_schema));
    return arrow::Status::OK();
  }

  bool IsPartitionColumn(const std::string& name) const {
    for (const auto& col : snapshot_->partition_columns()) {
      if (col == name) return true;
    }
    return false;
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Conform(const arrow::RecordBatch& batch) {
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (const auto& field : schema_->fields()) {
      std::shared_ptr<arrow::Array> column;
      if (IsPartitionColumn(field->name())) {
        auto it = partition_values_->find(field->name());
        std::optional<std::string> raw;
        if (it != partition_values_->end()) raw = it->second;
        ARROW_ASSIGN_OR_RAISE(auto scalar, ParsePartitionValue(raw, field->type(), field->name()));
        ARROW_ASSIGN_OR_RAISE(column, arrow::MakeArrayFromScalar(*scalar, batch.num_rows()));
      } else if (auto found = batch.GetColumnByName(field->name())) {
        column = found;
        if (!column->type()->Equals(*field->type(), false)) {
          auto cast = arrow::compute::Cast(*column, field->type(),
                                           arrow::compute::CastOptions::Safe());
          if (!cast.ok()) {
            return ProtocolError("column '" + field->name() + "' of a data file of '" +
                                 store_.uri() + "' is " + column->type()->ToString() +
                                 ", the table schema says " + field->type()->ToString() + ": " +
                                 cast.status().message());
          }
          column = *cast;
        }
      } else {
        ARROW_ASSIGN_OR_RAISE(column, arrow::MakeArrayOfNull(field->type(), batch.num_rows()));
      }
      columns.push_back(std::move(column));
    }
    return arrow::RecordBatch::Make(schema_, batch.num_rows(), std::move(columns));
  }

  LogStore& store_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<Add> files_;
  std::shared_ptr<arrow::Schema> schema_;
  int output_columns_;
  std::shared_ptr<arrow::Schema> output_schema_;
  std::optional<arrow::compute::Expression> filter_;
  int64_t batch_size_;
  ScanMetrics* metrics_;
  size_t file_idx_ = 0;
  std::unique_ptr<parquet::arrow::FileReader> parquet_;
  std::shared_ptr<arrow::RecordBatchReader> current_;
  const PartitionValues* partition_values_ = nullptr;
  std::vector<std::string> file_columns_;
  int64_t rows_without_columns_ = 0;
};

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    LogStore& store, std::shared_ptr<const Snapshot> snapshot, const ScanOptions& options) {
  // Casts need the compute kernels, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  std::shared_ptr<arrow::Schema> schema = snapshot->schema();
  if (!options.columns.empty()) {
    std::vector<std::shared_ptr<arrow::Field>> fields;
    for (const auto& name : options.columns) {
      auto field = schema->GetFieldByName(name);
      if (!field) {
        return InvalidInput("column '" + name + "' does not exist in table '" + store.uri() +
                            "' (columns: " + schema->ToString() + ")");
      }
      fields.push_back(field);
    }
    schema = arrow::schema(fields);
  }
  const int output_columns = schema->num_fields();
  std::vector<Add> files = snapshot->files();
  std::optional<arrow::compute::Expression> filter;
  ScanMetrics unused_metrics;
  ScanMetrics& metrics = options.metrics ? *options.metrics : unused_metrics;
  metrics = ScanMetrics{};
  metrics.files_considered = static_cast<int64_t>(files.size());
  if (options.filter) {
    // Columns only the filter needs are read too, after the output ones.
    std::vector<std::shared_ptr<arrow::Field>> fields = schema->fields();
    for (const auto& name : PredicateColumns(*options.filter, *snapshot->schema())) {
      if (schema->GetFieldIndex(name) < 0) fields.push_back(snapshot->schema()->GetFieldByName(name));
    }
    schema = arrow::schema(std::move(fields));
    auto rebound = options.filter->Bind(*schema);
    if (!rebound.ok()) {
      return InvalidInput("scan filter " + options.filter->ToString() +
                          " does not apply to table '" + store.uri() +
                          "': " + rebound.status().message());
    }
    filter = *std::move(rebound);
    if (options.skip_files) {
      ARROW_ASSIGN_OR_RAISE(auto pruner,
                            FilePruner::Make(*options.filter, snapshot->schema(),
                                             snapshot->partition_columns()));
      std::vector<Add> kept;
      for (auto& add : files) {
        ARROW_ASSIGN_OR_RAISE(auto verdict, pruner->Evaluate(add));
        if (verdict.match != FileMatch::kNone) {
          kept.push_back(std::move(add));
        } else if (verdict.reason == SkipReason::kPartition) {
          ++metrics.files_skipped_by_partition;
        } else {
          ++metrics.files_skipped_by_stats;
        }
      }
      files = std::move(kept);
    }
  }
  return std::make_shared<SnapshotReader>(store, std::move(snapshot), std::move(files),
                                          std::move(schema), output_columns, std::move(filter),
                                          options.batch_size, options.metrics);
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadSnapshot(LogStore& store,
                                                          std::shared_ptr<const Snapshot> snapshot,
                                                          const ScanOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto reader, ScanSnapshot(store, std::move(snapshot), options));
  return reader->ToTable();
}

}  // namespace deltaline::delta
