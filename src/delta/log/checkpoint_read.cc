#include "delta/log/checkpoint_read.h"

#include <arrow/util/uri.h>

#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint_v2.h"

namespace deltaline::delta {
namespace {

constexpr std::string_view kSidecarDir = "_sidecars";

std::string LogSource(std::string_view name) {
  return std::string(kLogDir) + "/" + std::string(name);
}

int Rank(CheckpointKind kind) {
  switch (kind) {
    case CheckpointKind::kUuid:
      return 2;
    case CheckpointKind::kClassic:
      return 1;
    case CheckpointKind::kMultiPart:
      return 0;
  }
  return 0;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.substr(text.size() - suffix.size()) == suffix;
}

// The consumer for one file of the checkpoint. Sidecars hold file actions only
// (PROTOCOL.md, "Sidecar Files"); anything else in them is not theirs to say, and is
// dropped as kernel drops it, so that it cannot override the top-level file.
CheckpointBatchConsumer Applier(TableState& state, int64_t version,
                                const std::string& source, VersionCounts& counts,
                                bool file_actions_only) {
  return [&state, version, &source, &counts,
          file_actions_only](std::vector<Action>& actions) {
    if (file_actions_only) {
      std::erase_if(actions, [](const Action& action) {
        return !std::holds_alternative<Add>(action) &&
               !std::holds_alternative<Remove>(action);
      });
    }
    return ApplyActionBatch(state, actions, version, source, counts);
  };
}

// The top-level file's embedded copy in `_last_checkpoint`, when it can stand in for
// reading the file: the hint names this UUID-named file and kept both lists. With
// sidecars present every file action is in them (PROTOCOL.md, "V2 Spec"), so the
// non-file actions are the whole of the top-level file.
const LastCheckpointV2* UsableHint(const CheckpointCandidate& candidate,
                                   const LastCheckpointHint* hint) {
  if (hint == nullptr || !hint->v2 || candidate.kind != CheckpointKind::kUuid) {
    return nullptr;
  }
  const LastCheckpointV2& v2 = *hint->v2;
  if (hint->version != candidate.version || v2.path != candidate.names.front() ||
      !v2.non_file_actions || !v2.sidecar_files || v2.sidecar_files->empty() ||
      !v2.checkpoint_metadata || v2.checkpoint_metadata->version != candidate.version) {
    return nullptr;
  }
  return &v2;
}

// Decodes the top-level file: actions into `state`, the V2 parts into `refs`.
arrow::Status ReplayTopLevel(LogStore& store, const CheckpointCandidate& candidate,
                             const std::string& name, TableState& state,
                             VersionCounts& counts, V2CheckpointRefs* refs) {
  const std::string source = LogSource(name);
  ARROW_ASSIGN_OR_RAISE(auto bytes, store.ReadLog(name));
  auto apply = Applier(state, candidate.version, source, counts, false);
  if (EndsWith(name, ".json")) {
    return DecodeJsonCheckpoint(std::move(bytes), source, apply, refs);
  }
  // Multi-part checkpoints are V1 spec only: no sidecars to look for.
  if (candidate.kind != CheckpointKind::kMultiPart) {
    ARROW_RETURN_NOT_OK(DecodeV2CheckpointRefs(bytes, source, refs));
  }
  // Batch by batch, so that memory holds the state and one decoded batch.
  return DecodeCheckpointBatches(std::move(bytes), source, apply);
}

arrow::Status CheckV2Metadata(const LogStore& store, const CheckpointCandidate& candidate,
                              const V2CheckpointRefs& refs) {
  const std::string source = LogSource(candidate.names.front());
  if (!refs.metadata) {
    // UUID-named checkpoints are V2 spec, which requires it; a classic-named one
    // with sidecars claims to be V2 spec as well.
    if (candidate.kind == CheckpointKind::kUuid || !refs.sidecars.empty()) {
      return ProtocolError("table '" + store.uri() + "': " + source +
                           " is a V2 checkpoint without a checkpointMetadata action");
    }
    return arrow::Status::OK();
  }
  if (refs.metadata->version != candidate.version) {
    return ProtocolError("table '" + store.uri() + "': " + source +
                         " says it is the checkpoint of version " +
                         std::to_string(refs.metadata->version));
  }
  return arrow::Status::OK();
}

arrow::Status ReplaySidecar(LogStore& store, const CheckpointCandidate& candidate,
                            const SidecarFile& sidecar, TableState& state,
                            VersionCounts& counts) {
  ARROW_ASSIGN_OR_RAISE(std::string name, SidecarLogName(store, sidecar));
  const std::string source = LogSource(name);
  auto bytes = store.ReadLog(name);
  if (!bytes.ok()) {
    auto head = store.HeadLog(name);
    if (head.ok() && !head->has_value()) {
      return ProtocolError("table '" + store.uri() + "': sidecar " + source +
                           " of checkpoint " + LogSource(candidate.names.front()) +
                           " is missing");
    }
    return bytes.status();
  }
  return DecodeCheckpointBatches(std::move(*bytes), source,
                                 Applier(state, candidate.version, source, counts, true));
}

}  // namespace

bool PreferCheckpoint(const CheckpointCandidate& a, const CheckpointCandidate& b,
                      std::string_view hinted_name) {
  if (Rank(a.kind) != Rank(b.kind)) return Rank(a.kind) > Rank(b.kind);
  if (a.kind != CheckpointKind::kUuid) return a.parts > b.parts;
  const bool a_hinted = !hinted_name.empty() && a.names.front() == hinted_name;
  const bool b_hinted = !hinted_name.empty() && b.names.front() == hinted_name;
  if (a_hinted != b_hinted) return a_hinted;
  return a.names.front() > b.names.front();
}

arrow::Result<std::string> SidecarLogName(const LogStore& store,
                                          const SidecarFile& file) {
  const std::string& path = file.path;
  const std::string dir =
      store.root() + "/" + std::string(kLogDir) + "/" + std::string(kSidecarDir) + "/";
  std::string relative;
  if (path.empty())
    return ProtocolError("table '" + store.uri() + "': empty sidecar path");
  if (path.find("://") != std::string::npos || path.front() == '/') {
    std::string absolute = path;
    if (path.front() != '/') {
      auto from_uri = store.filesystem()->PathFromUri(path);
      if (!from_uri.ok()) {
        return ProtocolError("table '" + store.uri() + "': sidecar '" + path +
                             "' is not a location of this table's storage");
      }
      absolute = *from_uri;
    } else {
      absolute = arrow::util::UriUnescape(path);
    }
    if (absolute.rfind(dir, 0) != 0) {
      return ProtocolError("table '" + store.uri() + "': sidecar '" + path +
                           "' is not in the table's _delta_log/_sidecars/");
    }
    relative = absolute.substr(dir.size());
  } else {
    relative = arrow::util::UriUnescape(path);
  }
  // Sidecars live in the one folder: nothing may climb out of it.
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    std::string_view segment(relative.data() + start, end - start);
    if (segment.empty() || segment == "." || segment == "..") {
      return ProtocolError("table '" + store.uri() + "': sidecar path '" + path +
                           "' is not a file name under _delta_log/_sidecars/");
    }
    start = end + 1;
  }
  return std::string(kSidecarDir) + "/" + relative;
}

arrow::Status ReplayCheckpoint(LogStore& store, const CheckpointCandidate& candidate,
                               const LastCheckpointHint* hint, TableState& state) {
  VersionCounts counts;  // one protocol and one metaData across every file
  V2CheckpointRefs refs;
  if (const LastCheckpointV2* v2 = UsableHint(candidate, hint)) {
    std::vector<Action> actions = *v2->non_file_actions;
    const std::string source =
        std::string(kLogDir) + "/" + std::string(kLastCheckpointName);
    ARROW_RETURN_NOT_OK(
        ApplyActionBatch(state, actions, candidate.version, source, counts));
    refs.metadata = v2->checkpoint_metadata;
    refs.sidecars = *v2->sidecar_files;
  } else {
    // Each part of a multi-part checkpoint holds a slice of one state; replaying them
    // in turn rebuilds it.
    for (const auto& name : candidate.names) {
      ARROW_RETURN_NOT_OK(ReplayTopLevel(store, candidate, name, state, counts, &refs));
    }
  }
  ARROW_RETURN_NOT_OK(CheckV2Metadata(store, candidate, refs));
  for (const auto& sidecar : refs.sidecars) {
    ARROW_RETURN_NOT_OK(ReplaySidecar(store, candidate, sidecar, state, counts));
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
