// Optimize (issue 14): (a) the Z-order pruning figure: the fraction of files a 1 %-
// selective range filter on y (the SECOND Z-order column) reads, on a table of random
// (x, y) rows in ~--files files: unclustered, after `optimize --zorder-by x,y`, and
// sorted by x alone (the filter on x is shown too). (b) the file sizes after bin-
// packing the same small-file table with deltaline and with delta-rs's
// DeltaTable.optimize.compact(target_size=…) on an identical copy: min, p10, median,
// max as fractions of the target, and the wall-time ratio. Figures only, no goals.
//
//   deltaline_bench_optimize [--rows 300k] [--files 100] [--target-size 1000000]
//                            [--dir bench-work/optimize] --python PY
//                            --deltars-script bench/deltars_optimize.py
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <arrow/compute/api.h>

#include "bench_util.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/ops/optimize.h"
#include "delta/ops/optimize_test_util.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;

struct Args {
  int64_t rows = 300'000;
  int64_t files = 100;
  int64_t target_size = 1'000'000;
  std::string dir = "bench-work/optimize";
  std::string python;
  std::string deltars_script;
};

// `files` appends of equal slices of `rows`: one small file each.
arrow::Status WriteInFiles(const std::string& path, const arrow::Table& rows,
                           int64_t files) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
  const int64_t per_file = (rows.num_rows() + files - 1) / files;
  for (int64_t offset = 0; offset < rows.num_rows(); offset += per_file) {
    delta::WriteOptions options;
    options.mode = delta::SaveMode::kAppend;
    ARROW_RETURN_NOT_OK(
        delta::WriteTable(*store, *rows.Slice(offset, per_file), options).status());
  }
  return arrow::Status::OK();
}

arrow::Result<double> FractionRead(const std::string& path, const std::string& filter) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  delta::ScanMetrics metrics;
  delta::ScanOptions options;
  ARROW_ASSIGN_OR_RAISE(options.filter,
                        delta::ParsePredicate(filter, *snapshot->schema()));
  options.metrics = &metrics;
  ARROW_RETURN_NOT_OK(delta::ReadSnapshot(*store, snapshot, options).status());
  return static_cast<double>(metrics.files_read) /
         static_cast<double>(metrics.files_considered);
}

arrow::Result<int64_t> TableBytes(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  return snapshot->size_bytes();
}

arrow::Status Pruning(const Args& args, const std::shared_ptr<arrow::Table>& rows) {
  const std::string plain = args.dir + "/plain", zorder = args.dir + "/zorder",
                    by_x = args.dir + "/sorted-x";
  ARROW_RETURN_NOT_OK(WriteInFiles(plain, *rows, args.files));
  fs::copy(plain, zorder, fs::copy_options::recursive);
  ARROW_ASSIGN_OR_RAISE(auto bytes, TableBytes(plain));
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(zorder));
  delta::OptimizeOptions options;
  options.zorder_by = {"x", "y"};
  options.target_size = bytes / args.files;
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Optimize(*store, options));
  ARROW_ASSIGN_OR_RAISE(auto order,
                        arrow::compute::SortIndices(rows->GetColumnByName("x"),
                                                    arrow::compute::SortOptions()));
  ARROW_ASSIGN_OR_RAISE(auto sorted, arrow::compute::Take(rows, order));
  ARROW_RETURN_NOT_OK(WriteInFiles(by_x, *sorted.table(), args.files));
  const std::string on_y = "y >= 437000 AND y < 447000";
  const std::string on_x = "x >= 437000 AND x < 447000";
  // The worst place for a slab: starting on the edge of the top Z-cells of y, where
  // the files of the cell below reach just past it.
  const std::string on_y_edge = "y >= 500000 AND y < 510000";
  std::printf("table: %lld rows, %lld files; Z-ordered into %lld files\n",
              static_cast<long long>(rows->num_rows()),
              static_cast<long long>(args.files),
              static_cast<long long>(result.num_files_added));
  std::printf("%-16s %16s %16s %22s\n", "files read by", "1 % filter on y",
              "1 % filter on x", "y, slab on a cell edge");
  for (const auto& [label, path] : std::vector<std::pair<std::string, std::string>>{
           {"unclustered", plain}, {"zorder-by x,y", zorder}, {"sorted by x", by_x}}) {
    ARROW_ASSIGN_OR_RAISE(double y_fraction, FractionRead(path, on_y));
    ARROW_ASSIGN_OR_RAISE(double x_fraction, FractionRead(path, on_x));
    ARROW_ASSIGN_OR_RAISE(double edge_fraction, FractionRead(path, on_y_edge));
    std::printf("%-16s %15.1f%% %15.1f%% %21.1f%%\n", label.c_str(), 100 * y_fraction,
                100 * x_fraction, 100 * edge_fraction);
  }
  return arrow::Status::OK();
}

void PrintSizes(const std::string& label, std::vector<int64_t> sizes, int64_t target,
                double seconds) {
  std::sort(sizes.begin(), sizes.end());
  auto at = [&](double q) {
    return static_cast<double>(sizes[static_cast<size_t>(q * (sizes.size() - 1))]) /
           static_cast<double>(target);
  };
  std::printf("%-10s %6zu files  min %.2f  p10 %.2f  median %.2f  max %.2f  %.3f s\n",
              label.c_str(), sizes.size(), at(0), at(0.1), at(0.5), at(1), seconds);
}

std::vector<int64_t> ParseSizes(const std::string& text) {
  std::vector<int64_t> out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) out.push_back(std::stoll(item));
  return out;
}

arrow::Status Compaction(const Args& args, const std::shared_ptr<arrow::Table>& rows) {
  const std::string ours = args.dir + "/compact-deltaline",
                    theirs = args.dir + "/compact-deltars";
  ARROW_RETURN_NOT_OK(WriteInFiles(ours, *rows, args.files));
  fs::copy(ours, theirs, fs::copy_options::recursive);
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(ours));
  delta::OptimizeOptions options;
  options.target_size = args.target_size;
  const double start = NowSeconds();
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Optimize(*store, options));
  const double ours_seconds = NowSeconds() - start;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  std::vector<int64_t> ours_sizes;
  for (const auto& add : snapshot->files()) ours_sizes.push_back(add.size);
  ARROW_ASSIGN_OR_RAISE(auto child,
                        RunChild({args.python, args.deltars_script, "--table", theirs,
                                  "--target-size", std::to_string(args.target_size)}));
  if (child.exit_code != 0) return arrow::Status::IOError("delta-rs compact failed");
  ARROW_ASSIGN_OR_RAISE(auto seconds_text, FindValue(child.stdout_text, "seconds"));
  ARROW_ASSIGN_OR_RAISE(auto sizes_text, FindValue(child.stdout_text, "sizes"));
  const double theirs_seconds = std::stod(seconds_text);
  std::printf(
      "\ncompaction of %lld files (%lld bytes) to a target of %lld bytes; "
      "sizes as fractions of the target:\n",
      static_cast<long long>(result.num_files_removed),
      static_cast<long long>(result.files_removed.total_size),
      static_cast<long long>(args.target_size));
  PrintSizes("deltaline", ours_sizes, args.target_size, ours_seconds);
  PrintSizes("delta-rs", ParseSizes(sizes_text), args.target_size, theirs_seconds);
  std::printf("wall time deltaline / delta-rs: %.2f\n", ours_seconds / theirs_seconds);
  return arrow::Status::OK();
}

arrow::Status Main(int argc, char** argv) {
  Args args;
  CLI::App app{"Optimize: Z-order pruning and compaction file sizes vs delta-rs",
               "deltaline_bench_optimize"};
  AddCountOption(app, "--rows", &args.rows, "Rows of the tables");
  AddCountOption(app, "--files", &args.files, "Files of the tables before optimize");
  AddCountOption(app, "--target-size", &args.target_size, "Compaction target (bytes)");
  app.add_option("--dir", args.dir, "Work directory (emptied first)");
  app.add_option("--python", args.python, "Python with deltalake")->required();
  app.add_option("--deltars-script", args.deltars_script, "deltars_optimize.py")
      ->required();
  ARROW_RETURN_NOT_OK(ParseFlags(app, argc, argv));
  fs::remove_all(args.dir);
  fs::create_directories(args.dir);
  args.dir = fs::absolute(args.dir).string();
  auto rows = delta::optimize_testing::RandomRows(0, args.rows, 1, 42);
  ARROW_RETURN_NOT_OK(Pruning(args, rows));
  ARROW_RETURN_NOT_OK(Compaction(args, rows));
  fs::remove_all(args.dir);
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  auto st = deltaline::bench::Main(argc, argv);
  if (!st.ok()) {
    std::cerr << "deltaline_bench_optimize: " << st.ToString() << "\n";
    return 1;
  }
  return 0;
}
