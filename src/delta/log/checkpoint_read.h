#pragma once

// Which checkpoint a snapshot starts from, and replaying it: classic, multi-part, and
// V2 spec (UUID-named JSON or Parquet, or classic-named) with its sidecar files.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

#include "delta/base/checkpoint_actions.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/log/log_replay.h"
#include "delta/log/log_store.h"

namespace deltaline::delta {

enum class CheckpointKind { kClassic, kMultiPart, kUuid };

/// \brief One complete checkpoint found in the listing.
struct CheckpointCandidate {
  int64_t version = -1;
  CheckpointKind kind = CheckpointKind::kClassic;
  int32_t parts = 1;
  std::vector<std::string> names;  ///< sorted by part once complete
};

/// \brief Whether `a` is the better of two complete checkpoints of one version. Any
/// of them rebuilds the same state (PROTOCOL.md lets the reader choose); the choice
/// is Spark's and kernel's so that every reader starts from the same file: UUID-named
/// first (the one `_last_checkpoint` names, else the greatest name), then classic,
/// then multi-part. `hinted_name` is `_last_checkpoint`'s v2Checkpoint.path, or empty.
bool PreferCheckpoint(const CheckpointCandidate& a, const CheckpointCandidate& b,
                      std::string_view hinted_name);

/// \brief Replays `candidate` into `state` at its version: its own actions, then
/// those of its sidecars (add and remove only). When `hint` (may be null) describes
/// this very UUID-named checkpoint and embeds its non-file actions and sidecars, the
/// top-level file is not read. Errors: kProtocol for an unreadable file, a UUID-named
/// checkpoint without checkpointMetadata or of another version, and a missing
/// sidecar (named); no fallback to an older checkpoint, as kernel does.
arrow::Status ReplayCheckpoint(LogStore& store, const CheckpointCandidate& candidate,
                               const LastCheckpointHint* hint, TableState& state);

/// \brief The LogStore name of a sidecar, "_sidecars/<file>". Its path is URI-encoded
/// and relative to `_delta_log/_sidecars/`, or an absolute URI (or path) that must
/// lie in this table's `_delta_log/_sidecars/`: sidecars live nowhere else
/// (kProtocol otherwise, and for `..` segments).
arrow::Result<std::string> SidecarLogName(const LogStore& store, const SidecarFile& file);

}  // namespace deltaline::delta
