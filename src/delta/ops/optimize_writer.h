#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/filesystem/filesystem.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/write/data_writer.h"

namespace deltaline::delta {

/// \brief Writes a known number of rows into files of even size close to a target.
///
/// A DataFileWriter rolls over once a file reaches the target, so the last file of a
/// partition takes whatever is left (often a small file: what compaction is meant to
/// remove). This writer instead decides, before each file, how many rows it gets: the
/// rows left are spread evenly over n = ceil(rows left × bytes per row / target)
/// files, where bytes per row is measured on the files already written (the input's
/// is the first guess: small input files carry more footer and dictionary overhead per
/// row, and another codec compresses differently). Without a row count, it falls back
/// to DataFileWriter's own rollover. Not thread-safe; nothing is committed.
class EvenFileWriter {
 public:
  /// `directory`: where the files go, in `fs` (no trailing '/'). `total_rows`: rows that
  /// will be written, when known. `bytes_per_row_hint`: the first estimate (> 0).
  static arrow::Result<std::unique_ptr<EvenFileWriter>> Make(
      std::shared_ptr<arrow::fs::FileSystem> fs, std::string directory,
      std::shared_ptr<arrow::Schema> schema, DataWriterOptions options,
      int64_t target_size, std::optional<int64_t> total_rows, double bytes_per_row_hint);

  arrow::Status Write(const arrow::RecordBatch& batch);
  /// \brief Rows the next Write() would put in the current (or next) file before
  /// cutting it (with a row count; otherwise effectively unbounded).
  arrow::Result<int64_t> RowsUntilCut();
  /// \brief Writes `batch` as the rest of the current file (or a file of its own) and
  /// finishes that file, whatever the plan said: the caller chose the cut.
  arrow::Status WriteToCut(const arrow::RecordBatch& batch);
  /// `add`s of every file, paths relative to `directory` (not encoded).
  arrow::Result<std::vector<Add>> Finish();
  /// Paths relative to `directory` of every file written so far, for cleanup.
  std::vector<std::string> written_paths() const;

 private:
  EvenFileWriter() = default;
  arrow::Status StartFile();
  arrow::Status FinishFile();
  int64_t RowsForNextFile() const;

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string directory_;
  std::shared_ptr<arrow::Schema> schema_;
  DataWriterOptions options_;
  int64_t target_size_ = 0;
  std::optional<int64_t> total_rows_;
  double bytes_per_row_hint_ = 1;
  std::unique_ptr<DataFileWriter> current_;
  int64_t current_rows_ = 0;
  int64_t current_quota_ = 0;
  int64_t rows_written_ = 0;  ///< rows in finished files
  int64_t bytes_written_ = 0;
  std::vector<Add> adds_;
  std::vector<std::string> written_paths_;
};

}  // namespace deltaline::delta
