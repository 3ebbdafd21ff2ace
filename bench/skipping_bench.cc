// P4: the same 1 %-selective filter on a table clustered on `id`, with data skipping
// and with a forced full scan (ScanOptions::skip_files = false). Both return the same
// rows; the ratios are skipping / full for wall time and for bytes read (sum of the
// sizes of the files opened). Goals: time ≤ 0.05, bytes ≤ 0.02.
//
//   deltaline_bench_skipping [--rows 20M] [--file-size 4M] [--repeat 3]
//                            [--dir bench-work/skipping] [--keep]
//
// The table (bench_util data: id, value, name, ts; ids ascending, so files are
// clustered on id) is built with delta::WriteBatches streaming generated batches and
// `delta.targetFileSize`, and reused when it already holds --rows rows. Building is
// not timed. Runs alternate skipping / full; the medians are reported. Files are in
// the page cache after the first run for both variants alike.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bench_tables.h"
#include "bench_util.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;

arrow::Result<ScanBenchArgs> ParseArgs(int argc, char** argv) {
  return ParseScanBenchArgs(argc, argv, "Scan time with and without file skipping (P4)",
                            "deltaline_bench_skipping",
                            {.rows = 20'000'000,
                             .file_size = 4'000'000,
                             .repeat = 3,
                             .dir = "bench-work/skipping",
                             .keep = false});
}

/// Generates the bench rows batch by batch, so a 1 GB table never sits in memory.
class GeneratedReader : public arrow::RecordBatchReader {
 public:
  explicit GeneratedReader(int64_t rows) : rows_(rows) {}
  std::shared_ptr<arrow::Schema> schema() const override { return BenchSchema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (next_row_ >= rows_) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    const int64_t count = std::min<int64_t>(64 * 1024, rows_ - next_row_);
    ARROW_ASSIGN_OR_RAISE(*out, MakeBenchBatch(next_row_, count));
    next_row_ += count;
    // Progress on stderr for the long build.
    if ((next_row_ / count) % 64 == 0 || next_row_ == rows_) {
      std::cerr << "\rbuilding: " << next_row_ << " / " << rows_ << " rows" << std::flush;
    }
    return arrow::Status::OK();
  }

 private:
  int64_t rows_;
  int64_t next_row_ = 0;
};

arrow::Status BuildTable(const std::string& table, const ScanBenchArgs& args) {
  GeneratedReader input(args.rows);
  return BuildOrReuseTable(table, args, input);
}

struct ScanRun {
  double seconds = 0;
  int64_t rows = 0;
  delta::ScanMetrics metrics;
};

arrow::Result<ScanRun> RunScan(delta::LogStore& store,
                               const std::shared_ptr<const delta::Snapshot>& snapshot,
                               const arrow::compute::Expression& filter,
                               bool skip_files) {
  ScanRun run;
  delta::ScanOptions options;
  options.filter = filter;
  options.skip_files = skip_files;
  options.metrics = &run.metrics;
  const double start = NowSeconds();
  ARROW_ASSIGN_OR_RAISE(auto reader, delta::ScanSnapshot(store, snapshot, options));
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (!batch) break;
    run.rows += batch->num_rows();
  }
  run.seconds = NowSeconds() - start;
  return run;
}

arrow::Status Main(int argc, char** argv) {
  ARROW_ASSIGN_OR_RAISE(auto args, ParseArgs(argc, argv));
  const std::string table = args.dir + "/clustered-" + std::to_string(args.rows);
  ARROW_RETURN_NOT_OK(BuildTable(table, args));
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  // 1 % of the ids, from the middle of the table.
  const int64_t low = args.rows / 2, high = low + args.rows / 100;
  const std::string sql =
      "id >= " + std::to_string(low) + " AND id < " + std::to_string(high);
  ARROW_ASSIGN_OR_RAISE(auto filter, delta::ParsePredicate(sql, *snapshot->schema()));

  std::vector<double> skip_times, full_times;
  ScanRun skip, full;
  for (int run_idx = 0; run_idx < args.repeat; ++run_idx) {
    ARROW_ASSIGN_OR_RAISE(skip, RunScan(*store, snapshot, filter, true));
    ARROW_ASSIGN_OR_RAISE(full, RunScan(*store, snapshot, filter, false));
    if (skip.rows != full.rows || skip.rows != high - low) {
      return arrow::Status::Invalid("row counts differ: skipping ", skip.rows, ", full ",
                                    full.rows, ", expected ", high - low);
    }
    skip_times.push_back(skip.seconds);
    full_times.push_back(full.seconds);
  }
  const double skip_s = Median(skip_times), full_s = Median(full_times);
  std::printf("P4 filter: %s (%lld of %lld rows)\n", sql.c_str(),
              static_cast<long long>(high - low), static_cast<long long>(args.rows));
  std::printf("table: %zu files, %lld bytes\n", snapshot->num_files(),
              static_cast<long long>(snapshot->size_bytes()));
  std::printf("skipping:  %.4f s, files read %lld (skipped by stats %lld), bytes %lld\n",
              skip_s, static_cast<long long>(skip.metrics.files_read),
              static_cast<long long>(skip.metrics.files_skipped_by_stats),
              static_cast<long long>(skip.metrics.bytes_read));
  std::printf("full scan: %.4f s, files read %lld, bytes %lld\n", full_s,
              static_cast<long long>(full.metrics.files_read),
              static_cast<long long>(full.metrics.bytes_read));
  std::printf("time ratio  = %.4f (goal <= 0.05)\n", skip_s / full_s);
  std::printf("bytes ratio = %.4f (goal <= 0.02)\n",
              static_cast<double>(skip.metrics.bytes_read) /
                  static_cast<double>(full.metrics.bytes_read));
  if (!args.keep) {
    std::error_code ignored;
    fs::remove_all(table, ignored);
  }
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  auto st = deltaline::bench::Main(argc, argv);
  if (!st.ok()) {
    std::cerr << "deltaline_bench_skipping: " << st.ToString() << "\n";
    return 1;
  }
  return 0;
}
