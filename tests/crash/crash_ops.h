#pragma once
// What the crash driver does at operation `op` of a run with seed `seed`, shared by
// the driver (which does it) and the controller (which rebuilds the table it expects
// from the operations that landed). Everything here is a pure function of (seed, op).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>

namespace deltaline::crash {

/// \brief One kind of driver operation. To cover a new write path (predicate
/// overwrite, partition replace…): add a kind here and in KindForOp, do it in the
/// driver's RunOp, and say in ApplyToModel (crash_controller.cc) what it does to the
/// rows.
enum class OpKind { kAppend, kOverwrite, kCheckpoint, kVacuum };

inline const char* OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kAppend:
      return "append";
    case OpKind::kOverwrite:
      return "overwrite";
    case OpKind::kCheckpoint:
      return "checkpoint";
    case OpKind::kVacuum:
      return "vacuum";
  }
  return "?";
}

/// Keys of commitInfo.userMetadata that tag a driver commit with its operation.
inline constexpr const char* kOpKey = "crashOp";
inline constexpr const char* kKindKey = "crashKind";

/// Ops of run k (the k-th driver process) are k * kOpsPerRun + 1 … + kOpsPerRun - 2;
/// the controller's own writes are op 0 (the table's creation) and the last op of
/// each run's range (the write after the kill).
inline constexpr int64_t kOpsPerRun = 1000;
inline bool IsControllerOp(int64_t op) {
  return op == 0 || op % kOpsPerRun == kOpsPerRun - 1;
}

/// Row ids are op * kIdsPerOp + row index: the op of every row is in the data.
inline constexpr int64_t kIdsPerOp = 1'000'000;

inline uint64_t Mix(uint64_t x) {  // splitmix64 finaliser
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

inline OpKind KindForOp(uint64_t seed, int64_t op) {
  const uint64_t r = Mix(seed * 31 + static_cast<uint64_t>(op)) % 100;
  if (r < 50) return OpKind::kAppend;
  if (r < 65) return OpKind::kOverwrite;
  if (r < 82) return OpKind::kCheckpoint;
  return OpKind::kVacuum;
}

/// Rows an append/overwrite writes: up to 40 000, so that writing data takes long
/// enough for kills to land in it.
inline int64_t RowsForOp(uint64_t seed, int64_t op) {
  return 1 + static_cast<int64_t>(Mix(seed ^ (static_cast<uint64_t>(op) * 0x51ed27)) %
                                  40'000);
}

inline int64_t ValueFor(uint64_t seed, int64_t id) {
  return static_cast<int64_t>(Mix(seed + static_cast<uint64_t>(id)) >> 2);
}

inline std::string PayloadFor(uint64_t seed, int64_t id) {
  return "row-" + std::to_string(Mix(seed ^ static_cast<uint64_t>(id)) % 1'000'000'007);
}

inline std::shared_ptr<arrow::Schema> CrashSchema() {
  return arrow::schema({arrow::field("id", arrow::int64()),
                        arrow::field("value", arrow::int64()),
                        arrow::field("payload", arrow::utf8())});
}

/// The rows of `op`, in batches of at most `batch_rows`.
inline arrow::Result<std::vector<std::shared_ptr<arrow::RecordBatch>>> BatchesForOp(
    uint64_t seed, int64_t op, int64_t batch_rows = 4096) {
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  const int64_t rows = RowsForOp(seed, op);
  for (int64_t begin = 0; begin < rows; begin += batch_rows) {
    const int64_t end = std::min(rows, begin + batch_rows);
    arrow::Int64Builder ids, values;
    arrow::StringBuilder payloads;
    for (int64_t row = begin; row < end; ++row) {
      const int64_t id = op * kIdsPerOp + row;
      ARROW_RETURN_NOT_OK(ids.Append(id));
      ARROW_RETURN_NOT_OK(values.Append(ValueFor(seed, id)));
      ARROW_RETURN_NOT_OK(payloads.Append(PayloadFor(seed, id)));
    }
    std::vector<std::shared_ptr<arrow::Array>> columns(3);
    ARROW_RETURN_NOT_OK(ids.Finish(&columns[0]));
    ARROW_RETURN_NOT_OK(values.Finish(&columns[1]));
    ARROW_RETURN_NOT_OK(payloads.Finish(&columns[2]));
    out.push_back(
        arrow::RecordBatch::Make(CrashSchema(), end - begin, std::move(columns)));
  }
  return out;
}

}  // namespace deltaline::crash
