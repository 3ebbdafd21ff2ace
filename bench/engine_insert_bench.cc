// Insert benchmark: a generated stream inserted through engine::InsertInto (the
// streaming delta_write node) vs the same batches written straight through
// storage::WriteDatasetDelta, each in its own child process so that each peak RSS
// (wait4's ru_maxrss) is that mode's alone. Goals: time ratio <= 1.1, insert peak RSS
// < 512 MB at 2 GB (--bytes 2G).
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <arrow/acero/options.h>

#include "bench_util.h"
#include "engine/insert_into.h"
#include "storage/storage_writer.h"

namespace deltaline::bench {
namespace {

constexpr int64_t kBytesPerRow = 100;  // BenchSchema's estimate

// The deterministic data set, generated batch by batch so the stream itself is never
// held in memory.
class GeneratedStream : public arrow::RecordBatchReader {
 public:
  GeneratedStream(int64_t rows, int64_t batch_rows)
      : rows_(rows), batch_rows_(batch_rows) {}
  std::shared_ptr<arrow::Schema> schema() const override { return BenchSchema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (next_ >= rows_) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    const int64_t rows = std::min(batch_rows_, rows_ - next_);
    ARROW_ASSIGN_OR_RAISE(*out, MakeBenchBatch(next_, rows));
    next_ += rows;
    return arrow::Status::OK();
  }

 private:
  const int64_t rows_, batch_rows_;
  int64_t next_ = 0;
};

// Child: one write of the stream; prints seconds= and rows=.
arrow::Status RunOne(const std::string& how, const std::string& uri, int64_t rows,
                     int64_t batch_rows) {
  auto stream = std::make_shared<GeneratedStream>(rows, batch_rows);
  const double start = NowSeconds();
  int64_t written = 0;
  if (how == "insert") {
    arrow::acero::Declaration plan(
        "record_batch_reader_source",
        arrow::acero::RecordBatchReaderSourceNodeOptions(stream));
    engine::InsertOptions options;
    options.path = engine::InsertPath::kStreaming;
    ARROW_ASSIGN_OR_RAISE(auto inserted,
                          engine::InsertIntoTable(std::move(plan), uri, options));
    written = inserted.write.delta.rows_added;
    std::printf("peak_queued_bytes=%lld\n",
                static_cast<long long>(inserted.queue.peak_queued_bytes));
  } else if (how == "direct") {
    ARROW_ASSIGN_OR_RAISE(auto result, storage::WriteDatasetDelta(*stream, uri));
    written = result.delta.rows_added;
  } else {
    return arrow::Status::Invalid("unknown --run ", how);
  }
  std::printf("seconds=%.3f\nrows=%lld\n", NowSeconds() - start,
              static_cast<long long>(written));
  return arrow::Status::OK();
}

arrow::Status Main(int argc, char** argv) {
  CLI::App app{"Insert a generated stream through InsertInto vs WriteDatasetDelta"};
  int64_t bytes = 200'000'000, batch_rows = 16384;
  int repeat = 1;
  std::string dir, run, uri;
  AddCountOption(app, "--bytes", &bytes, "Size of the stream in Arrow memory (2G: goal)");
  AddCountOption(app, "--batch-rows", &batch_rows, "Rows per generated batch");
  app.add_option("--repeat", repeat, "Runs of each mode (median time, max RSS)");
  app.add_option("--dir", dir, "Work directory (default: a temporary one)");
  app.add_option("--run", run, "internal: run one mode (insert|direct) in this process");
  app.add_option("--uri", uri, "internal: table of --run");
  ARROW_RETURN_NOT_OK(ParseFlags(app, argc, argv));
  const int64_t rows = std::max<int64_t>(1, bytes / kBytesPerRow);
  if (!run.empty()) return RunOne(run, uri, rows, batch_rows);

  namespace fs = std::filesystem;
  const bool temporary = dir.empty();
  if (temporary)
    dir = fs::temp_directory_path() / ("engine-insert-" + std::to_string(getpid()));
  fs::create_directories(dir);
  const std::string self = fs::read_symlink("/proc/self/exe").string();
  std::map<std::string, std::vector<double>> seconds;
  std::map<std::string, int64_t> rss_kib;
  for (int i = 0; i < std::max(1, repeat); ++i) {
    for (const std::string how : {"direct", "insert"}) {
      const std::string table = dir + "/" + how + "-" + std::to_string(i);
      fs::remove_all(table);
      SyncDisks();
      ARROW_ASSIGN_OR_RAISE(
          auto child,
          RunChild({self, "--run", how, "--uri", table, "--bytes", std::to_string(bytes),
                    "--batch-rows", std::to_string(batch_rows)}));
      if (child.exit_code != 0) return arrow::Status::IOError(how, " run failed");
      ARROW_ASSIGN_OR_RAISE(auto secs, FindValue(child.stdout_text, "seconds"));
      seconds[how].push_back(std::stod(secs));
      rss_kib[how] = std::max(rss_kib[how], child.max_rss_kib);
      fs::remove_all(table);
    }
  }
  const double direct = Median(seconds["direct"]), insert = Median(seconds["insert"]);
  std::printf("stream: %lld rows, ~%.0f MB in Arrow memory, batches of %lld rows\n",
              static_cast<long long>(rows), rows * kBytesPerRow / 1e6,
              static_cast<long long>(batch_rows));
  std::printf("direct WriteDatasetDelta: %.2f s, peak RSS %.0f MB\n", direct,
              rss_kib["direct"] / 1024.0);
  std::printf("InsertInto (streaming):   %.2f s, peak RSS %.0f MB\n", insert,
              rss_kib["insert"] / 1024.0);
  std::printf("time ratio insert/direct: %.3f (goal <= 1.1)\n", insert / direct);
  std::printf("insert peak RSS: %.0f MB (goal < 512 MB)\n", rss_kib["insert"] / 1024.0);
  if (temporary) fs::remove_all(dir);
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  arrow::Status status = deltaline::bench::Main(argc, argv);
  if (!status.ok()) {
    std::fprintf(stderr, "engine_insert_bench: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
