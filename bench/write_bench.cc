// P1 / P2: append N rows (int64, double, string, timestamp) as one Delta commit.
//
// P1 times delta::WriteBatches against bare parquet::arrow::FileWriter writing the
// same batches with the same writer properties (delta::DefaultDataWriterProperties())
// into the same files: the bare writer rolls over files and row groups at exactly the
// row counts the Delta writer chose (read back from its footers), so both produce
// the same Parquet layout and the ratio is the cost of Delta (stats, sizing, log).
//
// P2 (with --python/--deltars-script) hands the same rows to delta-rs'
// write_deltalake through an Arrow IPC file written once, zstd as well.
//
// Data is generated in memory before any timing; each run writes into a fresh
// directory and the disks are synced between runs (not timed).
#include <arrow/filesystem/localfs.h>
#include <arrow/io/file.h>
#include <arrow/ipc/writer.h>
#include <arrow/util/byte_size.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "bench_util.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/write/data_writer.h"
#include "delta/write/write.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;

struct Args {
  int64_t rows = 10'000'000;
  int64_t batch_rows = 64 * 1024;
  int repeat = 3;
  std::string dir = "bench-work";
  std::string python;
  std::string deltars_script;
  bool keep = false;
};

arrow::Result<Args> ParseArgs(int argc, char** argv) {
  Args args;
  CLI::App app("Write throughput of deltaline against a bare Parquet writer (P1, P2)",
               "deltaline_bench_write");
  AddCountOption(app, "--rows", &args.rows, "Rows to write (10M)");
  AddCountOption(app, "--batch-rows", &args.batch_rows, "Rows per batch (65536)");
  int64_t repeat = args.repeat;
  AddCountOption(app, "--repeat", &repeat, "Runs of each measurement (3; at least 1)");
  app.add_option("--dir", args.dir, "Work directory")->capture_default_str();
  app.add_option("--python", args.python, "Python with deltalake, for the delta-rs run");
  app.add_option("--deltars-script", args.deltars_script,
                 "bench/deltars_write.py (with --python)");
  app.add_flag("--keep", args.keep, "Keep the written tables");
  ARROW_RETURN_NOT_OK(ParseFlags(app, argc, argv));
  args.repeat = static_cast<int>(std::max<int64_t>(1, repeat));
  if (args.rows <= 0 || args.batch_rows <= 0) {
    return arrow::Status::Invalid("--rows and --batch-rows must be > 0");
  }
  if (args.python.empty() != args.deltars_script.empty()) {
    return arrow::Status::Invalid("--python and --deltars-script go together");
  }
  return args;
}

/// Row counts of each row group of each file, in file order.
using Layout = std::vector<std::vector<int64_t>>;

struct RunResult {
  double seconds = 0;
  double cpu_seconds = 0;
  int64_t files = 0;
  int64_t bytes = 0;
};

void RemoveTree(const std::string& path) {
  std::error_code ignored;
  fs::remove_all(path, ignored);
  SyncDisks();
}

int64_t TreeBytes(const std::string& path, int64_t* files) {
  int64_t bytes = 0;
  *files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(path)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet" &&
        entry.path().parent_path().filename() != "_delta_log") {
      bytes += static_cast<int64_t>(entry.file_size());
      ++*files;
    }
  }
  return bytes;
}

arrow::Result<RunResult> RunDelta(
    const std::string& table,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches, Layout* layout) {
  RemoveTree(table);
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  {
    // Untimed: the table exists before the append, as for any append.
    delta::WriteOptions create;
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::RecordBatchReader::Make({}, BenchSchema()));
    ARROW_RETURN_NOT_OK(delta::WriteBatches(*store, *empty, create).status());
  }
  SyncDisks();
  ARROW_ASSIGN_OR_RAISE(auto input,
                        arrow::RecordBatchReader::Make(batches, BenchSchema()));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.writer_properties = delta::DefaultDataWriterProperties();
  const double cpu0 = SelfCpuSeconds();
  const double start = NowSeconds();
  ARROW_ASSIGN_OR_RAISE(auto written, delta::WriteBatches(*store, *input, options));
  RunResult result;
  result.seconds = NowSeconds() - start;
  result.cpu_seconds = SelfCpuSeconds() - cpu0;
  result.files = written.files_added;
  result.bytes = written.bytes_added;
  if (layout != nullptr) {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
    layout->clear();
    for (const auto& add : snapshot->files()) {  // sorted by path: part-00000-, 00001-…
      ARROW_ASSIGN_OR_RAISE(auto file,
                            arrow::io::ReadableFile::Open(table + "/" + add.path));
      std::shared_ptr<parquet::FileMetaData> metadata;
      try {
        metadata = parquet::ReadMetaData(file);
      } catch (const std::exception& e) {
        return arrow::Status::IOError(e.what());
      }
      std::vector<int64_t> groups;
      for (int rg_idx = 0; rg_idx < metadata->num_row_groups(); ++rg_idx) {
        groups.push_back(metadata->RowGroup(rg_idx)->num_rows());
      }
      layout->push_back(std::move(groups));
    }
  }
  return result;
}

// The Arrow writer properties DataFileWriter uses for Delta files.
std::shared_ptr<parquet::ArrowWriterProperties> DeltaArrowProperties() {
  return delta::DataFileArrowWriterProperties();
}

arrow::Result<RunResult> RunBare(
    const std::string& dir,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches,
    const Layout& layout) {
  RemoveTree(dir);
  fs::create_directories(dir);
  SyncDisks();
  auto properties = delta::DefaultDataWriterProperties();
  auto arrow_properties = DeltaArrowProperties();
  auto local = std::make_shared<arrow::fs::LocalFileSystem>();
  const double cpu0 = SelfCpuSeconds();
  const double start = NowSeconds();
  size_t batch_idx = 0;
  int64_t batch_offset = 0;
  RunResult result;
  for (size_t file_idx = 0; file_idx < layout.size(); ++file_idx) {
    char name[64];
    std::snprintf(name, sizeof(name), "/part-%05zu.parquet", file_idx);
    ARROW_ASSIGN_OR_RAISE(auto sink, local->OpenOutputStream(dir + name));
    ARROW_ASSIGN_OR_RAISE(auto writer, parquet::arrow::FileWriter::Open(
                                           *BenchSchema(), arrow::default_memory_pool(),
                                           sink, properties, arrow_properties));
    const auto& groups = layout[file_idx];
    for (size_t rg_idx = 0; rg_idx < groups.size(); ++rg_idx) {
      if (rg_idx > 0) ARROW_RETURN_NOT_OK(writer->NewBufferedRowGroup());
      int64_t remaining = groups[rg_idx];
      while (remaining > 0) {
        if (batch_idx >= batches.size()) {
          return arrow::Status::Invalid("layout holds more rows than the data");
        }
        const auto& batch = batches[batch_idx];
        const int64_t take = std::min(remaining, batch->num_rows() - batch_offset);
        ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*batch->Slice(batch_offset, take)));
        remaining -= take;
        batch_offset += take;
        if (batch_offset == batch->num_rows()) {
          ++batch_idx;
          batch_offset = 0;
        }
      }
    }
    ARROW_RETURN_NOT_OK(writer->Close());
    ARROW_RETURN_NOT_OK(sink->Close());
  }
  result.seconds = NowSeconds() - start;
  result.cpu_seconds = SelfCpuSeconds() - cpu0;
  result.bytes = TreeBytes(dir, &result.files);
  return result;
}

arrow::Status WriteIpcFile(
    const std::string& path,
    const std::vector<std::shared_ptr<arrow::RecordBatch>>& batches) {
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::FileOutputStream::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeFileWriter(sink, BenchSchema()));
  for (const auto& batch : batches) ARROW_RETURN_NOT_OK(writer->WriteRecordBatch(*batch));
  ARROW_RETURN_NOT_OK(writer->Close());
  return sink->Close();
}

arrow::Result<RunResult> RunDeltaRs(const Args& args, const std::string& ipc,
                                    const std::string& table) {
  RemoveTree(table);
  ARROW_ASSIGN_OR_RAISE(auto child, RunChild({args.python, args.deltars_script, "--ipc",
                                              ipc, "--table", table}));
  if (child.exit_code != 0) {
    return arrow::Status::IOError("delta-rs script exited ", child.exit_code);
  }
  RunResult result;
  ARROW_ASSIGN_OR_RAISE(auto seconds, FindValue(child.stdout_text, "seconds"));
  ARROW_ASSIGN_OR_RAISE(auto cpu, FindValue(child.stdout_text, "cpu_seconds"));
  result.seconds = std::stod(seconds);
  result.cpu_seconds = std::stod(cpu);
  result.bytes = TreeBytes(table, &result.files);
  return result;
}

void PrintRuns(const char* label, const std::vector<RunResult>& runs) {
  std::vector<double> seconds, cpu;
  for (const auto& run : runs) {
    seconds.push_back(run.seconds);
    cpu.push_back(run.cpu_seconds);
  }
  std::printf(
      "  %-34s best %7.3f s  median %7.3f s  cpu %7.3f s  %3lld files  %8.1f MiB\n",
      label, Min(seconds), Median(seconds), Median(cpu),
      static_cast<long long>(runs.front().files),
      static_cast<double>(runs.front().bytes) / (1 << 20));
}

double Best(const std::vector<RunResult>& runs) {
  std::vector<double> seconds;
  for (const auto& run : runs) seconds.push_back(run.seconds);
  return Min(seconds);
}

double MedianOf(const std::vector<RunResult>& runs) {
  std::vector<double> seconds;
  for (const auto& run : runs) seconds.push_back(run.seconds);
  return Median(seconds);
}

double MedianCpu(const std::vector<RunResult>& runs) {
  std::vector<double> cpu;
  for (const auto& run : runs) cpu.push_back(run.cpu_seconds);
  return Median(cpu);
}

// On a shared machine wall time mostly measures the neighbours: say how busy it was.
std::string LoadAverage() {
  double loads[3] = {0, 0, 0};
  if (getloadavg(loads, 3) < 0) return "unknown";
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f %.2f %.2f", loads[0], loads[1], loads[2]);
  return text;
}

arrow::Status Main(int argc, char** argv) {
  ARROW_ASSIGN_OR_RAISE(auto args, ParseArgs(argc, argv));
  fs::create_directories(args.dir);
  const std::string dir = fs::absolute(args.dir).string();

  double start = NowSeconds();
  ARROW_ASSIGN_OR_RAISE(auto batches, MakeBenchBatches(args.rows, args.batch_rows));
  int64_t arrow_bytes = 0;
  for (const auto& batch : batches) {
    ARROW_ASSIGN_OR_RAISE(int64_t size, arrow::util::ReferencedBufferSize(*batch));
    arrow_bytes += size;
  }
  std::fprintf(stderr, "generated %lld rows (%.1f MiB in Arrow) in %.1f s\n",
               static_cast<long long>(args.rows),
               static_cast<double>(arrow_bytes) / (1 << 20), NowSeconds() - start);

  const bool with_deltars = !args.python.empty();
  const std::string ipc = dir + "/input.arrow";
  if (with_deltars) {
    ARROW_RETURN_NOT_OK(WriteIpcFile(ipc, batches));
  }

  Layout layout;
  std::vector<RunResult> delta_runs, bare_runs, deltars_runs;
  for (int rep = 0; rep < args.repeat; ++rep) {
    ARROW_ASSIGN_OR_RAISE(
        auto delta_run, RunDelta(dir + "/delta", batches, rep == 0 ? &layout : nullptr));
    delta_runs.push_back(delta_run);
    std::fprintf(stderr, "  run %d: delta::WriteBatches %.3f s\n", rep + 1,
                 delta_run.seconds);
    ARROW_ASSIGN_OR_RAISE(auto bare_run, RunBare(dir + "/bare", batches, layout));
    bare_runs.push_back(bare_run);
    std::fprintf(stderr, "  run %d: bare parquet         %.3f s\n", rep + 1,
                 bare_run.seconds);
    if (with_deltars) {
      ARROW_ASSIGN_OR_RAISE(auto rs_run, RunDeltaRs(args, ipc, dir + "/deltars"));
      deltars_runs.push_back(rs_run);
      std::fprintf(stderr, "  run %d: delta-rs             %.3f s\n", rep + 1,
                   rs_run.seconds);
    }
  }

  std::printf(
      "P1/P2 write: %lld rows, %.1f MiB in Arrow, batches of %lld rows, %d run(s) each\n",
      static_cast<long long>(args.rows), static_cast<double>(arrow_bytes) / (1 << 20),
      static_cast<long long>(args.batch_rows), args.repeat);
  PrintRuns("deltaline delta::WriteBatches", delta_runs);
  PrintRuns("bare parquet::arrow::FileWriter", bare_runs);
  const double p1_best = Best(delta_runs) / Best(bare_runs);
  const double p1_median = MedianOf(delta_runs) / MedianOf(bare_runs);
  const double p1_cpu = MedianCpu(delta_runs) / MedianCpu(bare_runs);
  std::printf(
      "P1 ratio deltaline / bare parquet: wall best %.3f, wall median %.3f, cpu median "
      "%.3f (goal <= 1.05): %s\n",
      p1_best, p1_median, p1_cpu, p1_median <= 1.05 ? "ok" : "MISSED");
  if (with_deltars) {
    PrintRuns("delta-rs write_deltalake", deltars_runs);
    const double p2_best = Best(deltars_runs) / Best(delta_runs);
    const double p2_median = MedianOf(deltars_runs) / MedianOf(delta_runs);
    const double p2_cpu = MedianCpu(deltars_runs) / MedianCpu(delta_runs);
    std::printf(
        "P2 speed-up deltaline vs delta-rs: wall best %.2fx, wall median %.2fx, cpu "
        "median %.2fx (goal >= 1.5x): %s\n",
        p2_best, p2_median, p2_cpu, p2_median >= 1.5 ? "ok" : "MISSED");
  }
  std::printf(
      "(verdicts use the wall medians; on a busy machine the cpu ratios are the "
      "steadier figure)\nload average at the end: %s (%ld cores)\n",
      LoadAverage().c_str(), sysconf(_SC_NPROCESSORS_ONLN));
  if (!args.keep) {
    RemoveTree(dir + "/delta");
    RemoveTree(dir + "/bare");
    RemoveTree(dir + "/deltars");
    if (with_deltars) RemoveTree(ipc);
  }
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  try {
    arrow::Status st = deltaline::bench::Main(argc, argv);
    if (!st.ok()) {
      std::cerr << "deltaline_bench_write: " << st.ToString() << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "deltaline_bench_write: " << e.what() << "\n";
    return 1;
  }
}
