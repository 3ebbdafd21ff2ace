#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <arrow/acero/options.h>
#include <arrow/result.h>

#include "engine/batch_queue.h"
#include "storage/storage_writer.h"

namespace deltaline::engine {

/// Factory name of the node in Acero's default registry.
inline constexpr const char* kDeltaWriteNodeName = "delta_write";

/// \brief Where a `delta_write` node leaves the outcome of its write (the node itself
/// emits no rows). Shared between the caller and the node; thread-safe.
class DeltaWriteResultSlot {
 public:
  /// Unset until the writer returned (the plan never started it, or still runs).
  std::optional<arrow::Result<storage::WriteResult>> result() const;
  /// The queue's figures: batches, rows, peak queued bytes, pauses.
  BatchQueueStats stats() const;
  /// True when the write was aborted because the plan failed or was stopped (then the
  /// plan's own error is the one to report).
  bool aborted_by_plan() const;

  void Set(arrow::Result<storage::WriteResult> result, BatchQueueStats stats,
           bool aborted_by_plan);

 private:
  mutable std::mutex mutex_;
  std::optional<arrow::Result<storage::WriteResult>> result_;
  BatchQueueStats stats_;
  bool aborted_by_plan_ = false;
};

/// Default bound of the bytes queued between the plan and the writer.
inline constexpr int64_t kDefaultMaxQueuedBytes = 32LL << 20;

/// \brief Options of the `delta_write` node: the plan's rows go into the Delta table
/// at `uri` as one commit through storage::WriteDatasetDelta with `storage`.
class DeltaWriteNodeOptions : public arrow::acero::ExecNodeOptions {
 public:
  DeltaWriteNodeOptions(std::string uri, storage::StorageWriteOptions storage,
                        std::shared_ptr<DeltaWriteResultSlot> result)
      : uri(std::move(uri)), storage(std::move(storage)), result(std::move(result)) {}

  std::string uri;
  storage::StorageWriteOptions storage;
  /// Receives the write's outcome; may be null (then only the plan's status tells).
  std::shared_ptr<DeltaWriteResultSlot> result;
  /// Column names of the written table, one per input column; empty = the input's
  /// (a Substrait NamedTapRel renames its input this way).
  std::vector<std::string> column_names;
  /// Batches queued before the input is paused (see BatchQueue).
  int64_t max_queued_bytes = kDefaultMaxQueuedBytes;
};

/// \brief Registers `delta_write` in arrow::acero::default_exec_factory_registry()
/// (once; later calls are no-ops). InsertInto and the named tap provider call it.
///
/// The node's contract:
/// - one input; it outputs no rows, in the (renamed) input schema, and signals the
///   end of its output only after the commit, so a sink after it completes after the
///   data landed. The outcome is in the result slot.
/// - Ordered input (e.g. after order_by) is written in order; unordered input in
///   arrival order.
/// - The storage writer runs on its own thread and reads a BatchQueue; the input is
///   paused above `max_queued_bytes` rather than blocking Arrow's CPU threads.
/// - A writer error fails the plan; a plan error or stop aborts the write before its
///   commit (the writer deletes its data files), so nothing is committed. A stop that
///   arrives after all input was handed over cannot recall a commit in progress.
/// - When the writer finishes without reading everything (SaveMode kIgnore on an
///   existing table), the rest of the input is discarded.
arrow::Status RegisterDeltaWriteNode();

}  // namespace deltaline::engine
