#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/base/checkpoint_actions.h"

namespace deltaline::delta {

/// \brief The `v2Checkpoint` field of `_last_checkpoint` (Spark's LastCheckpointV2):
/// which UUID-named checkpoint the hint describes and, when small enough, what it
/// holds, so that a reader need not open it.
struct LastCheckpointV2 {
  std::string path;  ///< file name in `_delta_log/`
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
  /// protocol, metaData, txn, domainMetadata (unknown action types skipped); the
  /// checkpointMetadata among them is split out below. Absent when trimmed.
  std::optional<std::vector<Action>> non_file_actions;
  std::optional<CheckpointMetadata> checkpoint_metadata;
  std::optional<std::vector<SidecarFile>> sidecar_files;  ///< absent when trimmed
};

/// \brief Contents of `_delta_log/_last_checkpoint`. Only a hint: it may be stale or
/// point at a checkpoint that is gone, so readers fall back to listing.
struct LastCheckpointHint {
  int64_t version = -1;
  int64_t size = 0;  ///< number of actions in the checkpoint
  std::optional<int32_t> parts;
  std::optional<int64_t> size_in_bytes;
  std::optional<int64_t> num_of_add_files;
  std::optional<LastCheckpointV2> v2;
};

arrow::Result<LastCheckpointHint> ParseLastCheckpoint(std::string_view json);
std::string SerializeLastCheckpoint(const LastCheckpointHint& hint);

/// \brief Encodes a classic single-file Parquet checkpoint with the columns Spark
/// writes (txn, add, remove, metaData, protocol, domainMetadata; add.stats as JSON
/// string). `actions` must already be the reconciled state: protocol, metaData, live
/// adds, unexpired removes, txns, domain metadata. commitInfo/cdc are rejected.
/// One row per action, in input order. Remove::stats is not written: the protocol's
/// checkpoint tombstones carry none. Pages carry CRCs so torn data is detected on read.
arrow::Result<std::shared_ptr<arrow::Buffer>> EncodeCheckpoint(
    const std::vector<Action>& actions);

/// \brief Decodes one checkpoint part (classic or one part of a multi-part checkpoint).
/// Accepts the column sets of Spark, Databricks and delta-rs: stats as JSON (`stats`)
/// and/or struct (`stats_parsed`, re-encoded to JSON), partitionValues as a map, and
/// missing optional columns. `source` names the file in errors. A file that is not
/// valid Parquet fails with ErrorKind::kProtocol, never a crash; so does a null
/// required field (add.path, add.size, metaData.id…). Actions come back in row order;
/// a null dataChange reads as false and null values in string maps are dropped.
arrow::Result<std::vector<Action>> DecodeCheckpoint(std::shared_ptr<arrow::Buffer> bytes,
                                                    std::string_view source);

/// \brief Receives the actions of one batch of checkpoint rows, in row order. It may
/// move out of them; the vector is cleared before the next batch.
using CheckpointBatchConsumer =
    std::function<arrow::Status(std::vector<Action>& actions)>;

/// \brief DecodeCheckpoint a batch of rows at a time, so that memory holds one
/// decoded batch (`batch_rows` rows) instead of the whole file: `consume` sees every
/// action, in row order, across its calls. Decoding errors are the same kProtocol
/// errors as DecodeCheckpoint's; an error returned by `consume` stops decoding and is
/// returned unchanged. Batches before a decoding error have already been consumed.
arrow::Status DecodeCheckpointBatches(std::shared_ptr<arrow::Buffer> bytes,
                                      std::string_view source,
                                      const CheckpointBatchConsumer& consume,
                                      int64_t batch_rows = 256);

}  // namespace deltaline::delta
