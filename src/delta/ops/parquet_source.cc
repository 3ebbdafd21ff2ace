// Reading a legacy Parquet dataset as the table it becomes: partition types inferred
// from directory names, partition columns filled in, merged schemas padded with nulls.
#include <charconv>
#include <regex>

#include <arrow/array/util.h>
#include <arrow/compute/cast.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include "delta/base/errors.h"
#include "delta/ops/parquet_layout.h"
#include "delta/table/partition_path.h"

namespace deltaline::delta {
namespace {

// Canonical only: `007` or `+7` would not survive as an integer.
std::optional<int64_t> CanonicalInteger(const std::string& text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size()) return std::nullopt;
  if (std::to_string(value) != text) return std::nullopt;
  return value;
}

bool IsDate(const std::string& text) {
  static const std::regex kDate("[0-9]{4}-[0-9]{2}-[0-9]{2}");
  if (!std::regex_match(text, kDate)) return false;
  // Rejects 2024-02-30 and the like: the parse must give back the same text.
  auto scalar = ParsePartitionValue(text, arrow::date32(), "");
  if (!scalar.ok() || !(*scalar)->is_valid) return false;
  auto back = SerializePartitionValue(**scalar);
  return back.ok() && *back == text;
}

class SourceFileReader : public arrow::RecordBatchReader {
 public:
  SourceFileReader(const ParquetLayout& layout, const ParquetSourceFile& file)
      : layout_(layout), file_(file) {}

  arrow::Status Open() {
    ARROW_ASSIGN_OR_RAISE(auto input,
                          layout_.fs->OpenInputFile(layout_.root + "/" + file_.path));
    parquet::ArrowReaderProperties properties;
    properties.set_batch_size(64 * 1024);
    properties.set_pre_buffer(false);
    try {
      parquet::arrow::FileReaderBuilder builder;
      ARROW_RETURN_NOT_OK(builder.Open(input));
      ARROW_ASSIGN_OR_RAISE(reader_, builder.properties(properties)->Build());
    } catch (const parquet::ParquetException& e) {
      return arrow::Status::IOError("source file '", file_.path,
                                    "' is not valid Parquet: ", e.what());
    }
    std::vector<int> row_groups(reader_->num_row_groups());
    for (int rg_idx = 0; rg_idx < reader_->num_row_groups(); ++rg_idx) {
      row_groups[rg_idx] = rg_idx;
    }
    ARROW_ASSIGN_OR_RAISE(source_, reader_->GetRecordBatchReader(row_groups));
    for (size_t col_idx = 0; col_idx < layout_.partition_columns.size(); ++col_idx) {
      ARROW_ASSIGN_OR_RAISE(auto scalar, PartitionScalar(layout_, file_, col_idx));
      partition_values_.push_back(std::move(scalar));
    }
    return arrow::Status::OK();
  }

  std::shared_ptr<arrow::Schema> schema() const override { return layout_.schema; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(source_->ReadNext(&batch));
    if (!batch) return arrow::Status::OK();
    const int64_t rows = batch->num_rows();
    arrow::ArrayVector columns;
    for (const auto& field : layout_.data_schema->fields()) {
      auto column = batch->GetColumnByName(field->name());
      if (!column) {
        ARROW_ASSIGN_OR_RAISE(column, arrow::MakeArrayOfNull(field->type(), rows));
      } else if (!column->type()->Equals(field->type())) {
        // INT96 read as timestamp[ns] gets its UTC zone (same values).
        ARROW_ASSIGN_OR_RAISE(column, arrow::compute::Cast(*column, field->type()));
      }
      columns.push_back(std::move(column));
    }
    for (const auto& value : partition_values_) {
      ARROW_ASSIGN_OR_RAISE(auto column, arrow::MakeArrayFromScalar(*value, rows));
      columns.push_back(std::move(column));
    }
    *out = arrow::RecordBatch::Make(layout_.schema, rows, std::move(columns));
    return arrow::Status::OK();
  }

 private:
  const ParquetLayout& layout_;
  const ParquetSourceFile& file_;
  std::unique_ptr<parquet::arrow::FileReader> reader_;
  std::shared_ptr<arrow::RecordBatchReader> source_;
  std::vector<std::shared_ptr<arrow::Scalar>> partition_values_;
};

class LayoutReader : public arrow::RecordBatchReader {
 public:
  LayoutReader(const ParquetLayout& layout, std::function<void(int64_t, int64_t)> on_file)
      : layout_(layout), on_file_(std::move(on_file)) {}

  std::shared_ptr<arrow::Schema> schema() const override { return layout_.schema; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    *out = nullptr;
    while (true) {
      if (!current_) {
        if (next_file_ >= layout_.files.size()) return arrow::Status::OK();
        ARROW_ASSIGN_OR_RAISE(current_,
                              OpenParquetSourceFile(layout_, layout_.files[next_file_]));
      }
      ARROW_RETURN_NOT_OK(current_->ReadNext(out));
      if (*out) return arrow::Status::OK();
      current_.reset();
      bytes_done_ += layout_.files[next_file_].size;
      ++next_file_;
      if (on_file_) on_file_(static_cast<int64_t>(next_file_), bytes_done_);
    }
  }

 private:
  const ParquetLayout& layout_;
  std::function<void(int64_t, int64_t)> on_file_;
  size_t next_file_ = 0;
  int64_t bytes_done_ = 0;
  std::shared_ptr<arrow::RecordBatchReader> current_;
};

}  // namespace

std::shared_ptr<arrow::DataType> InferPartitionType(
    const std::vector<std::optional<std::string>>& values) {
  bool all_int = true, all_int32 = true, all_date = true, any = false;
  for (const auto& value : values) {
    if (!value) continue;
    any = true;
    std::optional<int64_t> number = CanonicalInteger(*value);
    if (!number) {
      all_int = all_int32 = false;
    } else if (*number < INT32_MIN || *number > INT32_MAX) {
      all_int32 = false;
    }
    if (all_date && !IsDate(*value)) all_date = false;
  }
  if (!any) return arrow::utf8();
  if (all_int) return all_int32 ? arrow::int32() : arrow::int64();
  if (all_date) return arrow::date32();
  return arrow::utf8();
}

arrow::Result<std::shared_ptr<arrow::Scalar>> PartitionScalar(
    const ParquetLayout& layout, const ParquetSourceFile& file, size_t column_idx) {
  const PartitionColumn& column = layout.partition_columns[column_idx];
  auto it = file.partition_values.find(column.name);
  std::optional<std::string> value;
  if (it != file.partition_values.end()) value = it->second;
  return ParsePartitionValue(value, column.type, column.name);
}

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenParquetSourceFile(
    const ParquetLayout& layout, const ParquetSourceFile& file) {
  auto reader = std::make_shared<SourceFileReader>(layout, file);
  ARROW_RETURN_NOT_OK(reader->Open());
  return reader;
}

std::shared_ptr<arrow::RecordBatchReader> ReadParquetLayout(
    const ParquetLayout& layout, std::function<void(int64_t, int64_t)> on_file) {
  return std::make_shared<LayoutReader>(layout, std::move(on_file));
}

}  // namespace deltaline::delta
