#include "delta/scan/data_file_reader.h"

#include <algorithm>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>

#include "delta/base/errors.h"
#include "delta/scan/deleted_row_filter.h"
#include "delta/table/partition_path.h"

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
                  std::vector<std::string> partition_columns, Add file)
      : store_(store),
        schema_(std::move(schema)),
        partition_columns_(std::move(partition_columns)),
        file_(std::move(file)) {}

  arrow::Status Open(const DataFileReadOptions& options) {
    auto opened = store_.filesystem()->OpenInputFile(DataFilePath(store_, file_.path));
    if (!opened.ok()) {
      return arrow::Status::IOError("data file '", file_.path, "' of table '",
                                    store_.uri(),
                                    "' cannot be opened: ", opened.status().message());
    }
    parquet::ArrowReaderProperties properties;
    properties.set_batch_size(options.batch_size);
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
      int index = file_schema->GetFieldIndex(field->name());
      if (index < 0 || IsPartitionColumn(field->name())) continue;
      CollectLeaves(manifest.schema_fields[index], &leaves);
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

  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    std::shared_ptr<arrow::RecordBatch> batch;
    // Batches whose rows are all deleted are not returned at all.
    while (!batch || batch->num_rows() == 0) {
      if (!source_) return arrow::Status::OK();
      ARROW_RETURN_NOT_OK(source_->ReadNext(&batch));
      if (!batch) {
        // Done: let go of the file now, not when the caller drops the reader.
        source_.reset();
        parquet_.reset();
        return deleted_.Finish();
      }
      // Before Conform: the columns it adds are built for the live rows only.
      ARROW_ASSIGN_OR_RAISE(batch, deleted_.Apply(std::move(batch)));
    }
    ARROW_ASSIGN_OR_RAISE(*out, Conform(*batch));
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
    ARROW_ASSIGN_OR_RAISE(auto scalar, PartitionValueOf(file_.partition_values,
                                                        field.name(), field.type()));
    return arrow::MakeArrayFromScalar(*scalar, rows);
  }

  arrow::Result<std::shared_ptr<arrow::Array>> CastColumn(
      const std::shared_ptr<arrow::Array>& column, const arrow::Field& field) const {
    if (column->type()->Equals(*field.type(), /*check_metadata=*/false)) return column;
    auto cast =
        arrow::compute::Cast(*column, field.type(), arrow::compute::CastOptions::Safe());
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
    for (const auto& field : schema_->fields()) {
      std::shared_ptr<arrow::Array> column;
      if (IsPartitionColumn(field->name())) {
        ARROW_ASSIGN_OR_RAISE(column, PartitionColumn(*field, batch.num_rows()));
      } else if (auto found = batch.GetColumnByName(field->name())) {
        ARROW_ASSIGN_OR_RAISE(column, CastColumn(found, *field));
      } else {
        ARROW_ASSIGN_OR_RAISE(column,
                              arrow::MakeArrayOfNull(field->type(), batch.num_rows()));
      }
      columns.push_back(std::move(column));
    }
    return arrow::RecordBatch::Make(schema_, batch.num_rows(), std::move(columns));
  }

  LogStore& store_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::string> partition_columns_;
  Add file_;
  std::unique_ptr<parquet::arrow::FileReader> parquet_;
  std::shared_ptr<arrow::RecordBatchReader> source_;  ///< null once the file is done
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
                                                  std::move(partition_columns), file);
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
