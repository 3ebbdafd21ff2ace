// libFuzzer target: the Parquet checkpoint reader, decoding from an in-memory buffer
// (mutated checkpoint files). Property: a typed error or actions, never a crash; the
// whole-file and the batched decoders agree.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <arrow/buffer.h>

#include "delta/base/action_json.h"
#include "delta/checkpoint/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace deltaline::delta;
  // A buffer of our own: the decoder may keep slices of it alive in its results.
  auto buffer = arrow::AllocateBuffer(static_cast<int64_t>(size));
  if (!buffer.ok()) return 0;
  if (size > 0) std::memcpy((*buffer)->mutable_data(), data, size);
  std::shared_ptr<arrow::Buffer> bytes(std::move(*buffer));
  auto whole = DecodeCheckpoint(bytes, "fuzz.checkpoint.parquet");
  std::vector<Action> batched;
  auto st = DecodeCheckpointBatches(
      bytes, "fuzz.checkpoint.parquet",
      [&](std::vector<Action>& actions) {
        for (auto& action : actions) batched.push_back(std::move(action));
        return arrow::Status::OK();
      },
      /*batch_rows=*/3);
  if (whole.ok() != st.ok() ||
      (whole.ok() && SerializeCommitFile(*whole) != SerializeCommitFile(batched))) {
    std::fprintf(stderr, "whole-file decode (%s) and batched decode (%s) disagree\n",
                 whole.status().ToString().c_str(), st.ToString().c_str());
    std::abort();
  }
  return 0;
}
