#include "storage/partition_diagnostics.h"

#include <arrow/builder.h>
#include <arrow/table.h>
#include <arrow/table_builder.h>

#include "delta/base/clock.h"
#include "delta/write/partition_metrics.h"
#include "storage/diagnostics_table.h"

namespace deltaline::storage {
namespace {

constexpr const char* kPartitionMetricsTable = "partition_metrics";

// The count columns are named as in commitInfo.operationMetrics["partitionMetrics"],
// so one set of names describes a partition's counts wherever they are read.
std::shared_ptr<arrow::Schema> MetricsSchema() {
  arrow::FieldVector fields = {
      arrow::field("time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("run_id", arrow::utf8()),
      arrow::field("dataset", arrow::utf8()),
      arrow::field("table_uri", arrow::utf8()),
      arrow::field("version", arrow::int64()),
      arrow::field("operation", arrow::utf8()),
      arrow::field("partition", arrow::utf8())};
  for (const auto& count : delta::PartitionMetricFields()) {
    fields.push_back(arrow::field(count.name, arrow::int64()));
  }
  return arrow::schema(fields);
}

}  // namespace

std::string PartitionMetricsTablePath(const RunContext& run) {
  return DiagnosticsTablePath(run, kPartitionMetricsTable);
}

arrow::Status AppendPartitionMetrics(const RunContext& run, const std::string& dataset,
                                     const delta::WriteResult& result) {
  if (!result.committed || result.partitions.empty()) return arrow::Status::OK();
  auto schema = MetricsSchema();
  std::unique_ptr<arrow::RecordBatchBuilder> builder;
  ARROW_ASSIGN_OR_RAISE(
      builder, arrow::RecordBatchBuilder::Make(schema, arrow::default_memory_pool()));
  const int64_t now_us = delta::NowMs() * 1000;
  for (const auto& [partition, metrics] : result.partitions) {
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::TimestampBuilder>(0)->Append(now_us));
    int column = 1;
    for (const std::string& text : {run.run_id, dataset, result.uri}) {
      ARROW_RETURN_NOT_OK(
          builder->GetFieldAs<arrow::StringBuilder>(column++)->Append(text));
    }
    ARROW_RETURN_NOT_OK(
        builder->GetFieldAs<arrow::Int64Builder>(column++)->Append(result.version));
    for (const std::string& text : {result.operation, partition}) {
      ARROW_RETURN_NOT_OK(
          builder->GetFieldAs<arrow::StringBuilder>(column++)->Append(text));
    }
    for (const auto& count : delta::PartitionMetricFields()) {
      ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int64Builder>(column++)->Append(
          metrics.*count.member));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto batch, builder->Flush());
  ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches({batch}));
  return AppendDiagnostics(run, kPartitionMetricsTable, *table);
}

}  // namespace deltaline::storage
