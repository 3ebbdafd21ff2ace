#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/scalar.h>
#include <arrow/table.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"

namespace deltaline::delta {

/// \brief What a scan touched. Counts files of the snapshot, so
/// files_considered = skipped_by_partition + skipped_by_stats + files_read once the
/// scan has finished.
struct ScanMetrics {
  int64_t files_considered = 0;
  int64_t files_skipped_by_partition = 0;
  int64_t files_skipped_by_stats = 0;
  int64_t files_read = 0;     ///< files opened so far
  int64_t bytes_read = 0;     ///< sum of `add.size` of the files opened
  int64_t rows_read = 0;      ///< rows decoded, before the row filter
  int64_t rows_returned = 0;  ///< rows after the row filter
};

struct ScanOptions {
  /// Columns to return, in this order; empty = all columns of the table schema.
  std::vector<std::string> columns;
  /// Rows per batch read from Parquet. Default 64 Ki.
  int64_t batch_size = 64 * 1024;
  /// Rows to return: a predicate bound to the table schema (see ParsePredicate). Rows
  /// where it is false or null are dropped; it may use columns not in `columns`.
  /// Default none (every row).
  std::optional<arrow::compute::Expression> filter;
  /// Skip files that `filter` excludes by partition values or `add.stats` (see
  /// FilePruner). False forces a full scan with the same rows. Default true.
  bool skip_files = true;
  /// Append `_row_id` and `_row_commit_version` (int64) after the columns: the stable
  /// row ids and row commit versions of PROTOCOL.md's row tracking (the materialised
  /// column where a file has a value, else baseRowId + the row's position in its file,
  /// and defaultRowCommitVersion). kUnsupportedFeature("rowTracking") when the table
  /// does not have row tracking enabled or a file lacks baseRowId. Default false.
  bool with_row_tracking = false;
  /// Filled as the scan goes; final once the reader has returned its last batch. Must
  /// outlive the reader. Default none.
  ScanMetrics* metrics = nullptr;
};

/// \brief Streams the rows of `snapshot`, file by file, as batches of the table's
/// Arrow schema (restricted to `columns`). Partition columns are filled from
/// `partitionValues`; columns absent from an older file read as null. Each file is
/// read by OpenDataFile, whose errors the reader returns (a column that cannot be cast
/// to the table's type: kProtocol naming the file and the column). `store` must
/// outlive the reader.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> ScanSnapshot(
    LogStore& store, std::shared_ptr<const Snapshot> snapshot,
    const ScanOptions& options = {});

/// \brief The rows of `batch` for which `filter` (bound to the batch's schema) is
/// true; rows where it is false or null are dropped, as in SQL WHERE.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> FilterBatch(
    std::shared_ptr<arrow::RecordBatch> batch, const arrow::compute::Expression& filter);

/// \brief ScanSnapshot collected into one table.
arrow::Result<std::shared_ptr<arrow::Table>> ReadSnapshot(
    LogStore& store, std::shared_ptr<const Snapshot> snapshot,
    const ScanOptions& options = {});

}  // namespace deltaline::delta
