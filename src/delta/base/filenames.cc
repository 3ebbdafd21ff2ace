#include "delta/base/filenames.h"

#include <charconv>
#include <cstdio>

namespace deltaline::delta {
namespace {

constexpr size_t kVersionDigits = 20;

std::optional<int64_t> ParseDigits(std::string_view text, size_t width) {
  if (text.size() != width) return std::nullopt;
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0)
    return std::nullopt;
  return value;
}

std::string Padded(int64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%0*lld", width, static_cast<long long>(value));
  return buf;
}

}  // namespace

std::string CommitFileName(int64_t version) { return Padded(version, 20) + ".json"; }

std::string CheckpointFileName(int64_t version) {
  return Padded(version, 20) + ".checkpoint.parquet";
}

std::string MultiPartCheckpointFileName(int64_t version, int32_t part, int32_t parts) {
  return Padded(version, 20) + ".checkpoint." + Padded(part, 10) + "." +
         Padded(parts, 10) + ".parquet";
}

ParsedLogName ParseLogFileName(std::string_view name) {
  ParsedLogName out;
  if (name.size() < kVersionDigits + 1 || name[kVersionDigits] != '.') return out;
  auto version = ParseDigits(name.substr(0, kVersionDigits), kVersionDigits);
  if (!version) return out;
  std::string_view rest = name.substr(kVersionDigits);
  if (rest == ".json") {
    out = {LogFileType::kCommit, *version};
  } else if (rest == ".crc") {
    out = {LogFileType::kCrc, *version};
  } else if (rest == ".checkpoint.parquet") {
    out = {LogFileType::kCheckpoint, *version};
  } else if (rest.starts_with(".checkpoint.") && rest.ends_with(".parquet")) {
    std::string_view middle = rest.substr(12, rest.size() - 12 - 8);
    // "<part>.<parts>" (10 digits each) or a UUID (v2 checkpoint).
    if (middle.size() == 21 && middle[10] == '.') {
      auto part = ParseDigits(middle.substr(0, 10), 10);
      auto parts = ParseDigits(middle.substr(11), 10);
      if (part && parts && *part >= 1 && *part <= *parts) {
        out = {LogFileType::kMultiPartCheckpoint, *version, static_cast<int32_t>(*part),
               static_cast<int32_t>(*parts)};
      }
    } else {
      out = {LogFileType::kV2Checkpoint, *version};
    }
  } else if (rest.starts_with(".checkpoint.") && rest.ends_with(".json")) {
    out = {LogFileType::kV2Checkpoint, *version};
  } else if (rest.ends_with(".compacted.json")) {
    out = {LogFileType::kCompaction, *version};
  }
  return out;
}

}  // namespace deltaline::delta
