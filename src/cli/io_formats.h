#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include <arrow/io/interfaces.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

namespace deltaline::cli {

/// \brief What `write --input` reads. kIpc is either Arrow IPC form: the file format
/// (`ARROW1` magic) or the stream format, told apart by the bytes, not the name.
enum class InputFormat { kCsv, kJsonl, kIpc, kParquet };

/// \brief What `read` writes. kArrowFile is the IPC file format (`.arrow`, random
/// access, what pyarrow.ipc.open_file and Polars read_ipc expect); kArrowStream the
/// IPC stream format (`.arrows`, pipes). kIpc is the old name: the file format into a
/// file, the stream format on standard output.
enum class OutputFormat { kCsv, kJsonl, kArrowFile, kArrowStream, kIpc };

/// \brief Flag names: csv, jsonl, parquet and ipc|arrow|arrows (all kIpc).
const std::map<std::string, InputFormat>& InputFormatNames();
/// \brief Flag names: csv, jsonl, arrow, arrows, ipc.
const std::map<std::string, OutputFormat>& OutputFormatNames();

/// \brief The format of `output` ("" or "-" = standard output): `format` when given,
/// else the extension's (.arrow, .arrows, .csv, .jsonl/.ndjson), else csv; kIpc is
/// resolved to kArrowFile for a file and to kArrowStream for standard output.
OutputFormat ResolveOutputFormat(std::optional<OutputFormat> format,
                                 const std::string& output);

/// \brief Opens `path` ("-" = standard input) as a stream of record batches.
/// `format` unset = inferred from the extension (required for "-"). CSV and JSON are
/// read incrementally, so memory stays bounded.
/// `types`, when given (the existing table's schema), types the columns of text
/// inputs instead of inference, so that "2024-05-01T00:00:00Z" lands as the table's
/// timestamp type whatever Arrow would have guessed.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenInput(
    const std::string& path, std::optional<InputFormat> format,
    const std::shared_ptr<arrow::Schema>& types = nullptr);

/// \brief Writes batches to `sink` as csv (with header), jsonl or Arrow IPC.
class BatchSink {
 public:
  virtual ~BatchSink() = default;
  virtual arrow::Status Write(const arrow::RecordBatch& batch) = 0;
  virtual arrow::Status Close() = 0;
};

arrow::Result<std::unique_ptr<BatchSink>> MakeBatchSink(
    OutputFormat format, std::shared_ptr<arrow::io::OutputStream> sink,
    const std::shared_ptr<arrow::Schema>& schema);

}  // namespace deltaline::cli
