#include "storage/migrate_parquet_report.h"

#include <map>

#include "delta/table/schema.h"

namespace deltaline::storage {
namespace {

nlohmann::json ValuesJson(const delta::PartitionValues& values) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [name, value] : values) {
    out[name] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  }
  return out;
}

nlohmann::json DigestJson(const delta::DatasetDigest& digest) {
  nlohmann::json columns = nlohmann::json::object();
  for (const auto& [name, column] : digest.columns) {
    columns[name] = {{"hashSum", column.hash_sum}, {"nulls", column.nulls}};
  }
  return {{"rows", digest.rows},
          {"partitionRows", digest.partition_rows},
          {"columns", columns}};
}

}  // namespace

nlohmann::json MigrationPlanJson(const delta::ParquetLayout& layout) {
  nlohmann::json files = nlohmann::json::array();
  std::map<std::string, int64_t> exact;
  for (const auto& file : layout.files) {
    files.push_back({{"path", file.path},
                     {"size", file.size},
                     {"rows", file.num_rows},
                     {"partitionValues", ValuesJson(file.partition_values)},
                     {"exactStatsColumns", file.exact_stats_columns}});
    for (const auto& column : file.exact_stats_columns) ++exact[column];
  }
  nlohmann::json partition_columns = nlohmann::json::array();
  for (const auto& column : layout.partition_columns) {
    partition_columns.push_back(
        {{"name", column.name}, {"type", column.type->ToString()}});
  }
  nlohmann::json schema = nlohmann::json::array();
  nlohmann::json stats = nlohmann::json::object();
  for (const auto& field : layout.schema->fields()) {
    const bool is_partition = !layout.data_schema->GetFieldByName(field->name());
    schema.push_back({{"name", field->name()},
                      {"type", field->type()->ToString()},
                      {"nullable", field->nullable()},
                      {"partition", is_partition}});
    if (is_partition) continue;
    // How many files' footers have exact stats for the column, of all files.
    auto it = exact.find(field->name());
    stats[field->name()] = {{"filesWithExactStats", it == exact.end() ? 0 : it->second},
                            {"files", layout.files.size()}};
  }
  auto delta_schema = delta::ArrowToDeltaSchemaJson(*layout.schema);
  return {{"root", layout.root},
          {"schemaMode",
           layout.schema_mode == delta::ParquetSchemaMode::kMerge ? "merge" : "strict"},
          {"numFiles", layout.files.size()},
          {"totalBytes", layout.total_bytes},
          {"totalRows", layout.total_rows},
          {"partitionColumns", partition_columns},
          {"partitions", layout.partitions},
          {"schema", schema},
          {"deltaSchema", delta_schema.ok()
                              ? nlohmann::json::parse(*delta_schema, nullptr, false)
                              : nlohmann::json(delta_schema.status().message())},
          {"statsAvailability", stats},
          {"skipped", layout.skipped},
          {"files", files}};
}

nlohmann::json VerifyJson(const delta::VerifyResult& verify) {
  nlohmann::json mismatches = nlohmann::json::array();
  for (const auto& mismatch : verify.mismatches) {
    mismatches.push_back({{"kind", mismatch.kind},
                          {"name", mismatch.name},
                          {"source", mismatch.source},
                          {"result", mismatch.result}});
  }
  return {{"ok", verify.ok},
          {"mismatches", mismatches},
          {"source", DigestJson(verify.source)},
          {"result", DigestJson(verify.result)}};
}

std::string MismatchText(const delta::VerifyMismatch& mismatch) {
  std::string what = mismatch.kind;
  if (mismatch.kind == "partition") what = "rows of partition '" + mismatch.name + "'";
  if (mismatch.kind == "column") what = "values of column '" + mismatch.name + "'";
  if (mismatch.kind == "schema") what = "type of column '" + mismatch.name + "'";
  if (mismatch.kind == "rows") what = "total rows";
  return what + ": source " + mismatch.source + ", result " + mismatch.result;
}

}  // namespace deltaline::storage
