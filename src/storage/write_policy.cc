#include "storage/write_policy.h"

#include <charconv>

#include "delta/base/errors.h"
#include "delta/table/table_config.h"

namespace deltaline::storage {
namespace {

using delta::InvalidInput;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

}  // namespace

const char* StatisticsLevelName(StatisticsLevel level) {
  switch (level) {
    case StatisticsLevel::kNone:
      return "none";
    case StatisticsLevel::kChunk:
      return "chunk";
    case StatisticsLevel::kPage:
      return "page";
  }
  return "chunk";
}

arrow::Result<StatisticsLevel> ParseStatisticsLevel(const std::string& text) {
  for (auto level :
       {StatisticsLevel::kNone, StatisticsLevel::kChunk, StatisticsLevel::kPage}) {
    if (text == StatisticsLevelName(level)) return level;
  }
  return InvalidInput("unknown statistics level '" + text +
                      "' (expected none, chunk or page)");
}

arrow::Status ParseCompression(const std::string& text, DeltaWritePolicy* policy) {
  const auto colon = text.find(':');
  const std::string name = text.substr(0, colon);
  // Parquet's LZ4 is Arrow's raw LZ4 (LZ4_RAW in the file, what pyarrow.parquet and
  // delta-rs mean by "lz4"); Arrow's own "lz4" is its frame codec, which Parquet lacks.
  const std::string arrow_name = name == "none"  ? std::string("uncompressed")
                                 : name == "lz4" ? std::string("lz4_raw")
                                                 : name;
  auto codec = arrow::util::Codec::GetCompressionType(arrow_name);
  if (!codec.ok() || !arrow::util::Codec::IsAvailable(*codec) ||
      *codec == arrow::Compression::LZ4_FRAME) {
    return InvalidInput("unknown or unavailable compression codec '" + name +
                        "' (zstd, snappy, gzip, brotli, lz4, uncompressed)");
  }
  policy->compression = *codec;
  policy->compression_level.reset();
  if (colon == std::string::npos) return arrow::Status::OK();
  const std::string level_text = text.substr(colon + 1);
  int level = 0;
  auto [ptr, ec] =
      std::from_chars(level_text.data(), level_text.data() + level_text.size(), level);
  if (ec != std::errc() || ptr != level_text.data() + level_text.size()) {
    return InvalidInput("compression level '" + level_text + "' in '" + text +
                        "' is not an integer");
  }
  if (!arrow::util::Codec::SupportsCompressionLevel(*codec)) {
    return InvalidInput("codec '" + name + "' takes no compression level");
  }
  ARROW_ASSIGN_OR_RAISE(int lowest, arrow::util::Codec::MinimumCompressionLevel(*codec));
  ARROW_ASSIGN_OR_RAISE(int highest, arrow::util::Codec::MaximumCompressionLevel(*codec));
  if (level < lowest || level > highest) {
    return InvalidInput("compression level " + level_text + " for '" + name +
                        "' is outside [" + std::to_string(lowest) + ", " +
                        std::to_string(highest) + "]");
  }
  policy->compression_level = level;
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<parquet::WriterProperties>> ToWriterProperties(
    const DeltaWritePolicy& policy) {
  if (policy.max_rows_per_row_group <= 0 || policy.data_page_size <= 0) {
    return InvalidInput(
        "max_rows_per_row_group and data_page_size_bytes must be positive");
  }
  if (!(policy.bloom_filter_fpp > 0.0 && policy.bloom_filter_fpp < 1.0)) {
    return InvalidInput("bloom_filter_fpp " + std::to_string(policy.bloom_filter_fpp) +
                        " must be in (0, 1)");
  }
  parquet::WriterProperties::Builder builder;
  builder.compression(policy.compression)
      ->max_row_group_length(policy.max_rows_per_row_group)
      ->data_pagesize(policy.data_page_size);
  if (policy.compression_level) builder.compression_level(*policy.compression_level);
  if (policy.dictionary) {
    builder.enable_dictionary();
  } else {
    builder.disable_dictionary();
  }
  for (const auto& [column, on] : policy.dictionary_columns) {
    if (on) {
      builder.enable_dictionary(column);
    } else {
      builder.disable_dictionary(column);
    }
  }
  auto apply_statistics = [&](StatisticsLevel level, const std::string* column) {
    const bool stats = level != StatisticsLevel::kNone;
    const bool pages = level == StatisticsLevel::kPage;
    if (column == nullptr) {
      stats ? builder.enable_statistics() : builder.disable_statistics();
      pages ? builder.enable_write_page_index() : builder.disable_write_page_index();
    } else {
      stats ? builder.enable_statistics(*column) : builder.disable_statistics(*column);
      pages ? builder.enable_write_page_index(*column)
            : builder.disable_write_page_index(*column);
    }
  };
  apply_statistics(policy.statistics, nullptr);
  for (const auto& [column, level] : policy.statistics_columns) {
    apply_statistics(level, &column);
  }
  parquet::BloomFilterOptions bloom;
  bloom.fpp = policy.bloom_filter_fpp;
  for (const auto& column : policy.bloom_filter_columns) {
    builder.enable_bloom_filter(column, bloom);
  }
  return builder.build();
}

delta::StringMap ToTableProperties(const DeltaWritePolicy& policy) {
  delta::StringMap out;
  if (policy.target_file_size) {
    out["delta.targetFileSize"] = std::to_string(*policy.target_file_size);
  }
  if (!policy.stats_columns.empty()) {
    out["delta.dataSkippingStatsColumns"] = Join(policy.stats_columns);
  }
  if (policy.num_indexed_cols) {
    out["delta.dataSkippingNumIndexedCols"] = std::to_string(*policy.num_indexed_cols);
  }
  if (policy.checkpoint_interval) {
    out["delta.checkpointInterval"] = std::to_string(*policy.checkpoint_interval);
  }
  if (policy.log_retention) out["delta.logRetentionDuration"] = *policy.log_retention;
  if (policy.deleted_file_retention) {
    out["delta.deletedFileRetentionDuration"] = *policy.deleted_file_retention;
  }
  if (policy.change_data_feed) {
    out["delta.enableChangeDataFeed"] = *policy.change_data_feed ? "true" : "false";
  }
  return out;
}

nlohmann::json WritePolicyJson(const DeltaWritePolicy& policy) {
  nlohmann::json dictionary_columns = nlohmann::json::object();
  for (const auto& [column, on] : policy.dictionary_columns)
    dictionary_columns[column] = on;
  nlohmann::json statistics_columns = nlohmann::json::object();
  for (const auto& [column, level] : policy.statistics_columns) {
    statistics_columns[column] = StatisticsLevelName(level);
  }
  std::string codec = arrow::util::Codec::GetCodecAsString(policy.compression);
  if (policy.compression_level) codec += ":" + std::to_string(*policy.compression_level);
  return {{"compression", codec},
          {"max_rows_per_row_group", policy.max_rows_per_row_group},
          {"data_page_size_bytes", policy.data_page_size},
          {"dictionary", policy.dictionary},
          {"dictionary_columns", dictionary_columns},
          {"statistics", StatisticsLevelName(policy.statistics)},
          {"statistics_columns", statistics_columns},
          {"bloom_filter_columns", policy.bloom_filter_columns},
          {"bloom_filter_fpp", policy.bloom_filter_fpp},
          {"table_properties", ToTableProperties(policy)}};
}

nlohmann::json TablePolicyJson(const delta::StringMap& configuration) {
  auto get = [&](const std::string& key) -> nlohmann::json {
    auto it = configuration.find(key);
    return it == configuration.end() ? nlohmann::json() : nlohmann::json(it->second);
  };
  nlohmann::json out;
  auto number = [](const arrow::Result<int64_t>& value) -> nlohmann::json {
    return value.ok() ? nlohmann::json(*value) : nlohmann::json();
  };
  out["target_file_size_bytes"] = number(delta::TargetFileSize(configuration));
  out["checkpoint_interval"] = number(delta::CheckpointInterval(configuration));
  out["log_retention_ms"] = number(delta::LogRetentionMs(configuration));
  out["deleted_file_retention_ms"] = number(delta::DeletedFileRetentionMs(configuration));
  // Parsed by the table-config code only, so describe shows what the writer uses.
  out["stats_columns"] = delta::DataSkippingStatsColumns(configuration);
  auto indexed = delta::DataSkippingNumIndexedCols(configuration);
  out["num_indexed_cols"] =
      indexed.ok() ? nlohmann::json(*indexed) : get("delta.dataSkippingNumIndexedCols");
  out["change_data_feed"] = delta::ChangeDataFeedEnabled(configuration);
  out["append_only"] = delta::AppendOnly(configuration);
  out["table_properties"] = configuration;
  return out;
}

nlohmann::json RetryPolicyJson(const delta::CommitRetryPolicy& policy) {
  return {{"max_attempts", policy.max_attempts},
          {"base_delay_ms", policy.base_delay.count()},
          {"max_delay_ms", policy.max_delay.count()}};
}

}  // namespace deltaline::storage
