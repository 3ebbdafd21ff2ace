#include "delta/scan/scan.h"

#include <arrow/compute/api.h>

#include "delta/base/errors.h"
#include "delta/predicate/predicate.h"
#include "delta/predicate/skipping.h"
#include "delta/scan/data_file_reader.h"
#include "delta/table/column_mapping.h"

namespace deltaline::delta {
namespace {

// The snapshot's files one after another, each through OpenDataFile; filters rows
// and drops the columns only the filter needed.
class SnapshotReader : public arrow::RecordBatchReader {
 public:
  /// `schema` is what is read: the output columns first, then the columns only the
  /// filter needs. `filter` is bound to `schema`.
  SnapshotReader(LogStore& store, std::shared_ptr<const Snapshot> snapshot,
                 std::vector<Add> files, std::shared_ptr<arrow::Schema> schema,
                 int output_columns, std::optional<arrow::compute::Expression> filter,
                 int64_t batch_size, std::optional<RowTrackingColumns> row_tracking,
                 ScanMetrics* metrics)
      : store_(store),
        snapshot_(std::move(snapshot)),
        files_(std::move(files)),
        schema_(std::move(schema)),
        output_columns_(output_columns),
        filter_(std::move(filter)),
        batch_size_(batch_size),
        row_tracking_(std::move(row_tracking)),
        metrics_(metrics) {
    // What OpenDataFile returns: the columns without their storage-only metadata.
    arrow::FieldVector fields(schema_->fields().begin(),
                              schema_->fields().begin() + output_columns_);
    // Files append the row tracking columns after everything `schema` reads.
    if (row_tracking_) {
      for (const auto& field : RowTrackingFields()) fields.push_back(field);
    }
    output_schema_ = WithoutStorageMetadata(*arrow::schema(std::move(fields)));
  }

  std::shared_ptr<arrow::Schema> schema() const override { return output_schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    while (true) {
      if (current_) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(current_->ReadNext(&batch));
        if (batch) {
          if (metrics_) metrics_->rows_read += batch->num_rows();
          ARROW_ASSIGN_OR_RAISE(batch, Filter(std::move(batch)));
          // A batch the filter emptied is not worth a caller's round trip.
          if (batch->num_rows() == 0) continue;
          if (metrics_) metrics_->rows_returned += batch->num_rows();
          *out = Project(std::move(batch));
          return arrow::Status::OK();
        }
        current_.reset();
      }
      if (file_idx_ >= files_.size()) {
        *out = nullptr;
        return arrow::Status::OK();
      }
      const Add& add = files_[file_idx_++];
      if (metrics_) {
        ++metrics_->files_read;
        metrics_->bytes_read += add.size;
      }
      ARROW_ASSIGN_OR_RAISE(
          current_, OpenDataFile(store_, schema_, snapshot_->partition_columns(), add,
                                 {.batch_size = batch_size_,
                                  .column_mapping = ColumnMappingOf(
                                      snapshot_->protocol(), snapshot_->metadata()),
                                  .row_tracking = row_tracking_,
                                  .use_threads = false}));
    }
  }

 private:
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Filter(
      std::shared_ptr<arrow::RecordBatch> batch) const {
    if (!filter_) return batch;
    return FilterBatch(std::move(batch), *filter_);
  }

  std::shared_ptr<arrow::RecordBatch> Project(
      std::shared_ptr<arrow::RecordBatch> batch) const {
    if (output_schema_->num_fields() == batch->num_columns()) return batch;
    std::vector<std::shared_ptr<arrow::Array>> columns(
        batch->columns().begin(), batch->columns().begin() + output_columns_);
    if (row_tracking_) {
      columns.insert(columns.end(), batch->columns().end() - 2, batch->columns().end());
    }
    return arrow::RecordBatch::Make(output_schema_, batch->num_rows(),
                                    std::move(columns));
  }

  LogStore& store_;
  std::shared_ptr<const Snapshot> snapshot_;
  std::vector<Add> files_;
  std::shared_ptr<arrow::Schema> schema_;
  int output_columns_;
  std::shared_ptr<arrow::Schema> output_schema_;
  std::optional<arrow::compute::Expression> filter_;
  int64_t batch_size_;
  std::optional<RowTrackingColumns> row_tracking_;
  ScanMetrics* metrics_;
  size_t file_idx_ = 0;
  std::shared_ptr<arrow::RecordBatchReader> current_;  ///< the open file, if any
};

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    LogStore& store, std::shared_ptr<const Snapshot> snapshot,
    const ScanOptions& options) {
  // Casts need the compute kernels, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  std::shared_ptr<arrow::Schema> schema = snapshot->schema();
  if (!options.columns.empty()) {
    std::vector<std::shared_ptr<arrow::Field>> fields;
    for (const auto& name : options.columns) {
      auto field = schema->GetFieldByName(name);
      if (!field) {
        return InvalidInput("column '" + name + "' does not exist in table '" +
                            store.uri() + "' (columns: " + schema->ToString() + ")");
      }
      fields.push_back(field);
    }
    schema = arrow::schema(fields);
  }
  const int output_columns = schema->num_fields();
  std::optional<RowTrackingColumns> row_tracking;
  if (options.with_row_tracking) {
    ARROW_ASSIGN_OR_RAISE(row_tracking, RowTrackingColumnsOf(*snapshot));
    for (const auto& field : RowTrackingFields()) {
      if (schema->GetFieldIndex(field->name()) >= 0) {
        return InvalidInput("table '" + store.uri() + "' has a column named '" +
                            field->name() + "': row tracking columns would clash");
      }
    }
  }
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
      if (schema->GetFieldIndex(name) < 0)
        fields.push_back(snapshot->schema()->GetFieldByName(name));
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
      ARROW_ASSIGN_OR_RAISE(
          auto pruner,
          FilePruner::Make(*options.filter, snapshot->schema(),
                           snapshot->partition_columns(),
                           ColumnMappingOf(snapshot->protocol(), snapshot->metadata())));
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
  return std::make_shared<SnapshotReader>(
      store, std::move(snapshot), std::move(files), std::move(schema), output_columns,
      std::move(filter), options.batch_size, std::move(row_tracking), options.metrics);
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> FilterBatch(
    std::shared_ptr<arrow::RecordBatch> batch, const arrow::compute::Expression& filter) {
  ARROW_ASSIGN_OR_RAISE(auto mask, arrow::compute::ExecuteScalarExpression(
                                       filter, arrow::compute::ExecBatch(*batch)));
  if (mask.is_scalar()) {
    const auto& keep = static_cast<const arrow::BooleanScalar&>(*mask.scalar());
    return keep.is_valid && keep.value ? batch : batch->Slice(0, 0);
  }
  // The default FilterOptions drop rows where the predicate is null (SQL WHERE).
  ARROW_ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(batch, mask));
  return filtered.record_batch();
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadSnapshot(
    LogStore& store, std::shared_ptr<const Snapshot> snapshot,
    const ScanOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto reader, ScanSnapshot(store, std::move(snapshot), options));
  return reader->ToTable();
}

}  // namespace deltaline::delta
