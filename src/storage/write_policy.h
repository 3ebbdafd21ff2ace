#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/util/compression.h>
#include <parquet/properties.h>
#include <nlohmann/json.hpp>

#include "delta/base/actions.h"
#include "delta/log/transaction.h"
#include "delta/table/schema_evolution.h"

namespace deltaline::storage {

/// \brief How much Parquet statistics a column carries.
enum class StatisticsLevel {
  kNone,   ///< no min/max/null count (the column then has no Delta min/max either)
  kChunk,  ///< per column chunk (what `add.stats` is harvested from); default
  kPage,   ///< also a page index (per-page min/max) for page skipping
};

const char* StatisticsLevelName(StatisticsLevel level);
arrow::Result<StatisticsLevel> ParseStatisticsLevel(const std::string& text);

/// \brief The Delta writer policy: how data files are encoded and which table
/// properties a new table gets. Column names are Parquet leaf paths (`a`, `s.x`).
struct DeltaWritePolicy {
  /// Data file codec. Default zstd.
  arrow::Compression::type compression = arrow::Compression::ZSTD;
  /// Codec level; unset = the codec's default.
  std::optional<int> compression_level;
  /// Rows per row group at most. Default 1 Mi.
  int64_t max_rows_per_row_group = 1 << 20;
  /// Data page size target in bytes. Default 1 MiB.
  int64_t data_page_size = 1 << 20;
  /// Dictionary encoding for every column, unless named in dictionary_columns. Default
  /// on.
  bool dictionary = true;
  std::map<std::string, bool> dictionary_columns;
  /// Statistics for every column, unless named in statistics_columns. Default chunk.
  StatisticsLevel statistics = StatisticsLevel::kChunk;
  std::map<std::string, StatisticsLevel> statistics_columns;
  /// Columns that get a split-block Bloom filter, and its false-positive rate.
  std::vector<std::string> bloom_filter_columns;
  double bloom_filter_fpp = 0.05;

  // Table properties, set on the table when a write creates it (unset = Delta default).
  std::optional<int64_t> target_file_size;     ///< delta.targetFileSize (bytes)
  std::vector<std::string> stats_columns;      ///< delta.dataSkippingStatsColumns
  std::optional<int> num_indexed_cols;         ///< delta.dataSkippingNumIndexedCols
  std::optional<int64_t> checkpoint_interval;  ///< delta.checkpointInterval (commits)
  std::optional<std::string> log_retention;    ///< delta.logRetentionDuration
  std::optional<std::string>
      deleted_file_retention;  ///< delta.deletedFileRetentionDuration
  /// delta.enableChangeDataFeed. deltaline does not write CDC files, so true is refused
  /// (kUnsupportedFeature) when the table is created.
  std::optional<bool> change_data_feed;
};

/// \brief "zstd", "zstd:9", "snappy", "gzip:6", "uncompressed"… into the policy.
arrow::Status ParseCompression(const std::string& text, DeltaWritePolicy* policy);

/// \brief Parquet writer properties for data files under `policy`. Fails with
/// kInvalidInput naming a bad value (level out of range, fpp outside (0, 1)).
arrow::Result<std::shared_ptr<parquet::WriterProperties>> ToWriterProperties(
    const DeltaWritePolicy& policy);

/// \brief The `delta.*` table properties the policy sets (only those it sets).
delta::StringMap ToTableProperties(const DeltaWritePolicy& policy);

/// \brief The policy as JSON (every field, defaults included).
nlohmann::json WritePolicyJson(const DeltaWritePolicy& policy);

/// \brief The effective Delta policy of a table, read back from its properties, with
/// Delta's defaults for those unset (`describe --json`'s `policy`).
nlohmann::json TablePolicyJson(const delta::StringMap& configuration);

nlohmann::json RetryPolicyJson(const delta::CommitRetryPolicy& policy);

}  // namespace deltaline::storage
