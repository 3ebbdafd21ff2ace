#include "delta/ops/convert_to_delta.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/uuid.h"
#include "delta/log/transaction.h"
#include "delta/table/partition_path.h"
#include "delta/table/schema.h"
#include "delta/table/table_features.h"

namespace deltaline::delta {
namespace {

// In place, the bytes stay as written: a type is accepted only when Delta reads it
// back as the same Arrow type (the round trip through the Delta schema is identity).
arrow::Status CheckInPlaceTypes(const ParquetLayout& layout) {
  for (const auto& file : layout.files) {
    if (!file.int96_columns.empty()) {
      return UnsupportedFeature(
          "INT96", "file '" + file.path + "' stores column '" + file.int96_columns[0] +
                       "' as an INT96 timestamp, which Delta cannot reference in "
                       "place; migrate without --in-place to convert it to microseconds");
    }
  }
  for (const auto& field : layout.data_schema->fields()) {
    auto one = arrow::schema({field});
    auto canonical = CanonicalArrowSchema(*one);
    if (!canonical.ok() || !(*canonical)->field(0)->type()->Equals(field->type())) {
      std::string path;
      for (const auto& file : layout.files) {
        if (file.schema->GetFieldByName(field->name())) {
          path = file.path;
          break;
        }
      }
      return UnsupportedFeature(
          field->type()->ToString(),
          "file '" + path + "': column '" + field->name() + "' of type " +
              field->type()->ToString() +
              " has no exact Delta type when the file is kept as is" +
              (canonical.ok() ? "" : " (" + canonical.status().message() + ")") +
              "; migrate without --in-place to convert it exactly");
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::string> FileStats(const ParquetSourceFile& file,
                                     const StatsOptions& base,
                                     std::map<std::string, int64_t>* with_stats) {
  // The default selection (first N columns) restricted to the exact ones.
  std::vector<std::string> wanted;
  const auto& fields = file.schema->fields();
  const int limit =
      base.num_indexed_cols < 0 ? static_cast<int>(fields.size()) : base.num_indexed_cols;
  for (int field_idx = 0; field_idx < static_cast<int>(fields.size()); ++field_idx) {
    const std::string& name = fields[field_idx]->name();
    const bool selected =
        base.stats_columns.empty()
            ? field_idx < limit
            : std::find(base.stats_columns.begin(), base.stats_columns.end(), name) !=
                  base.stats_columns.end();
    const bool exact =
        std::find(file.exact_stats_columns.begin(), file.exact_stats_columns.end(),
                  name) != file.exact_stats_columns.end();
    if (selected && exact) {
      wanted.push_back(name);
      ++(*with_stats)[name];
    }
  }
  if (wanted.empty()) {
    return nlohmann::json({{"numRecords", file.num_rows}}).dump();
  }
  StatsOptions options = base;
  options.num_indexed_cols = -1;
  // Backticks keep a dotted top-level name one column.
  options.stats_columns.clear();
  for (const auto& name : wanted) {
    std::string quoted = "`";
    for (char c : name) quoted += (c == '`') ? std::string("``") : std::string(1, c);
    options.stats_columns.push_back(quoted + "`");
  }
  return StatsJsonFromParquet(*file.metadata, *file.schema, options);
}

}  // namespace

arrow::Result<ConvertToDeltaResult> ConvertToDelta(LogStore& store,
                                                   const ParquetLayout& layout,
                                                   const ConvertToDeltaOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto log_info,
                        store.filesystem()->GetFileInfo(store.root() + "/_delta_log"));
  if (log_info.type() != arrow::fs::FileType::NotFound) {
    return TableAlreadyExists("'" + store.uri() + "' already has a _delta_log");
  }
  ARROW_RETURN_NOT_OK(CheckInPlaceTypes(layout));
  ConvertToDeltaResult result;
  Metadata metadata;
  metadata.id = NewUuid();
  ARROW_ASSIGN_OR_RAISE(metadata.schema_string, ArrowToDeltaSchemaJson(*layout.schema));
  metadata.partition_columns = layout.partition_names();
  metadata.created_time = NowMs();
  ARROW_ASSIGN_OR_RAISE(auto protocol, ProtocolForNewTable(metadata));
  Transaction txn(&store, nullptr);
  txn.AddAction(protocol);
  txn.AddAction(metadata);
  for (const auto& file : layout.files) {
    Add add;
    const size_t slash = file.path.rfind('/');
    add.path =
        slash == std::string::npos
            ? EncodeDataFilePath("", file.path)
            : EncodeDataFilePath(file.path.substr(0, slash), file.path.substr(slash + 1));
    for (size_t col_idx = 0; col_idx < layout.partition_columns.size(); ++col_idx) {
      // The protocol's serialisation of the typed value (`2024-01-05`, `7`).
      ARROW_ASSIGN_OR_RAISE(auto scalar, PartitionScalar(layout, file, col_idx));
      ARROW_ASSIGN_OR_RAISE(add.partition_values[layout.partition_columns[col_idx].name],
                            SerializePartitionValue(*scalar));
    }
    add.size = file.size;
    add.modification_time = file.modification_time;
    add.data_change = true;
    ARROW_ASSIGN_OR_RAISE(add.stats,
                          FileStats(file, options.stats, &result.files_with_stats));
    result.files += 1;
    result.bytes += file.size;
    result.rows += file.num_rows;
    txn.AddAction(std::move(add));
    if (options.progress) {
      options.progress(result.files, static_cast<int64_t>(layout.files.size()));
    }
  }
  txn.SetOperation("CONVERT",
                   {{"numFiles", std::to_string(result.files)},
                    {"partitionedBy", nlohmann::json(layout.partition_names()).dump()},
                    {"collectStats", "true"},
                    {"sourceFormat", "parquet"}});
  txn.SetOperationMetrics({{"numConvertedFiles", std::to_string(result.files)}});
  auto committed = txn.Commit();
  if (!committed.ok()) {
    if (IsKind(committed.status(), ErrorKind::kConcurrentModification) ||
        committed.status().IsAlreadyExists()) {
      return TableAlreadyExists(
          "'" + store.uri() +
          "' got a _delta_log while converting: " + committed.status().message());
    }
    return committed.status();
  }
  result.version = committed->version;
  return result;
}

}  // namespace deltaline::delta
