#pragma once

#include <cstdint>
#include <functional>

#include <arrow/result.h>

#include "delta/log/log_store.h"
#include "delta/ops/parquet_layout.h"
#include "delta/write/stats.h"

namespace deltaline::delta {

struct ConvertToDeltaOptions {
  /// Which columns get stats (the first 32 by default, as a new table); only columns
  /// with exact footer statistics in every row group get any. Default Spark's.
  StatsOptions stats;
  /// Called after each file's `add` is built with (files done, files total).
  std::function<void(int64_t, int64_t)> progress;
};

struct ConvertToDeltaResult {
  int64_t version = -1;  ///< 0
  int64_t files = 0;
  int64_t bytes = 0;
  int64_t rows = 0;
  /// Files whose `add` carries min/max/nullCount for each column, by column.
  std::map<std::string, int64_t> files_with_stats;
};

/// \brief Spark's CONVERT TO DELTA: writes only `_delta_log/00000000000000000000.json`
/// at `store`'s root (which must be `layout.root`), one `add` per source file in place
/// (path relative and URI-encoded, size, modificationTime, partitionValues, stats from
/// the footer; no data page is read). operation `CONVERT` with numFiles,
/// partitionedBy, collectStats and sourceFormat, as Spark.
///
/// Stats: numRecords always; minValues/maxValues/nullCount only for the columns whose
/// footer statistics are exact in every row group (see ReadParquetFooter), and never
/// min/max for floats (a footer cannot say whether NaN was there).
///
/// Errors: kTableAlreadyExists when `_delta_log` exists (also when another writer
/// created version 0 meanwhile: the commit is put-if-absent); kUnsupportedFeature
/// naming the file and column for a type Delta cannot read in place (INT96
/// timestamps, unsigned integers, non-microsecond timestamps…: `migrate-parquet`
/// without `--in-place` converts those exactly).
arrow::Result<ConvertToDeltaResult> ConvertToDelta(
    LogStore& store, const ParquetLayout& layout,
    const ConvertToDeltaOptions& options = {});

}  // namespace deltaline::delta
