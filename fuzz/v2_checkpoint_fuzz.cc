// libFuzzer target: the V2-checkpoint readers. The first byte picks what the rest is:
//   % 3 == 0: a UUID-named JSON checkpoint (DecodeJsonCheckpoint);
//   % 3 == 1: a Parquet top-level checkpoint's checkpointMetadata and sidecar rows
//             (DecodeV2CheckpointRefs), then its actions (DecodeCheckpointBatches);
//   % 3 == 2: `_last_checkpoint` with a v2Checkpoint field (ParseLastCheckpoint).
// Properties: a failure is always a kProtocol error, never a crash; every sidecar
// found resolves (SidecarLogName) to a name under `_sidecars/` that cannot climb out
// of it, or is refused as kProtocol.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <arrow/buffer.h>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_v2.h"
#include "delta/log/checkpoint_read.h"
#include "delta/log/log_store.h"

namespace {

using namespace deltaline::delta;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "property violated: %s\n", what);
    std::abort();
  }
}

void CheckError(const arrow::Status& st) {
  if (!st.ok() && !IsKind(st, ErrorKind::kProtocol)) {
    std::fprintf(stderr, "untyped error: %s\n", st.ToString().c_str());
    std::abort();
  }
}

LogStore& Store() {
  // Resolving a sidecar name does no IO: the table need not exist.
  static std::unique_ptr<FileSystemLogStore> store =
      FileSystemLogStore::Open("/nonexistent/fuzz-table").ValueOrDie();
  return *store;
}

void CheckSidecars(const std::vector<SidecarFile>& sidecars) {
  for (const auto& sidecar : sidecars) {
    Check(!sidecar.path.empty(), "sidecar path non-empty");
    auto name = SidecarLogName(Store(), sidecar);
    CheckError(name.status());
    if (!name.ok()) continue;
    Check(name->rfind("_sidecars/", 0) == 0, "resolves under _sidecars/");
    Check(name->find("/../") == std::string::npos && !name->ends_with("/.."),
          "no parent segment");
  }
}

const CheckpointBatchConsumer kDiscard = [](std::vector<Action>& actions) {
  for (const auto& action : actions) {
    Check(!std::holds_alternative<CommitInfo>(action), "no commitInfo from a checkpoint");
  }
  return arrow::Status::OK();
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0] % 3;
  ++data;
  --size;
  auto buffer = arrow::AllocateBuffer(static_cast<int64_t>(size));
  if (!buffer.ok()) return 0;
  if (size > 0) std::memcpy((*buffer)->mutable_data(), data, size);
  std::shared_ptr<arrow::Buffer> bytes(std::move(*buffer));

  if (mode == 0) {
    V2CheckpointRefs refs;
    auto st =
        DecodeJsonCheckpoint(bytes, "fuzz.checkpoint.uuid.json", kDiscard, &refs, 3);
    CheckError(st);
    CheckSidecars(refs.sidecars);
  } else if (mode == 1) {
    V2CheckpointRefs refs;
    auto st = DecodeV2CheckpointRefs(bytes, "fuzz.checkpoint.uuid.parquet", &refs);
    CheckError(st);
    if (st.ok()) {
      CheckSidecars(refs.sidecars);
      CheckError(
          DecodeCheckpointBatches(bytes, "fuzz.checkpoint.uuid.parquet", kDiscard, 3));
    }
  } else {
    auto hint = ParseLastCheckpoint(
        std::string_view(reinterpret_cast<const char*>(bytes->data()), size));
    CheckError(hint.status());
    if (hint.ok() && hint->v2) {
      Check(!hint->v2->path.empty(), "v2Checkpoint.path non-empty");
      if (hint->v2->sidecar_files) CheckSidecars(*hint->v2->sidecar_files);
    }
  }
  return 0;
}
