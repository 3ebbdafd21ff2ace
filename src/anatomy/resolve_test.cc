// The resolver on hand-built facts (the extractor's output shape): imports, call
// targets with method and confidence, bases, dependents and summary hashes, exact.

#include <functional>

#include <gtest/gtest.h>

#include "anatomy/resolve.h"
#include "anatomy/resolve_test_util.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

using testing::FileBuilder;
using testing::Names;
using V = std::vector<std::string>;

// A package with re-exports, star imports and classes across modules.
struct Project {
  FileBuilder init{"pkg/__init__.py", "pkg", true};
  FileBuilder impl{"pkg/impl.py", "pkg.impl"};
  FileBuilder sub{"pkg/sub/__init__.py", "pkg.sub", true};
  FileBuilder stars_a{"pkg/stars_a.py", "pkg.stars_a"};
  FileBuilder stars_b{"pkg/stars_b.py", "pkg.stars_b"};
  FileBuilder user{"pkg/user.py", "pkg.user"};
  FileBuilder app{"app.py", "app"};
  FileBuilder reexp{"reexp.py", "reexp"};
  FileBuilder far{"far.py", "far"};
  FileBuilder other{"other.py", "other"};
  std::map<std::string, Id> calls;
  Id a_cls = 0, b_cls = 0;

  Project() {
    init.Import("from", "impl", 1, "f");
    init.Import("from", "", 1, "sub");
    impl.Def("f");
    impl.Def("helper");
    const Id base = impl.Def("Base", 0, {"object"});
    impl.Def("m", base, {}, {}, {"self"});
    impl.Def("run_task", base, {}, {}, {"self"});
    sub.Import("from", "impl", 2, "helper", "h2");
    stars_a.Def("shared");
    stars_a.Def("only_a");
    stars_a.Def("_private");
    stars_b.Def("shared");
    BuildUser();
    const Id in_app = app.Def("main");
    app.Import("from", "pkg", 0, "f", "", in_app);
    calls["app f"] = app.Call(in_app, "f");
    reexp.Import("from", "pkg.sub", 0, "h2");
    far.Import("import", "", 0, "reexp");
    other.Import("import", "", 0, "json");
    calls["other json.dumps"] = other.Call(0, "json.dumps");
    calls["other len"] = other.Call(0, "len");
    other.Def("len");
  }

  void BuildUser() {
    FileBuilder& u = user;
    u.Import("from", "", 1, "impl");
    u.Import("from", "sub", 1, "h2");
    u.Import("from", "stars_a", 1, "*");
    u.Import("from", "stars_b", 1, "*");
    u.Import("import", "", 0, "pkg.impl", "pi");
    u.Import("from", "pkg", 0, "f");
    u.Import("import", "", 0, "os.path");
    u.Import("from", "collections", 0, "OrderedDict");
    u.Import("from", "", 1, "missing");
    u.Import("from", "toohigh", 3, "x");
    u.Import("import", "", 0, "pkg.nothere");
    u.Def("get");
    a_cls = u.Def("A", 0, {"impl.Base"});
    const Id a_m = u.Def("m", a_cls, {}, {}, {"self"});
    calls["A.m super"] = u.Call(a_m, "super().m");
    calls["A.m self.m"] = u.Call(a_m, "self.m");
    const Id inner = u.Def("inner", a_m, {}, {}, {"x"});
    calls["inner self.n"] = u.Call(inner, "self.n");
    calls["inner x.n"] = u.Call(inner, "x.n");
    const Id a_n = u.Def("n", a_cls, {}, {}, {"self"});
    u.Bind(a_n, "obj", "alias", "self");
    calls["A.n obj.m"] = u.Call(a_n, "obj.m");
    const Id make = u.Def("make", a_cls, {}, {"classmethod"}, {"cls"});
    calls["make cls.n"] = u.Call(make, "cls.n");
    const Id st = u.Def("st", a_cls, {}, {"staticmethod"}, {"x"});
    calls["st x.m"] = u.Call(st, "x.m");
    b_cls = u.Def("B");
    const Id b_m = u.Def("m", b_cls, {}, {}, {"self"});
    calls["B.m self.m"] = u.Call(b_m, "self.m");
    const Id c_cls = u.Def("C", 0, {"A", "B"});
    (void)c_cls;
    // Diamond: Bottom(L, R), L(Top), R(Top); R and Top define m. C3 gives R.m.
    const Id top = u.Def("Top");
    u.Def("m", top, {}, {}, {"self"});
    u.Def("L", 0, {"Top"});
    const Id r = u.Def("R", 0, {"Top"});
    u.Def("m", r, {}, {}, {"self"});
    const Id bottom = u.Def("Bottom", 0, {"L", "R"});
    const Id bottom_go = u.Def("go", bottom, {}, {}, {"self"});
    calls["Bottom self.m"] = u.Call(bottom_go, "self.m");
    // Module level.
    for (const char* c :
         {"shared", "only_a", "pi.f", "f", "h2", "os.path.join", "OrderedDict", "len",
          "impl.helper", "A.n", "C.m", "pkg.impl.f", "nowhere", "_private", "missing"}) {
      calls[c] = u.Call(0, c);
    }
    const Id g = u.Def("g", 0, {}, {}, {"d"});
    u.Import("from", "impl", 1, "helper", "", g);
    u.Bind(g, "g2", "alias", "f");
    u.Bind(g, "k", "other");
    calls["g d.get"] = u.Call(g, "d.get");
    calls["g get"] = u.Call(g, "get");
    calls["g g2"] = u.Call(g, "g2");
    calls["g helper"] = u.Call(g, "helper");
    calls["g d.run_task"] = u.Call(g, "d.run_task");
    calls["g k.run_task"] = u.Call(g, "k.run_task");
    calls["g d.m"] = u.Call(g, "d.m");
    calls["g (k)()"] = u.Call(g, "k");
  }

  std::vector<FileFacts> Files() {
    return {init.facts(), impl.facts(), sub.facts(),   stars_a.facts(), stars_b.facts(),
            user.facts(), app.facts(),  reexp.facts(), far.facts(),     other.facts()};
  }
};

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    files_ = project_.Files();
    index_ = BuildProjectIndex(files_);
    ASSERT_OK_AND_ASSIGN(resolved_, ResolveAll(files_, index_));
    names_ = std::make_unique<Names>(resolved_);
  }
  const ResolvedFile& File(const std::string& path) {
    for (const auto& f : resolved_) {
      if (f.facts.file.path == path) return f;
    }
    throw std::runtime_error(path);
  }
  V Targets(const std::string& path, const std::string& call) {
    return names_->Targets(File(path), project_.calls.at(call));
  }
  V Imports(const std::string& path) {
    V out;
    for (const auto& imp : File(path).facts.imports)
      out.push_back(names_->Import(imp, index_));
    return out;
  }

  Project project_;
  std::vector<FileFacts> files_;
  ProjectIndex index_;
  std::vector<ResolvedFile> resolved_;
  std::unique_ptr<Names> names_;
};

TEST_F(ResolveTest, Imports) {
  EXPECT_EQ(Imports("pkg/__init__.py"), (V{"resolved pkg.impl pkg/impl.py pkg.impl.f",
                                           "resolved pkg pkg/__init__.py pkg.sub"}));
  EXPECT_EQ(Imports("pkg/sub/__init__.py"),
            (V{"resolved pkg.impl pkg/impl.py pkg.impl.helper"}));
  EXPECT_EQ(
      Imports("pkg/user.py"),
      (V{"resolved pkg pkg/__init__.py pkg.impl",
         // re-export chain: pkg.sub's h2 is pkg.impl.helper
         "resolved pkg.sub pkg/sub/__init__.py pkg.impl.helper",
         "resolved pkg.stars_a pkg/stars_a.py -", "resolved pkg.stars_b pkg/stars_b.py -",
         "resolved pkg.impl pkg/impl.py pkg.impl",
         // re-export through __init__.py
         "resolved pkg pkg/__init__.py pkg.impl.f", "external os.path - -",
         "external collections - -", "unresolved pkg pkg/__init__.py -",
         "unresolved  - -", "unresolved pkg.nothere - -",
         "resolved pkg.impl pkg/impl.py pkg.impl.helper"}));
}

TEST_F(ResolveTest, ModuleLevelCalls) {
  EXPECT_EQ(Targets("pkg/user.py", "shared"), (V{"pkg.stars_b.shared import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "only_a"), (V{"pkg.stars_a.only_a import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "_private"), V{});  // not star-exported
  EXPECT_EQ(Targets("pkg/user.py", "pi.f"), (V{"pkg.impl.f module_attribute 1.00"}));
  // `import pkg.nothere` binds pkg.
  EXPECT_EQ(Targets("pkg/user.py", "pkg.impl.f"),
            (V{"pkg.impl.f module_attribute 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "f"), (V{"pkg.impl.f import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "h2"), (V{"pkg.impl.helper import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "impl.helper"),
            (V{"pkg.impl.helper module_attribute 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "os.path.join"),
            (V{"os.path.join module_attribute 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "OrderedDict"),
            (V{"collections.OrderedDict import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "len"), (V{"builtins.len builtin 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "A.n"), (V{"pkg.user.A.n class_attribute 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "C.m"), (V{"pkg.user.A.m class_attribute 0.90"}));
  EXPECT_EQ(Targets("pkg/user.py", "nowhere"), V{});
  EXPECT_EQ(Targets("pkg/user.py", "missing"), V{});
  EXPECT_EQ(Targets("other.py", "other len"), (V{"other.len global 1.00"}));  // shadowed
  EXPECT_EQ(Targets("other.py", "other json.dumps"),
            (V{"json.dumps module_attribute 1.00"}));
  EXPECT_EQ(Targets("app.py", "app f"), (V{"pkg.impl.f import 1.00"}));
}

TEST_F(ResolveTest, MethodCalls) {
  EXPECT_EQ(Targets("pkg/user.py", "A.m super"), (V{"pkg.impl.Base.m super 0.90"}));
  EXPECT_EQ(Targets("pkg/user.py", "A.m self.m"), (V{"pkg.user.A.m self 0.90"}));
  EXPECT_EQ(Targets("pkg/user.py", "B.m self.m"), (V{"pkg.user.B.m self 0.90"}));
  EXPECT_EQ(Targets("pkg/user.py", "inner self.n"), (V{"pkg.user.A.n self 0.90"}));
  // x is unknown; n is the name of one method only, and not a common name.
  EXPECT_EQ(Targets("pkg/user.py", "inner x.n"), (V{"pkg.user.A.n name_only 0.20"}));
  EXPECT_EQ(Targets("pkg/user.py", "A.n obj.m"), (V{"pkg.user.A.m self 0.90"}));
  EXPECT_EQ(Targets("pkg/user.py", "make cls.n"), (V{"pkg.user.A.n cls 0.90"}));
  EXPECT_EQ(Targets("pkg/user.py", "st x.m"), V{});  // a staticmethod has no self
  EXPECT_EQ(Targets("pkg/user.py", "Bottom self.m"), (V{"pkg.user.R.m self 0.90"}));
}

TEST_F(ResolveTest, CallsInFunctions) {
  EXPECT_EQ(Targets("pkg/user.py", "g d.get"), V{});  // never the module-level get()
  EXPECT_EQ(Targets("pkg/user.py", "g get"), (V{"pkg.user.get global 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "g g2"), (V{"pkg.impl.f import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "g helper"), (V{"pkg.impl.helper import 1.00"}));
  EXPECT_EQ(Targets("pkg/user.py", "g d.run_task"),
            (V{"pkg.impl.Base.run_task name_only 0.20"}));
  EXPECT_EQ(Targets("pkg/user.py", "g k.run_task"),
            (V{"pkg.impl.Base.run_task name_only 0.20"}));
  EXPECT_EQ(Targets("pkg/user.py", "g d.m"), V{});  // m: several methods
  EXPECT_EQ(Targets("pkg/user.py", "g (k)()"), V{});
}

TEST_F(ResolveTest, Inheritance) {
  std::vector<std::string> rows;
  for (const auto& i : File("pkg/user.py").inheritance) {
    char conf[16];
    std::snprintf(conf, sizeof conf, "%.2f", i.confidence);
    rows.push_back(names_->Def(i.class_def_id) + " " + std::to_string(i.index) + " " +
                   (i.base_def_id ? names_->Def(i.base_def_id) : i.external_name) + " " +
                   i.method + " " + conf);
  }
  EXPECT_EQ(
      rows,
      (V{"pkg.user.A 0 pkg.impl.Base import 1.00", "pkg.user.C 0 pkg.user.A global 1.00",
         "pkg.user.C 1 pkg.user.B global 1.00", "pkg.user.L 0 pkg.user.Top global 1.00",
         "pkg.user.R 0 pkg.user.Top global 1.00",
         "pkg.user.Bottom 0 pkg.user.L global 1.00",
         "pkg.user.Bottom 1 pkg.user.R global 1.00"}));
  ASSERT_EQ(File("pkg/impl.py").inheritance.size(), 1u);
  EXPECT_EQ(File("pkg/impl.py").inheritance[0].external_name, "builtins.object");
  EXPECT_EQ(File("pkg/impl.py").inheritance[0].method, "builtin");
}

TEST_F(ResolveTest, Dependents) {
  auto paths = [&](const std::set<std::string>& modules) {
    std::set<std::string> out;
    for (Id id : index_.Dependents(modules)) out.insert(index_.FindFile(id)->path);
    return out;
  };
  EXPECT_EQ(paths({"pkg.stars_b"}), (std::set<std::string>{"pkg/user.py"}));
  // pkg and pkg.sub re-export from pkg.impl; app imports pkg inside a function; far
  // imports reexp, which re-exports pkg.sub's h2.
  EXPECT_EQ(paths({"pkg.impl"}),
            (std::set<std::string>{"pkg/__init__.py", "pkg/sub/__init__.py",
                                   "pkg/user.py", "app.py", "reexp.py", "far.py"}));
  EXPECT_EQ(paths({"json"}), (std::set<std::string>{"other.py"}));
  EXPECT_EQ(paths({"far"}), (std::set<std::string>{}));
}

TEST(ResolveSmallTest, ModuleBoundAsAttributeNamesBoundTwiceAndSelfAssignedBuiltins) {
  FileBuilder os("os.py", "os");
  os.Import("import", "", 0, "posixpath", "path");  // no os/path.py: os.path is posixpath
  FileBuilder posixpath("posixpath.py", "posixpath");
  posixpath.Def("join");
  FileBuilder nt("nturl2path.py", "nturl2path");
  nt.Def("p2u");
  FileBuilder req("req.py", "req");
  req.Import("from", "nturl2path", 0, "p2u");  // if nt: from nturl2path import p2u
  req.Def("p2u");                              // else: def p2u(): ...
  req.Bind(0, "TimeoutError", "alias", "TimeoutError");
  FileBuilder user("user.py", "user");
  user.Import("import", "", 0, "os.path");
  user.Import("from", "os.path", 0, "join", "pjoin");
  user.Import("from", "req", 0, "p2u");
  user.Import("from", "req", 0, "TimeoutError");
  const Id c1 = user.Call(0, "os.path.join");
  const Id c2 = user.Call(0, "pjoin");
  const Id c3 = user.Call(0, "p2u");
  const Id c4 = user.Call(0, "TimeoutError");
  std::vector<FileFacts> files = {os.facts(), posixpath.facts(), nt.facts(), req.facts(),
                                  user.facts()};
  const ProjectIndex index = BuildProjectIndex(files);
  ASSERT_OK_AND_ASSIGN(auto resolved, ResolveAll(files, index));
  const Names names(resolved);
  const ResolvedFile& u = resolved[4];
  V imports;
  for (const auto& imp : u.facts.imports) imports.push_back(names.Import(imp, index));
  EXPECT_EQ(imports, (V{"resolved os.path posixpath.py posixpath",
                        "resolved os.path posixpath.py posixpath.join",
                        "resolved req req.py req.p2u", "resolved req req.py -"}));
  EXPECT_EQ(names.Targets(u, c1), (V{"posixpath.join module_attribute 1.00"}));
  EXPECT_EQ(names.Targets(u, c2), (V{"posixpath.join import 1.00"}));
  // The last binding in req, with a lower confidence: p2u is bound twice there.
  EXPECT_EQ(names.Targets(u, c3), (V{"req.p2u import 0.60"}));
  EXPECT_EQ(names.Targets(u, c4), (V{"builtins.TimeoutError builtin 1.00"}));
}

TEST(ModuleSummaryTest, HashIgnoresBodiesAndSeesExports) {
  auto hash = [](const std::function<void(FileBuilder&)>& edit) {
    FileBuilder b("m.py", "m");
    const Id f = b.Def("f", 0, {}, {}, {"x"});
    const Id k = b.Def("K", 0, {"Base"});
    b.Def("m", k, {}, {}, {"self"});
    b.Import("from", "os", 0, "path");
    b.Call(f, "len");
    edit(b);
    return SummaryHash(Summarize(b.facts()));
  };
  const std::string base = hash([](FileBuilder&) {});
  auto f_of = [](FileBuilder& b) { return b.facts().definitions[1].def_id; };
  auto k_of = [](FileBuilder& b) { return b.facts().definitions[2].def_id; };
  // Inside a body: a call, a local, an import, a nested def.
  EXPECT_EQ(base, hash([&](FileBuilder& b) { b.Call(f_of(b), "print"); }));
  EXPECT_EQ(base, hash([&](FileBuilder& b) { b.Bind(f_of(b), "y", "other"); }));
  EXPECT_EQ(base,
            hash([&](FileBuilder& b) { b.Import("import", "", 0, "sys", "", f_of(b)); }));
  EXPECT_EQ(base, hash([&](FileBuilder& b) { b.Def("inner", f_of(b)); }));
  // Exports: a module-level name, a class member, a base, a renamed import.
  EXPECT_NE(base, hash([](FileBuilder& b) { b.Def("g"); }));
  EXPECT_NE(base, hash([](FileBuilder& b) { b.Bind(0, "X", "other"); }));
  EXPECT_NE(base, hash([&](FileBuilder& b) { b.Def("m2", k_of(b), {}, {}, {"self"}); }));
  EXPECT_NE(base, hash([](FileBuilder& b) {
              b.facts().definitions[2].bases.push_back("Mixin");
            }));
  EXPECT_NE(base, hash([](FileBuilder& b) {
              b.facts().imports[0].alias = "p";
              b.facts().bindings.back().name = "p";
            }));
  EXPECT_NE(base, hash([](FileBuilder& b) {
              b.facts().definitions[1].def_id += 1;
              b.facts().bindings[0].def_id += 1;
            }));
}

TEST(ModuleSummaryTest, JsonRoundTripAndAll) {
  FileBuilder b("pkg/__init__.py", "pkg", true);
  b.Def("f");
  const Id k = b.Def("K", 0, {"Base"});
  b.Def("m", k, {}, {}, {"self"});
  b.Import("from", "mod", 1, "*");
  b.Import("import", "", 0, "a.b");
  b.facts().file.text = "x = 1\n__all__ = ['f', \"K\",  # comment\n ]\n";
  b.Bind(0, "__all__", "other").start_byte = 6;
  const ModuleSummary s = Summarize(b.facts());
  EXPECT_TRUE(s.has_all);
  EXPECT_EQ(s.all, (V{"f", "K"}));
  EXPECT_EQ(s.star_imports, (V{"pkg.mod"}));
  EXPECT_EQ(s.imported_modules, (V{"a", "a.b", "pkg", "pkg.mod"}));
  ASSERT_EQ(s.classes.size(), 1u);
  EXPECT_EQ(s.classes[0].members.size(), 1u);
  const std::string json = SummaryToJson(s);
  ASSERT_OK_AND_ASSIGN(ModuleSummary back, SummaryFromJson(json));
  EXPECT_EQ(SummaryToJson(back), json);
  EXPECT_EQ(SummaryHash(back), SummaryHash(s));
  EXPECT_FALSE(SummaryFromJson("{\"file_id\": 1}").ok());

  // Not a literal list: no __all__.
  b.facts().file.text = "x = 1\n__all__ = base + ['f']\n";
  EXPECT_FALSE(Summarize(b.facts()).has_all);
}

TEST(ProjectIndexTest, PutEraseKeepsLookupsInStep) {
  FileBuilder a("a.py", "a");
  const Id k = a.Def("K");
  a.Def("unique_name", k, {}, {}, {"self"});
  ProjectIndex index;
  index.Put(Summarize(a.facts()));
  EXPECT_EQ(index.size(), 1u);
  ASSERT_NE(index.MethodsNamed("unique_name"), nullptr);
  EXPECT_EQ(index.MethodsNamed("unique_name")->size(), 1u);
  EXPECT_NE(index.FindFile(a.facts().file.file_id), nullptr);
  // A second method of that name: name_only guesses on it change (to none).
  FileBuilder b("b.py", "b");
  const Id k2 = b.Def("K2");
  b.Def("unique_name", k2, {}, {}, {"self"});
  b.Def("other_name", k2, {}, {}, {"self"});
  ProjectIndex after = index;
  after.Put(Summarize(b.facts()));
  EXPECT_EQ(NameOnlyChanges(index, after, {Summarize(b.facts())}),
            (std::set<std::string>{"unique_name", "other_name"}));
  EXPECT_EQ(NameOnlyChanges(after, after, {Summarize(b.facts())}),
            std::set<std::string>{});
  ProjectIndex third = after;
  FileBuilder c("c.py", "c");
  const Id k3 = c.Def("K3");
  c.Def("unique_name", k3, {}, {}, {"self"});  // two → three: no guess either way
  third.Put(Summarize(c.facts()));
  EXPECT_EQ(NameOnlyChanges(after, third, {Summarize(c.facts())}),
            std::set<std::string>{});
  index.Erase(a.facts().file.file_id);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.MethodsNamed("unique_name"), nullptr);
  EXPECT_EQ(index.FindModule("a"), nullptr);
  EXPECT_EQ(index.FindClassEntry(k), nullptr);
}

}  // namespace
}  // namespace deltaline::anatomy
