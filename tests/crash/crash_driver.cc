// Crash driver: runs random operations on one table until it is killed.
//
//   crash_driver TABLE SEED FIRST_OP [MAX_OPS]
//
// Operation n (n = FIRST_OP, FIRST_OP+1, …) is KindForOp(SEED, n) with the rows of
// BatchesForOp(SEED, n); each commit carries {crashOp: n, crashKind: …} in its
// userMetadata. Before each phase it prints one line to stdout, unbuffered, so that
// the controller can aim its SIGKILL:
//   B <op> <kind>   the operation starts (data files are being written next)
//   C <op>          every input batch was handed over: finishing files + commit
//   E <op> <ver>    done (<ver>: the version committed, or -1)
// Any error prints `X <op> <message>` and exits 2: the controller counts it as a
// failure, since nothing else runs on the table.
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "crash_ops.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/ops/vacuum.h"
#include "delta/write/write.h"

namespace deltaline::crash {
namespace {

void Say(const std::string& line) {
  std::string text = line + "\n";
  // write(2) straight to the pipe: stdio buffers would hold lines back until exit.
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

/// Hands the op's batches to the writer and says when the last one was taken: from
/// then on WriteBatches finishes its files and commits.
class AnnouncingReader : public arrow::RecordBatchReader {
 public:
  AnnouncingReader(std::vector<std::shared_ptr<arrow::RecordBatch>> batches, int64_t op)
      : batches_(std::move(batches)), op_(op) {}
  std::shared_ptr<arrow::Schema> schema() const override { return CrashSchema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    if (next_ < batches_.size()) {
      *batch = batches_[next_++];
      return arrow::Status::OK();
    }
    if (!announced_) Say("C " + std::to_string(op_));
    announced_ = true;
    *batch = nullptr;
    return arrow::Status::OK();
  }

 private:
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches_;
  size_t next_ = 0;
  int64_t op_;
  bool announced_ = false;
};

arrow::Result<int64_t> RunOp(delta::LogStore& store, uint64_t seed, int64_t op) {
  const OpKind kind = KindForOp(seed, op);
  Say("B " + std::to_string(op) + " " + OpKindName(kind));
  switch (kind) {
    case OpKind::kAppend:
    case OpKind::kOverwrite: {
      ARROW_ASSIGN_OR_RAISE(auto batches, BatchesForOp(seed, op));
      AnnouncingReader reader(std::move(batches), op);
      delta::WriteOptions options;
      options.mode = kind == OpKind::kAppend ? delta::SaveMode::kAppend
                                             : delta::SaveMode::kOverwrite;
      options.user_metadata = {{kOpKey, std::to_string(op)},
                               {kKindKey, OpKindName(kind)}};
      ARROW_ASSIGN_OR_RAISE(auto result, delta::WriteBatches(store, reader, options));
      return result.version;
    }
    case OpKind::kCheckpoint: {
      ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(store));
      ARROW_RETURN_NOT_OK(delta::WriteCheckpoint(store, *snapshot));
      return -1;
    }
    case OpKind::kVacuum: {
      // Retention 0: the files of every overwritten version go, so kills land among
      // real deletions (only this process writes to the table).
      delta::VacuumOptions options;
      options.retention_ms = 0;
      options.retention_check = false;
      ARROW_ASSIGN_OR_RAISE(auto result, delta::Vacuum(store, options));
      return result.end_version.value_or(-1);
    }
  }
  return arrow::Status::Invalid("unknown op kind");
}

}  // namespace
}  // namespace deltaline::crash

int main(int argc, char** argv) {
  using namespace deltaline;
  if (argc < 4) {
    crash::Say("X 0 usage: crash_driver TABLE SEED FIRST_OP [MAX_OPS]");
    return 2;
  }
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  const int64_t first_op = std::strtoll(argv[3], nullptr, 10);
  const int64_t max_ops = argc > 4 ? std::strtoll(argv[4], nullptr, 10) : 1'000'000;
  auto store = delta::FileSystemLogStore::Open(argv[1]);
  if (!store.ok()) {
    crash::Say("X 0 " + store.status().ToString());
    return 2;
  }
  for (int64_t op = first_op; op < first_op + max_ops; ++op) {
    auto version = crash::RunOp(**store, seed, op);
    if (!version.ok()) {
      std::string message = version.status().ToString();
      for (char& c : message) {
        if (c == '\n') c = ' ';
      }
      crash::Say("X " + std::to_string(op) + " " + message);
      return 2;
    }
    crash::Say("E " + std::to_string(op) + " " + std::to_string(*version));
  }
  return 0;
}
