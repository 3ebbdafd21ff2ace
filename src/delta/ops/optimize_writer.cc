#include "delta/ops/optimize_writer.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace deltaline::delta {

arrow::Result<std::unique_ptr<EvenFileWriter>> EvenFileWriter::Make(
    std::shared_ptr<arrow::fs::FileSystem> fs, std::string directory,
    std::shared_ptr<arrow::Schema> schema, DataWriterOptions options, int64_t target_size,
    std::optional<int64_t> total_rows, double bytes_per_row_hint) {
  std::unique_ptr<EvenFileWriter> out(new EvenFileWriter());
  out->fs_ = std::move(fs);
  out->directory_ = std::move(directory);
  out->schema_ = std::move(schema);
  out->options_ = std::move(options);
  out->target_size_ = target_size;
  out->total_rows_ = total_rows;
  out->bytes_per_row_hint_ = bytes_per_row_hint > 0 ? bytes_per_row_hint : 1.0;
  if (total_rows) {
    // Files end where RowsForNextFile says; the writer's own rollover stays out of it.
    out->options_.target_file_size = std::numeric_limits<int64_t>::max() / 2;
  } else {
    out->options_.target_file_size = target_size;
  }
  return out;
}

int64_t EvenFileWriter::RowsForNextFile() const {
  const int64_t rows_left = *total_rows_ - rows_written_;
  // More rows than the stats promised: one file takes the rest (the caller's row
  // count check then refuses the commit), never a file per row.
  if (rows_left <= 0) return std::numeric_limits<int64_t>::max();
  const double bytes_per_row = rows_written_ > 0
                                   ? static_cast<double>(bytes_written_) / rows_written_
                                   : bytes_per_row_hint_;
  const double bytes_left = bytes_per_row * static_cast<double>(rows_left);
  const int64_t files_left =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(bytes_left / target_size_)));
  return std::max<int64_t>(1, (rows_left + files_left - 1) / files_left);
}

arrow::Status EvenFileWriter::StartFile() {
  ARROW_ASSIGN_OR_RAISE(current_,
                        DataFileWriter::Make(fs_, directory_, schema_, options_));
  current_rows_ = 0;
  current_quota_ = total_rows_ ? RowsForNextFile() : std::numeric_limits<int64_t>::max();
  return arrow::Status::OK();
}

arrow::Status EvenFileWriter::FinishFile() {
  for (const auto& path : current_->written_paths()) written_paths_.push_back(path);
  auto finished = current_->Finish();
  current_.reset();
  ARROW_RETURN_NOT_OK(finished.status());
  for (auto& add : *finished) {
    bytes_written_ += add.size;
    adds_.push_back(std::move(add));
  }
  rows_written_ += current_rows_;
  current_rows_ = 0;
  return arrow::Status::OK();
}

arrow::Status EvenFileWriter::Write(const arrow::RecordBatch& batch) {
  int64_t offset = 0;
  while (offset < batch.num_rows()) {
    if (!current_) ARROW_RETURN_NOT_OK(StartFile());
    const int64_t take =
        std::min(batch.num_rows() - offset, current_quota_ - current_rows_);
    ARROW_RETURN_NOT_OK(current_->Write(*batch.Slice(offset, take)));
    current_rows_ += take;
    offset += take;
    if (current_rows_ >= current_quota_) ARROW_RETURN_NOT_OK(FinishFile());
  }
  return arrow::Status::OK();
}

arrow::Result<int64_t> EvenFileWriter::RowsUntilCut() {
  if (!current_) ARROW_RETURN_NOT_OK(StartFile());
  return current_quota_ - current_rows_;
}

arrow::Status EvenFileWriter::WriteToCut(const arrow::RecordBatch& batch) {
  if (!current_) ARROW_RETURN_NOT_OK(StartFile());
  ARROW_RETURN_NOT_OK(current_->Write(batch));
  current_rows_ += batch.num_rows();
  return FinishFile();
}

arrow::Result<std::vector<Add>> EvenFileWriter::Finish() {
  if (current_) ARROW_RETURN_NOT_OK(FinishFile());
  return std::move(adds_);
}

std::vector<std::string> EvenFileWriter::written_paths() const {
  std::vector<std::string> paths = written_paths_;
  if (current_) {
    for (const auto& path : current_->written_paths()) paths.push_back(path);
  }
  return paths;
}

}  // namespace deltaline::delta
