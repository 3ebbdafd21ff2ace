#pragma once

// Test helpers for the extractor: load a fixture file as a SourceFile (the real reader
// is source_tree.h) and print rows as one line each, so that expected rows are
// written by hand as readable strings and a failure shows the row that differs.

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "anatomy/extract.h"
#include "anatomy/facts.h"
#include "anatomy/ids.h"

namespace deltaline::anatomy::testing {

inline std::string FixtureRoot() {
  return std::string(DELTALINE_SOURCE_DIR) + "/tests/anatomy/fixture";
}

/// \brief A SourceFile for text already in memory (path relative to the root).
inline SourceFile MakeSource(const std::string& path, const std::string& module,
                             std::string text) {
  SourceFile file;
  file.path = path;
  file.file_id = StableId({"file", path});
  file.module = module;
  file.is_package_init = path.ends_with("__init__.py");
  file.size = static_cast<int64_t>(text.size());
  file.encoding = "utf-8";
  file.text = std::move(text);
  return file;
}

/// \brief The fixture file `path` (under tests/anatomy/fixture) as a SourceFile.
inline SourceFile LoadFixture(const std::string& path, const std::string& module) {
  std::ifstream in(FixtureRoot() + "/" + path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  EXPECT_TRUE(in.good() || in.eof()) << path;
  return MakeSource(path, module, buffer.str());
}

inline FileFacts ExtractOrDie(SourceFile file) {
  auto extractor = Extractor::Make();
  EXPECT_TRUE(extractor.ok()) << extractor.status().ToString();
  auto facts = (*extractor)->Extract(std::move(file));
  EXPECT_TRUE(facts.ok()) << facts.status().ToString();
  return facts.ok() ? std::move(*facts) : FileFacts{};
}

inline std::string Join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : ",") + part;
  return out;
}

/// \brief The qualname of a def_id among the file's definitions ("?" when none).
inline std::string QualnameOf(const FileFacts& facts, Id def_id) {
  for (const auto& def : facts.definitions) {
    if (def.def_id == def_id) return def.kind == "module" ? "<module>" : def.qualname;
  }
  return "?";
}

/// "kind qualname fqn L<start_line> ^<parent> [async] @deco1;deco2 (bases)
///  params=a,b pos/kwonly[*][**] [doc]"
inline std::string DefRow(const FileFacts& facts, const Definition& def) {
  std::string row = def.kind + " " + def.qualname + " " + def.fqn + " L" +
                    std::to_string(def.span.start_line);
  row += " ^" + (def.parent_def_id ? QualnameOf(facts, *def.parent_def_id) : "-");
  if (def.is_async) row += " async";
  if (!def.decorators.empty()) {
    row += " @";
    for (size_t i = 0; i < def.decorators.size(); ++i) {
      row += (i ? ";" : "") + def.decorators[i];
    }
  }
  if (!def.bases.empty()) row += " (" + Join(def.bases) + ")";
  row += " params=" + Join(def.params) + " " + std::to_string(def.positional_params) +
         "/" + std::to_string(def.keyword_only_params);
  if (def.has_varargs) row += "*";
  if (def.has_kwargs) row += "**";
  if (def.has_docstring) row += " doc";
  return row;
}

/// "kind module level name alias bound [star] in <scope> L<line>"
inline std::string ImportRow(const FileFacts& facts, const Import& imp) {
  std::string row = imp.kind + " '" + imp.module + "' " + std::to_string(imp.level) +
                    " " + imp.name + " as '" + imp.alias + "' -> '" + imp.bound_name +
                    "'";
  if (imp.is_star) row += " star";
  row += " in " + QualnameOf(facts, imp.enclosing_def_id) + " L" +
         std::to_string(imp.span.start_line);
  return row;
}

/// "callee shape [recv.attr] p/k/*/** [comp] [deco] in <caller> L<line>"
inline std::string CallRow(const FileFacts& facts, const CallSite& call) {
  std::string row = call.callee_text + " " + call.callee_shape;
  if (call.callee_shape == "attribute") {
    row += " [" + call.receiver_text + "|" + call.attribute_name + "]";
  }
  row += " " + std::to_string(call.positional_args) + "/" +
         std::to_string(call.keyword_args) + "/" + std::to_string(call.star_args) + "/" +
         std::to_string(call.double_star_args);
  if (call.in_comprehension) row += " comp";
  if (call.is_decorator) row += " deco";
  row += " in " + QualnameOf(facts, call.caller_def_id) + " L" +
         std::to_string(call.span.start_line);
  return row;
}

/// "<scope>: name kind [value|#param|def qualname|import i]"
inline std::string BindingRow(const FileFacts& facts, const Binding& b) {
  std::string row = QualnameOf(facts, b.scope_def_id) + ": " + b.name + " " + b.kind;
  if (b.kind == "alias") row += " = " + b.value_text;
  if (b.kind == "param") row += " #" + std::to_string(b.param_index);
  if (b.kind == "def") row += " " + QualnameOf(facts, b.def_id);
  if (b.kind == "import") {
    row += " " + facts.imports[static_cast<size_t>(b.import_index)].name;
  }
  return row;
}

template <typename T, typename F>
std::vector<std::string> Rows(const FileFacts& facts, const std::vector<T>& items, F f) {
  std::vector<std::string> rows;
  for (const auto& item : items) rows.push_back(f(facts, item));
  return rows;
}

inline std::vector<std::string> DefRows(const FileFacts& f) {
  return Rows(f, f.definitions, DefRow);
}
inline std::vector<std::string> ImportRows(const FileFacts& f) {
  return Rows(f, f.imports, ImportRow);
}
inline std::vector<std::string> CallRows(const FileFacts& f) {
  return Rows(f, f.call_sites, CallRow);
}
inline std::vector<std::string> BindingRows(const FileFacts& f) {
  return Rows(f, f.bindings, BindingRow);
}

}  // namespace deltaline::anatomy::testing
