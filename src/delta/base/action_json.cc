#include "delta/base/action_json.h"

#include <string>

#include "delta/base/checkpoint_actions.h"
#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

using nlohmann::json;

// Every accessor checks the JSON type first: this parser sees untrusted logs
// (and a fuzzer), so a wrong type must become an error, not an exception.
struct Reader {
  const json& obj;
  const char* action;
  arrow::Status status;

  bool Fail(const std::string& field, const char* want) {
    if (status.ok()) {
      status = ProtocolError(std::string("action '") + action + "': field '" + field +
                             "' must be " + want);
    }
    return false;
  }
  const json* Find(const char* key) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
  }
  std::string Str(const char* key, bool required = true) {
    const json* v = Find(key);
    if (v == nullptr) {
      if (required) Fail(key, "present (a string)");
      return {};
    }
    if (!v->is_string()) return Fail(key, "a string"), std::string();
    return v->get<std::string>();
  }
  std::optional<std::string> OptStr(const char* key) {
    if (Find(key) == nullptr) return std::nullopt;
    return Str(key);
  }
  std::optional<int64_t> OptInt(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_number_integer()) return Fail(key, "an integer"), std::nullopt;
    return v->get<int64_t>();
  }
  int64_t Int(const char* key) {
    if (Find(key) == nullptr) return Fail(key, "present (an integer)"), 0;
    return OptInt(key).value_or(0);
  }
  std::optional<bool> OptBool(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_boolean()) return Fail(key, "a boolean"), std::nullopt;
    return v->get<bool>();
  }
  std::optional<StringMap> OptStringMap(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_object()) return Fail(key, "an object"), std::nullopt;
    StringMap out;
    for (auto it = v->begin(); it != v->end(); ++it) {
      // Spark writes operationParameters values as strings; other writers sometimes
      // nest JSON. Keep the JSON text so nothing is lost.
      out[it.key()] = it->is_string() ? it->get<std::string>() : it->dump();
    }
    return out;
  }
  std::optional<PartitionValues> OptPartitionValues(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_object()) return Fail(key, "an object"), std::nullopt;
    PartitionValues out;
    for (auto it = v->begin(); it != v->end(); ++it) {
      if (it->is_null()) {
        out[it.key()] = std::nullopt;
      } else if (it->is_string()) {
        out[it.key()] = it->get<std::string>();
      } else {
        return Fail(std::string(key) + "." + it.key(), "a string or null"), std::nullopt;
      }
    }
    return out;
  }
  std::optional<std::vector<std::string>> OptStringList(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_array()) return Fail(key, "an array of strings"), std::nullopt;
    std::vector<std::string> out;
    for (const auto& item : *v) {
      if (!item.is_string()) return Fail(key, "an array of strings"), std::nullopt;
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  std::optional<DeletionVectorDescriptor> OptDeletionVector(const char* key) {
    const json* v = Find(key);
    if (v == nullptr) return std::nullopt;
    if (!v->is_object()) return Fail(key, "an object"), std::nullopt;
    Reader dv{*v, "deletionVector", arrow::Status::OK()};
    DeletionVectorDescriptor out;
    out.storage_type = dv.Str("storageType");
    out.path_or_inline_dv = dv.Str("pathOrInlineDv");
    if (auto offset = dv.OptInt("offset")) out.offset = static_cast<int32_t>(*offset);
    out.size_in_bytes = static_cast<int32_t>(dv.Int("sizeInBytes"));
    out.cardinality = dv.Int("cardinality");
    if (!dv.status.ok() && status.ok()) status = dv.status;
    return out;
  }
};

arrow::Result<Action> ParseProtocol(const json& obj) {
  Reader r{obj, "protocol", arrow::Status::OK()};
  Protocol p;
  p.min_reader_version = static_cast<int32_t>(r.Int("minReaderVersion"));
  p.min_writer_version = static_cast<int32_t>(r.Int("minWriterVersion"));
  p.reader_features = r.OptStringList("readerFeatures");
  p.writer_features = r.OptStringList("writerFeatures");
  ARROW_RETURN_NOT_OK(r.status);
  return p;
}

arrow::Result<Action> ParseMetadata(const json& obj) {
  Reader r{obj, "metaData", arrow::Status::OK()};
  Metadata m;
  // A metaData action replaces the previous one whole, and some writers commit a
  // first one without all the fields that a later commit then supplies. Missing id,
  // format or schema are therefore accepted here; a snapshot whose final metaData has
  // no usable schema fails when the schema is parsed.
  m.id = r.Str("id", /*required=*/false);
  m.name = r.OptStr("name");
  m.description = r.OptStr("description");
  if (const json* fmt = r.Find("format")) {
    if (!fmt->is_object())
      return ProtocolError("action 'metaData': 'format' must be an object");
    Reader f{*fmt, "metaData.format", arrow::Status::OK()};
    m.format.provider = f.OptStr("provider").value_or("parquet");
    m.format.options = f.OptStringMap("options").value_or(StringMap{});
    ARROW_RETURN_NOT_OK(f.status);
  }
  m.schema_string = r.Str("schemaString", /*required=*/false);
  m.partition_columns =
      r.OptStringList("partitionColumns").value_or(std::vector<std::string>{});
  m.configuration = r.OptStringMap("configuration").value_or(StringMap{});
  m.created_time = r.OptInt("createdTime");
  ARROW_RETURN_NOT_OK(r.status);
  return m;
}

arrow::Result<Action> ParseAdd(const json& obj) {
  Reader r{obj, "add", arrow::Status::OK()};
  Add a;
  a.path = r.Str("path");
  auto pv = r.OptPartitionValues("partitionValues");
  if (!pv && r.status.ok()) r.Fail("partitionValues", "present (an object)");
  a.partition_values = pv.value_or(PartitionValues{});
  a.size = r.Int("size");
  a.modification_time = r.Int("modificationTime");
  a.data_change = r.OptBool("dataChange").value_or(true);
  a.stats = r.OptStr("stats");
  a.tags = r.OptStringMap("tags");
  a.deletion_vector = r.OptDeletionVector("deletionVector");
  a.base_row_id = r.OptInt("baseRowId");
  a.default_row_commit_version = r.OptInt("defaultRowCommitVersion");
  a.clustering_provider = r.OptStr("clusteringProvider");
  ARROW_RETURN_NOT_OK(r.status);
  if (a.path.empty()) return ProtocolError("action 'add': empty path");
  return a;
}

arrow::Result<Action> ParseRemove(const json& obj) {
  Reader r{obj, "remove", arrow::Status::OK()};
  Remove rm;
  rm.path = r.Str("path");
  rm.deletion_timestamp = r.OptInt("deletionTimestamp");
  rm.data_change = r.OptBool("dataChange").value_or(true);
  rm.extended_file_metadata = r.OptBool("extendedFileMetadata");
  rm.partition_values = r.OptPartitionValues("partitionValues");
  rm.size = r.OptInt("size");
  rm.stats = r.OptStr("stats");
  rm.tags = r.OptStringMap("tags");
  rm.deletion_vector = r.OptDeletionVector("deletionVector");
  rm.base_row_id = r.OptInt("baseRowId");
  rm.default_row_commit_version = r.OptInt("defaultRowCommitVersion");
  ARROW_RETURN_NOT_OK(r.status);
  if (rm.path.empty()) return ProtocolError("action 'remove': empty path");
  return rm;
}

arrow::Result<Action> ParseCdc(const json& obj) {
  Reader r{obj, "cdc", arrow::Status::OK()};
  Cdc c;
  c.path = r.Str("path");
  auto pv = r.OptPartitionValues("partitionValues");
  if (!pv && r.status.ok()) r.Fail("partitionValues", "present (an object)");
  c.partition_values = pv.value_or(PartitionValues{});
  c.size = r.Int("size");
  c.data_change = r.OptBool("dataChange").value_or(false);
  c.tags = r.OptStringMap("tags");
  ARROW_RETURN_NOT_OK(r.status);
  if (c.path.empty()) return ProtocolError("action 'cdc': empty path");
  return c;
}

arrow::Result<Action> ParseTxn(const json& obj) {
  Reader r{obj, "txn", arrow::Status::OK()};
  Txn t;
  t.app_id = r.Str("appId");
  t.version = r.Int("version");
  t.last_updated = r.OptInt("lastUpdated");
  ARROW_RETURN_NOT_OK(r.status);
  return t;
}

// The typed commitInfo fields and the JSON shape each must have to be read as typed.
struct TypedField {
  const char* key;
  bool (json::*fits)() const noexcept;
};
constexpr TypedField kCommitInfoFields[] = {
    {"timestamp", &json::is_number_integer},
    {"inCommitTimestamp", &json::is_number_integer},
    {"operation", &json::is_string},
    {"operationParameters", &json::is_object},
    {"operationMetrics", &json::is_object},
    {"engineInfo", &json::is_string},
    {"isBlindAppend", &json::is_boolean},
    {"readVersion", &json::is_number_integer},
    {"isolationLevel", &json::is_string},
    {"userMetadata", &json::is_string}};

arrow::Result<Action> ParseCommitInfo(const json& obj) {
  // commitInfo is free-form provenance (PROTOCOL.md, "Commit Provenance Information"):
  // a field another engine shapes differently (a string timestamp, nested metrics…) is
  // kept as it is in `extra`, never a reason to refuse the table. Only
  // inCommitTimestamp, which time travel trusts, must be an integer.
  json typed = json::object();
  CommitInfo ci;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const TypedField* field = nullptr;
    for (const auto& candidate : kCommitInfoFields) {
      if (it.key() == candidate.key) field = &candidate;
    }
    if (field && (it->is_null() || ((*it).*(field->fits))())) {
      typed[it.key()] = *it;
    } else if (it.key() == "inCommitTimestamp") {
      return ProtocolError(
          "action 'commitInfo': field 'inCommitTimestamp' must be an "
          "integer");
    } else {
      ci.extra[it.key()] = *it;
    }
  }
  Reader r{typed, "commitInfo", arrow::Status::OK()};
  ci.timestamp = r.OptInt("timestamp");
  ci.in_commit_timestamp = r.OptInt("inCommitTimestamp");
  ci.operation = r.OptStr("operation").value_or("");
  ci.operation_parameters = r.OptStringMap("operationParameters").value_or(StringMap{});
  ci.operation_metrics = r.OptStringMap("operationMetrics").value_or(StringMap{});
  ci.engine_info = r.OptStr("engineInfo");
  ci.is_blind_append = r.OptBool("isBlindAppend");
  ci.read_version = r.OptInt("readVersion");
  ci.isolation_level = r.OptStr("isolationLevel");
  ci.user_metadata = r.OptStr("userMetadata");
  ARROW_RETURN_NOT_OK(r.status);
  return ci;
}

arrow::Result<Action> ParseDomainMetadata(const json& obj) {
  Reader r{obj, "domainMetadata", arrow::Status::OK()};
  DomainMetadata d;
  d.domain = r.Str("domain");
  d.configuration = r.Str("configuration");
  d.removed = r.OptBool("removed").value_or(false);
  ARROW_RETURN_NOT_OK(r.status);
  return d;
}

json PartitionValuesToJson(const PartitionValues& values) {
  json out = json::object();
  for (const auto& [key, value] : values) {
    out[key] = value ? json(*value) : json(nullptr);
  }
  return out;
}

json StringMapToJson(const StringMap& values) {
  json out = json::object();
  for (const auto& [key, value] : values) out[key] = value;
  return out;
}

json DeletionVectorToJson(const DeletionVectorDescriptor& dv) {
  json out = {{"storageType", dv.storage_type},
              {"pathOrInlineDv", dv.path_or_inline_dv},
              {"sizeInBytes", dv.size_in_bytes},
              {"cardinality", dv.cardinality}};
  if (dv.offset) out["offset"] = *dv.offset;
  return out;
}

struct ToJson {
  json operator()(const Protocol& p) const {
    json body = {{"minReaderVersion", p.min_reader_version},
                 {"minWriterVersion", p.min_writer_version}};
    if (p.reader_features) body["readerFeatures"] = *p.reader_features;
    if (p.writer_features) body["writerFeatures"] = *p.writer_features;
    return {{"protocol", body}};
  }
  json operator()(const Metadata& m) const {
    json body = {{"id", m.id},
                 {"format",
                  {{"provider", m.format.provider},
                   {"options", StringMapToJson(m.format.options)}}},
                 {"schemaString", m.schema_string},
                 {"partitionColumns", m.partition_columns},
                 {"configuration", StringMapToJson(m.configuration)}};
    if (m.name) body["name"] = *m.name;
    if (m.description) body["description"] = *m.description;
    if (m.created_time) body["createdTime"] = *m.created_time;
    return {{"metaData", body}};
  }
  json operator()(const Add& a) const {
    json body = {{"path", a.path},
                 {"partitionValues", PartitionValuesToJson(a.partition_values)},
                 {"size", a.size},
                 {"modificationTime", a.modification_time},
                 {"dataChange", a.data_change}};
    if (a.stats) body["stats"] = *a.stats;
    if (a.tags) body["tags"] = StringMapToJson(*a.tags);
    if (a.deletion_vector)
      body["deletionVector"] = DeletionVectorToJson(*a.deletion_vector);
    if (a.base_row_id) body["baseRowId"] = *a.base_row_id;
    if (a.default_row_commit_version) {
      body["defaultRowCommitVersion"] = *a.default_row_commit_version;
    }
    if (a.clustering_provider) body["clusteringProvider"] = *a.clustering_provider;
    return {{"add", body}};
  }
  json operator()(const Remove& r) const {
    json body = {{"path", r.path}, {"dataChange", r.data_change}};
    if (r.deletion_timestamp) body["deletionTimestamp"] = *r.deletion_timestamp;
    if (r.extended_file_metadata)
      body["extendedFileMetadata"] = *r.extended_file_metadata;
    if (r.partition_values)
      body["partitionValues"] = PartitionValuesToJson(*r.partition_values);
    if (r.size) body["size"] = *r.size;
    if (r.stats) body["stats"] = *r.stats;
    if (r.tags) body["tags"] = StringMapToJson(*r.tags);
    if (r.deletion_vector)
      body["deletionVector"] = DeletionVectorToJson(*r.deletion_vector);
    if (r.base_row_id) body["baseRowId"] = *r.base_row_id;
    if (r.default_row_commit_version) {
      body["defaultRowCommitVersion"] = *r.default_row_commit_version;
    }
    return {{"remove", body}};
  }
  json operator()(const Txn& t) const {
    json body = {{"appId", t.app_id}, {"version", t.version}};
    if (t.last_updated) body["lastUpdated"] = *t.last_updated;
    return {{"txn", body}};
  }
  json operator()(const CommitInfo& ci) const {
    json body = ci.extra.is_object() ? ci.extra : json::object();
    if (ci.timestamp) body["timestamp"] = *ci.timestamp;
    if (ci.in_commit_timestamp) body["inCommitTimestamp"] = *ci.in_commit_timestamp;
    body["operation"] = ci.operation;
    body["operationParameters"] = StringMapToJson(ci.operation_parameters);
    if (!ci.operation_metrics.empty()) {
      body["operationMetrics"] = StringMapToJson(ci.operation_metrics);
    }
    if (ci.engine_info) body["engineInfo"] = *ci.engine_info;
    if (ci.is_blind_append) body["isBlindAppend"] = *ci.is_blind_append;
    if (ci.read_version) body["readVersion"] = *ci.read_version;
    if (ci.isolation_level) body["isolationLevel"] = *ci.isolation_level;
    if (ci.user_metadata) body["userMetadata"] = *ci.user_metadata;
    return {{"commitInfo", body}};
  }
  json operator()(const Cdc& c) const {
    json body = {{"path", c.path},
                 {"partitionValues", PartitionValuesToJson(c.partition_values)},
                 {"size", c.size},
                 {"dataChange", c.data_change}};
    if (c.tags) body["tags"] = StringMapToJson(*c.tags);
    return {{"cdc", body}};
  }
  json operator()(const DomainMetadata& d) const {
    return {{"domainMetadata",
             {{"domain", d.domain},
              {"configuration", d.configuration},
              {"removed", d.removed}}}};
  }
};

}  // namespace

arrow::Result<CheckpointMetadata> ParseCheckpointMetadata(const json& body) {
  if (!body.is_object())
    return ProtocolError("action 'checkpointMetadata' must be a JSON object");
  Reader r{body, "checkpointMetadata", arrow::Status::OK()};
  CheckpointMetadata out;
  out.version = r.Int("version");
  out.tags = r.OptStringMap("tags");
  ARROW_RETURN_NOT_OK(r.status);
  if (out.version < 0)
    return ProtocolError("action 'checkpointMetadata': negative version");
  return out;
}

arrow::Result<SidecarFile> ParseSidecarFile(const json& body) {
  if (!body.is_object()) return ProtocolError("action 'sidecar' must be a JSON object");
  Reader r{body, "sidecar", arrow::Status::OK()};
  SidecarFile out;
  out.path = r.Str("path");
  out.size_in_bytes = r.Int("sizeInBytes");
  out.modification_time = r.Int("modificationTime");
  out.tags = r.OptStringMap("tags");
  ARROW_RETURN_NOT_OK(r.status);
  if (out.path.empty()) return ProtocolError("action 'sidecar': empty path");
  return out;
}

arrow::Result<Action> ParseAction(const json& line) {
  if (!line.is_object()) return ProtocolError("an action must be a JSON object");
  for (auto it = line.begin(); it != line.end(); ++it) {
    const std::string& key = it.key();
    const json& body = *it;
    if (key != "protocol" && key != "metaData" && key != "add" && key != "remove" &&
        key != "txn" && key != "commitInfo" && key != "cdc" && key != "domainMetadata") {
      continue;
    }
    if (!body.is_object())
      return ProtocolError("action '" + key + "' must be a JSON object");
    if (key == "protocol") return ParseProtocol(body);
    if (key == "metaData") return ParseMetadata(body);
    if (key == "add") return ParseAdd(body);
    if (key == "remove") return ParseRemove(body);
    if (key == "txn") return ParseTxn(body);
    if (key == "commitInfo") return ParseCommitInfo(body);
    if (key == "cdc") return ParseCdc(body);
    return ParseDomainMetadata(body);
  }
  return arrow::Status::NotImplemented("unknown action");
}

arrow::Result<std::vector<Action>> ParseCommitFile(std::string_view content,
                                                   std::string_view source) {
  std::vector<Action> actions;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json parsed =
        json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
    auto where = [&] {
      return std::string(source) + ":" + std::to_string(line_no) + ": ";
    };
    if (parsed.is_discarded()) return ProtocolError(where() + "malformed JSON");
    auto action = ParseAction(parsed);
    if (action.status().IsNotImplemented()) continue;  // unknown action type: skipped
    if (!action.ok()) return ProtocolError(where() + action.status().message());
    actions.push_back(std::move(action).ValueUnsafe());
  }
  return actions;
}

json ActionToJson(const Action& action) { return std::visit(ToJson{}, action); }

std::string SerializeCommitFile(const std::vector<Action>& actions) {
  std::string out;
  for (const auto& action : actions) {
    out += ActionToJson(action).dump(-1, ' ', false, json::error_handler_t::replace);
    out += '\n';
  }
  return out;
}

std::string DeletionVectorDescriptor::UniqueId() const {
  std::string id = storage_type + path_or_inline_dv;
  if (offset) id += "@" + std::to_string(*offset);
  return id;
}

}  // namespace deltaline::delta
