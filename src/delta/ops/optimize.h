#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/base/retry.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"

namespace deltaline::delta {

/// \brief What an optimize has done so far, for a progress display.
struct OptimizeProgress {
  int64_t files_done = 0;   ///< input files rewritten so far
  int64_t files_total = 0;  ///< input files to rewrite
  int64_t bytes_done = 0;   ///< `add.size` of the input files rewritten so far
  int64_t bytes_total = 0;
};

struct OptimizeOptions {
  /// Size the rewritten files aim at (bytes). Default nullopt: the table's
  /// `delta.targetFileSize`, else 128 MiB (deltaline's write default; delta-rs uses
  /// 100 MiB, Spark's OPTIMIZE 1 GiB).
  std::optional<int64_t> target_size;
  /// SQL text restricting the operation to matching partitions (ParsePredicate); only
  /// partition columns may be used, as in Spark. Default none (every partition).
  std::optional<std::string> where;
  /// The same as an expression (unbound or bound to the table schema); used when
  /// `where` is unset. Default none.
  std::optional<arrow::compute::Expression> where_expression;
  /// Z-order columns: rows of each selected partition are clustered by the Z-order of
  /// these columns. Empty: bin-packing only. Default none.
  std::vector<std::string> zorder_by;
  /// Base the operation on this snapshot instead of the latest one; everything
  /// committed since is conflict-checked. Default null.
  std::shared_ptr<const Snapshot> read_snapshot;
  /// Called after each partition is rewritten. Default none.
  std::function<void(const OptimizeProgress&)> progress;
  CommitRetryPolicy retry;
};

/// \brief Spark's FileSizeStats: sizes of a set of files (bytes).
struct FileSizeStats {
  int64_t min = 0;
  int64_t max = 0;
  double avg = 0;
  int64_t total_files = 0;
  int64_t total_size = 0;
};

/// \brief Spark's OptimizeMetrics, plus what deltaline knows of the commit.
struct OptimizeResult {
  /// The version committed, or the snapshot's version when nothing was done.
  int64_t version = -1;
  bool committed = false;  ///< false: no partition needed rewriting, no commit
  int64_t num_files_added = 0;
  int64_t num_files_removed = 0;
  FileSizeStats files_added;
  FileSizeStats files_removed;
  int64_t partitions_optimized = 0;
  int64_t num_batches = 0;  ///< one per partition rewritten (as Spark's bins)
  int64_t total_considered_files = 0;
  int64_t total_files_skipped = 0;
  int64_t num_deletion_vectors_removed = 0;
  int64_t rows = 0;  ///< rows rewritten (deleted rows excluded)
  std::vector<std::string> zorder_by;
  int commit_attempts = 0;
  /// Sizes of the files added, ascending (for reports and the bench).
  std::vector<int64_t> added_sizes;
};

/// \brief Compacts small files (Spark's and delta-rs's OPTIMIZE), and Z-orders.
///
/// Bin-packing: in each partition (restricted by `where`), the files smaller than the
/// target and every file with a deletion vector are read (through OpenDataFile, so
/// deleted rows go away) and rewritten into n = ceil(estimated output / target) files
/// of even size: the bytes per row of the output are measured on each file written
/// and the rows left are spread over the files left, so no output is far below the
/// target unless the partition holds less data than that. A partition whose
/// candidates would come out as at least as many files, none with a deletion vector,
/// is left alone (a single small file, typically). With `zorder_by`, every file of a
/// selected partition is rewritten, sorted by the Z-order key (see zorder.h), each
/// file ending on a Z-cell edge within a tenth of its planned rows (SnapToZCell); a
/// partition is then held in memory while it is sorted (not bounded: partition a
/// table whose partitions do not fit).
///
/// One commit: every `add` and `remove` has dataChange = false; operation OPTIMIZE
/// with Spark's parameters (predicate, zOrderBy, auto) and metrics. Nothing to do: no
/// commit (`committed` false). Only the rewritten files are read for the conflict
/// check: a concurrent append does not conflict (the commit is retried and lands); a
/// concurrent removal of an input file is a kConcurrentDeleteRead and nothing is
/// committed. On any failure the files written are deleted again.
///
/// Errors: kInvalidInput for a non-positive target, a `where` on a non-partition
/// column, an unknown or partition Z-order column; kUnsupportedFeature for a Z-order
/// column without statistics or of a nested type, and for table features deltaline
/// cannot rewrite (column mapping, row tracking, ..., by name); kTableNotFound;
/// conflicts as above.
arrow::Result<OptimizeResult> Optimize(LogStore& store,
                                       const OptimizeOptions& options = {});

}  // namespace deltaline::delta
