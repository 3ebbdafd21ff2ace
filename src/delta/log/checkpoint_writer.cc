#include "delta/log/checkpoint_writer.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/table/table_config.h"

namespace deltaline::delta {

namespace {

// delta.checkpointPolicy=v2 asks writers for V2-spec checkpoints (UUID-named, with
// sidecars), which deltaline does not write. A classic V1 checkpoint would still be
// readable, but it would not be what the table asks for: refuse it by name.
arrow::Status CheckCheckpointPolicy(LogStore& store, const Snapshot& snapshot) {
  const auto& features = snapshot.protocol().writer_features;
  const bool v2_feature = features && std::find(features->begin(), features->end(),
                                                "v2Checkpoint") != features->end();
  if (v2_feature && snapshot.Config("delta.checkpointPolicy", "classic") == "v2") {
    return UnsupportedFeature(
        "v2Checkpoint", "table '" + store.uri() +
                            "' asks for V2 checkpoints (delta.checkpointPolicy=v2); "
                            "deltaline writes only classic checkpoints");
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Status WriteCheckpoint(LogStore& store, const Snapshot& snapshot) {
  ARROW_RETURN_NOT_OK(CheckCheckpointPolicy(store, snapshot));
  ARROW_ASSIGN_OR_RAISE(int64_t retention_ms,
                        DeletedFileRetentionMs(snapshot.metadata().configuration));
  int64_t min_tombstone_ms = NowMs() - retention_ms;
  std::vector<Action> actions = CheckpointActions(snapshot.state(), min_tombstone_ms);
  ARROW_ASSIGN_OR_RAISE(auto bytes, EncodeCheckpoint(actions));
  const std::string name = CheckpointFileName(snapshot.version());
  arrow::Status put = store.PutIfAbsent(
      name, std::string_view(reinterpret_cast<const char*>(bytes->data()),
                             static_cast<size_t>(bytes->size())));
  // Another writer checkpointed this version first: its file is as good as ours.
  if (!put.ok() && !put.IsAlreadyExists()) return put;

  // Never move the hint backwards past a newer checkpoint someone else wrote.
  ARROW_ASSIGN_OR_RAISE(auto head, store.HeadLog(kLastCheckpointName));
  if (head) {
    ARROW_ASSIGN_OR_RAISE(auto current, store.ReadLog(kLastCheckpointName));
    auto hint = ParseLastCheckpoint(
        std::string_view(reinterpret_cast<const char*>(current->data()),
                         static_cast<size_t>(current->size())));
    if (hint.ok() && hint->version >= snapshot.version()) return arrow::Status::OK();
  }
  LastCheckpointHint hint;
  hint.version = snapshot.version();
  hint.size = static_cast<int64_t>(actions.size());
  hint.size_in_bytes = bytes->size();
  hint.num_of_add_files = static_cast<int64_t>(snapshot.num_files());
  return store.PutReplace(kLastCheckpointName, SerializeLastCheckpoint(hint));
}

}  // namespace deltaline::delta
