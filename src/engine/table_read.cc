#include "engine/table_read.h"

#include <arrow/acero/options.h>
#include <arrow/dataset/scanner.h>

#include "engine/execute.h"
#include "engine/pushdown.h"

namespace deltaline::engine {

namespace ac = arrow::acero;
namespace ds = arrow::dataset;

namespace {
constexpr int64_t kReadBatchRows = 1 << 20;
}  // namespace

arrow::Result<std::shared_ptr<arrow::Table>> ReadTable(
    std::shared_ptr<DeltaTableHandle> table, const std::vector<std::string>& columns,
    const std::optional<arrow::compute::Expression>& filter, const RunOptions& options) {
  ARROW_ASSIGN_OR_RAISE(ac::Declaration plan, DeltaSourceDeclaration(std::move(table)));
  // Batches carry their file's and their own index, so the sink puts them back in the
  // files' order however the threads finish.
  auto ordered = std::make_shared<ds::ScanNodeOptions>(
      *static_cast<const ds::ScanNodeOptions*>(plan.options.get()));
  ordered->require_sequenced_output = true;
  ordered->implicit_ordering = true;
  // Whole row groups per batch: a full read keeps everything anyway, and fewer,
  // larger batches cost less to hand between threads and to concatenate.
  auto scan_options = std::make_shared<ds::ScanOptions>(*ordered->scan_options);
  scan_options->batch_size = kReadBatchRows;
  ordered->scan_options = std::move(scan_options);
  plan.options = std::move(ordered);
  if (filter)
    plan = ac::Declaration("filter", {std::move(plan)}, ac::FilterNodeOptions(*filter));
  if (!columns.empty()) {
    std::vector<arrow::compute::Expression> fields;
    for (const auto& name : columns) fields.push_back(arrow::compute::field_ref(name));
    plan = ac::Declaration("project", {std::move(plan)},
                           ac::ProjectNodeOptions(std::move(fields), columns));
  }
  ARROW_RETURN_NOT_OK(PushDownIntoScans(plan));
  return RunToTable(std::move(plan), options);
}

}  // namespace deltaline::engine
