// The resolver on the resolution fixture (tests/anatomy/resolve_fixture), extracted by
// the real extractor: every import's resolution and every call site's targets, exact,
// written by hand from the sources.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "anatomy/extract.h"
#include "anatomy/ids.h"
#include "anatomy/resolve.h"
#include "anatomy/resolve_test_util.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

using V = std::vector<std::string>;
namespace fs = std::filesystem;

std::string Root() {
  return std::string(DELTALINE_SOURCE_DIR) + "/tests/anatomy/resolve_fixture";
}

std::string ModuleOf(std::string path) {
  path = path.substr(0, path.size() - 3);  // ".py"
  if (path.ends_with("/__init__")) path.resize(path.size() - 9);
  std::replace(path.begin(), path.end(), '/', '.');
  return path;
}

FileFacts Extract(const std::string& path, std::string text) {
  SourceFile file;
  file.path = path;
  file.file_id = StableId({"file", path});
  file.module = ModuleOf(path);
  file.is_package_init = path.ends_with("__init__.py");
  file.encoding = "utf-8";
  file.text = std::move(text);
  auto extractor = Extractor::Make();
  EXPECT_TRUE(extractor.ok());
  auto facts = (*extractor)->Extract(std::move(file));
  EXPECT_TRUE(facts.ok()) << facts.status().ToString();
  return std::move(*facts);
}

std::vector<FileFacts> ExtractFixture() {
  std::vector<std::string> paths;
  for (const auto& e : fs::recursive_directory_iterator(Root())) {
    if (e.path().extension() == ".py")
      paths.push_back(fs::relative(e.path(), Root()).string());
  }
  std::sort(paths.begin(), paths.end());
  std::vector<FileFacts> files;
  for (const auto& path : paths) {
    std::ifstream in(Root() + "/" + path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    files.push_back(Extract(path, text.str()));
  }
  return files;
}

class ResolveFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = ExtractFixture();
    ASSERT_EQ(files_.size(), 11u);
    index_ = BuildProjectIndex(files_);
    ASSERT_OK_AND_ASSIGN(resolved_, ResolveAll(files_, index_));
    names_ = std::make_unique<testing::Names>(resolved_);
  }
  const ResolvedFile& File(const std::string& path) const {
    for (const auto& f : resolved_) {
      if (f.facts.file.path == path) return f;
    }
    throw std::runtime_error(path);
  }
  std::string Qualname(Id def_id, const ResolvedFile& file) const {
    for (const auto& d : file.facts.definitions) {
      if (d.def_id == def_id) return d.kind == "module" ? "<module>" : d.qualname;
    }
    return "?";
  }
  V Imports(const std::string& path) const {
    V out;
    for (const auto& imp : File(path).facts.imports) {
      out.push_back(imp.name + ": " + names_->Import(imp, index_));
    }
    return out;
  }
  /// "<caller qualname>: <callee text> -> <target> | <target>…", in source order.
  V Calls(const std::string& path) const {
    const ResolvedFile& file = File(path);
    V out;
    for (const auto& call : file.facts.call_sites) {
      std::string row =
          Qualname(call.caller_def_id, file) + ": " + call.callee_text + " ->";
      const V targets = names_->Targets(file, call.call_id);
      for (size_t i = 0; i < targets.size(); ++i) row += (i ? " | " : " ") + targets[i];
      out.push_back(row);
    }
    return out;
  }
  V Bases(const std::string& path) const {
    const ResolvedFile& file = File(path);
    V out;
    for (const auto& i : file.inheritance) {
      char conf[16];
      std::snprintf(conf, sizeof conf, "%.2f", i.confidence);
      out.push_back(Qualname(i.class_def_id, file) + " " + std::to_string(i.index) + " " +
                    (i.base_def_id ? names_->Def(i.base_def_id) : i.external_name) + " " +
                    i.method + " " + conf);
    }
    return out;
  }

  std::vector<FileFacts> files_;
  ProjectIndex index_;
  std::vector<ResolvedFile> resolved_;
  std::unique_ptr<testing::Names> names_;
};

TEST_F(ResolveFixtureTest, Imports) {
  EXPECT_EQ(
      Imports("proj/sub/user.py"),
      (V{
          "os.path: external os.path - -",
          "proj.impl: resolved proj.impl proj/impl.py proj.impl",
          "tool: resolved tool tool.py tool",
          "helpers: resolved proj.sub proj/sub/__init__.py proj.sub.helpers",
          "b: resolved proj.p.m proj/p/m.py proj.p.m.b",
          "*: resolved proj.star_one proj/star_one.py -",
          "*: resolved proj.star_two proj/star_two.py -",
          "f: resolved proj proj/__init__.py proj.impl.f",  // re-exported by __init__
          "Base: resolved proj.shapes proj/shapes.py proj.shapes.Base",
          "Mixin: resolved proj.shapes proj/shapes.py proj.shapes.Mixin",
          "Square: resolved proj.shapes proj/shapes.py proj.shapes.Square",
          "nothing: unresolved proj.missing - -",
          "absent: unresolved proj proj/__init__.py -",
          "beyond: unresolved  - -",  // three dots from proj.sub
          "helper: resolved proj.impl proj/impl.py proj.impl.helper",  // in main()
      }));
  EXPECT_EQ(Imports("proj/__init__.py"),
            (V{"f: resolved proj.impl proj/impl.py proj.impl.f"}));
  EXPECT_EQ(Imports("proj/shapes.py"), (V{"collections: external collections - -"}));
}

TEST_F(ResolveFixtureTest, CallTargets) {
  EXPECT_EQ(
      Calls("proj/sub/user.py"),
      (V{
          "Widget.m: super().m -> proj.shapes.Base.m super 0.90",
          "Widget.m: super -> builtins.super builtin 1.00",
          "Widget.run: self.area -> proj.shapes.Base.area self 0.90",
          "Widget.run: range -> builtins.range builtin 1.00",
          "Widget.run: obj.m -> proj.sub.user.Widget.m self 0.90",
          "Widget.run: g -> proj.impl.f import 1.00",
          "Widget.run: d.get ->",  // never the module-level get()
          "Widget.run: get -> proj.sub.user.get global 1.00",
          "Widget.nested.<locals>.inner: self.describe -> proj.shapes.Mixin.describe "
          "self 0.90",
          "Other.call_m: self.m -> proj.sub.user.Other.m self 0.90",
          "main: helper -> proj.impl.helper import 1.00",
          "main: c -> proj.p.m.b import 1.00",
          "main: shared -> proj.star_two.shared import 1.00",  // the later star
          "main: only_one -> proj.star_one.only_one import 1.00",
          "main: pi.f -> proj.impl.f module_attribute 1.00",
          "main: tool.run_tool -> tool.run_tool module_attribute 1.00",
          "main: helpers.assist -> proj.sub.helpers.assist module_attribute 1.00",
          "main: os.path.join -> os.path.join module_attribute 1.00",
          "main: Widget.m -> proj.sub.user.Widget.m class_attribute 1.00",
          "main: Square().area ->",  // two methods named area: no guess
          "main: Square -> proj.shapes.Square import 1.00",
          "main: len -> builtins.len builtin 1.00",
          "main: len -> builtins.len builtin 1.00",  // in a comprehension
          "main: Widget().m ->",
          "main: Widget -> proj.sub.user.Widget global 1.00",
          "main: Other().call_m -> proj.sub.user.Other.call_m name_only 0.20",
          "main: Other -> proj.sub.user.Other global 1.00",
          "main: f -> proj.impl.f import 1.00",
      }));
  EXPECT_EQ(Calls("proj/shapes.py"),
            (V{
                "Square.m: super().m -> proj.shapes.Base.m super 0.90",
                "Square.m: super -> builtins.super builtin 1.00",
                "Square.area: self.m -> proj.shapes.Square.m self 0.90",
                // Fancy's MRO: Fancy, Square, Base, Mixin.
                "Fancy.m: super().m -> proj.shapes.Square.m super 0.90",
                "Fancy.m: super -> builtins.super builtin 1.00",
                // A decorator is a call site of the class body.
                "Fancy: classmethod -> builtins.classmethod builtin 1.00",
                "Fancy.make: cls.describe -> proj.shapes.Mixin.describe cls 0.90",
            }));
  // A module-level def shadows the builtin.
  EXPECT_EQ(Calls("proj/sub/helpers.py"),
            (V{"measure: len -> proj.sub.helpers.len global 1.00"}));
}

TEST_F(ResolveFixtureTest, Bases) {
  EXPECT_EQ(Bases("proj/sub/user.py"), (V{"Widget 0 proj.shapes.Base import 1.00",
                                          "Widget 1 proj.shapes.Mixin import 1.00"}));
  EXPECT_EQ(Bases("proj/shapes.py"), (V{"Square 0 proj.shapes.Base global 1.00",
                                        "Fancy 0 proj.shapes.Square global 1.00",
                                        "Fancy 1 proj.shapes.Mixin global 1.00",
                                        "Counter 0 collections.Counter import 1.00"}));
}

TEST_F(ResolveFixtureTest, Dependents) {
  auto paths = [&](const std::set<std::string>& modules) {
    std::set<std::string> out;
    for (Id id : index_.Dependents(modules)) out.insert(index_.FindFile(id)->path);
    return out;
  };
  EXPECT_EQ(paths({"proj.impl"}),
            (std::set<std::string>{"proj/__init__.py", "proj/sub/user.py"}));
  EXPECT_EQ(paths({"proj.star_one"}), (std::set<std::string>{"proj/sub/user.py"}));
  EXPECT_EQ(paths({"tool"}), (std::set<std::string>{"proj/sub/user.py"}));
  EXPECT_EQ(paths({"proj.sub.user"}), (std::set<std::string>{}));
}

TEST_F(ResolveFixtureTest, ExportsHashFollowsExportsOnly) {
  const std::string impl = "def f():\n    return 1\n\n\ndef helper():\n    return 2\n";
  const std::string base = SummaryHash(Summarize(Extract("proj/impl.py", impl)));
  EXPECT_EQ(base, SummaryHash(
                      Summarize(File("proj/impl.py").facts)));  // proj/impl.py as on disk
  const std::string body_edit =
      "def f():\n    import os\n    x = helper()\n    return x\n\n\ndef helper():\n    "
      "return 2\n";
  EXPECT_EQ(base, SummaryHash(Summarize(Extract("proj/impl.py", body_edit))));
  const std::string renamed =
      "def f():\n    return 1\n\n\ndef helper2():\n    return 2\n";
  EXPECT_NE(base, SummaryHash(Summarize(Extract("proj/impl.py", renamed))));
  const std::string added = impl + "\n\nVERSION = 1\n";
  EXPECT_NE(base, SummaryHash(Summarize(Extract("proj/impl.py", added))));
}

}  // namespace
}  // namespace deltaline::anatomy
