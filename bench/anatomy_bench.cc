// Code-anatomy benchmarks, side by side in one process on the same files:
//   P5  the full anatomy run (list, read, hash, parse, extract, resolve, write nine Delta
//       tables and the state) vs tree-sitter parsing the same files alone (read + parse
//       on the same number of threads). Goal: ratio <= 2. Also lines per second.
//   P6  an incremental run after one file changed vs the full run of the same tree.
//       Goal: ratio <= 0.03. Two edits: a body edit (exports unchanged: one file
//       re-done) and an exports edit (a new module-level function: the file's importers
//       re-resolved too).
// The tree is copied first (same relative paths and bytes), so the source is never
// touched; each measurement is the median of --runs runs.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <arrow/util/thread_pool.h>
#include <tree_sitter/api.h>

#include "anatomy/anatomy_run.h"
#include "anatomy/python_grammar.h"
#include "anatomy/source_tree.h"
#include "bench_util.h"

namespace deltaline::bench {
namespace {

namespace fs = std::filesystem;

struct Args {
  std::string source;
  std::string dir;
  int threads = 0;
  int runs = 3;
  std::string body_edit = "json/encoder.py";
};

arrow::Result<std::string> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return arrow::Status::IOError("cannot read ", path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct ParseOnly {
  double seconds = 0;
  int64_t lines = 0;
  int64_t bytes = 0;
};

// The baseline: each thread owns a parser and takes the next file; nothing but reading
// and parsing.
arrow::Result<ParseOnly> ParseAlone(const std::string& root,
                                    const std::vector<anatomy::SourceFile>& files,
                                    int threads) {
  ARROW_ASSIGN_OR_RAISE(const TSLanguage* language, anatomy::PythonLanguage());
  std::atomic<size_t> next{0};
  std::atomic<int64_t> lines{0}, bytes{0};
  std::atomic<bool> failed{false};
  const double start = NowSeconds();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      TSParser* parser = ts_parser_new();
      ts_parser_set_language(parser, language);
      for (size_t i = next++; i < files.size(); i = next++) {
        if (!files[i].skip_reason.empty()) continue;
        auto text = ReadAll(root + "/" + files[i].path);
        if (!text.ok()) {
          failed = true;
          continue;
        }
        TSTree* tree = ts_parser_parse_string(parser, nullptr, text->data(),
                                              static_cast<uint32_t>(text->size()));
        lines += ts_node_end_point(ts_tree_root_node(tree)).row + 1;
        bytes += static_cast<int64_t>(text->size());
        ts_tree_delete(tree);
      }
      ts_parser_delete(parser);
    });
  }
  for (auto& worker : workers) worker.join();
  if (failed) return arrow::Status::IOError("a file could not be read");
  return ParseOnly{NowSeconds() - start, lines.load(), bytes.load()};
}

// Copies the listed, readable .py files (the tree the anatomy run sees).
arrow::Status CopyTree(const std::string& from, const std::string& to,
                       const std::vector<anatomy::SourceFile>& files) {
  std::error_code ec;
  fs::remove_all(to, ec);
  for (const auto& file : files) {
    if (!file.skip_reason.empty()) continue;
    const fs::path target = fs::path(to) / file.path;
    fs::create_directories(target.parent_path(), ec);
    fs::copy_file(fs::path(from) / file.path, target, ec);
    if (ec) return arrow::Status::IOError("copy ", file.path, ": ", ec.message());
  }
  return arrow::Status::OK();
}

arrow::Result<anatomy::AnatomyResult> Run(const Args& args, const std::string& tree,
                                          const std::string& lake, bool full) {
  anatomy::AnatomyOptions options;
  options.source_root = tree;
  options.lake = lake;
  options.full = full;
  options.threads = args.threads;
  ARROW_ASSIGN_OR_RAISE(auto result, anatomy::RunAnatomy(options));
  if (!result.run.ok()) return result.run.status;
  return result;
}

arrow::Status Append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
  return out ? arrow::Status::OK() : arrow::Status::IOError("cannot append to ", path);
}

arrow::Status Main(const Args& args) {
  const int threads = args.threads > 0
                          ? args.threads
                          : static_cast<int>(std::thread::hardware_concurrency());
  ARROW_ASSIGN_OR_RAISE(auto listed, anatomy::ListSourceTree(args.source));
  const std::string tree = args.dir + "/tree";
  ARROW_RETURN_NOT_OK(CopyTree(args.source, tree, listed));
  ARROW_ASSIGN_OR_RAISE(auto files, anatomy::ListSourceTree(tree));
  std::printf("tree: %s (%zu .py files), %d threads, median of %d runs\n",
              args.source.c_str(), files.size(), threads, args.runs);

  std::vector<double> parse_s, full_s, body_s, exports_s;
  ParseOnly parsed;
  int64_t body_files = 0, exports_files = 0;
  for (int run = 0; run < args.runs; ++run) {
    ARROW_ASSIGN_OR_RAISE(parsed, ParseAlone(tree, files, threads));
    parse_s.push_back(parsed.seconds);
    const std::string lake = args.dir + "/lake";
    std::error_code ec;
    fs::remove_all(lake, ec);
    double start = NowSeconds();
    ARROW_RETURN_NOT_OK(Run(args, tree, lake, true).status());
    full_s.push_back(NowSeconds() - start);

    // P6 a: a body edit (a comment changes no export).
    ARROW_RETURN_NOT_OK(Append(tree + "/" + args.body_edit, "\n# edited by the bench\n"));
    start = NowSeconds();
    ARROW_ASSIGN_OR_RAISE(auto body, Run(args, tree, lake, false));
    body_s.push_back(NowSeconds() - start);
    body_files = body.files.parsed;
    // P6 b: an exports edit (a new module-level function).
    ARROW_RETURN_NOT_OK(
        Append(tree + "/" + args.body_edit, "\ndef _bench_added(x):\n    return x\n"));
    start = NowSeconds();
    ARROW_ASSIGN_OR_RAISE(auto exports, Run(args, tree, lake, false));
    exports_s.push_back(NowSeconds() - start);
    exports_files = exports.files.parsed;
    ARROW_RETURN_NOT_OK(CopyTree(args.source, tree, listed));  // undo for the next run
  }
  const double parse = Median(parse_s), full = Median(full_s);
  std::printf(
      "\nP5  tree-sitter parse alone   %8.3f s  (%lld lines, %.1f MB, %.0f lines/s)\n",
      parse, static_cast<long long>(parsed.lines), parsed.bytes / 1e6,
      parsed.lines / parse);
  std::printf("    full anatomy run          %8.3f s  (%.0f lines/s)\n", full,
              parsed.lines / full);
  std::printf("    ratio full / parse        %8.2f   (goal <= 2)\n", full / parse);
  const double body = Median(body_s), exports = Median(exports_s);
  std::printf("\nP6  incremental, body edit    %8.3f s  (%lld files parsed)\n", body,
              static_cast<long long>(body_files));
  std::printf("    ratio incremental / full  %8.3f   (goal <= 0.03)\n", body / full);
  std::printf(
      "    incremental, exports edit %8.3f s  (%lld files parsed: the file and "
      "its importers)\n",
      exports, static_cast<long long>(exports_files));
  std::printf("    ratio incremental / full  %8.3f\n", exports / full);
  return arrow::Status::OK();
}

}  // namespace
}  // namespace deltaline::bench

int main(int argc, char** argv) {
  using deltaline::bench::Args;
  Args args;
  CLI::App app{
      "Code anatomy: P5 (full run vs tree-sitter alone), P6 (incremental vs full)"};
  app.add_option("--source", args.source,
                 "Python source tree (e.g. the standard library)")
      ->required();
  app.add_option("--dir", args.dir, "Work directory (a copy of the tree and the lake)")
      ->required();
  app.add_option("--threads", args.threads, "Threads (0 = all cores)");
  app.add_option("--runs", args.runs, "Runs per measurement")->capture_default_str();
  app.add_option("--edit", args.body_edit, "The file P6 edits, relative to the tree")
      ->capture_default_str();
  if (auto st = deltaline::bench::ParseFlags(app, argc, argv); !st.ok()) return 2;
  auto status = deltaline::bench::Main(args);
  if (!status.ok()) {
    std::fprintf(stderr, "anatomy bench: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
