// concurrent_writer: one racing writer process for tests/concurrency_test.cc.
//
//   concurrent_writer append|overwrite <table> <writer> <count> <go-file>
//   concurrent_writer put|watch <table> <writer> <count> <go-file> <bytes>
//
// Every mode first creates <go-file>.ready.<pid>, then waits until <go-file>
// exists, so that all children start together. Each attempt prints one line on stdout:
//   LANDED <writer> <seq> <version>        a write committed at <version>
//   CONFLICT <writer> <seq> <kind> <conflict>  a typed commit conflict
//   WON <writer> <name_idx> / LOST <writer> <name_idx>  put-if-absent outcomes
//   WATCHED                                a watcher saw only complete files
//   TORN … / ERROR …                       anything else (a bug)
// Exit codes are listed in ExitCode below.

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>

#include <arrow/api.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"

namespace {

namespace dl = deltaline::delta;

enum ExitCode : int {
  kOk = 0,
  kUntypedError = 2,  ///< failed with something other than a typed conflict
  kConflict = 3,      ///< at least one attempt failed with a typed commit conflict
  kTorn = 5,          ///< a loser of put-if-absent read an incomplete/foreign file
  kUsage = 64,
};

// Says "ready" (a file beside the go-file), then waits for the go-file.
bool WaitForGo(const std::string& go_file) {
  std::FILE* ready =
      std::fopen((go_file + ".ready." + std::to_string(::getpid())).c_str(), "w");
  if (ready == nullptr) return false;
  std::fclose(ready);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!std::filesystem::exists(go_file)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  return true;
}

// Rows of one attempt: (writer, seq, payload). Appends write one row, overwrites two.
arrow::Result<std::shared_ptr<arrow::Table>> AttemptRows(int32_t writer, int32_t seq,
                                                         bool overwrite) {
  arrow::Int32Builder writers;
  arrow::Int32Builder seqs;
  arrow::StringBuilder payloads;
  const int rows = overwrite ? 2 : 1;
  for (int row_idx = 0; row_idx < rows; ++row_idx) {
    ARROW_RETURN_NOT_OK(writers.Append(writer));
    ARROW_RETURN_NOT_OK(seqs.Append(seq));
    ARROW_RETURN_NOT_OK(
        payloads.Append((overwrite ? "ow-" : "ap-") + std::to_string(writer) + "-" +
                        std::to_string(seq) + "-" + std::to_string(row_idx)));
  }
  auto schema = arrow::schema({arrow::field("writer", arrow::int32()),
                               arrow::field("seq", arrow::int32()),
                               arrow::field("payload", arrow::utf8())});
  std::vector<std::shared_ptr<arrow::Array>> columns(3);
  ARROW_RETURN_NOT_OK(writers.Finish(&columns[0]));
  ARROW_RETURN_NOT_OK(seqs.Finish(&columns[1]));
  ARROW_RETURN_NOT_OK(payloads.Finish(&columns[2]));
  return arrow::Table::Make(schema, columns);
}

int RunWrites(bool overwrite, const std::string& uri, int32_t writer, int32_t count) {
  auto store = dl::FileSystemLogStore::Open(uri);
  if (!store.ok()) {
    std::printf("ERROR %d -1 %s\n", writer, store.status().ToString().c_str());
    return kUntypedError;
  }
  dl::WriteOptions options;
  options.mode = overwrite ? dl::SaveMode::kOverwrite : dl::SaveMode::kAppend;
  // Generous enough that eight appenders never run out of attempts, even on a loaded
  // 2-core machine where one process can sleep through dozens of rivals' commits.
  options.retry.max_attempts = 400;
  options.retry.base_delay = std::chrono::milliseconds(2);
  options.retry.max_delay = std::chrono::milliseconds(100);
  bool conflicted = false;
  for (int32_t seq = 0; seq < count; ++seq) {
    // Ties each commit in the log back to the attempt that made it.
    options.user_metadata = {{"writer", std::to_string(writer)},
                             {"seq", std::to_string(seq)},
                             {"mode", overwrite ? "overwrite" : "append"}};
    auto rows = AttemptRows(writer, seq, overwrite);
    if (!rows.ok()) {
      std::printf("ERROR %d %d %s\n", writer, seq, rows.status().ToString().c_str());
      return kUntypedError;
    }
    auto written = dl::WriteTable(**store, **rows, options);
    if (written.ok() && written->committed) {
      std::printf("LANDED %d %d %lld\n", writer, seq,
                  static_cast<long long>(written->version));
    } else if (!written.ok() && dl::IsCommitConflict(written.status())) {
      const auto* detail = dl::GetDeltaDetail(written.status());
      std::printf("CONFLICT %d %d %s %s\n", writer, seq,
                  dl::ErrorKindName(detail->kind()),
                  dl::ConflictKindName(detail->conflict()));
      conflicted = true;
      if (!overwrite) {
        std::fflush(stdout);
        return kConflict;
      }
    } else {
      std::printf("ERROR %d %d %s\n", writer, seq,
                  written.ok() ? "not committed" : written.status().ToString().c_str());
      std::fflush(stdout);
      return kUntypedError;
    }
    std::fflush(stdout);
  }
  return conflicted ? kConflict : kOk;
}

// Content of `writer`'s candidate for name `name_idx`: a header line, then a filler
// of the writer's own letter, `bytes` long in total.
std::string PutContent(int32_t writer, int32_t name_idx, size_t bytes) {
  std::string content =
      "writer=" + std::to_string(writer) + " name=" + std::to_string(name_idx) + "\n";
  content.resize(bytes, static_cast<char>('a' + writer % 26));
  return content;
}

int RunPuts(const std::string& uri, int32_t writer, int32_t count, size_t bytes) {
  auto store = dl::FileSystemLogStore::Open(uri);
  if (!store.ok()) {
    std::printf("ERROR %d -1 %s\n", writer, store.status().ToString().c_str());
    return kUntypedError;
  }
  for (int32_t name_idx = 0; name_idx < count; ++name_idx) {
    const std::string name = "race-" + std::to_string(name_idx);
    arrow::Status put = (*store)->PutIfAbsent(name, PutContent(writer, name_idx, bytes));
    if (put.ok()) {
      std::printf("WON %d %d\n", writer, name_idx);
    } else if (put.IsAlreadyExists()) {
      // The contract says no reader sees a partial file: check right away, while
      // the winner may still be finishing.
      auto read = (*store)->ReadLog(name);
      if (!read.ok()) {
        std::printf("TORN %d %d unreadable: %s\n", writer, name_idx,
                    read.status().ToString().c_str());
        return kTorn;
      }
      std::string seen = (*read)->ToString();
      int32_t other = -1;
      if (std::sscanf(seen.c_str(), "writer=%d", &other) != 1 ||
          seen != PutContent(other, name_idx, bytes)) {
        std::printf("TORN %d %d size=%zu\n", writer, name_idx, seen.size());
        return kTorn;
      }
      std::printf("LOST %d %d\n", writer, name_idx);
    } else {
      std::printf("ERROR %d %d %s\n", writer, name_idx, put.ToString().c_str());
      return kUntypedError;
    }
    std::fflush(stdout);
  }
  return kOk;
}

// Polls for each name in turn and reads it the moment it appears: with a
// put-if-absent that publishes before the content is complete, this is where a
// reader would see a short or empty file.
int RunWatch(const std::string& uri, int32_t count, size_t bytes) {
  auto store = dl::FileSystemLogStore::Open(uri);
  if (!store.ok()) return kUntypedError;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (int32_t name_idx = 0; name_idx < count; ++name_idx) {
    const std::string name = "race-" + std::to_string(name_idx);
    while (true) {
      auto head = (*store)->HeadLog(name);
      if (head.ok() && head->has_value()) break;
      if (std::chrono::steady_clock::now() > deadline) {
        std::printf("ERROR -1 %d never appeared\n", name_idx);
        return kUntypedError;
      }
    }
    auto read = (*store)->ReadLog(name);
    std::string seen = read.ok() ? (*read)->ToString() : "";
    int32_t writer = -1;
    if (std::sscanf(seen.c_str(), "writer=%d", &writer) != 1 ||
        seen != PutContent(writer, name_idx, bytes)) {
      std::printf("TORN -1 %d size=%zu\n", name_idx, seen.size());
      return kTorn;
    }
  }
  std::printf("WATCHED\n");
  return kOk;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr,
                 "usage: %s append|overwrite|put <table> <writer> <count> <go-file> "
                 "[<bytes>]\n",
                 argv[0]);
    return kUsage;
  }
  const std::string mode = argv[1];
  const std::string uri = argv[2];
  const int32_t writer = std::stoi(argv[3]);
  const int32_t count = std::stoi(argv[4]);
  if (!WaitForGo(argv[5])) {
    std::printf("ERROR %d -1 no go signal\n", writer);
    return kUntypedError;
  }
  if (mode == "append" || mode == "overwrite") {
    return RunWrites(mode == "overwrite", uri, writer, count);
  }
  if (mode == "watch" && argc >= 7) {
    return RunWatch(uri, count, static_cast<size_t>(std::stoul(argv[6])));
  }
  if (mode == "put" && argc >= 7) {
    return RunPuts(uri, writer, count, static_cast<size_t>(std::stoul(argv[6])));
  }
  std::fprintf(stderr, "unknown mode '%s'\n", mode.c_str());
  return kUsage;
}
