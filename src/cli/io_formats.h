#pragma once

#include <memory>
#include <string>

#include <arrow/io/interfaces.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

namespace deltaline::cli {

/// \brief Opens `path` ("-" = standard input) as a stream of record batches.
/// `format` is csv, jsonl, ipc or parquet; empty = inferred from the extension
/// (required for "-"). CSV and JSON are read incrementally, so memory stays bounded.
/// `types`, when given (the existing table's schema), types the columns of text
/// inputs instead of inference, so that "2024-05-01T00:00:00Z" lands as the table's
/// timestamp type whatever Arrow would have guessed.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenInput(
    const std::string& path, std::string format,
    const std::shared_ptr<arrow::Schema>& types = nullptr);

/// \brief Writes batches to `sink` as csv (with header), jsonl or ipc (stream).
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual arrow::Status Write(const arrow::RecordBatch& batch) = 0;
  virtual arrow::Status Close() = 0;
};

arrow::Result<std::unique_ptr<BatchSink>> MakeBatchSink(
    const std::string& format, std::shared_ptr<arrow::io::OutputStream> sink,
    const std::shared_ptr<arrow::Schema>& schema);

}  // namespace deltaline::cli
