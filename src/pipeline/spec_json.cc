#include "pipeline/spec_json.h"

#include <map>
#include <set>

#include <arrow/type.h>

#include "delta/base/errors.h"
#include "delta/table/schema.h"
#include "storage/output_config.h"

namespace deltaline::pipeline {
namespace {

using delta::InvalidInput;
using nlohmann::json;

template <typename T>
arrow::Result<T> Get(const json& node, const std::string& path) {
  try {
    return node.get<T>();
  } catch (const json::exception& e) {
    return InvalidInput(path + " has the wrong type: " + e.what());
  }
}

arrow::Status CheckKnown(const json& node, const std::string& path,
                         const std::set<std::string>& known) {
  if (!node.is_object()) return InvalidInput(path + " must be a JSON object");
  for (const auto& item : node.items()) {
    if (!known.count(item.key())) {
      return InvalidInput("unknown dataset spec key " + path + "." + item.key());
    }
  }
  return arrow::Status::OK();
}

// The replacements name the output config's `delta_write` object; in a spec the same
// keys live under `writePolicy`.
std::string SpecReplacement(std::string replacement) {
  const std::string prefix = "delta_write.";
  for (size_t at = replacement.find(prefix); at != std::string::npos;
       at = replacement.find(prefix, at)) {
    replacement.replace(at, prefix.size(), "writePolicy.");
  }
  return replacement;
}

arrow::Status RejectParquetEraKeys(const json& node, const std::string& path) {
  if (node.is_array()) {
    for (size_t i = 0; i < node.size(); ++i) {
      ARROW_RETURN_NOT_OK(
          RejectParquetEraKeys(node[i], path + "[" + std::to_string(i) + "]"));
    }
  }
  if (!node.is_object()) return arrow::Status::OK();
  for (const auto& item : node.items()) {
    for (const auto& replaced : storage::ParquetEraKeys()) {
      if (item.key() == replaced.parquet_key) {
        return InvalidInput("dataset spec key " + path + "." + item.key() +
                            " is a Parquet writer option and is no longer accepted; "
                            "use " +
                            SpecReplacement(replaced.replacement) + " instead");
      }
    }
    ARROW_RETURN_NOT_OK(RejectParquetEraKeys(item.value(), path + "." + item.key()));
  }
  return arrow::Status::OK();
}

// Arrow's printed names onto Delta's, so the Delta schema parser resolves them.
std::string DeltaTypeName(std::string name) {
  static const std::map<std::string, std::string> kAliases = {
      {"int8", "byte"},
      {"int16", "short"},
      {"int32", "integer"},
      {"int64", "long"},
      {"float32", "float"},
      {"float64", "double"},
      {"bool", "boolean"},
      {"utf8", "string"},
      {"date32", "date"},
      {"date32[day]", "date"},
      {"timestamp[us]", "timestamp_ntz"},
      {"timestamp[us, tz=UTC]", "timestamp"}};
  if (auto it = kAliases.find(name); it != kAliases.end()) return it->second;
  if (name.rfind("decimal128(", 0) == 0) {
    name = "decimal(" + name.substr(11);
    std::erase(name, ' ');
  }
  return name;
}

arrow::Result<std::shared_ptr<arrow::Schema>> ParseSchema(const json& node,
                                                          const std::string& path) {
  if (!node.is_array()) return InvalidInput(path + " must be a list of fields");
  arrow::FieldVector fields;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = path + "[" + std::to_string(i) + "]";
    ARROW_RETURN_NOT_OK(CheckKnown(node[i], where, {"name", "type", "nullable"}));
    if (!node[i].contains("name") || !node[i].contains("type")) {
      return InvalidInput(where + " needs a name and a type");
    }
    ARROW_ASSIGN_OR_RAISE(auto name, Get<std::string>(node[i]["name"], where + ".name"));
    ARROW_ASSIGN_OR_RAISE(auto type, ParseSpecType(node[i]["type"], where + ".type"));
    bool nullable = true;
    if (node[i].contains("nullable")) {
      ARROW_ASSIGN_OR_RAISE(nullable,
                            Get<bool>(node[i]["nullable"], where + ".nullable"));
    }
    fields.push_back(arrow::field(name, std::move(type), nullable));
  }
  return arrow::schema(std::move(fields));
}

arrow::Result<std::vector<CheckConstraint>> ParseChecks(const json& node,
                                                        const std::string& path) {
  if (!node.is_array()) return InvalidInput(path + " must be a list of checks");
  std::vector<CheckConstraint> checks;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string where = path + "[" + std::to_string(i) + "]";
    ARROW_RETURN_NOT_OK(CheckKnown(node[i], where, {"name", "expression"}));
    if (!node[i].contains("name") || !node[i].contains("expression")) {
      return InvalidInput(where + " needs a name and an expression");
    }
    CheckConstraint check;
    ARROW_ASSIGN_OR_RAISE(check.name, Get<std::string>(node[i]["name"], where + ".name"));
    ARROW_ASSIGN_OR_RAISE(check.expression,
                          Get<std::string>(node[i]["expression"], where + ".expression"));
    checks.push_back(std::move(check));
  }
  return checks;
}

// The output config's parser owns the write-policy keys; a spec's override is that
// parser's `delta_write` object, renamed in its messages.
arrow::Result<storage::DeltaWritePolicy> ParseWritePolicy(const json& node,
                                                          const std::string& path) {
  auto parsed = storage::ParseOutputConfig(json{{"delta_write", node}}.dump(), path,
                                           storage::RunContext{});
  if (!parsed.ok()) {
    std::string message = parsed.status().message();
    for (size_t at = message.find("delta_write"); at != std::string::npos;
         at = message.find("delta_write", at + path.size())) {
      message.replace(at, 11, path);
    }
    return parsed.status().WithMessage(message);
  }
  return parsed->write;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::DataType>> ParseSpecType(const json& type,
                                                              const std::string& path) {
  json delta_type = type;
  if (type.is_string()) {
    delta_type = DeltaTypeName(type.get<std::string>());
  } else if (!type.is_object()) {
    return InvalidInput(path + " must be a type name or a Delta type object");
  }
  json one = {{"type", "struct"},
              {"fields", json::array({{{"name", "x"},
                                       {"type", delta_type},
                                       {"nullable", true},
                                       {"metadata", json::object()}}})}};
  auto schema = delta::DeltaSchemaJsonToArrow(one.dump());
  if (!schema.ok()) {
    return InvalidInput(path + ": unknown or unsupported type " + type.dump() +
                        " (Arrow names like int64, string, double, bool, date32, "
                        "timestamp[us, tz=UTC], decimal128(10, 2), or Delta names): " +
                        schema.status().message());
  }
  return (*schema)->field(0)->type();
}

arrow::Result<DatasetSpec> DatasetSpecFromJson(const json& node,
                                               const std::string& path) {
  ARROW_RETURN_NOT_OK(RejectParquetEraKeys(node, path));
  ARROW_RETURN_NOT_OK(
      CheckKnown(node, path,
                 {"name", "schema", "partitionBy", "statsColumns", "orderingKeys",
                  "notNull", "uniqueKey", "checks", "onViolation", "writePolicy"}));
  DatasetSpec spec;
  if (!node.contains("name")) return InvalidInput(path + ".name is required");
  ARROW_ASSIGN_OR_RAISE(spec.name, Get<std::string>(node["name"], path + ".name"));
  if (node.contains("schema")) {
    ARROW_ASSIGN_OR_RAISE(spec.schema, ParseSchema(node["schema"], path + ".schema"));
  }
  const std::pair<const char*, std::vector<std::string>*> lists[] = {
      {"partitionBy", &spec.partition_by},
      {"statsColumns", &spec.stats_columns},
      {"orderingKeys", &spec.ordering_keys},
      {"notNull", &spec.not_null},
      {"uniqueKey", &spec.unique_key}};
  for (const auto& [key, target] : lists) {
    if (!node.contains(key)) continue;
    ARROW_ASSIGN_OR_RAISE(
        *target, Get<std::vector<std::string>>(node[key], path + "." + std::string(key)));
  }
  if (node.contains("checks")) {
    ARROW_ASSIGN_OR_RAISE(spec.checks, ParseChecks(node["checks"], path + ".checks"));
  }
  if (node.contains("onViolation")) {
    ARROW_ASSIGN_OR_RAISE(auto action,
                          Get<std::string>(node["onViolation"], path + ".onViolation"));
    if (action == "quarantine") {
      spec.on_violation = ViolationAction::kQuarantine;
    } else if (action == "fail") {
      spec.on_violation = ViolationAction::kFailRun;
    } else {
      return InvalidInput(path +
                          ".onViolation must be \"quarantine\" or \"fail\", not \"" +
                          action + "\"");
    }
  }
  if (node.contains("writePolicy")) {
    ARROW_ASSIGN_OR_RAISE(spec.write_policy,
                          ParseWritePolicy(node["writePolicy"], path + ".writePolicy"));
  }
  return spec;
}

arrow::Result<DatasetSpec> ParseDatasetSpec(const std::string& json_text,
                                            const std::string& source) {
  json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidInput(source + ": not valid JSON");
  return DatasetSpecFromJson(doc, source);
}

}  // namespace deltaline::pipeline
