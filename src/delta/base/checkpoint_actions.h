#pragma once

// The two actions only V2-spec checkpoints hold (PROTOCOL.md, "Checkpoint Metadata"
// and "Sidecar File Information"). They are not `Action`s: they may not appear in
// commits and take no part in replay; they describe how one checkpoint is laid out.

#include <cstdint>
#include <optional>
#include <string>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief `checkpointMetadata`: exactly one in every V2-spec checkpoint.
struct CheckpointMetadata {
  int64_t version = 0;
  std::optional<StringMap> tags;
  bool operator==(const CheckpointMetadata&) const = default;
};

/// \brief `sidecar`: a Parquet file under `_delta_log/_sidecars/` holding some of the
/// checkpoint's add and remove actions.
struct SidecarFile {
  /// URI-encoded; a file name relative to `_delta_log/_sidecars/`, or an absolute URI.
  std::string path;
  int64_t size_in_bytes = 0;
  int64_t modification_time = 0;
  std::optional<StringMap> tags;
  bool operator==(const SidecarFile&) const = default;
};

/// \brief Parse the body of `{"checkpointMetadata": {...}}` / `{"sidecar": {...}}`.
/// Fail with ErrorKind::kProtocol on a missing required field or a wrong type.
arrow::Result<CheckpointMetadata> ParseCheckpointMetadata(const nlohmann::json& body);
arrow::Result<SidecarFile> ParseSidecarFile(const nlohmann::json& body);

}  // namespace deltaline::delta
