// P5: reading a table whose deletion vectors delete 10 % of its rows vs reading a
// table without DVs that holds the same live rows. Both scans return the same rows
// (checked: count and sum of ids); the ratio is DV / plain wall time (goal ≤ 1.15).
//
//   deltaline_bench_dv [--rows 10M] [--file-size 64M] [--repeat 3]
//                      [--dir bench-work/dv] [--keep]
//
// Tables (bench_util data: id, value, name, ts), built once and reused while they
// match, not timed:
//   dv-<rows>     all --rows rows, written by delta::WriteBatches, then one commit that
//                 gives every file a DV (a `u` file, roaring bitmap containers)
//                 deleting the rows whose id hashes to 0 mod 10: scattered, so every
//                 batch has deleted rows and the filter always runs;
//   plain-<rows>  the same generation without those rows.
// Runs alternate DV / plain; the medians are reported. The DV scan decodes the 10 %
// deleted rows as well, so its floor is about 1.11 before any filtering cost.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "bench_util.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/data_file_reader.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/deletion_vector_writer.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;

arrow::Result<ScanBenchArgs> ParseArgs(int argc, char** argv) {
  return ParseScanBenchArgs(
      argc, argv, "Scan time with deletion vectors on 10 % of the rows vs without (P5)",
      "deltaline_bench_dv",
      {.rows = 10'000'000,
       .file_size = 64'000'000,
       .repeat = 3,
       .dir = "bench-work/dv",
       .keep = false});
}

bool Deleted(int64_t id) {
  uint64_t x = static_cast<uint64_t>(id) + 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return (x ^ (x >> 31)) % 10 == 0;
}

/// Generates the bench rows batch by batch; with `live_only`, without deleted ones.
class GeneratedReader : public arrow::RecordBatchReader {
 public:
  GeneratedReader(int64_t rows, bool live_only) : rows_(rows), live_only_(live_only) {}
  std::shared_ptr<arrow::Schema> schema() const override { return BenchSchema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (next_row_ >= rows_) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    const int64_t count = std::min<int64_t>(64 * 1024, rows_ - next_row_);
    ARROW_ASSIGN_OR_RAISE(*out, MakeBenchBatch(next_row_, count));
    if (live_only_) {
      arrow::BooleanBuilder keep;
      ARROW_RETURN_NOT_OK(keep.Reserve(count));
      for (int64_t id = next_row_; id < next_row_ + count; ++id)
        keep.UnsafeAppend(!Deleted(id));
      ARROW_ASSIGN_OR_RAISE(auto mask, keep.Finish());
      ARROW_ASSIGN_OR_RAISE(auto kept, arrow::compute::Filter(arrow::Datum(*out), mask));
      *out = kept.record_batch();
    }
    next_row_ += count;
    return arrow::Status::OK();
  }

 private:
  int64_t rows_;
  bool live_only_;
  int64_t next_row_ = 0;
};

arrow::Result<std::unique_ptr<delta::FileSystemLogStore>> WriteGenerated(
    const std::string& table, const ScanBenchArgs& args, bool live_only) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  GeneratedReader input(args.rows, live_only);
  delta::WriteOptions options;
  options.table_properties = {{"delta.targetFileSize", std::to_string(args.file_size)}};
  ARROW_ASSIGN_OR_RAISE(auto written, delta::WriteBatches(*store, input, options));
  std::cerr << "built " << table << ": " << written.files_added << " files, "
            << written.rows_added << " rows\n";
  return store;
}

// Every file of the table gets a DV deleting the rows whose id Deleted() picks.
arrow::Status AttachDeletionVectors(delta::FileSystemLogStore& store) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(store));
  auto ids_only = arrow::schema({snapshot->schema()->GetFieldByName("id")});
  std::map<std::string, delta::DeletionVectorDescriptor> dvs;
  for (const auto& file : snapshot->files()) {
    ARROW_ASSIGN_OR_RAISE(auto reader, delta::OpenDataFile(store, ids_only, {}, file));
    std::vector<int64_t> rows;
    int64_t row = 0;
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
      if (!batch) break;
      const auto& ids = static_cast<const arrow::Int64Array&>(*batch->column(0));
      for (int64_t idx = 0; idx < ids.length(); ++idx, ++row) {
        if (Deleted(ids.Value(idx))) rows.push_back(row);
      }
    }
    ARROW_ASSIGN_OR_RAISE(dvs[file.path],
                          testing::WriteDeletionVectorFile(store, rows, "dv"));
  }
  return testing::CommitDeletionVectors(store, dvs).status();
}

int64_t LiveRows(int64_t rows) {
  int64_t live = 0;
  for (int64_t id = 0; id < rows; ++id) live += Deleted(id) ? 0 : 1;
  return live;
}

// Reuses `table` when it holds `live` rows (and DVs when `with_dvs`), else rebuilds.
arrow::Status BuildTable(const std::string& table, const ScanBenchArgs& args,
                         bool with_dvs, int64_t live) {
  if (fs::exists(table + "/_delta_log")) {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
    if (snapshot->num_records() == live &&
        (snapshot->deletion_vectors().files > 0) == with_dvs) {
      std::cerr << "reusing " << table << "\n";
      return arrow::Status::OK();
    }
    std::error_code ignored;
    fs::remove_all(table, ignored);
  }
  ARROW_ASSIGN_OR_RAISE(auto store, WriteGenerated(table, args, !with_dvs));
  if (with_dvs) ARROW_RETURN_NOT_OK(AttachDeletionVectors(*store));
  SyncDisks();
  return arrow::Status::OK();
}

struct ScanRun {
  double seconds = 0;
  double cpu_seconds = 0;
  int64_t rows = 0;
  int64_t id_sum = 0;
};

arrow::Result<ScanRun> RunScan(const std::string& table,
                               std::optional<int64_t> version = std::nullopt) {
  ScanRun run;
  const double start = NowSeconds();
  const double cpu_start = SelfCpuSeconds();
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  delta::SnapshotRequest request;
  request.version = version;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store, request));
  ARROW_ASSIGN_OR_RAISE(auto reader, delta::ScanSnapshot(*store, snapshot));
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (!batch) break;
    run.rows += batch->num_rows();
    const auto& ids = static_cast<const arrow::Int64Array&>(*batch->column(0));
    for (int64_t idx = 0; idx < ids.length(); ++idx) run.id_sum += ids.Value(idx);
  }
  run.seconds = NowSeconds() - start;
  run.cpu_seconds = SelfCpuSeconds() - cpu_start;
  return run;
}

arrow::Status Main(int argc, char** argv) {
  ARROW_ASSIGN_OR_RAISE(auto args, ParseArgs(argc, argv));
  const std::string suffix = std::to_string(args.rows);
  const std::string dv_table = args.dir + "/dv-" + suffix;
  const std::string plain_table = args.dir + "/plain-" + suffix;
  const int64_t live = LiveRows(args.rows);
  ARROW_RETURN_NOT_OK(BuildTable(dv_table, args, true, live));
  ARROW_RETURN_NOT_OK(BuildTable(plain_table, args, false, live));

  std::vector<double> dv_times, plain_times, physical_times, dv_cpu, plain_cpu;
  for (int run_idx = 0; run_idx < args.repeat; ++run_idx) {
    ARROW_ASSIGN_OR_RAISE(auto dv, RunScan(dv_table));
    ARROW_ASSIGN_OR_RAISE(auto plain, RunScan(plain_table));
    // Version 0 of the DV table: the same files before the DVs, every row.
    ARROW_ASSIGN_OR_RAISE(auto physical, RunScan(dv_table, 0));
    physical_times.push_back(physical.seconds);
    dv_cpu.push_back(dv.cpu_seconds);
    plain_cpu.push_back(plain.cpu_seconds);
    if (dv.rows != live || plain.rows != live || dv.id_sum != plain.id_sum) {
      return arrow::Status::Invalid("the scans differ: DV table ", dv.rows,
                                    " rows (id sum ", dv.id_sum, "), plain ", plain.rows,
                                    " rows (id sum ", plain.id_sum, "), expected ", live,
                                    " rows");
    }
    dv_times.push_back(dv.seconds);
    plain_times.push_back(plain.seconds);
  }
  const double dv_s = Median(dv_times), plain_s = Median(plain_times);
  std::printf(
      "P5 read %lld live rows: DV table (%lld rows, %lld deleted by DVs) vs plain\n",
      static_cast<long long>(live), static_cast<long long>(args.rows),
      static_cast<long long>(args.rows - live));
  std::printf("with DVs:    %.4f s\n", dv_s);
  std::printf("without DVs: %.4f s\n", plain_s);
  std::printf("time ratio = %.4f (goal <= 1.15)\n", dv_s / plain_s);
  std::printf("cpu ratio  = %.4f (%.4f s / %.4f s of CPU)\n",
              Median(dv_cpu) / Median(plain_cpu), Median(dv_cpu), Median(plain_cpu));
  const double physical_s = Median(physical_times);
  std::printf(
      "the same files before the DVs (all %lld rows): %.4f s; "
      "DV / that = %.4f (the cost of dropping the rows)\n",
      static_cast<long long>(args.rows), physical_s, dv_s / physical_s);
  if (!args.keep) {
    std::error_code ignored;
    fs::remove_all(dv_table, ignored);
    fs::remove_all(plain_table, ignored);
  }
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  auto st = deltaline::bench::Main(argc, argv);
  if (!st.ok()) {
    std::cerr << "deltaline_bench_dv: " << st.ToString() << "\n";
    return 1;
  }
  return 0;
}
