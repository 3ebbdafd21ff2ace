#include "delta/scan/data_file_reader.h"

#include <algorithm>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include "delta/base/errors.h"
#include "delta/scan/file_columns.h"
#include "delta/scan/deleted_row_filter.h"
#include "delta/table/partition_path.h"
#include "delta/table/variant_type.h"

namespace deltaline::delta {
namespace {

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* out) {
  if (field.column_index >= 0) out->push_back(field.column_index);
  for (const auto& child : field.children) CollectLeaves(child, out);
}

// One data file's batches, conformed to the table schema. The Parquet reader yields
// only the columns the file has (and the table wants); Conform adds the rest.
class DataFileBatches : public arrow::RecordBatchReader {
 public:
  DataFileBatches(LogStore& store, std::shared_ptr<arrow::Schema> schema,
                  std::vector<std::string> partition_columns, Add file,
                  ColumnMapping mode)
      : store_(store),
        schema_(std::move(schema)),
        out_schema_(WithoutStorageMetadata(*schema_)),
        partition_columns_(std::move(partition_columns)),
        file_(std::move(file)),
        mode_(mode) {}

  arrow::Status Open(const DataFileReadOptions& options) {
    auto opened = store_.filesystem()->OpenInputFile(DataFilePath(store_, file_.path));
    if (!opened.ok()) {
      return arrow::Status::IOError("data file '", file_.path, "' of table '",
                                    store_.uri(),
                                    "' cannot be opened: ", opened.status().message());
    }
    parquet::ArrowReaderProperties properties;
    properties.set_batch_size(options.batch_size);
    properties.set_use_threads(options.use_threads);
    // No pre-buffering: it schedules the column reads on the IO pool and blocks on them,
    // and readers run on that pool themselves (the engine's scan), so a plan reading as
    // many files at once as the pool has threads deadlocked (a query joining one table
    // to itself eight times did). Reads are synchronous on the calling thread instead.
    properties.set_pre_buffer(false);
    // Old Spark files store timestamps as INT96; Delta's unit is microseconds.
    properties.set_coerce_int96_timestamp_unit(arrow::TimeUnit::MICRO);
    try {
      parquet::arrow::FileReaderBuilder builder;
      ARROW_RETURN_NOT_OK(builder.Open(*opened));
      ARROW_ASSIGN_OR_RAISE(parquet_, builder.properties(properties)->Build());
    } catch (const parquet::ParquetException& e) {
      return arrow::Status::IOError("data file '", file_.path,
                                    "' is not valid Parquet: ", e.what());
    }
    ARROW_ASSIGN_OR_RAISE(
        deleted_, DeletedRowFilter::Make(
                      store_, file_, parquet_->parquet_reader()->metadata()->num_rows()));
    std::shared_ptr<arrow::Schema> file_schema;
    ARROW_RETURN_NOT_OK(parquet_->GetSchema(&file_schema));
    std::vector<int> leaves;
    const auto& manifest = parquet_->manifest();
    for (const auto& field : schema_->fields()) {
      int index = FindFileField(file_schema->fields(), *field, schema_->fields(), mode_);
      if (index < 0 || IsPartitionColumn(field->name())) continue;
      ARROW_RETURN_NOT_OK(CheckUnshreddedVariants(
          *field->type(), *file_schema->field(index)->type(), field->name(), file_.path));
      CollectLeaves(manifest.schema_fields[index], &leaves);
    }
    if (options.row_tracking) {
      ARROW_RETURN_NOT_OK(CheckRowTrackingFile(file_));
      row_tracking_ = options.row_tracking;
      auto fields = out_schema_->fields();
      for (const auto& field : RowTrackingFields()) fields.push_back(field);
      output_schema_ = arrow::schema(std::move(fields));
      // The hidden materialised columns, when the file has them.
      for (const auto* name : {&row_tracking_->materialized_row_id,
                               &row_tracking_->materialized_row_commit_version}) {
        int index = name->empty() ? -1 : file_schema->GetFieldIndex(*name);
        if (index >= 0) CollectLeaves(manifest.schema_fields[index], &leaves);
      }
    }
    if (leaves.empty()) {
      // Only partition (or missing) columns: the rows still count.
      return CountRowsOnly(parquet_->parquet_reader()->metadata()->num_rows(),
                           options.batch_size);
    }
    // Every row group, in order, and no row filtered out on the way (no predicate or
    // page-index pushdown): DeletedRowFilter locates rows by counting them.
    std::vector<int> row_groups(parquet_->num_row_groups());
    for (int rg = 0; rg < parquet_->num_row_groups(); ++rg) row_groups[rg] = rg;
    ARROW_ASSIGN_OR_RAISE(source_, parquet_->GetRecordBatchReader(row_groups, leaves));
    return arrow::Status::OK();
  }

  std::shared_ptr<arrow::Schema> schema() const override {
    return output_schema_ ? output_schema_ : out_schema_;
  }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    // Batches whose rows are all deleted are not returned at all.
    while (!*out || (*out)->num_rows() == 0) {
      if (!source_) return arrow::Status::OK();
      std::shared_ptr<arrow::RecordBatch> batch;
      ARROW_RETURN_NOT_OK(source_->ReadNext(&batch));
      if (!batch) {
        // Done: let go of the file now, not when the caller drops the reader.
        source_.reset();
        parquet_.reset();
        *out = nullptr;
        return deleted_.Finish();
      }
      ARROW_ASSIGN_OR_RAISE(*out, Conform(*batch));
      if (row_tracking_) {
        // Row ids count physical positions in the file, so they are appended before
        // the deletion vector drops any row of the batch.
        ARROW_ASSIGN_OR_RAISE(*out, AppendRowTracking(**out, *batch, file_,
                                                      next_row_index_, *row_tracking_,
                                                      output_schema_));
      }
      next_row_index_ += batch->num_rows();
      ARROW_ASSIGN_OR_RAISE(*out, deleted_.Apply(std::move(*out)));
    }
    return arrow::Status::OK();
  }

 private:
  // The file's rows in batch_size chunks of a batch without columns.
  arrow::Status CountRowsOnly(int64_t total_rows, int64_t batch_size) {
    auto empty_schema = arrow::schema({});
    std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
    for (int64_t done = 0; done < total_rows; done += batch_size) {
      int64_t rows = std::min(batch_size, total_rows - done);
      batches.push_back(arrow::RecordBatch::Make(
          empty_schema, rows, std::vector<std::shared_ptr<arrow::Array>>{}));
    }
    ARROW_ASSIGN_OR_RAISE(source_, arrow::RecordBatchReader::Make(batches, empty_schema));
    return arrow::Status::OK();
  }

  bool IsPartitionColumn(const std::string& name) const {
    return std::find(partition_columns_.begin(), partition_columns_.end(), name) !=
           partition_columns_.end();
  }

  arrow::Result<std::shared_ptr<arrow::Array>> PartitionColumn(const arrow::Field& field,
                                                               int64_t rows) const {
    ARROW_ASSIGN_OR_RAISE(
        auto scalar, PartitionValueOf(file_.partition_values, PhysicalName(field, mode_),
                                      field.type()));
    return arrow::MakeArrayFromScalar(*scalar, rows);
  }

  arrow::Result<std::shared_ptr<arrow::Array>> CastColumn(
      const std::shared_ptr<arrow::Array>& column, const arrow::Field& field) const {
    auto cast = ConformFileColumn(column, field, mode_);
    if (!cast.ok()) {
      return ProtocolError("data file '" + file_.path + "' of table '" + store_.uri() +
                           "': column '" + field.name() + "' is " +
                           column->type()->ToString() + ", the table schema says " +
                           field.type()->ToString() + ": " + cast.status().message());
    }
    return *cast;
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Conform(
      const arrow::RecordBatch& batch) {
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (int idx = 0; idx < schema_->num_fields(); ++idx) {
      const auto& field = schema_->field(idx);
      const auto& out_type = out_schema_->field(idx)->type();
      std::shared_ptr<arrow::Array> column;
      int found =
          IsPartitionColumn(field->name())
              ? -1
              : FindFileField(batch.schema()->fields(), *field, schema_->fields(), mode_);
      if (IsPartitionColumn(field->name())) {
        ARROW_ASSIGN_OR_RAISE(column, PartitionColumn(*field, batch.num_rows()));
      } else if (found >= 0) {
        ARROW_ASSIGN_OR_RAISE(column, CastColumn(batch.column(found), *field));
      } else {
        ARROW_ASSIGN_OR_RAISE(column, arrow::MakeArrayOfNull(out_type, batch.num_rows()));
      }
      columns.push_back(std::move(column));
    }
    return arrow::RecordBatch::Make(out_schema_, batch.num_rows(), std::move(columns));
  }

  LogStore& store_;
  std::shared_ptr<arrow::Schema> schema_;      ///< with the table's field metadata
  std::shared_ptr<arrow::Schema> out_schema_;  ///< what the batches have
  std::vector<std::string> partition_columns_;
  Add file_;
  ColumnMapping mode_;
  std::unique_ptr<parquet::arrow::FileReader> parquet_;
  std::shared_ptr<arrow::RecordBatchReader> source_;  ///< null once the file is done
  /// Physical position in the file of the next batch's first row.
  int64_t next_row_index_ = 0;
  std::optional<RowTrackingColumns> row_tracking_;
  std::shared_ptr<arrow::Schema> output_schema_;  ///< out_schema_ + row tracking, if asked
  DeletedRowFilter deleted_;  ///< the file's deletion vector, if any
};

}  // namespace

std::string DataFilePath(const LogStore& store, const std::string& path) {
  DecodedDataFilePath decoded = DecodeDataFilePath(path);
  if (decoded.kind == DecodedDataFilePath::Kind::kRelative) {
    return store.root() + "/" + decoded.path;
  }
  // Absolute: the filesystem opens it as is (and refuses a URI it cannot serve).
  return decoded.path;
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenDataFile(
    LogStore& store, std::shared_ptr<arrow::Schema> schema,
    std::vector<std::string> partition_columns, const Add& file,
    const DataFileReadOptions& options) {
  // Casts need the compute kernels, which Arrow ≥ 21 registers only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  auto reader = std::make_shared<DataFileBatches>(store, std::move(schema),
                                                  std::move(partition_columns), file,
                                                  options.column_mapping);
  ARROW_RETURN_NOT_OK(reader->Open(options));
  return reader;
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadDataFile(
    LogStore& store, const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& partition_columns, const Add& file) {
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        OpenDataFile(store, schema, partition_columns, file));
  return reader->ToTable();
}

}  // namespace deltaline::delta
