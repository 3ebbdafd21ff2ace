#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/dataset/dataset.h>
#include <arrow/result.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"

namespace deltaline::engine {

/// \brief Plain copy of DeltaScanMetrics at one moment.
struct DeltaScanCounts {
  int64_t files_considered = 0;  ///< live files of the snapshot, per fragment listing
  int64_t files_skipped_by_partition = 0;
  int64_t files_skipped_by_stats = 0;
  int64_t files_read = 0;  ///< files opened
  int64_t bytes_read = 0;  ///< bytes returned by storage reads (data files and DVs)
  int64_t rows_read = 0;   ///< rows read from the files, after deletion vectors
  int64_t batches_read = 0;
};

/// \brief What one Delta scan did, updated while it runs (atomics: fragments are read
/// on several threads). Counts accumulate over every listing and execution of the
/// scan's dataset; files_considered = skipped + files_read once a scan has finished.
struct DeltaScanMetrics {
  std::atomic<int64_t> files_considered{0};
  std::atomic<int64_t> files_skipped_by_partition{0};
  std::atomic<int64_t> files_skipped_by_stats{0};
  std::atomic<int64_t> files_read{0};
  std::atomic<int64_t> bytes_read{0};
  std::atomic<int64_t> rows_read{0};
  std::atomic<int64_t> batches_read{0};

  DeltaScanCounts counts() const;
};

/// \brief One Delta snapshot as an Arrow dataset: one fragment per live data file.
///
/// - schema(): the table's Arrow schema without its storage metadata, as `read` gives it.
/// - GetFragments(predicate) skips the files the predicate excludes with
///   delta::FilePruner (partition values and `add.stats`), the pruning of
///   `deltaline read --filter`; it never filters rows (Acero's `filter` node does).
/// - A fragment's partition_expression() is its non-null partition values as
///   equalities, so the scan node fills those columns as scalars and a filter node
///   simplifies against them. A null value gives no fact: the scan node would fill
///   the column from `is_null` with a scalar of type null, not the column's type.
///   Stats (min/max) are not added as guarantees; they only prune files.
/// - A fragment reads its file with delta::OpenDataFile (deletion vectors, column
///   mapping, type widening, missing columns as null, partition values), only the
///   columns ScanOptions::MaterializedFields() names, on the IO thread pool with at
///   most a few batches queued per fragment; the scan node's fragment_readahead bounds
///   how many files are open at once.
class DeltaDataset : public arrow::dataset::Dataset {
 public:
  /// `store` must read `snapshot`'s table. `metrics` may be null (a fresh one is made).
  DeltaDataset(std::shared_ptr<delta::LogStore> store,
               std::shared_ptr<const delta::Snapshot> snapshot,
               std::shared_ptr<DeltaScanMetrics> metrics = nullptr);

  std::string type_name() const override { return "delta"; }
  /// kUnsupportedFeature: a Delta table's schema is its snapshot's.
  arrow::Result<std::shared_ptr<arrow::dataset::Dataset>> ReplaceSchema(
      std::shared_ptr<arrow::Schema> schema) const override;

  const std::shared_ptr<DeltaScanMetrics>& metrics() const { return metrics_; }
  const std::shared_ptr<const delta::Snapshot>& snapshot() const { return snapshot_; }
  const std::string& uri() const;

  struct State;

 protected:
  arrow::Result<arrow::dataset::FragmentIterator> GetFragmentsImpl(
      arrow::compute::Expression predicate) override;

 private:
  std::shared_ptr<const delta::Snapshot> snapshot_;
  std::shared_ptr<DeltaScanMetrics> metrics_;
  std::shared_ptr<const State> state_;
};

}  // namespace deltaline::engine
