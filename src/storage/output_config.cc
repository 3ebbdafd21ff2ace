#include "storage/output_config.h"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::storage {
namespace {

using delta::InvalidInput;
using nlohmann::json;

// Fails with a message naming the key; nlohmann throws on type mismatches, so every
// typed read goes through here.
template <typename T>
arrow::Result<T> Get(const json& object, const std::string& key,
                     const std::string& where) {
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    return InvalidInput(where + "." + key + " has the wrong type: " + e.what());
  }
}

arrow::Status CheckKnown(const json& object, const std::string& where,
                         const std::set<std::string>& known) {
  if (!object.is_object()) return InvalidInput(where + " must be a JSON object");
  for (const auto& item : object.items()) {
    if (!known.count(item.key())) {
      return InvalidInput("unknown config key " + where + "." + item.key());
    }
  }
  return arrow::Status::OK();
}

// Walks the whole document: a Parquet option nested under a dataset is still one.
arrow::Status RejectParquetEraKeys(const json& node, const std::string& where,
                                   const std::string& source) {
  if (node.is_array()) {
    for (size_t item_idx = 0; item_idx < node.size(); ++item_idx) {
      ARROW_RETURN_NOT_OK(RejectParquetEraKeys(
          node[item_idx], where + "[" + std::to_string(item_idx) + "]", source));
    }
  }
  if (!node.is_object()) return arrow::Status::OK();
  for (const auto& item : node.items()) {
    for (const auto& replaced : ParquetEraKeys()) {
      if (item.key() == replaced.parquet_key) {
        return InvalidInput(
            source + ": config key " + where + item.key() +
            " is a Parquet writer option and is no longer accepted; use " +
            replaced.replacement + " instead");
      }
    }
    // Their keys are column names, which may be anything.
    if (item.key() == "dictionary_columns" || item.key() == "statistics_columns")
      continue;
    ARROW_RETURN_NOT_OK(
        RejectParquetEraKeys(item.value(), where + item.key() + ".", source));
  }
  return arrow::Status::OK();
}

arrow::Status ParseWritePolicy(const json& node, DeltaWritePolicy* policy) {
  const std::string where = "delta_write";
  ARROW_RETURN_NOT_OK(
      CheckKnown(node, where,
                 {"compression", "max_rows_per_row_group", "data_page_size_bytes",
                  "dictionary", "dictionary_columns", "statistics", "statistics_columns",
                  "bloom_filter_columns", "bloom_filter_fpp", "target_file_size_bytes",
                  "stats_columns", "num_indexed_cols", "checkpoint_interval",
                  "log_retention", "deleted_file_retention", "change_data_feed"}));
  if (node.contains("compression")) {
    ARROW_ASSIGN_OR_RAISE(auto codec, Get<std::string>(node, "compression", where));
    ARROW_RETURN_NOT_OK(ParseCompression(codec, policy));
  }
  if (node.contains("max_rows_per_row_group")) {
    ARROW_ASSIGN_OR_RAISE(policy->max_rows_per_row_group,
                          Get<int64_t>(node, "max_rows_per_row_group", where));
  }
  if (node.contains("data_page_size_bytes")) {
    ARROW_ASSIGN_OR_RAISE(policy->data_page_size,
                          Get<int64_t>(node, "data_page_size_bytes", where));
  }
  if (node.contains("dictionary")) {
    ARROW_ASSIGN_OR_RAISE(policy->dictionary, Get<bool>(node, "dictionary", where));
  }
  if (node.contains("dictionary_columns")) {
    ARROW_ASSIGN_OR_RAISE(
        policy->dictionary_columns,
        (Get<std::map<std::string, bool>>(node, "dictionary_columns", where)));
  }
  if (node.contains("statistics")) {
    ARROW_ASSIGN_OR_RAISE(auto level, Get<std::string>(node, "statistics", where));
    ARROW_ASSIGN_OR_RAISE(policy->statistics, ParseStatisticsLevel(level));
  }
  if (node.contains("statistics_columns")) {
    ARROW_ASSIGN_OR_RAISE(auto levels, (Get<std::map<std::string, std::string>>(
                                           node, "statistics_columns", where)));
    for (const auto& [column, level] : levels) {
      ARROW_ASSIGN_OR_RAISE(policy->statistics_columns[column],
                            ParseStatisticsLevel(level));
    }
  }
  if (node.contains("bloom_filter_columns")) {
    ARROW_ASSIGN_OR_RAISE(
        policy->bloom_filter_columns,
        Get<std::vector<std::string>>(node, "bloom_filter_columns", where));
  }
  if (node.contains("bloom_filter_fpp")) {
    ARROW_ASSIGN_OR_RAISE(policy->bloom_filter_fpp,
                          Get<double>(node, "bloom_filter_fpp", where));
  }
  if (node.contains("target_file_size_bytes")) {
    ARROW_ASSIGN_OR_RAISE(policy->target_file_size,
                          Get<int64_t>(node, "target_file_size_bytes", where));
  }
  if (node.contains("stats_columns")) {
    ARROW_ASSIGN_OR_RAISE(policy->stats_columns,
                          Get<std::vector<std::string>>(node, "stats_columns", where));
  }
  if (node.contains("num_indexed_cols")) {
    ARROW_ASSIGN_OR_RAISE(policy->num_indexed_cols,
                          Get<int>(node, "num_indexed_cols", where));
  }
  if (node.contains("checkpoint_interval")) {
    ARROW_ASSIGN_OR_RAISE(policy->checkpoint_interval,
                          Get<int64_t>(node, "checkpoint_interval", where));
  }
  if (node.contains("log_retention")) {
    ARROW_ASSIGN_OR_RAISE(policy->log_retention,
                          Get<std::string>(node, "log_retention", where));
  }
  if (node.contains("deleted_file_retention")) {
    ARROW_ASSIGN_OR_RAISE(policy->deleted_file_retention,
                          Get<std::string>(node, "deleted_file_retention", where));
  }
  if (node.contains("change_data_feed")) {
    ARROW_ASSIGN_OR_RAISE(policy->change_data_feed,
                          Get<bool>(node, "change_data_feed", where));
  }
  // Surface bad values now, not at the first write.
  return ToWriterProperties(*policy).status();
}

}  // namespace

const std::vector<ReplacedKey>& ParquetEraKeys() {
  static const std::vector<ReplacedKey> kKeys = {
      {"row_group_size", "delta_write.max_rows_per_row_group"},
      {"max_row_group_length", "delta_write.max_rows_per_row_group"},
      {"parquet_compression", "delta_write.compression"},
      {"compression_level", "delta_write.compression (CODEC:LEVEL)"},
      {"use_dictionary", "delta_write.dictionary / delta_write.dictionary_columns"},
      {"write_statistics", "delta_write.statistics / delta_write.statistics_columns"},
      {"data_page_size", "delta_write.data_page_size_bytes"},
      {"bloom_filter_options", "delta_write.bloom_filter_columns"},
      {"sorting_columns",
       "the write's ordering keys (StorageWriteOptions.ordering_keys)"},
      {"max_rows_per_file", "delta_write.target_file_size_bytes"},
      {"parquet_version", "none: the Delta writer chooses the Parquet version"},
      {"_metadata", "none: the Delta log replaces _metadata sidecars"},
      {"_common_metadata", "none: the Delta log replaces _common_metadata sidecars"},
      {"write_metadata_file", "none: the Delta log replaces _metadata sidecars"},
      {"metadata_collector", "none: the Delta log replaces _metadata sidecars"},
  };
  return kKeys;
}

arrow::Result<OutputConfig> ParseOutputConfig(const std::string& json_text,
                                              const std::string& source,
                                              const RunContext& run,
                                              const delta::Reporter& reporter) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidInput(source + ": not valid JSON");
  ARROW_RETURN_NOT_OK(RejectParquetEraKeys(doc, "", source));
  ARROW_RETURN_NOT_OK(
      CheckKnown(doc, source, {"output", "delta_write", "schema", "commit_retry"}));
  OutputConfig config;
  if (doc.contains("output")) {
    const json& node = doc["output"];
    ARROW_RETURN_NOT_OK(
        CheckKnown(node, "output", {"format", "allow_parquet_exports", "run_mode"}));
    if (node.contains("run_mode")) {
      ARROW_ASSIGN_OR_RAISE(auto mode, Get<std::string>(node, "run_mode", "output"));
      ARROW_ASSIGN_OR_RAISE(config.storage.mode, ParseRunMode(mode));
    }
    if (node.contains("allow_parquet_exports")) {
      ARROW_ASSIGN_OR_RAISE(config.storage.allow_parquet_exports,
                            Get<bool>(node, "allow_parquet_exports", "output"));
    }
    if (node.contains("format")) {
      ARROW_ASSIGN_OR_RAISE(auto format, Get<std::string>(node, "format", "output"));
      // A refused format leaves the default (delta) in place: the run goes on in Delta.
      ARROW_RETURN_NOT_OK(
          CheckSink({"config:" + source + " output.format", format, source},
                    config.storage, run, /*is_export=*/false, reporter)
              .status());
    }
  }
  if (doc.contains("delta_write")) {
    ARROW_RETURN_NOT_OK(ParseWritePolicy(doc["delta_write"], &config.write));
  }
  if (doc.contains("schema")) {
    ARROW_RETURN_NOT_OK(CheckKnown(doc["schema"], "schema", {"mode"}));
    if (doc["schema"].contains("mode")) {
      ARROW_ASSIGN_OR_RAISE(auto mode, Get<std::string>(doc["schema"], "mode", "schema"));
      ARROW_ASSIGN_OR_RAISE(config.schema_mode, delta::ParseSchemaMode(mode));
    }
  }
  if (doc.contains("commit_retry")) {
    const json& node = doc["commit_retry"];
    ARROW_RETURN_NOT_OK(CheckKnown(node, "commit_retry",
                                   {"max_attempts", "base_delay_ms", "max_delay_ms"}));
    if (node.contains("max_attempts")) {
      ARROW_ASSIGN_OR_RAISE(config.retry.max_attempts,
                            Get<int>(node, "max_attempts", "commit_retry"));
    }
    if (node.contains("base_delay_ms")) {
      ARROW_ASSIGN_OR_RAISE(auto ms, Get<int64_t>(node, "base_delay_ms", "commit_retry"));
      config.retry.base_delay = std::chrono::milliseconds(ms);
    }
    if (node.contains("max_delay_ms")) {
      ARROW_ASSIGN_OR_RAISE(auto ms, Get<int64_t>(node, "max_delay_ms", "commit_retry"));
      config.retry.max_delay = std::chrono::milliseconds(ms);
    }
    if (config.retry.max_attempts < 1) {
      return InvalidInput(source + ": commit_retry.max_attempts must be at least 1");
    }
  }
  return config;
}

arrow::Result<OutputConfig> LoadOutputConfig(const std::string& path,
                                             const RunContext& run,
                                             const delta::Reporter& reporter) {
  std::ifstream in(path);
  if (!in)
    return delta::DeltaError(delta::ErrorKind::kInvalidInput,
                             "cannot read config file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParseOutputConfig(text.str(), path, run, reporter);
}

}  // namespace deltaline::storage
