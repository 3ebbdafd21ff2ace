#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/result.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "engine/catalog.h"
#include "engine/delta_dataset.h"

namespace deltaline::engine {

/// \brief A Delta table pinned at one snapshot: what a catalog binding holds.
struct DeltaTableHandle {
  std::string uri;
  std::shared_ptr<delta::LogStore> store;
  std::shared_ptr<const delta::Snapshot> snapshot;
};

/// \brief Loads the snapshot of `uri` that `at` selects (reader features checked).
arrow::Result<std::shared_ptr<DeltaTableHandle>> OpenDeltaTable(
    const std::string& uri, const DeltaVersionSpec& at = {});

/// \brief Acero's `scan` node over a DeltaDataset of `table`'s snapshot: the rows
/// exactly as `deltaline read` gives them (partition columns, missing columns as null,
/// deletion vectors, column mapping, type widening), in the table's Arrow schema and
/// nothing else (no `__fragment_index` & co.). Files are read in parallel.
///
/// The declaration reads every column and every file until PushDownIntoScans (or a
/// caller editing its ScanNodeOptions) narrows it. Its ScanOptions::filter only prunes
/// files; rows are filtered by the `filter` node that must stay above it.
/// `metrics` (may be null) receives the scan's counts; see DeltaScansOf.
arrow::Result<arrow::acero::Declaration> DeltaSourceDeclaration(
    std::shared_ptr<DeltaTableHandle> table,
    std::shared_ptr<DeltaScanMetrics> metrics = nullptr);

/// \brief One Delta scan of a plan, for `query --explain`.
struct DeltaScanInfo {
  std::string uri;
  int64_t version = 0;
  /// The pruning filter pushed into the scan ("true" when none).
  std::string filter;
  /// The table columns the scan reads; nullopt: all of them.
  std::optional<std::vector<std::string>> columns;
  std::shared_ptr<DeltaScanMetrics> metrics;  ///< live: final once the plan has run
  std::shared_ptr<arrow::dataset::Dataset> dataset;
  arrow::compute::Expression filter_expression = arrow::compute::literal(true);
};

/// \brief The Delta scans of `plan` (depth first, inputs in order). Call it after
/// PushDownIntoScans to see what will be pruned and read, and read the metrics after
/// the plan has run; the declarations share the metrics with the running plan.
std::vector<DeltaScanInfo> DeltaScansOf(const arrow::acero::Declaration& plan);

/// \brief The files `scan` will skip and read, from its pushed-down filter, without
/// reading any data (`query --explain`): files_considered, files_skipped_by_partition,
/// files_skipped_by_stats, and files_read = the files left to read. The listing is
/// also added to the scan's live metrics.
arrow::Result<DeltaScanCounts> PlannedPruning(const DeltaScanInfo& scan);

}  // namespace deltaline::engine
