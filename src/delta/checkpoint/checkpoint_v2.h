#pragma once

// What a V2-spec checkpoint holds besides actions (PROTOCOL.md, "V2 Spec"): its
// checkpointMetadata and the sidecar files that hold its add and remove actions.
// A top-level V2 checkpoint is UUID-named JSON or Parquet, or classic-named Parquet.

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/status.h>

#include "delta/base/checkpoint_actions.h"
#include "delta/checkpoint/checkpoint.h"

namespace deltaline::delta {

/// \brief The checkpointMetadata and sidecar rows of one checkpoint file. Both empty
/// for a V1-spec checkpoint.
struct V2CheckpointRefs {
  std::optional<CheckpointMetadata> metadata;
  std::vector<SidecarFile> sidecars;
};

/// \brief Reads only the `checkpointMetadata` and `sidecar` columns of a Parquet
/// checkpoint into `*refs`; a file without them (V1 spec) leaves `*refs` empty. The
/// actions are DecodeCheckpointBatches' job. kProtocol errors name `source`: not
/// Parquet, a null required field, two checkpointMetadata rows.
arrow::Status DecodeV2CheckpointRefs(std::shared_ptr<arrow::Buffer> bytes,
                                     std::string_view source, V2CheckpointRefs* refs);

/// \brief Decodes a UUID-named JSON checkpoint: one action per line. Actions go to
/// `consume` about `batch_rows` at a time, in line order; checkpointMetadata and
/// sidecar lines go to `*refs`. commitInfo and cdc lines, which checkpoints must not
/// hold, and unknown action types are skipped. kProtocol errors name `source` and
/// the line; an error from `consume` is returned unchanged.
arrow::Status DecodeJsonCheckpoint(std::shared_ptr<arrow::Buffer> bytes,
                                   std::string_view source,
                                   const CheckpointBatchConsumer& consume,
                                   V2CheckpointRefs* refs, int64_t batch_rows = 256);

}  // namespace deltaline::delta
