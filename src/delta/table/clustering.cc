#include "delta/table/clustering.h"

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

using nlohmann::json;

// One stored column: ["a","b"], "a" or {"physicalName":["a","b"]}.
arrow::Result<ColumnPath> StoredPath(const json& column, const std::string& domain) {
  const json* names = &column;
  if (column.is_object()) {
    auto it = column.find("physicalName");
    if (it == column.end()) {
      return ProtocolError("domain " + domain + ": clustering column " + column.dump() +
                           " has no physicalName");
    }
    names = &*it;
  }
  if (names->is_string()) return ColumnPath{names->get<std::string>()};
  ColumnPath path;
  if (names->is_array()) {
    for (const auto& name : *names) {
      if (!name.is_string()) break;
      path.push_back(name.get<std::string>());
    }
    if (path.size() == names->size() && !path.empty()) return path;
  }
  return ProtocolError("domain " + domain + ": clustering column " + column.dump() +
                       " is not a name or a list of names");
}

// The fields of a struct type node, or null.
const json* FieldsOf(const json& type) {
  if (!type.is_object()) return nullptr;
  auto fields = type.find("fields");
  return fields != type.end() && fields->is_array() ? &*fields : nullptr;
}

// Each stored name is a physical name (column mapping) or already the logical one.
ColumnPath Logical(const ColumnPath& stored, const json& schema) {
  ColumnPath out;
  const json* fields = FieldsOf(schema);
  for (const auto& name : stored) {
    const json* match = nullptr;
    for (size_t idx = 0; fields && idx < fields->size() && !match; ++idx) {
      const json& field = (*fields)[idx];
      if (!field.is_object()) continue;
      std::string physical;
      if (auto meta = field.find("metadata"); meta != field.end() && meta->is_object()) {
        auto it = meta->find("delta.columnMapping.physicalName");
        if (it != meta->end() && it->is_string()) physical = it->get<std::string>();
      }
      if (physical == name || (physical.empty() && field.value("name", "") == name)) {
        match = &field;
      }
    }
    if (!match) return stored;
    out.push_back(match->value("name", name));
    fields = match->contains("type") ? FieldsOf((*match)["type"]) : nullptr;
  }
  return out;
}

}  // namespace

arrow::Result<std::optional<std::vector<ColumnPath>>> ClusteringColumns(
    const std::map<std::string, DomainMetadata>& domains,
    const std::string& schema_string) {
  auto found = domains.find("delta.clustering");
  if (found == domains.end()) found = domains.find("delta.liquid");
  if (found == domains.end()) return std::nullopt;
  const std::string& domain = found->first;
  json config = json::parse(found->second.configuration, nullptr, false);
  const json* columns = nullptr;
  if (config.is_object()) {
    auto it = config.find("clusteringColumns");
    if (it != config.end() && it->is_array()) columns = &*it;
  }
  if (!columns) {
    return ProtocolError("domain " + domain + ": configuration '" +
                         found->second.configuration + "' has no clusteringColumns list");
  }
  json schema = json::parse(schema_string, nullptr, false);
  std::vector<ColumnPath> out;
  for (const auto& column : *columns) {
    ARROW_ASSIGN_OR_RAISE(auto stored, StoredPath(column, domain));
    out.push_back(Logical(stored, schema));
  }
  return out;
}

}  // namespace deltaline::delta
