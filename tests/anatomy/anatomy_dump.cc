// anatomy_dump: a test tool (not part of the library or the CLI) that extracts every
// Python file under a source root and prints one JSON line per file, sorted by path.
// tests/interop/test_anatomy_oracle.py compares its output with Python's own `ast`.
//
//   anatomy_dump ROOT [--files LIST] [--serial]
//
// LIST holds relative paths (or directory prefixes: "json" selects json.py and
// json/...), one a line; "-" reads them from stdin. Without it every file is dumped.

#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "anatomy/extract_all.h"
#include "anatomy/facts.h"
#include "anatomy/source_tree.h"

namespace {

using deltaline::anatomy::FileFacts;
using deltaline::anatomy::SourceFile;
using nlohmann::json;

struct Options {
  std::string root;
  std::vector<std::string> selection;  // empty: everything
  bool serial = false;
};

bool Selected(const Options& options, const std::string& path) {
  if (options.selection.empty()) return true;
  for (const auto& s : options.selection) {
    if (path == s || path.rfind(s + "/", 0) == 0) return true;
  }
  return false;
}

json DefinitionJson(const deltaline::anatomy::Definition& d) {
  return {{"kind", d.kind},
          {"qualname", d.qualname},
          {"name", d.name},
          {"line", d.span.start_line},
          {"col", d.span.start_col},
          {"end_line", d.span.end_line},
          {"end_col", d.span.end_col},
          {"decorators", d.decorators.size()},
          {"positional", d.positional_params},
          {"kwonly", d.keyword_only_params},
          {"varargs", d.has_varargs},
          {"kwargs", d.has_kwargs},
          {"is_async", d.is_async}};
}

json ImportJson(const deltaline::anatomy::Import& i) {
  return {{"kind", i.kind},       {"module", i.module},
          {"level", i.level},     {"name", i.name},
          {"alias", i.alias},     {"bound_name", i.bound_name},
          {"is_star", i.is_star}, {"line", i.span.start_line}};
}

json FactsJson(const FileFacts& facts) {
  json defs = json::array();
  for (const auto& d : facts.definitions) defs.push_back(DefinitionJson(d));
  json imports = json::array();
  for (const auto& i : facts.imports) imports.push_back(ImportJson(i));
  // Calls by line, as [line, count] pairs in line order.
  std::vector<int32_t> lines;
  int decorator_calls = 0;
  json sites = json::array();
  for (const auto& c : facts.call_sites) {
    lines.push_back(c.span.start_line);
    if (c.is_decorator) ++decorator_calls;
    sites.push_back({c.span.start_line, c.span.start_col, c.positional_args,
                     c.keyword_args, c.star_args, c.double_star_args, c.is_decorator});
  }
  std::sort(lines.begin(), lines.end());
  json by_line = json::array();
  for (size_t i = 0; i < lines.size();) {
    size_t j = i;
    while (j < lines.size() && lines[j] == lines[i]) ++j;
    by_line.push_back({lines[i], j - i});
    i = j;
  }
  return {{"path", facts.file.path},
          {"module", facts.file.module},
          {"encoding", facts.file.encoding},
          {"skip_reason", facts.file.skip_reason},
          {"has_error", facts.has_error},
          {"definitions", std::move(defs)},
          {"imports", std::move(imports)},
          {"calls", facts.call_sites.size()},
          {"decorator_calls", decorator_calls},
          {"calls_by_line", std::move(by_line)},
          // [line, col, positional, keyword, *args, **kwargs, is_decorator] per call
          {"call_sites", std::move(sites)},
          {"diagnostics", facts.diagnostics.size()}};
}

arrow::Status Run(const Options& options) {
  ARROW_ASSIGN_OR_RAISE(auto listed, deltaline::anatomy::ListSourceTree(options.root));
  std::vector<SourceFile> files;
  for (auto& f : listed) {
    if (Selected(options, f.path)) files.push_back(std::move(f));
  }
  // The production driver: read, decode, extract on all cores, results in input order.
  deltaline::anatomy::ExtractAllOptions extract_options;
  if (options.serial) extract_options.threads = 1;
  ARROW_ASSIGN_OR_RAISE(auto all, deltaline::anatomy::LoadAndExtract(
                                      options.root, std::move(files), extract_options));
  for (const auto& facts : all) std::cout << FactsJson(facts).dump() << '\n';
  return arrow::Status::OK();
}

arrow::Status ReadSelection(const std::string& list, Options* options) {
  std::ifstream in_file;
  if (list != "-") {
    in_file.open(list);
    if (!in_file) return arrow::Status::IOError("cannot open ", list);
  }
  std::istream& in = list == "-" ? std::cin : in_file;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '/' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) options->selection.push_back(line);
  }
  return arrow::Status::OK();
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  std::string list;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--files" && i + 1 < argc) {
      list = argv[++i];
    } else if (arg == "--serial") {
      options.serial = true;
    } else if (options.root.empty() && arg.rfind("--", 0) != 0) {
      options.root = arg;
    } else {
      std::cerr << "usage: anatomy_dump ROOT [--files LIST|-] [--serial]\n";
      return 2;
    }
  }
  if (options.root.empty()) {
    std::cerr << "usage: anatomy_dump ROOT [--files LIST|-] [--serial]\n";
    return 2;
  }
  arrow::Status st = list.empty() ? arrow::Status::OK() : ReadSelection(list, &options);
  if (st.ok()) st = Run(options);
  if (!st.ok()) {
    std::cerr << "anatomy_dump: " << st.ToString() << '\n';
    return 1;
  }
  return 0;
}
