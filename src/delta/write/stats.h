#pragma once

#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/type.h>
#include <parquet/metadata.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief Which columns get min/max/nullCount in `add.stats`.
struct StatsOptions {
  /// `delta.dataSkippingNumIndexedCols`: the first N leaf columns; -1 = all. Default 32.
  int num_indexed_cols = 32;
  /// `delta.dataSkippingStatsColumns`: exact column paths (dotted); overrides the count.
  std::vector<std::string> stats_columns;
  /// Strings in min/max are cut to this many characters (max gets a tie-breaker
  /// so it stays ≥ every value). Default 32, as Spark.
  int string_prefix_length = 32;
};

/// \brief `add.stats` JSON for one Parquet data file, from the column statistics the
/// Parquet writer already computed (footer), aggregated over row groups.
/// `schema` is the Arrow schema of the file. Columns without usable statistics
/// are left out of minValues/maxValues (a reader treats them as unknown).
///
/// Float/double min/max are left out too: Parquet writers drop NaN from min/max, and
/// a finite max would let a reader skip a file whose NaN rows match `x > c` (Spark
/// orders NaN above every number). The footer cannot tell whether NaN was there;
/// use the overload below when the writer knows.
arrow::Result<std::string> StatsJsonFromParquet(const parquet::FileMetaData& metadata,
                                                const arrow::Schema& schema,
                                                const StatsOptions& options);

/// \brief As above, with what the writer saw: `leaf_has_nan[i]` is true when Parquet
/// leaf column i (schema order) held a NaN. Float/double leaves get min/max only when
/// the vector covers every leaf and their flag is false. See MarkNanLeaves.
arrow::Result<std::string> StatsJsonFromParquet(const parquet::FileMetaData& metadata,
                                                const arrow::Schema& schema,
                                                const StatsOptions& options,
                                                const std::vector<bool>& leaf_has_nan);

/// \brief Number of Parquet leaf columns `type` becomes (struct: its children's sum;
/// list: its element's; map: key's + value's; anything else: 1).
int CountParquetLeaves(const arrow::DataType& type);

/// \brief Sets `(*leaf_has_nan)[i]` for each float/double leaf of `batch` that holds a
/// NaN (leaves inside lists and maps are not scanned: they get no min/max anyway).
/// Resizes the vector to the leaf count when it is smaller.
arrow::Status MarkNanLeaves(const arrow::RecordBatch& batch,
                            std::vector<bool>* leaf_has_nan);

}  // namespace deltaline::delta
