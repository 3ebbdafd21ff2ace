#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/table/column_mapping.h"
#include "delta/scan/row_tracking_columns.h"

namespace deltaline::delta {

/// \brief The filesystem path of a data file: `add.path` is a URI reference, relative
/// to the table root or absolute (`file:` URIs); either way it is URI-decoded (see
/// DecodeDataFilePath).
std::string DataFilePath(const LogStore& store, const std::string& path);

struct DataFileReadOptions {
  /// Rows per batch read from Parquet. Default 64 Ki.
  int64_t batch_size = 64 * 1024;
  /// How `schema`'s columns are found in the file and in `partitionValues` (see
  /// ColumnMappingOf); the physical names and ids come from `schema`'s field
  /// metadata. Default kNone (by name).
  ColumnMapping column_mapping = ColumnMapping::kNone;
  /// When set, `_row_id` and `_row_commit_version` follow the schema's columns (see
  /// AppendRowTracking); the file must have baseRowId and defaultRowCommitVersion
  /// (else kUnsupportedFeature "rowTracking"). Default none.
  std::optional<RowTrackingColumns> row_tracking;
  /// Decode the columns of each batch in parallel on Arrow's CPU thread pool, which
  /// the reading thread then waits for: never set it when reading on that pool
  /// (the engine reads on the IO pool). Default false.
  bool use_threads = false;
};

/// \brief The one reader of data files: streams the rows of `file` as batches of
/// `schema` (table columns, in any order and subset, with the table's field metadata).
/// Partition columns (those in `partition_columns`) are filled from `partitionValues`;
/// columns the file lacks read as null; the others are renamed and cast to the table's
/// type (ConformFileColumn). The batches' schema is WithoutStorageMetadata(schema).
/// Rows the file's deletion vector deletes (loaded at open) never come out; a batch
/// may then be shorter than `batch_size`. `store` must outlive the reader.
///
/// Errors: IOError when the file or its DV cannot be opened, or the file is not
/// Parquet (at open); kProtocol for a corrupt DV or one that deletes a row past the
/// file's end (at open); kProtocol, naming the file and the column, when
/// a column of the file cannot be cast to the table's type (at the batch that fails).
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenDataFile(
    LogStore& store, std::shared_ptr<arrow::Schema> schema,
    std::vector<std::string> partition_columns, const Add& file,
    const DataFileReadOptions& options = {});

/// \brief Every row of one data file as a table of `schema` (the table's full Arrow
/// schema): OpenDataFile collected, with its errors.
arrow::Result<std::shared_ptr<arrow::Table>> ReadDataFile(
    LogStore& store, const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& partition_columns, const Add& file);

}  // namespace deltaline::delta
