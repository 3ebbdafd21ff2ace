#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

inline constexpr int64_t kDefaultCheckpointInterval = 100;
inline constexpr int64_t kDefaultTargetFileSize = 128LL << 20;
inline constexpr int kDefaultNumIndexedCols = 32;

/// \brief Parses a Delta interval ("interval 7 days", "interval 1 week", "2 hours")
/// into milliseconds. Fails with kInvalidInput naming the text.
arrow::Result<int64_t> ParseIntervalMs(const std::string& text);

/// `delta.checkpointInterval` (commits, > 0); default 100.
arrow::Result<int64_t> CheckpointInterval(const StringMap& configuration);
/// `delta.deletedFileRetentionDuration`; default one week.
arrow::Result<int64_t> DeletedFileRetentionMs(const StringMap& configuration);
/// `delta.logRetentionDuration`; default 30 days.
arrow::Result<int64_t> LogRetentionMs(const StringMap& configuration);
/// `delta.targetFileSize` (bytes, > 0); default 128 MiB.
arrow::Result<int64_t> TargetFileSize(const StringMap& configuration);

/// `delta.dataSkippingNumIndexedCols`: how many leading leaf columns get file
/// statistics, an integer >= -1 (-1 = every column, 0 = none, as in Spark); default
/// 32. Anything else is kInvalidInput, here and in ValidateTableProperties alike.
arrow::Result<int> DataSkippingNumIndexedCols(const StringMap& configuration);
/// `delta.dataSkippingStatsColumns`: the comma-separated column paths that get
/// statistics (blanks around an item trimmed, empty items dropped); default none.
std::vector<std::string> DataSkippingStatsColumns(const StringMap& configuration);
/// `delta.appendOnly`: true only for the exact value "true"; default false.
bool AppendOnly(const StringMap& configuration);
/// `delta.columnMapping.mode`: "none" when unset.
std::string ColumnMappingMode(const StringMap& configuration);
/// `delta.enableChangeDataFeed`: true only for the exact value "true"; default false.
bool ChangeDataFeedEnabled(const StringMap& configuration);

/// \brief Checks table properties deltaline interprets (values parse, ranges hold).
/// Unknown `delta.*` keys are refused: Spark refuses them too, and a typo would
/// otherwise silently do nothing.
arrow::Status ValidateTableProperties(const StringMap& configuration);

}  // namespace deltaline::delta
