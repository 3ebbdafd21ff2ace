#include "engine/delta_source.h"

#include <arrow/compute/api.h>
#include <arrow/dataset/plan.h>
#include <arrow/dataset/scanner.h>

namespace deltaline::engine {

namespace ds = arrow::dataset;

arrow::Result<std::shared_ptr<DeltaTableHandle>> OpenDeltaTable(
    const std::string& uri, const DeltaVersionSpec& at) {
  auto table = std::make_shared<DeltaTableHandle>();
  table->uri = uri;
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  table->store = std::move(store);
  delta::SnapshotRequest request;
  request.version = at.version;
  request.timestamp_ms = at.timestamp_ms;
  ARROW_ASSIGN_OR_RAISE(table->snapshot, delta::Snapshot::Load(*table->store, request));
  return table;
}

arrow::Result<arrow::acero::Declaration> DeltaSourceDeclaration(
    std::shared_ptr<DeltaTableHandle> table, std::shared_ptr<DeltaScanMetrics> metrics) {
  // The `scan` node factory is registered by the dataset module only on request, and
  // the node binds projections with compute functions, also registered on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  ds::internal::Initialize();
  auto dataset =
      std::make_shared<DeltaDataset>(table->store, table->snapshot, std::move(metrics));
  auto options = std::make_shared<ds::ScanOptions>();
  options->dataset_schema = dataset->schema();
  options->use_threads = true;
  // As Arrow's own Substrait consumer does: the node's output schema is then the table
  // schema; the four values the node still appends to each batch lie past it.
  options->add_augmented_fields = false;
  return arrow::acero::Declaration("scan",
                                   ds::ScanNodeOptions(std::move(dataset), options));
}

namespace {

void CollectScans(const arrow::acero::Declaration& node,
                  std::vector<DeltaScanInfo>* out) {
  for (const auto& input : node.inputs) {
    if (const auto* child = std::get_if<arrow::acero::Declaration>(&input)) {
      CollectScans(*child, out);
    }
  }
  if (node.factory_name != "scan" || !node.options) return;
  const auto* scan = dynamic_cast<const ds::ScanNodeOptions*>(node.options.get());
  if (!scan) return;
  const auto* delta = dynamic_cast<const DeltaDataset*>(scan->dataset.get());
  if (!delta) return;
  DeltaScanInfo info;
  info.uri = delta->uri();
  info.version = delta->snapshot()->version();
  info.filter = scan->scan_options ? scan->scan_options->filter.ToString() : "true";
  if (scan->scan_options && scan->scan_options->projected_schema) {
    // In table order, as the fragments read them.
    const auto& schema = *delta->schema();
    std::vector<bool> wanted(schema.num_fields(), false);
    for (const auto& ref : scan->scan_options->MaterializedFields()) {
      auto path = ref.FindOneOrNone(schema);
      if (path.ok() && !path->empty()) wanted[path->indices()[0]] = true;
    }
    info.columns.emplace();
    for (int i = 0; i < schema.num_fields(); ++i) {
      if (wanted[i]) info.columns->push_back(schema.field(i)->name());
    }
  }
  info.metrics = delta->metrics();
  info.dataset = scan->dataset;
  if (scan->scan_options) info.filter_expression = scan->scan_options->filter;
  out->push_back(std::move(info));
}

}  // namespace

std::vector<DeltaScanInfo> DeltaScansOf(const arrow::acero::Declaration& plan) {
  std::vector<DeltaScanInfo> scans;
  CollectScans(plan, &scans);
  return scans;
}

arrow::Result<DeltaScanCounts> PlannedPruning(const DeltaScanInfo& scan) {
  const DeltaScanCounts before = scan.metrics->counts();
  ARROW_ASSIGN_OR_RAISE(auto fragments,
                        scan.dataset->GetFragments(scan.filter_expression));
  int64_t to_read = 0;
  for (auto fragment : fragments) {
    ARROW_RETURN_NOT_OK(fragment.status());
    ++to_read;
  }
  const DeltaScanCounts after = scan.metrics->counts();
  DeltaScanCounts planned;
  planned.files_considered = after.files_considered - before.files_considered;
  planned.files_skipped_by_partition =
      after.files_skipped_by_partition - before.files_skipped_by_partition;
  planned.files_skipped_by_stats =
      after.files_skipped_by_stats - before.files_skipped_by_stats;
  planned.files_read = to_read;
  return planned;
}

}  // namespace deltaline::engine
