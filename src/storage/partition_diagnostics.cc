#include "storage/partition_diagnostics.h"

#include <arrow/builder.h>
#include <arrow/table_builder.h>
#include <arrow/table.h>

#include "delta/base/clock.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"

namespace deltaline::storage {
namespace {

std::shared_ptr<arrow::Schema> MetricsSchema() {
  arrow::FieldVector fields = {
      arrow::field("time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("run_id", arrow::utf8()),      arrow::field("dataset", arrow::utf8()),
      arrow::field("table_uri", arrow::utf8()),   arrow::field("version", arrow::int64()),
      arrow::field("operation", arrow::utf8()),   arrow::field("partition", arrow::utf8())};
  for (const char* count : {"files_added", "rows_added", "bytes_added", "files_removed",
                            "rows_removed", "bytes_removed", "rows_copied"}) {
    fields.push_back(arrow::field(count, arrow::int64()));
  }
  return arrow::schema(fields);
}

}  // namespace

std::string PartitionMetricsTablePath(const RunContext& run) {
  return run.run_dir + "/_diagnostics/partition_metrics";
}

arrow::Status AppendPartitionMetrics(const RunContext& run, const std::string& dataset,
                                     const delta::WriteResult& result) {
  if (!result.committed || result.partitions.empty()) return arrow::Status::OK();
  auto schema = MetricsSchema();
  std::unique_ptr<arrow::RecordBatchBuilder> builder;
  ARROW_ASSIGN_OR_RAISE(builder, arrow::RecordBatchBuilder::Make(schema,
                                                                 arrow::default_memory_pool()));
  const int64_t now_us = delta::NowMs() * 1000;
  for (const auto& [partition, m] : result.partitions) {
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::TimestampBuilder>(0)->Append(now_us));
    int column = 1;
    for (const std::string& text : {run.run_id, dataset, result.uri}) {
      ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::StringBuilder>(column++)->Append(text));
    }
    ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int64Builder>(column++)->Append(result.version));
    for (const std::string& text : {result.operation, partition}) {
      ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::StringBuilder>(column++)->Append(text));
    }
    for (int64_t count : {m.files_added, m.rows_added, m.bytes_added, m.files_removed,
                          m.rows_removed, m.bytes_removed, m.rows_copied}) {
      ARROW_RETURN_NOT_OK(builder->GetFieldAs<arrow::Int64Builder>(column++)->Append(count));
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto batch, builder->Flush());
  ARROW_ASSIGN_OR_RAISE(auto table, arrow::Table::FromRecordBatches({batch}));
  // Diagnostics are outputs too: they go through our own Delta writer.
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(PartitionMetricsTablePath(run)));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.user_metadata = {{"deltaline.dataset", "_diagnostics/partition_metrics"}};
  return delta::WriteTable(*store, *table, options).status();
}

}  // namespace deltaline::storage
