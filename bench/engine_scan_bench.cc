// Engine scan: a full scan and a filtered aggregate of one Delta table through the
// engine (DeltaSourceDeclaration + PushDownIntoScans + Acero) and through delta-rs'
// pyarrow dataset scanned by pyarrow (bench/deltars_scan.py), in the same run. Prints
// the ratio engine / delta-rs per query (goal ≤ 0.7).
//
//   deltaline_bench_engine_scan [--rows 2M] [--file-size 32M] [--repeat 3]
//                               [--dir bench-work/engine-scan] [--keep]
//                               --python PY --deltars-script bench/deltars_scan.py
//
// The table (bench_util rows: id, value, name, ts, plus bucket = id % 64 as int32) is
// built with delta::WriteBatches streaming generated batches and `delta.targetFileSize`,
// and reused when it holds --rows rows; building is not timed. About 14M rows make
// 1 GB of Parquet. The aggregate is
//   SELECT bucket, sum(value), count(value) WHERE id >= rows/2 AND value > 500000
//   GROUP BY bucket
// (half the files are skipped by stats on either side). Each timed run opens the table;
// one untimed warm-up run per query and side; medians of --repeat runs.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <arrow/acero/options.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/compute/api.h>

#include "bench_tables.h"
#include "bench_util.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/write/write.h"
#include "engine/delta_source.h"
#include "engine/pushdown.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;
namespace ac = arrow::acero;
namespace cp = arrow::compute;

struct Args {
  ScanBenchArgs scan{.rows = 2'000'000,
                     .file_size = 32'000'000,
                     .repeat = 3,
                     .dir = "bench-work/engine-scan",
                     .keep = false};
  std::string python;
  std::string deltars_script;
  bool profile_aggregate = false;
};

arrow::Result<Args> ParseArgs(int argc, char** argv) {
  Args args;
  CLI::App app("Engine scan vs delta-rs + pyarrow: full scan and filtered aggregate",
               "deltaline_bench_engine_scan");
  AddCountOption(app, "--rows", &args.scan.rows, "Rows of the table");
  AddCountOption(app, "--file-size", &args.scan.file_size, "delta.targetFileSize");
  int64_t repeat = args.scan.repeat;
  AddCountOption(app, "--repeat", &repeat, "Timed runs of each query (at least 1)");
  app.add_option("--dir", args.scan.dir, "Work directory")->capture_default_str();
  app.add_flag("--keep", args.scan.keep, "Keep the table");
  app.add_option("--python", args.python, "Python with deltalake and pyarrow");
  app.add_option("--deltars-script", args.deltars_script, "bench/deltars_scan.py");
  app.add_flag("--profile-aggregate", args.profile_aggregate,
               "Run only the engine's aggregate, --repeat times (for perf)");
  ARROW_RETURN_NOT_OK(ParseFlags(app, argc, argv));
  args.scan.repeat = static_cast<int>(std::max<int64_t>(1, repeat));
  if (args.scan.rows < 100 || args.scan.file_size <= 0) {
    return arrow::Status::Invalid("--rows must be >= 100 and --file-size > 0");
  }
  return args;
}

std::shared_ptr<arrow::Schema> TableSchema() {
  auto fields = BenchSchema()->fields();
  fields.push_back(arrow::field("bucket", arrow::int32()));
  return arrow::schema(fields);
}

/// The bench rows plus `bucket`, batch by batch, so a 1 GB table never sits in memory.
class GeneratedReader : public arrow::RecordBatchReader {
 public:
  explicit GeneratedReader(int64_t rows) : rows_(rows) {}
  std::shared_ptr<arrow::Schema> schema() const override { return TableSchema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (next_row_ >= rows_) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    const int64_t count = std::min<int64_t>(64 * 1024, rows_ - next_row_);
    ARROW_ASSIGN_OR_RAISE(auto batch, MakeBenchBatch(next_row_, count));
    arrow::Int32Builder buckets;
    ARROW_RETURN_NOT_OK(buckets.Reserve(count));
    for (int64_t row = next_row_; row < next_row_ + count; ++row) {
      buckets.UnsafeAppend(static_cast<int32_t>(row % 64));
    }
    ARROW_ASSIGN_OR_RAISE(auto bucket, buckets.Finish());
    ARROW_ASSIGN_OR_RAISE(*out, batch->AddColumn(batch->num_columns(),
                                                 TableSchema()->fields().back(), bucket));
    next_row_ += count;
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

arrow::Result<std::shared_ptr<arrow::Table>> EngineFullScan(const std::string& table) {
  ARROW_ASSIGN_OR_RAISE(auto handle, engine::OpenDeltaTable(table));
  ARROW_ASSIGN_OR_RAISE(auto plan, engine::DeltaSourceDeclaration(handle));
  ARROW_RETURN_NOT_OK(engine::PushDownIntoScans(plan));
  return ac::DeclarationToTable(std::move(plan));
}

arrow::Result<std::shared_ptr<arrow::Table>> EngineAggregate(
    const std::string& table, int64_t low,
    std::shared_ptr<engine::DeltaScanMetrics> metrics) {
  ARROW_ASSIGN_OR_RAISE(auto handle, engine::OpenDeltaTable(table));
  ARROW_ASSIGN_OR_RAISE(auto scan, engine::DeltaSourceDeclaration(handle, metrics));
  auto filter = cp::and_(cp::greater_equal(cp::field_ref("id"), cp::literal(low)),
                         cp::greater(cp::field_ref("value"), cp::literal(500000.0)));
  ac::Declaration filtered("filter", {std::move(scan)}, ac::FilterNodeOptions(filter));
  ac::Declaration plan(
      "aggregate", {std::move(filtered)},
      ac::AggregateNodeOptions(
          std::vector<cp::Aggregate>{{"hash_sum", nullptr, "value", "value_sum"},
                                     {"hash_count", nullptr, "value", "value_count"}},
          {"bucket"}));
  ARROW_RETURN_NOT_OK(engine::PushDownIntoScans(plan));
  return ac::DeclarationToTable(std::move(plan));
}

struct Timing {
  double wall = 0;  ///< median seconds
  double cpu = 0;   ///< median CPU seconds of the process (all threads)
};

template <typename Fn>
arrow::Result<Timing> MedianSeconds(int repeat, Fn fn,
                                    std::shared_ptr<arrow::Table>* result) {
  ARROW_ASSIGN_OR_RAISE(*result, fn());  // warm-up, untimed
  std::vector<double> times, cpus;
  for (int run = 0; run < repeat; ++run) {
    result->reset();
    const double start = NowSeconds(), cpu = SelfCpuSeconds();
    ARROW_ASSIGN_OR_RAISE(*result, fn());
    times.push_back(NowSeconds() - start);
    cpus.push_back(SelfCpuSeconds() - cpu);
  }
  return Timing{Median(times), Median(cpus)};
}

arrow::Result<double> SumColumn(const arrow::Table& table, const std::string& name) {
  ARROW_ASSIGN_OR_RAISE(auto sum, cp::Sum(table.GetColumnByName(name)));
  ARROW_ASSIGN_OR_RAISE(auto as_double, sum.scalar()->CastTo(arrow::float64()));
  return std::static_pointer_cast<arrow::DoubleScalar>(as_double)->value;
}

arrow::Status Main(int argc, char** argv) {
  ARROW_ASSIGN_OR_RAISE(auto args, ParseArgs(argc, argv));
  if (!args.profile_aggregate && (args.python.empty() || args.deltars_script.empty())) {
    return arrow::Status::Invalid("--python and --deltars-script are required");
  }
  const std::string table = args.scan.dir + "/table-" + std::to_string(args.scan.rows);
  ARROW_RETURN_NOT_OK(BuildTable(table, args.scan));
  const int64_t low = args.scan.rows / 2;

  std::shared_ptr<arrow::Table> rows;
  std::shared_ptr<engine::DeltaScanMetrics> last_agg;
  if (args.profile_aggregate) {
    for (int run = 0; run < args.scan.repeat; ++run) {
      ARROW_ASSIGN_OR_RAISE(rows, EngineAggregate(table, low, nullptr));
    }
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(
      Timing full, MedianSeconds(
                       args.scan.repeat, [&] { return EngineFullScan(table); }, &rows));
  const int64_t full_rows = rows->num_rows();
  rows.reset();
  ARROW_ASSIGN_OR_RAISE(Timing agg,
                        MedianSeconds(
                            args.scan.repeat,
                            [&] {
                              last_agg = std::make_shared<engine::DeltaScanMetrics>();
                              return EngineAggregate(table, low, last_agg);
                            },
                            &rows));
  ARROW_ASSIGN_OR_RAISE(double agg_count, SumColumn(*rows, "value_count"));
  ARROW_ASSIGN_OR_RAISE(double agg_sum, SumColumn(*rows, "value_sum"));

  const auto pruning = last_agg->counts();
  std::fprintf(stderr,
               "engine aggregate scan: %lld files, %lld skipped by stats, %lld read, "
               "%lld bytes read, %lld rows read\n",
               static_cast<long long>(pruning.files_considered),
               static_cast<long long>(pruning.files_skipped_by_stats),
               static_cast<long long>(pruning.files_read),
               static_cast<long long>(pruning.bytes_read),
               static_cast<long long>(pruning.rows_read));
  ARROW_ASSIGN_OR_RAISE(auto child, RunChild({args.python, args.deltars_script, table,
                                              "--low", std::to_string(low), "--repeat",
                                              std::to_string(args.scan.repeat)}));
  if (child.exit_code != 0) {
    return arrow::Status::IOError(args.deltars_script, " exited ", child.exit_code);
  }
  auto value = [&](const std::string& key) -> arrow::Result<double> {
    ARROW_ASSIGN_OR_RAISE(auto text, FindValue(child.stdout_text, key));
    return std::stod(text);
  };
  ARROW_ASSIGN_OR_RAISE(double rs_full, value("full_seconds"));
  ARROW_ASSIGN_OR_RAISE(double rs_rows, value("full_rows"));
  ARROW_ASSIGN_OR_RAISE(double rs_agg, value("agg_seconds"));
  ARROW_ASSIGN_OR_RAISE(double rs_full_cpu, value("full_cpu_seconds"));
  ARROW_ASSIGN_OR_RAISE(double rs_agg_cpu, value("agg_cpu_seconds"));
  ARROW_ASSIGN_OR_RAISE(double rs_count, value("agg_count"));
  ARROW_ASSIGN_OR_RAISE(double rs_sum, value("agg_sum"));
  if (rs_rows != static_cast<double>(full_rows) || rs_count != agg_count ||
      std::abs(rs_sum - agg_sum) > 1e-6 * std::abs(rs_sum)) {
    return arrow::Status::Invalid("results differ: engine ", full_rows, " rows, count ",
                                  agg_count, ", sum ", agg_sum, "; delta-rs ", rs_rows,
                                  " rows, count ", rs_count, ", sum ", rs_sum);
  }
  std::printf("table: %s (%lld rows)\n", table.c_str(),
              static_cast<long long>(args.scan.rows));
  auto print = [](const char* what, Timing ours, double theirs, double theirs_cpu) {
    std::printf(
        "%-19s deltaline %.3f s (cpu %.3f s), delta-rs+pyarrow %.3f s (cpu %.3f s): "
        "ratio %.2f (cpu %.2f)\n",
        what, ours.wall, ours.cpu, theirs, theirs_cpu, ours.wall / theirs,
        ours.cpu / theirs_cpu);
  };
  print("full scan:", full, rs_full, rs_full_cpu);
  print("filtered aggregate:", agg, rs_agg, rs_agg_cpu);
  std::printf("(goal: ratio <= 0.70; medians of %d runs, same results on both sides)\n",
              args.scan.repeat);
  if (!args.scan.keep) {
    std::error_code ignored;
    fs::remove_all(table, ignored);
  }
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  auto status = deltaline::bench::Main(argc, argv);
  if (!status.ok()) {
    std::cerr << "deltaline_bench_engine_scan: " << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
