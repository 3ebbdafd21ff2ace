#include "pipeline/run_config.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/base/uuid.h"

namespace deltaline::pipeline {
namespace {

using delta::InvalidInput;
using nlohmann::json;

// The keys storage::ParseOutputConfig owns; the rest are the run's.
const std::set<std::string> kOutputConfigKeys = {"output", "delta_write", "schema",
                                                 "commit_retry"};
const std::set<std::string> kRunKeys = {"inputs",      "lake",        "datasets",
                                        "parallelism", "pipeline_id", "run_id",
                                        "sequence",    "run_dir"};

template <typename T>
arrow::Result<T> Get(const json& object, const std::string& key,
                     const std::string& source) {
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    return InvalidInput(source + ": config key " + key +
                        " has the wrong type: " + e.what());
  }
}

// ParseOutputConfig checks the same, but only inside what it is given: the run's own
// sections (inputs, datasets) are walked here so the message names the whole path.
// Keys of `inputs` and `datasets` are names, not config keys.
arrow::Status RejectParquetEraKeys(const json& node, const std::string& path,
                                   const std::string& source, bool keys_are_names) {
  if (!node.is_object()) return arrow::Status::OK();
  for (const auto& item : node.items()) {
    if (!keys_are_names) {
      for (const auto& replaced : storage::ParquetEraKeys()) {
        if (item.key() == replaced.parquet_key) {
          return InvalidInput(source + ": config key " + path + item.key() +
                              " is a Parquet writer option and is no longer accepted; "
                              "use " +
                              replaced.replacement + " instead");
        }
      }
    }
    // Their keys are column names, which may be anything.
    if (item.key() == "dictionary_columns" || item.key() == "statistics_columns")
      continue;
    const bool names_below =
        path.empty() && (item.key() == "datasets" || item.key() == "inputs");
    ARROW_RETURN_NOT_OK(
        RejectParquetEraKeys(item.value(), path + item.key() + ".", source, names_below));
  }
  return arrow::Status::OK();
}

arrow::Status CheckTopLevelKeys(const json& doc, const std::string& source) {
  if (!doc.is_object()) return InvalidInput(source + ": a run config is a JSON object");
  for (const auto& item : doc.items()) {
    if (!kOutputConfigKeys.count(item.key()) && !kRunKeys.count(item.key())) {
      return InvalidInput(source + ": unknown config key " + item.key());
    }
  }
  return arrow::Status::OK();
}

arrow::Status ParseInputs(const json& node, const std::string& source,
                          RunConfig* config) {
  if (!node.is_object()) {
    return InvalidInput(source + ": config key inputs must map names to URI[@VERSION]");
  }
  for (const auto& item : node.items()) {
    if (!item.value().is_string()) {
      return InvalidInput(source + ": config key inputs." + item.key() +
                          " must be a string URI[@VERSION]");
    }
    config->inputs[item.key()] = item.value().get<std::string>();
  }
  return arrow::Status::OK();
}

// Each dataset's policy is the run's delta_write with the dataset's keys merged on top,
// parsed by the one write-policy parser.
arrow::Status ParseDatasets(const json& node, const json& base_write,
                            const std::string& source, RunConfig* config) {
  if (!node.is_object()) return InvalidInput(source + ": datasets must be an object");
  for (const auto& item : node.items()) {
    const std::string path = "datasets." + item.key();
    if (!item.value().is_object()) {
      return InvalidInput(source + ": config key " + path + " must be an object");
    }
    for (const auto& key : item.value().items()) {
      if (key.key() != "delta_write") {
        return InvalidInput(source + ": unknown config key " + path + "." + key.key());
      }
    }
    if (!item.value().contains("delta_write")) continue;
    json merged = base_write.is_null() ? json::object() : base_write;
    merged.merge_patch(item.value()["delta_write"]);
    auto parsed = storage::ParseOutputConfig(json{{"delta_write", merged}}.dump(),
                                             source + " (" + path + ")", {});
    if (!parsed.ok()) {
      return parsed.status().WithMessage(source + ": in " + path + ": " +
                                         parsed.status().message());
    }
    config->dataset_write[item.key()] = parsed->write;
  }
  return arrow::Status::OK();
}

arrow::Status ParseRunKeys(const json& doc, const std::string& source,
                           RunConfig* config) {
  if (doc.contains("inputs"))
    ARROW_RETURN_NOT_OK(ParseInputs(doc["inputs"], source, config));
  if (doc.contains("lake")) {
    ARROW_ASSIGN_OR_RAISE(config->lake, Get<std::string>(doc, "lake", source));
  }
  if (doc.contains("parallelism")) {
    ARROW_ASSIGN_OR_RAISE(config->parallelism, Get<int>(doc, "parallelism", source));
  }
  if (doc.contains("pipeline_id")) {
    ARROW_ASSIGN_OR_RAISE(config->pipeline_id,
                          Get<std::string>(doc, "pipeline_id", source));
  }
  if (doc.contains("run_id")) {
    ARROW_ASSIGN_OR_RAISE(config->run_id, Get<std::string>(doc, "run_id", source));
  }
  if (doc.contains("sequence")) {
    ARROW_ASSIGN_OR_RAISE(config->sequence, Get<int64_t>(doc, "sequence", source));
  }
  if (doc.contains("run_dir")) {
    ARROW_ASSIGN_OR_RAISE(config->run_dir, Get<std::string>(doc, "run_dir", source));
  }
  return arrow::Status::OK();
}

arrow::Status ApplyOverrides(const RunConfigOverrides& overrides, RunConfig* config) {
  if (overrides.lake) config->lake = *overrides.lake;
  if (overrides.pipeline_id) config->pipeline_id = *overrides.pipeline_id;
  if (overrides.run_id) config->run_id = *overrides.run_id;
  if (overrides.sequence) config->sequence = *overrides.sequence;
  if (overrides.run_dir) config->run_dir = *overrides.run_dir;
  if (overrides.parallelism) config->parallelism = *overrides.parallelism;
  for (const auto& binding : overrides.inputs) {
    ARROW_ASSIGN_OR_RAISE(auto parsed, engine::ParseBinding(binding));
    config->inputs[parsed.name] =
        parsed.at.empty() ? parsed.uri : parsed.uri + "@" + parsed.at;
  }
  return arrow::Status::OK();
}

// What no file and no flag said.
arrow::Status FillDefaultsAndCheck(const std::string& source, RunConfig* config) {
  if (config->run_id.empty()) config->run_id = delta::NewUuid();
  if (config->run_dir.empty())
    config->run_dir = config->lake + "/_run_dirs/" + config->run_id;
  if (config->parallelism < 1) {
    return InvalidInput(source + ": parallelism must be at least 1, got " +
                        std::to_string(config->parallelism));
  }
  if (config->sequence && *config->sequence < 0) {
    return InvalidInput(source + ": sequence must not be negative");
  }
  if (config->lake.empty()) return InvalidInput(source + ": lake must not be empty");
  for (const auto& [name, uri] : config->inputs) {
    auto parsed = engine::ParseBinding(name + "=" + uri);
    if (!parsed.ok()) {
      return parsed.status().WithMessage(source + ": input " + name + ": " +
                                         parsed.status().message());
    }
    if (!parsed->at.empty()) {
      auto at = engine::ParseVersionSpec(parsed->at);
      if (!at.ok()) {
        return at.status().WithMessage(source + ": input " + name + ": " +
                                       at.status().message());
      }
    }
  }
  return arrow::Status::OK();
}

int DefaultParallelism() {
  return std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
}

}  // namespace

const storage::DeltaWritePolicy& RunConfig::WritePolicyFor(
    const std::string& dataset) const {
  auto found = dataset_write.find(dataset);
  return found == dataset_write.end() ? output.write : found->second;
}

arrow::Result<RunConfig> ParseRunConfig(const std::string& json_text,
                                        const std::string& source,
                                        const RunConfigOverrides& overrides,
                                        const delta::Reporter& reporter) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidInput(source + ": not valid JSON");
  ARROW_RETURN_NOT_OK(RejectParquetEraKeys(doc, "", source, false));
  ARROW_RETURN_NOT_OK(CheckTopLevelKeys(doc, source));

  RunConfig config;
  config.parallelism = DefaultParallelism();
  ARROW_RETURN_NOT_OK(ParseRunKeys(doc, source, &config));
  ARROW_RETURN_NOT_OK(ApplyOverrides(overrides, &config));
  ARROW_RETURN_NOT_OK(FillDefaultsAndCheck(source, &config));

  // The mode decides what a refused output.format does, so a --mode flag must reach
  // the output parser rather than be applied after it.
  json output_doc = json::object();
  for (const auto& key : kOutputConfigKeys) {
    if (doc.contains(key)) output_doc[key] = doc[key];
  }
  if (overrides.mode) {
    if (!output_doc.contains("output")) output_doc["output"] = json::object();
    if (output_doc["output"].is_object()) {
      output_doc["output"]["run_mode"] = storage::RunModeName(*overrides.mode);
    }
  }
  auto output = storage::ParseOutputConfig(output_doc.dump(), source,
                                           config.run_context(), reporter);
  if (!output.ok()) {
    // Its nested sections' messages do not name the file.
    const auto& message = output.status().message();
    if (message.rfind(source, 0) == 0) return output.status();
    return output.status().WithMessage(source + ": " + message);
  }
  config.output = std::move(*output);
  if (doc.contains("datasets")) {
    ARROW_RETURN_NOT_OK(ParseDatasets(
        doc["datasets"], output_doc.value("delta_write", json()), source, &config));
  }
  return config;
}

arrow::Result<RunConfig> LoadRunConfig(const std::optional<std::string>& path,
                                       const RunConfigOverrides& overrides,
                                       const delta::Reporter& reporter) {
  if (!path) return ParseRunConfig("{}", "(defaults)", overrides, reporter);
  std::ifstream in(*path);
  if (!in) return InvalidInput("cannot read config file '" + *path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParseRunConfig(text.str(), *path, overrides, reporter);
}

nlohmann::json RunConfigJson(const RunConfig& config) {
  json datasets = json::object();
  for (const auto& [name, policy] : config.dataset_write) {
    datasets[name] = {{"delta_write", storage::WritePolicyJson(policy)}};
  }
  return json{
      {"inputs", config.inputs},
      {"lake", config.lake},
      {"output", storage::OutputPolicyJson(config.output.storage)},
      {"delta_write", storage::WritePolicyJson(config.output.write)},
      {"schema", {{"mode", delta::SchemaModeName(config.output.schema_mode)}}},
      {"commit_retry", storage::RetryPolicyJson(config.output.retry)},
      {"datasets", datasets},
      {"parallelism", config.parallelism},
      {"pipeline_id", config.pipeline_id},
      {"run_id", config.run_id},
      {"sequence", config.sequence ? json(*config.sequence) : json()},
      {"run_dir", config.run_dir},
  };
}

arrow::Result<std::shared_ptr<engine::Catalog>> BindInputs(const RunConfig& config) {
  auto catalog = std::make_shared<engine::Catalog>();
  for (const auto& [name, uri] : config.inputs) {
    ARROW_RETURN_NOT_OK(catalog->AddBinding(name + "=" + uri));
  }
  return catalog;
}

}  // namespace deltaline::pipeline
