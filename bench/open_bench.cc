// P3: open the latest snapshot of a table with a long log.
//
//   deltaline_bench_open build TABLE [--commits 10000] [--interval 100]
//       Builds the table: version 0 through delta::WriteBatches (table property
//       delta.checkpointInterval), then one small append commit per version (one
//       `add` with stats; every 10th commit also removes an older file), written
//       through the log store, with a checkpoint every `interval` versions through
//       delta::WriteCheckpoint. The data files are not written: opening a snapshot
//       does not read them. Reuses a table that already has the requested versions.
//   deltaline_bench_open open TABLE [--baseline]
//       Child: delta::Snapshot::Load, prints seconds=, version=, files=.
//       --baseline starts and exits without loading (process start-up cost).
//   deltaline_bench_open run TABLE --python PY --deltars-script S [--runs 5]
//                            [--label P3]
//       Times `open` and delta-rs' DeltaTable(uri) in fresh processes, alternating,
//       and reports the median time and the peak RSS of each child (wait4 ru_maxrss).
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "delta/base/action_json.h"
#include "delta/base/filenames.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/write/write.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;

struct Args {
  std::string command;
  std::string table;
  int64_t commits = 10'000;
  int64_t interval = 100;
  int runs = 5;
  bool baseline = false;
  std::string python;
  std::string deltars_script;
  std::string label = "P3";
};

arrow::Result<Args> ParseArgs(int argc, char** argv) {
  Args args;
  CLI::App app("Snapshot open time over a long log (P3)", "deltaline_bench_open");
  app.add_option("command", args.command, "build | open | run")
      ->required()
      ->check(CLI::IsMember({"build", "open", "run"}));
  app.add_option("table", args.table, "Table directory")->required();
  AddCountOption(app, "--commits", &args.commits, "build: commits to write (10000)");
  AddCountOption(app, "--interval", &args.interval, "build: checkpoint interval (100)");
  int64_t runs = args.runs;
  AddCountOption(app, "--runs", &runs,
                 "run: measurements of each reader (5; at least 1)");
  app.add_flag("--baseline", args.baseline, "open: the baseline open");
  app.add_option("--python", args.python, "run: Python with deltalake");
  app.add_option("--deltars-script", args.deltars_script, "run: bench/deltars_open.py");
  app.add_option("--label", args.label, "run: the benchmark's name in the report (P3)");
  ARROW_RETURN_NOT_OK(ParseFlags(app, argc, argv));
  args.runs = static_cast<int>(std::max<int64_t>(1, runs));
  if (args.commits < 1 || args.interval < 1) {
    return arrow::Status::Invalid("--commits and --interval must be >= 1");
  }
  return args;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string FileName(int64_t version) {
  char name[96];
  std::snprintf(name, sizeof(name),
                "part-00000-%08llx-0000-4000-8000-%012llx-c000.zstd.parquet",
                static_cast<unsigned long long>(version * 2654435761ULL & 0xFFFFFFFFULL),
                static_cast<unsigned long long>(version));
  return name;
}

// Stats as deltaline writes them for 1 000 rows of the benchmark schema.
std::string StatsFor(int64_t version) {
  const int64_t first = version * 1000;
  nlohmann::json stats = {
      {"numRecords", 1000},
      {"minValues",
       {{"id", first},
        {"value", 0.01},
        {"name", "baba.kaka@central.example.org/00"},
        {"ts", "2024-01-01T00:00:00.000Z"}}},
      {"maxValues",
       {{"id", first + 999},
        {"value", 999999.99},
        {"name", "zozo.zozo@west.example.org/ff"},
        {"ts", "2024-12-31T23:59:59.999Z"}}},
      {"nullCount", {{"id", 0}, {"value", 0}, {"name", 0}, {"ts", 0}}}};
  return stats.dump();
}

arrow::Status Build(const Args& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  const int64_t last = args.commits - 1;
  if (auto existing = delta::Snapshot::Load(*store); existing.ok()) {
    if ((*existing)->version() == last &&
        (*existing)->Config("delta.checkpointInterval") ==
            std::to_string(args.interval)) {
      std::fprintf(stderr, "reusing %s (version %lld)\n", args.table.c_str(),
                   static_cast<long long>(last));
      return arrow::Status::OK();
    }
  }
  std::error_code ignored;
  fs::remove_all(args.table, ignored);
  ARROW_ASSIGN_OR_RAISE(store, delta::FileSystemLogStore::Open(args.table));
  {
    delta::WriteOptions create;
    create.table_properties["delta.checkpointInterval"] = std::to_string(args.interval);
    ARROW_ASSIGN_OR_RAISE(auto empty, arrow::RecordBatchReader::Make({}, BenchSchema()));
    ARROW_RETURN_NOT_OK(delta::WriteBatches(*store, *empty, create).status());
  }
  const double start = NowSeconds();
  for (int64_t version = 1; version <= last; ++version) {
    std::vector<delta::Action> actions;
    delta::CommitInfo info;
    info.timestamp = NowMs();
    info.operation = "WRITE";
    info.operation_parameters = {{"mode", "Append"}, {"partitionBy", "[]"}};
    info.engine_info = "deltaline-bench";
    info.read_version = version - 1;
    info.isolation_level = "WriteSerializable";
    const bool compaction = version % 10 == 0 && version > 5;
    info.is_blind_append = !compaction;
    actions.emplace_back(std::move(info));
    if (compaction) {
      delta::Remove remove;
      remove.path = FileName(version - 5);
      remove.deletion_timestamp = NowMs();
      remove.data_change = true;
      remove.extended_file_metadata = true;
      remove.partition_values = delta::PartitionValues{};
      remove.size = 1 << 20;
      actions.emplace_back(std::move(remove));
    }
    delta::Add add;
    add.path = FileName(version);
    add.size = (1 << 20) + version;
    add.modification_time = NowMs();
    add.data_change = true;
    add.stats = StatsFor(version);
    actions.emplace_back(std::move(add));
    ARROW_RETURN_NOT_OK(store->PutIfAbsent(delta::CommitFileName(version),
                                           delta::SerializeCommitFile(actions)));
    if (version % args.interval == 0) {
      delta::SnapshotRequest request;
      request.version = version;
      ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store, request));
      ARROW_RETURN_NOT_OK(delta::WriteCheckpoint(*store, *snapshot));
    }
    if (version % 1000 == 0) {
      std::fprintf(stderr, "  built version %lld (%.1f s)\n",
                   static_cast<long long>(version), NowSeconds() - start);
    }
  }
  std::fprintf(stderr, "built %s: %lld commits in %.1f s\n", args.table.c_str(),
               static_cast<long long>(args.commits), NowSeconds() - start);
  return arrow::Status::OK();
}

arrow::Status Open(const Args& args) {
  if (args.baseline) {
    std::printf("seconds=0\nversion=-1\nfiles=0\n");
    return arrow::Status::OK();
  }
  const double start = NowSeconds();
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  const double seconds = NowSeconds() - start;
  std::printf("seconds=%.6f\nversion=%lld\nfiles=%zu\n", seconds,
              static_cast<long long>(snapshot->version()), snapshot->num_files());
  return arrow::Status::OK();
}

struct Sample {
  double open_seconds = 0;  // reported by the child around the open call
  double wall_seconds = 0;  // the whole child process
  double cpu_seconds = 0;   // user + system of the whole child process
  double rss_mib = 0;
  std::string version;
  std::string files;
};

arrow::Result<Sample> Measure(const std::vector<std::string>& argv) {
  ARROW_ASSIGN_OR_RAISE(auto child, RunChild(argv));
  if (child.exit_code != 0) {
    return arrow::Status::IOError(argv[0], " exited ", child.exit_code);
  }
  Sample sample;
  ARROW_ASSIGN_OR_RAISE(auto seconds, FindValue(child.stdout_text, "seconds"));
  ARROW_ASSIGN_OR_RAISE(sample.version, FindValue(child.stdout_text, "version"));
  ARROW_ASSIGN_OR_RAISE(sample.files, FindValue(child.stdout_text, "files"));
  sample.open_seconds = std::stod(seconds);
  sample.wall_seconds = child.wall_seconds;
  sample.cpu_seconds = child.cpu_seconds;
  sample.rss_mib = static_cast<double>(child.max_rss_kib) / 1024.0;
  return sample;
}

struct Summary {
  double open_seconds, wall_seconds, cpu_seconds, rss_mib;
  std::string version, files;
};

Summary Summarise(const std::vector<Sample>& samples) {
  std::vector<double> open, wall, cpu, rss;
  for (const auto& sample : samples) {
    open.push_back(sample.open_seconds);
    wall.push_back(sample.wall_seconds);
    cpu.push_back(sample.cpu_seconds);
    rss.push_back(sample.rss_mib);
  }
  return {Median(open), Median(wall),           Median(cpu),
          Median(rss),  samples.back().version, samples.back().files};
}

std::string LoadAverage() {
  double loads[3] = {0, 0, 0};
  if (getloadavg(loads, 3) < 0) return "unknown";
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f %.2f %.2f", loads[0], loads[1], loads[2]);
  return text;
}

arrow::Result<std::string> SelfPath() {
  char path[PATH_MAX];
  ssize_t len = readlink("/proc/self/exe", path, sizeof(path) - 1);
  if (len <= 0) return arrow::Status::IOError("cannot resolve /proc/self/exe");
  return std::string(path, static_cast<size_t>(len));
}

arrow::Status Run(const Args& args) {
  if (args.python.empty() || args.deltars_script.empty()) {
    return arrow::Status::Invalid("run needs --python and --deltars-script");
  }
  ARROW_ASSIGN_OR_RAISE(auto self, SelfPath());
  const std::vector<std::string> ours = {self, "open", args.table};
  const std::vector<std::string> ours_base = {self, "open", args.table, "--baseline"};
  const std::vector<std::string> theirs = {args.python, args.deltars_script, args.table};
  const std::vector<std::string> theirs_base = {args.python, args.deltars_script,
                                                args.table, "--baseline"};
  // One untimed round warms the page cache for both.
  ARROW_RETURN_NOT_OK(Measure(ours).status());
  ARROW_RETURN_NOT_OK(Measure(theirs).status());
  std::vector<Sample> our_samples, their_samples, our_base, their_base;
  for (int run_idx = 0; run_idx < args.runs; ++run_idx) {
    ARROW_ASSIGN_OR_RAISE(auto a, Measure(ours));
    ARROW_ASSIGN_OR_RAISE(auto b, Measure(theirs));
    ARROW_ASSIGN_OR_RAISE(auto c, Measure(ours_base));
    ARROW_ASSIGN_OR_RAISE(auto d, Measure(theirs_base));
    our_samples.push_back(a);
    their_samples.push_back(b);
    our_base.push_back(c);
    their_base.push_back(d);
  }
  const Summary us = Summarise(our_samples), them = Summarise(their_samples);
  const Summary us0 = Summarise(our_base), them0 = Summarise(their_base);
  std::printf("%s open latest snapshot of %s (median of %d fresh processes each)\n",
              args.label.c_str(), args.table.c_str(), args.runs);
  std::printf("  %-24s %7s %9s %11s %12s %10s %13s\n", "", "version", "open (s)",
              "process (s)", "process cpu", "peak RSS", "RSS over idle");
  auto row = [](const char* label, const Summary& s, const Summary& idle) {
    std::printf("  %-24s %7s %9.3f %11.3f %10.3f s %6.1f MiB %9.1f MiB  (%s files)\n",
                label, s.version.c_str(), s.open_seconds, s.wall_seconds, s.cpu_seconds,
                s.rss_mib, s.rss_mib - idle.rss_mib, s.files.c_str());
  };
  row("deltaline Snapshot::Load", us, us0);
  row("delta-rs DeltaTable(uri)", them, them0);
  std::printf(
      "  idle process (start, exit): deltaline %.3f s, %.3f s cpu, %.1f MiB; "
      "python+deltalake %.3f s, %.3f s cpu, %.1f MiB\n",
      us0.wall_seconds, us0.cpu_seconds, us0.rss_mib, them0.wall_seconds,
      them0.cpu_seconds, them0.rss_mib);
  if (us.version != them.version || us.files != them.files) {
    std::printf("  WARNING: the two readers disagree on version or file count\n");
  }
  const double time_ratio = us.open_seconds / them.open_seconds;
  const double cpu_ratio =
      (us.cpu_seconds - us0.cpu_seconds) / (them.cpu_seconds - them0.cpu_seconds);
  const double rss_ratio = us.rss_mib / them.rss_mib;
  const double net_rss_ratio =
      (us.rss_mib - us0.rss_mib) / (them.rss_mib - them0.rss_mib);
  std::printf(
      "%s ratios deltaline / delta-rs (goal <= 0.5): open time %.3f %s, cpu over idle "
      "%.3f, peak RSS %.3f %s, RSS over idle %.3f\n",
      args.label.c_str(), time_ratio, time_ratio <= 0.5 ? "ok" : "MISSED", cpu_ratio,
      rss_ratio, rss_ratio <= 0.5 ? "ok" : "MISSED", net_rss_ratio);
  std::printf("load average at the end: %s\n", LoadAverage().c_str());
  return arrow::Status::OK();
}

arrow::Status Main(int argc, char** argv) {
  ARROW_ASSIGN_OR_RAISE(auto args, ParseArgs(argc, argv));
  if (args.command == "build") return Build(args);
  if (args.command == "open") return Open(args);
  if (args.command == "run") return Run(args);
  return arrow::Status::Invalid("unknown command ", args.command);
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  try {
    arrow::Status st = deltaline::bench::Main(argc, argv);
    if (!st.ok()) {
      std::cerr << "deltaline_bench_open: " << st.ToString() << "\n";
      return 1;
    }
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "deltaline_bench_open: " << e.what() << "\n";
    return 1;
  }
}
