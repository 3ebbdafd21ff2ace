// Planning an OPTIMIZE: which table features it can rewrite, which partitions the
// predicate selects, and which files of each are rewritten.
#include <algorithm>
#include <cmath>
#include <map>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/ops/optimize_internal.h"
#include "delta/predicate/file_predicate.h"
#include "delta/predicate/predicate.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"
#include "delta/write/stats.h"

namespace deltaline::delta {
namespace {

// Deletion vectors are the one writer feature OPTIMIZE supports beyond what writes do:
// it only removes files that carry them and adds files without, which purges them.
// Everything else (column mapping, row tracking, ...) is refused by name.
arrow::Status CheckRewritable(const Snapshot& snapshot) {
  Protocol protocol = snapshot.protocol();
  if (protocol.writer_features) {
    auto& features = *protocol.writer_features;
    features.erase(std::remove(features.begin(), features.end(), "deletionVectors"),
                   features.end());
  }
  return CheckWriteSupported(protocol, snapshot.metadata());
}

std::optional<int64_t> LiveRows(const Add& file) {
  auto stats = nlohmann::json::parse(file.stats.value_or(""), nullptr, false);
  if (!stats.is_object() || !stats.contains("numRecords") ||
      !stats["numRecords"].is_number_integer()) {
    return std::nullopt;
  }
  int64_t rows = stats["numRecords"].get<int64_t>();
  if (file.deletion_vector) rows -= file.deletion_vector->cardinality;
  return rows;
}

arrow::Result<std::optional<arrow::compute::Expression>> WherePredicate(
    LogStore& store, const Snapshot& snapshot, const OptimizeOptions& options,
    std::vector<std::string>& texts) {
  std::optional<arrow::compute::Expression> predicate;
  if (options.where) {
    ARROW_ASSIGN_OR_RAISE(predicate, ParsePredicate(*options.where, *snapshot.schema()));
    texts.push_back(*options.where);
  } else if (options.where_expression) {
    ARROW_ASSIGN_OR_RAISE(predicate,
                          BindPredicate(*options.where_expression, *snapshot.schema()));
    texts.push_back(predicate->ToString());
  } else {
    return predicate;
  }
  const auto& partitions = snapshot.partition_columns();
  for (const auto& column : PredicateColumns(*predicate, *snapshot.schema())) {
    if (std::find(partitions.begin(), partitions.end(), column) == partitions.end()) {
      return InvalidInput(
          "optimize of '" + store.uri() + "': the predicate '" + texts.back() +
          "' uses column '" + column +
          "', which is not a partition column (partition columns: " +
          nlohmann::json(partitions)
              .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
          "); as in Spark, OPTIMIZE ... WHERE takes partition columns only");
    }
  }
  return predicate;
}

// Z-order columns must be data columns with statistics, else clustering buys no
// skipping (Spark refuses them the same way).
arrow::Status CheckZOrderColumns(LogStore& store, const Snapshot& snapshot,
                                 const arrow::Schema& data_schema,
                                 const StatsOptions& stats,
                                 const std::vector<std::string>& columns) {
  const auto& partitions = snapshot.partition_columns();
  for (size_t idx = 0; idx < columns.size(); ++idx) {
    const std::string& column = columns[idx];
    if (std::find(columns.begin(), columns.begin() + idx, column) !=
        columns.begin() + idx) {
      return InvalidInput("Z-order column '" + column + "' is listed twice");
    }
    if (std::find(partitions.begin(), partitions.end(), column) != partitions.end()) {
      return InvalidInput("Z-order column '" + column + "' of '" + store.uri() +
                          "' is a partition column: each partition holds one value of "
                          "it, so there is nothing to cluster");
    }
    const int index = data_schema.GetFieldIndex(column);
    if (index < 0) {
      return InvalidInput("Z-order column '" + column + "' is not a column of '" +
                          store.uri() + "' (" + data_schema.ToString() + ")");
    }
    const auto& type = *data_schema.field(index)->type();
    if (type.num_fields() > 0) {
      return UnsupportedFeature("zorder:" + column, "Z-order column '" + column +
                                                        "' has nested type " +
                                                        type.ToString() +
                                                        "; only primitive columns can "
                                                        "be Z-ordered");
    }
    bool indexed = false;
    if (!stats.stats_columns.empty()) {
      indexed = std::find(stats.stats_columns.begin(), stats.stats_columns.end(),
                          column) != stats.stats_columns.end();
    } else {
      int leaf = 0;
      for (int field_idx = 0; field_idx < index; ++field_idx) {
        leaf += CountParquetLeaves(*data_schema.field(field_idx)->type());
      }
      indexed = stats.num_indexed_cols < 0 || leaf < stats.num_indexed_cols;
    }
    if (!indexed) {
      return UnsupportedFeature(
          "zorder:" + column,
          "Z-order column '" + column + "' of '" + store.uri() +
              "' has no statistics (outside delta.dataSkippingNumIndexedCols / "
              "delta.dataSkippingStatsColumns): clustering on it could not skip files");
    }
  }
  return arrow::Status::OK();
}

// The job of one partition, or nothing when rewriting would not help.
std::optional<OptimizeJob> JobOf(PartitionKey key, std::vector<Add> files,
                                 const OptimizePlan& plan) {
  OptimizeJob job;
  job.key = std::move(key);
  bool has_dv = false;
  for (auto& file : files) {
    const bool small = file.size < plan.target_size;
    if (!plan.zorder_by.empty() || small || file.deletion_vector) {
      has_dv = has_dv || file.deletion_vector.has_value();
      job.input_bytes += file.size;
      job.inputs.push_back(std::move(file));
    }
  }
  if (job.inputs.empty()) return std::nullopt;
  // Compaction that would not lower the file count is churn (Spark skips bins of one
  // file the same way); purging deletion vectors or clustering is worth it anyway.
  const auto outputs = static_cast<size_t>(
      std::ceil(static_cast<double>(job.input_bytes) / plan.target_size));
  if (plan.zorder_by.empty() && !has_dv && outputs >= job.inputs.size()) {
    return std::nullopt;
  }
  std::sort(job.inputs.begin(), job.inputs.end(), [](const Add& a, const Add& b) {
    return std::tie(a.modification_time, a.path) < std::tie(b.modification_time, b.path);
  });
  job.rows = 0;
  for (const auto& file : job.inputs) {
    auto rows = LiveRows(file);
    if (!rows) {
      job.rows.reset();
      break;
    }
    *job.rows += *rows;
  }
  return job;
}

}  // namespace

arrow::Result<OptimizePlan> PlanOptimize(LogStore& store,
                                         const OptimizeOptions& options) {
  OptimizePlan plan;
  if (options.read_snapshot) {
    plan.snapshot = options.read_snapshot;
  } else {
    ARROW_ASSIGN_OR_RAISE(plan.snapshot, Snapshot::Load(store));
  }
  const Snapshot& snapshot = *plan.snapshot;
  ARROW_RETURN_NOT_OK(CheckRewritable(snapshot));
  ARROW_ASSIGN_OR_RAISE(plan.target_size,
                        TargetFileSize(snapshot.metadata().configuration));
  if (options.target_size) plan.target_size = *options.target_size;
  if (plan.target_size <= 0) {
    return InvalidInput("optimize target size must be positive (got " +
                        std::to_string(plan.target_size) + " bytes)");
  }
  // The stats options of a write to this table; one file is open at a time, so the
  // row group buffer keeps its default size.
  const StringMap& configuration = snapshot.metadata().configuration;
  plan.writer_options.target_file_size = plan.target_size;
  ARROW_ASSIGN_OR_RAISE(plan.writer_options.stats.num_indexed_cols,
                        DataSkippingNumIndexedCols(configuration));
  plan.writer_options.stats.stats_columns = DataSkippingStatsColumns(configuration);
  const auto& partitions = snapshot.partition_columns();
  arrow::FieldVector data_fields;
  for (const auto& field : snapshot.schema()->fields()) {
    if (std::find(partitions.begin(), partitions.end(), field->name()) ==
        partitions.end()) {
      data_fields.push_back(field);
    }
  }
  plan.data_schema = arrow::schema(std::move(data_fields));
  ARROW_ASSIGN_OR_RAISE(auto predicate,
                        WherePredicate(store, snapshot, options, plan.predicates));
  ARROW_RETURN_NOT_OK(CheckZOrderColumns(store, snapshot, *plan.data_schema,
                                         plan.writer_options.stats, options.zorder_by));
  plan.zorder_by = options.zorder_by;

  std::map<std::string, std::pair<PartitionKey, std::vector<Add>>> by_partition;
  for (auto& file : snapshot.files()) {
    ARROW_ASSIGN_OR_RAISE(
        auto values,
        NormalizePartitionValues(*snapshot.schema(), partitions, file.partition_values));
    if (predicate) {
      ARROW_ASSIGN_OR_RAISE(
          auto match,
          MatchPartitionValues(*predicate, *snapshot.schema(), partitions, values));
      if (match != PartitionMatch::kAll) continue;
    }
    ARROW_ASSIGN_OR_RAISE(auto key, MakePartitionKey(partitions, values));
    auto& entry = by_partition[key.id];
    if (entry.second.empty()) entry.first = key;
    entry.second.push_back(std::move(file));
    ++plan.considered_files;
  }
  for (auto& [id, entry] : by_partition) {
    auto job = JobOf(std::move(entry.first), std::move(entry.second), plan);
    if (job) plan.jobs.push_back(std::move(*job));
  }
  return plan;
}

}  // namespace deltaline::delta
