// stress_writer: one writer process of the concurrent-writer stress (stress_test.cc).
//
//   stress_writer <table> <writer> <count> <go-file> <max-op-attempts>
//
// Runs MakeOp(writer, 0 .. count-1) in order. The transaction retries what it can by
// itself (CommitRetryPolicy); a typed conflict it cannot resolve ends the attempt, and
// the whole operation is planned again from a fresh snapshot, up to <max-op-attempts>
// times, as a pipeline's retry policy would. One line per attempt on stdout:
//   LANDED <writer> <seq> <version> <attempt>
//   CONFLICT <writer> <seq> <attempt> <ErrorKind> <ConflictKind>
//   GAVEUP <writer> <seq>            every attempt conflicted (reported, not an error)
//   ERROR <writer> <seq> <message>   anything untyped: a bug
// Exit: 0, or 2 after an ERROR, 64 on bad usage.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include <arrow/api.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"
#include "stress_ops.h"

namespace {

namespace dl = deltaline::delta;
namespace st = deltaline::stress;

bool WaitForGo(const std::string& go_file) {
  std::FILE* ready =
      std::fopen((go_file + ".ready." + std::to_string(::getpid())).c_str(), "w");
  if (ready == nullptr) return false;
  std::fclose(ready);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (!std::filesystem::exists(go_file)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

arrow::Result<dl::WriteResult> RunOp(dl::LogStore& store, const st::Op& op) {
  ARROW_ASSIGN_OR_RAISE(auto table, st::RowsToTable(op.rows));
  dl::WriteOptions options;
  options.user_metadata = {{"writer", std::to_string(op.writer)},
                           {"seq", std::to_string(op.seq)},
                           {"op", st::OpKindName(op.kind)}};
  options.retry.max_attempts = 30;
  options.retry.base_delay = std::chrono::milliseconds(2);
  options.retry.max_delay = std::chrono::milliseconds(50);
  if (op.is_replace()) {
    arrow::TableBatchReader reader(*table);
    return dl::ReplacePartitions(store, reader, {"part"}, {}, options);
  }
  options.mode = dl::SaveMode::kAppend;
  if (op.is_overwrite()) {
    options.mode = dl::SaveMode::kOverwrite;
    options.replace_where = st::RangePredicate(op);
  }
  return dl::WriteTable(store, *table, options);
}

int Run(const std::string& uri, int32_t writer, int32_t count, int max_op_attempts) {
  auto store = dl::FileSystemLogStore::Open(uri);
  if (!store.ok()) {
    std::printf("ERROR %d -1 %s\n", writer, store.status().ToString().c_str());
    return 2;
  }
  std::mt19937 jitter(static_cast<unsigned>(writer) * 7919u + 1);
  for (int32_t seq = 0; seq < count; ++seq) {
    const st::Op op = st::MakeOp(writer, seq);
    bool done = false;
    for (int attempt = 1; attempt <= max_op_attempts && !done; ++attempt) {
      auto result = RunOp(**store, op);
      if (result.ok() && result->committed) {
        std::printf("LANDED %d %d %lld %d\n", writer, seq,
                    static_cast<long long>(result->version), attempt);
        done = true;
      } else if (!result.ok() && dl::IsCommitConflict(result.status())) {
        const auto* detail = dl::GetDeltaDetail(result.status());
        std::printf("CONFLICT %d %d %d %s %s\n", writer, seq, attempt,
                    dl::ErrorKindName(detail->kind()),
                    dl::ConflictKindName(detail->conflict()));
        std::fflush(stdout);
        // Back off a little so the winner's neighbours are not beaten again at once.
        std::this_thread::sleep_for(std::chrono::milliseconds(
            std::uniform_int_distribution<int>(1, 10 * attempt)(jitter)));
      } else {
        std::printf("ERROR %d %d %s\n", writer, seq,
                    result.ok() ? "not committed" : result.status().ToString().c_str());
        std::fflush(stdout);
        return 2;
      }
    }
    if (!done) std::printf("GAVEUP %d %d\n", writer, seq);
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr,
                 "usage: %s <table> <writer> <count> <go-file> <max-op-attempts>\n",
                 argv[0]);
    return 64;
  }
  if (!WaitForGo(argv[4])) {
    std::printf("ERROR %s -1 no go signal\n", argv[2]);
    return 2;
  }
  return Run(argv[1], std::stoi(argv[2]), std::stoi(argv[3]), std::stoi(argv[5]));
}
