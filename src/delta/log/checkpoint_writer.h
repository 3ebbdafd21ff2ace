#pragma once

#include <arrow/status.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"

namespace deltaline::delta {

/// \brief Writes a checkpoint of `snapshot` (classic, single file) and then updates
/// `_last_checkpoint`. An existing checkpoint of that version is left as is.
/// kUnsupportedFeature [v2Checkpoint] when the table asks for V2 checkpoints
/// (delta.checkpointPolicy=v2), which deltaline does not write.
arrow::Status WriteCheckpoint(LogStore& store, const Snapshot& snapshot);

}  // namespace deltaline::delta
