#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/filesystem/filesystem.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <parquet/properties.h>

#include "delta/base/actions.h"
#include "delta/write/stats.h"

namespace deltaline::delta {

struct DataWriterOptions {
  /// Roll over to a new file once the current one reaches this size (bytes).
  /// `delta.targetFileSize`; default 128 MiB.
  int64_t target_file_size = 128LL << 20;
  /// Flush the row group Parquet buffers in memory once it holds this many bytes
  /// (compressed pages plus unpaged values); bounds memory per open file. Default 64 MiB.
  /// Row groups also end at the writer properties' max_row_group_length (rows).
  int64_t max_row_group_bytes = 64LL << 20;
  /// Parquet properties for data files; null = DefaultDataWriterProperties(). Their
  /// default codec names the files (`.zstd.parquet`, `.snappy.parquet`…).
  std::shared_ptr<parquet::WriterProperties> writer_properties;
  StatsOptions stats;
};

/// \brief Default Parquet writer properties for Delta data files: zstd (default level),
/// dictionary and statistics on, row groups of at most 1Mi rows, 1 MiB data pages.
std::shared_ptr<parquet::WriterProperties> DefaultDataWriterProperties();

/// \brief The Arrow-to-Parquet properties of every data file: microsecond INT64
/// timestamps, compliant nested types, columns of a row group encoded in parallel.
std::shared_ptr<parquet::ArrowWriterProperties> DataFileArrowWriterProperties();

/// \brief Streams record batches into Parquet data files under a table root.
///
/// Write(batch) … Finish(). Files get unique names
/// (`part-<5-digit index>-<uuid v4>-c000.zstd.parquet`, as Spark) and roll over once
/// written plus buffered bytes reach the target size (large batches are sliced, so a
/// file overshoots by about target/8 at most); memory stays bounded by one row group
/// per open file. Finish() closes the open file and returns one `add` per file, with
/// stats harvested from the Parquet footer (no rescan of the data; float columns are
/// checked for NaN as they pass, see stats.h). No rows, no files. A batch of another
/// schema fails with kSchemaMismatch and writes nothing; after any other failure the
/// writer refuses further calls. The caller owns cleanup of written_paths()
/// (an open file is aborted when the writer is destroyed). Nothing is committed by
/// this class. Not thread-safe.
class DataFileWriter {
 public:
  /// `schema` is the canonical Arrow schema (see CanonicalArrowSchema); batches must
  /// match it exactly. `root` is the table root path in `fs` (no trailing '/').
  static arrow::Result<std::unique_ptr<DataFileWriter>> Make(
      std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
      std::shared_ptr<arrow::Schema> schema, DataWriterOptions options = {});
  ~DataFileWriter();

  arrow::Status Write(const arrow::RecordBatch& batch);
  arrow::Result<std::vector<Add>> Finish();
  /// Relative paths of every file written so far (finished or not).
  const std::vector<std::string>& written_paths() const;

 private:
  class Impl;
  explicit DataFileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltaline::delta
