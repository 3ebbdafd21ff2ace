#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/scalar.h>
#include <arrow/table.h>

#include "delta/log_store.h"
#include "delta/snapshot.h"

namespace deltaline::delta {

struct ScanOptions {
  /// Columns to return, in this order; empty = all columns of the table schema.
  std::vector<std::string> columns;
  /// Rows per batch read from Parquet. Default 64 Ki.
  int64_t batch_size = 64 * 1024;
};

/// \brief Parses a `partitionValues` string into a scalar of `type`, following the
/// protocol's serialisation (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DD HH:MM:SS[.f]`
/// or ISO-8601, booleans `true`/`false`, decimals and numbers as plain text). A null
/// or empty value gives a null scalar. Fails with kProtocol naming the column.
arrow::Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& value, const std::shared_ptr<arrow::DataType>& type,
    const std::string& column);

/// \brief Streams the rows of `snapshot`, file by file, as batches of the table's
/// Arrow schema (restricted to `columns`). Partition columns are filled from
/// `partitionValues`; columns absent from an older file read as null.
/// `store` must outlive the reader.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    LogStore& store, std::shared_ptr<const Snapshot> snapshot, const ScanOptions& options = {});

/// \brief ScanSnapshot collected into one table.
arrow::Result<std::shared_ptr<arrow::Table>> ReadSnapshot(LogStore& store,
                                                          std::shared_ptr<const Snapshot> snapshot,
                                                          const ScanOptions& options = {});

}  // namespace deltaline::delta
