#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deltaline::delta {

inline constexpr std::string_view kLogDir = "_delta_log";
inline constexpr std::string_view kLastCheckpointName = "_last_checkpoint";

/// \brief What a name in `_delta_log/` is.
enum class LogFileType {
  kCommit,
  kCheckpoint,
  kMultiPartCheckpoint,
  kV2Checkpoint,
  kCompaction,
  kCrc,
  kOther
};

struct ParsedLogName {
  LogFileType type = LogFileType::kOther;
  int64_t version = -1;
  int32_t part = 0;   ///< 1-based, multi-part checkpoints only
  int32_t parts = 0;  ///< multi-part checkpoints only
};

/// "00000000000000000042.json"
std::string CommitFileName(int64_t version);
/// "00000000000000000042.checkpoint.parquet"
std::string CheckpointFileName(int64_t version);
/// "00000000000000000042.checkpoint.0000000001.0000000003.parquet"
std::string MultiPartCheckpointFileName(int64_t version, int32_t part, int32_t parts);

/// \brief Classifies a `_delta_log/` entry by name; kOther for anything else
/// (temporary files, `_last_checkpoint`, sub-folders).
ParsedLogName ParseLogFileName(std::string_view name);

}  // namespace deltaline::delta
