#include "delta/table/table_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

arrow::Result<int64_t> ParsePositive(const std::string& key, const std::string& text) {
  int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0) {
    return InvalidInput("table property " + key + "='" + text +
                        "' must be a positive integer");
  }
  return value;
}

std::string Get(const StringMap& configuration, const std::string& key) {
  auto it = configuration.find(key);
  return it == configuration.end() ? "" : it->second;
}

}  // namespace

arrow::Result<int64_t> ParseIntervalMs(const std::string& text) {
  std::istringstream in(text);
  std::string word;
  std::vector<std::string> words;
  while (in >> word) {
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    words.push_back(word);
  }
  if (!words.empty() && words.front() == "interval") words.erase(words.begin());
  if (words.size() != 2) {
    return InvalidInput("interval '" + text + "' must look like 'interval 7 days'");
  }
  int64_t count = 0;
  auto [ptr, ec] =
      std::from_chars(words[0].data(), words[0].data() + words[0].size(), count);
  if (ec != std::errc() || ptr != words[0].data() + words[0].size() || count < 0) {
    return InvalidInput("interval '" + text + "' has no valid count");
  }
  std::string unit = words[1];
  if (unit.size() > 1 && unit.back() == 's') unit.pop_back();
  static const std::pair<const char*, int64_t> kUnits[] = {
      {"millisecond", 1},  {"second", 1000},    {"minute", 60'000},
      {"hour", 3'600'000}, {"day", 86'400'000}, {"week", 604'800'000}};
  for (const auto& [name, ms] : kUnits) {
    if (unit == name) return count * ms;
  }
  return InvalidInput("interval '" + text + "' has an unknown unit '" + words[1] + "'");
}

arrow::Result<int64_t> CheckpointInterval(const StringMap& configuration) {
  std::string value = Get(configuration, "delta.checkpointInterval");
  if (value.empty()) return kDefaultCheckpointInterval;
  return ParsePositive("delta.checkpointInterval", value);
}

arrow::Result<int64_t> DeletedFileRetentionMs(const StringMap& configuration) {
  std::string value = Get(configuration, "delta.deletedFileRetentionDuration");
  return value.empty() ? int64_t{604'800'000} : ParseIntervalMs(value);
}

arrow::Result<int64_t> LogRetentionMs(const StringMap& configuration) {
  std::string value = Get(configuration, "delta.logRetentionDuration");
  return value.empty() ? int64_t{30} * 86'400'000 : ParseIntervalMs(value);
}

arrow::Result<int64_t> TargetFileSize(const StringMap& configuration) {
  std::string value = Get(configuration, "delta.targetFileSize");
  if (value.empty()) return kDefaultTargetFileSize;
  return ParsePositive("delta.targetFileSize", value);
}

arrow::Result<int> DataSkippingNumIndexedCols(const StringMap& configuration) {
  const std::string text = Get(configuration, "delta.dataSkippingNumIndexedCols");
  if (text.empty()) return kDefaultNumIndexedCols;
  int value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < -1) {
    return InvalidInput("table property delta.dataSkippingNumIndexedCols='" + text +
                        "' must be an integer >= -1");
  }
  return value;
}

std::vector<std::string> DataSkippingStatsColumns(const StringMap& configuration) {
  std::vector<std::string> columns;
  std::string item;
  for (char c : Get(configuration, "delta.dataSkippingStatsColumns") + ",") {
    if (c != ',') {
      item += c;
      continue;
    }
    auto begin = item.find_first_not_of(' ');
    if (begin != std::string::npos) {
      columns.push_back(item.substr(begin, item.find_last_not_of(' ') - begin + 1));
    }
    item.clear();
  }
  return columns;
}

bool AppendOnly(const StringMap& configuration) {
  return Get(configuration, "delta.appendOnly") == "true";
}

std::string ColumnMappingMode(const StringMap& configuration) {
  std::string mode = Get(configuration, "delta.columnMapping.mode");
  return mode.empty() ? "none" : mode;
}

bool ChangeDataFeedEnabled(const StringMap& configuration) {
  return Get(configuration, "delta.enableChangeDataFeed") == "true";
}

arrow::Status ValidateTableProperties(const StringMap& configuration) {
  static const std::set<std::string> kKnown = {
      "delta.appendOnly",
      "delta.checkpointInterval",
      "delta.deletedFileRetentionDuration",
      "delta.logRetentionDuration",
      "delta.targetFileSize",
      "delta.dataSkippingNumIndexedCols",
      "delta.dataSkippingStatsColumns",
      "delta.checkpoint.writeStatsAsJson",
      "delta.checkpoint.writeStatsAsStruct",
      "delta.enableExpiredLogCleanup",
      "delta.setTransactionRetentionDuration",
      "delta.isolationLevel",
  };
  // Properties that switch on a feature deltaline does not implement.
  static const std::set<std::string> kFeatureSwitches = {
      "delta.enableChangeDataFeed",     "delta.enableDeletionVectors",
      "delta.columnMapping.mode",       "delta.enableRowTracking",
      "delta.enableInCommitTimestamps", "delta.enableTypeWidening"};
  for (const auto& [key, value] : configuration) {
    if (key.rfind("delta.", 0) != 0) continue;  // user properties are free-form
    if (kFeatureSwitches.count(key)) {
      if (value == "false" || value == "none") continue;
      return UnsupportedFeature(key, "table property " + key + "=" + value +
                                         " enables a feature deltaline does not support");
    }
    if (key.rfind("delta.feature.", 0) == 0 || key.rfind("delta.constraints.", 0) == 0) {
      return UnsupportedFeature(
          key, "table property " + key + " is not supported by deltaline");
    }
    if (!kKnown.count(key)) {
      return InvalidInput("unknown table property '" + key + "'");
    }
  }
  ARROW_RETURN_NOT_OK(CheckpointInterval(configuration).status());
  ARROW_RETURN_NOT_OK(DeletedFileRetentionMs(configuration).status());
  ARROW_RETURN_NOT_OK(LogRetentionMs(configuration).status());
  ARROW_RETURN_NOT_OK(TargetFileSize(configuration).status());
  ARROW_RETURN_NOT_OK(DataSkippingNumIndexedCols(configuration).status());
  for (const char* key :
       {"delta.appendOnly", "delta.checkpoint.writeStatsAsJson",
        "delta.checkpoint.writeStatsAsStruct", "delta.enableExpiredLogCleanup"}) {
    std::string value = Get(configuration, key);
    if (!value.empty() && value != "true" && value != "false") {
      return InvalidInput(std::string("table property ") + key + "='" + value +
                          "' must be true or false");
    }
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
