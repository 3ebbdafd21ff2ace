// The anatomy run on a real tree, on real Delta tables: an incremental run after edits,
// additions, deletions, a rename and a callee's changed exports ends equal, table by
// table as sets of rows, to a full run of the changed tree; a run with nothing to do
// commits nothing; a run that failed half-way is retried without applying anything
// twice; every commit carries the run's txn; the targeted replace rewrites only the
// touched buckets; the CLI's manifest agrees with each table's history.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include <arrow/table.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "anatomy/anatomy_outputs.h"
#include "anatomy/anatomy_run.h"
#include "anatomy/ids.h"
#include "anatomy/state_table.h"
#include "anatomy/tables.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "pipeline/checked_output.h"
#include "support/cli_runner.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

void WriteFile(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A package written for the test (its edits are known), beside two stdlib packages
// copied in for a tree of realistic size and shape.
void MakeTree(const fs::path& root) {
  WriteFile(root / "pkg/__init__.py", "from .core import helper\n");
  WriteFile(root / "pkg/core.py",
            "def helper(x):\n    return x\n\n\ndef other():\n    return helper(1)\n");
  WriteFile(root / "pkg/user.py",
            "from pkg.core import helper\n\n\ndef use():\n    return helper(2)\n");
  WriteFile(root / "pkg/body.py", "def f():\n    return 1\n");
  WriteFile(root / "pkg/broken.py", "def broken(:\n    pass\n");
  WriteFile(root / "pkg/meth_def.py",
            "class A:\n    def solo_method(self):\n        return 1\n");
  WriteFile(root / "pkg/meth_user.py", "def call(o):\n    return o.solo_method()\n");
  WriteFile(root / "pkg/gone.py", "def g():\n    return 0\n");
  WriteFile(root / "pkg/uses_gone.py",
            "from pkg import gone\n\n\ndef h():\n    return gone.g()\n");
  WriteFile(root / "pkg/old_name.py", "def moved():\n    return 'm'\n");
  WriteFile(root / "pkg/ren_user.py",
            "import pkg.old_name\n\n\ndef r():\n    return pkg.old_name.moved()\n");
  WriteFile(root / "pkg/wants_added.py",
            "from pkg.added import added\n\n\ndef w():\n    return added()\n");
  FILE* pipe = popen(
      "python3 -c 'import sysconfig;print(sysconfig.get_paths()[\"stdlib\"])'", "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096] = {0};
  std::string stdlib = fgets(buffer, sizeof(buffer), pipe) ? buffer : "";
  pclose(pipe);
  while (!stdlib.empty() && stdlib.back() == '\n') stdlib.pop_back();
  ASSERT_FALSE(stdlib.empty());
  for (const char* package : {"json", "email"}) {
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(stdlib) / package)) {
      if (!entry.is_regular_file() || entry.path().extension() != ".py") continue;
      const auto target = root / fs::relative(entry.path(), stdlib);
      fs::create_directories(target.parent_path());
      fs::copy_file(entry.path(), target);
    }
  }
}

// A body edit, new syntax errors, a callee's exports changed (helper → helper2: user.py
// and __init__.py, unchanged, must be re-resolved), an addition (wants_added.py's import
// now resolves), a deletion (uses_gone.py's import no longer does) and a rename.
void EditTree(const fs::path& root) {
  // A second `solo_method`: meth_user.py's name-only guess (it imports nothing) changes.
  WriteFile(root / "pkg/body.py",
            "def f():\n    return 1 + 22\n\n\nclass B:\n    def solo_method(self):\n"
            "        return 2\n");
  WriteFile(root / "pkg/broken.py", "def broken():\n    return 1 +\n\n\nx = (\n");
  WriteFile(root / "pkg/core.py",
            "def helper2(x):\n    return x\n\n\ndef other():\n    return helper2(1)\n");
  WriteFile(root / "pkg/added.py", "def added():\n    return 'a'\n");
  fs::remove(root / "pkg/gone.py");
  fs::rename(root / "pkg/old_name.py", root / "pkg/new_name.py");
}

std::vector<std::string> AllTables() {
  auto names = AnatomyTableNames();
  names.push_back(kStateTable);
  return names;
}

std::shared_ptr<const delta::Snapshot> Load(const std::string& lake,
                                            const std::string& table) {
  auto store = delta::FileSystemLogStore::Open(lake + "/" + table).ValueOrDie();
  return delta::Snapshot::Load(*store).ValueOrDie();
}

std::shared_ptr<arrow::Table> Read(const std::string& lake, const std::string& table) {
  auto store = delta::FileSystemLogStore::Open(lake + "/" + table).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  return delta::ReadSnapshot(*store, snapshot).ValueOrDie();
}

// The txn versions of `app` in each commit of the table, by commit version.
std::map<int64_t, int64_t> Txns(const std::string& lake, const std::string& table) {
  auto store = delta::FileSystemLogStore::Open(lake + "/" + table).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  std::map<int64_t, int64_t> txns;
  for (int64_t v = 0; v <= snapshot->version(); ++v) {
    for (const auto& action : delta::ReadCommit(*store, v).ValueOrDie()) {
      if (const auto* txn = std::get_if<delta::Txn>(&action)) {
        if (txn->app_id == "anatomy") txns[v] = txn->version;
      }
    }
  }
  return txns;
}

AnatomyOptions Options(const fs::path& root, const std::string& lake) {
  AnatomyOptions options;
  options.source_root = root.string();
  options.lake = lake;
  options.threads = 2;
  options.parallelism = 1;
  options.run_id = "test-run";
  return options;
}

void ExpectLakesEqual(const std::string& expected, const std::string& actual) {
  for (const auto& name : AllTables()) {
    auto want = Read(expected, name);
    auto got = Read(actual, name);
    EXPECT_GT(want->num_rows(), 0) << name;
    EXPECT_TRUE(testing::TablesEqualUnordered(*want, *got)) << name;
  }
}

class AnatomyRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "src";
    lake_a_ = (dir_.path() / "lake_a").string();
    lake_b_ = (dir_.path() / "lake_b").string();
    MakeTree(root_);
  }
  TempDir dir_;
  fs::path root_;
  std::string lake_a_, lake_b_;
};

TEST_F(AnatomyRunTest, IncrementalEqualsFullAndTouchesOnlyItsBuckets) {
  ASSERT_OK_AND_ASSIGN(auto first, RunAnatomy(Options(root_, lake_a_)));
  ASSERT_TRUE(first.run.ok()) << first.run.status.ToString();
  EXPECT_FALSE(first.incremental);
  EXPECT_EQ(first.sequence, 1);
  std::map<std::string, std::set<std::string>> files_before;
  for (const auto& name : AllTables()) {
    for (const auto& add : Load(lake_a_, name)->files())
      files_before[name].insert(add.path);
  }

  EditTree(root_);
  ASSERT_OK_AND_ASSIGN(auto second, RunAnatomy(Options(root_, lake_a_)));
  ASSERT_TRUE(second.run.ok()) << second.run.status.ToString();
  EXPECT_TRUE(second.incremental);
  EXPECT_FALSE(second.nothing_changed);
  EXPECT_EQ(second.sequence, 2);
  EXPECT_EQ(second.files.added, 1);
  EXPECT_EQ(second.files.changed, 3);
  EXPECT_EQ(second.files.deleted, 1);
  EXPECT_EQ(second.files.renamed, 1);
  // user.py and __init__.py (helper), uses_gone.py, ren_user.py, wants_added.py,
  // meth_user.py (a name-only guess).
  EXPECT_EQ(second.files.dependents, 6);
  EXPECT_LT(second.files.parsed, second.files.listed / 2);

  ASSERT_OK_AND_ASSIGN(auto full, RunAnatomy(Options(root_, lake_b_)));
  ASSERT_TRUE(full.run.ok()) << full.run.status.ToString();
  ExpectLakesEqual(lake_b_, lake_a_);

  // Every commit of both runs carries its txn: version v of each table is sequence v+1.
  for (const auto& name : AllTables()) {
    const auto txns = Txns(lake_a_, name);
    EXPECT_EQ(txns, (std::map<int64_t, int64_t>{{0, 1}, {1, 2}})) << name;
  }

  // The replace touched the edited files' buckets only: every data file of any other
  // bucket is the very file it was before.
  std::set<Id> touched;
  for (const char* path : {"pkg/body.py", "pkg/core.py", "pkg/added.py", "pkg/gone.py",
                           "pkg/broken.py", "pkg/old_name.py", "pkg/new_name.py",
                           "pkg/user.py", "pkg/__init__.py", "pkg/uses_gone.py",
                           "pkg/ren_user.py", "pkg/wants_added.py", "pkg/meth_user.py"}) {
    touched.insert(StableId({"file", path}));
  }
  EXPECT_EQ(second.replaced_files, touched);
  std::set<std::string> touched_dirs;
  for (int32_t bucket : BucketsOf(touched)) {
    touched_dirs.insert("file_bucket=" + std::to_string(bucket) + "/");
  }
  for (size_t i = 0; i < second.tables.size(); ++i) {
    const auto& table = second.tables[i];
    ASSERT_TRUE(table.version_after.has_value()) << table.table;
    EXPECT_LE(table.files_removed, static_cast<int64_t>(touched_dirs.size()))
        << table.table;
    auto after = Load(lake_a_, table.table)->files();
    int64_t kept = 0;
    for (const auto& path : files_before[table.table]) {
      const bool in_touched =
          std::any_of(touched_dirs.begin(), touched_dirs.end(),
                      [&](const std::string& dir) { return path.rfind(dir, 0) == 0; });
      if (in_touched) continue;
      ++kept;
      EXPECT_TRUE(std::any_of(after.begin(), after.end(),
                              [&](const delta::Add& add) { return add.path == path; }))
          << table.table << ": " << path << " was rewritten";
    }
    if (table.table == "definitions") {
      EXPECT_GT(kept, table.files_removed);
    }
  }
}

TEST_F(AnatomyRunTest, NothingChangedCommitsNothing) {
  ASSERT_OK_AND_ASSIGN(auto first, RunAnatomy(Options(root_, lake_a_)));
  ASSERT_TRUE(first.run.ok()) << first.run.status.ToString();
  ASSERT_OK_AND_ASSIGN(auto again, RunAnatomy(Options(root_, lake_a_)));
  EXPECT_TRUE(again.incremental);
  EXPECT_TRUE(again.nothing_changed);
  EXPECT_TRUE(again.tables.empty());
  EXPECT_EQ(again.files.parsed, 0);
  for (const auto& name : AllTables())
    EXPECT_EQ(Load(lake_a_, name)->version(), 0) << name;
}

TEST_F(AnatomyRunTest, RetriedRunAppliesNothingTwice) {
  ASSERT_OK_AND_ASSIGN(auto first, RunAnatomy(Options(root_, lake_a_)));
  ASSERT_TRUE(first.run.ok()) << first.run.status.ToString();
  EditTree(root_);

  // The first attempt fails at call_targets: the tables before it committed, the
  // state did not.
  auto failing = Options(root_, lake_a_);
  failing.write_output = [](const pipeline::Output& output, pipeline::NodeValue value,
                            const std::string& lake, storage::StorageWriteOptions options)
      -> arrow::Result<pipeline::OutputWriteResult> {
    if (output.spec.name == "call_targets") return arrow::Status::IOError("injected");
    return pipeline::WriteOutputChecked(output, std::move(value), lake,
                                        std::move(options));
  };
  ASSERT_OK_AND_ASSIGN(auto failed, RunAnatomy(failing));
  EXPECT_FALSE(failed.run.ok());
  EXPECT_EQ(failed.sequence, 2);
  EXPECT_EQ(Load(lake_a_, kStateTable)->version(), 0);
  int committed = 0;
  for (const auto& table : failed.tables) committed += table.version_after ? 1 : 0;
  EXPECT_GT(committed, 0);

  ASSERT_OK_AND_ASSIGN(auto retried, RunAnatomy(Options(root_, lake_a_)));
  ASSERT_TRUE(retried.run.ok()) << retried.run.status.ToString();
  EXPECT_EQ(retried.sequence, 2);
  int skipped = 0;
  for (const auto& table : retried.tables) skipped += table.skipped ? 1 : 0;
  EXPECT_EQ(skipped, committed);

  // Each table holds the run's txn exactly once.
  for (const auto& name : AllTables()) {
    const auto txns = Txns(lake_a_, name);
    EXPECT_EQ(txns, (std::map<int64_t, int64_t>{{0, 1}, {1, 2}})) << name;
  }
  ASSERT_OK_AND_ASSIGN(auto full, RunAnatomy(Options(root_, lake_b_)));
  ASSERT_TRUE(full.run.ok()) << full.run.status.ToString();
  ExpectLakesEqual(lake_b_, lake_a_);
}

TEST_F(AnatomyRunTest, CliManifestVersionsMatchHistory) {
  const std::string lake = lake_a_;
  for (int run = 0; run < 2; ++run) {
    if (run == 1) EditTree(root_);
    auto cli = testing::RunDeltaline(
        "anatomy '" + root_.string() + "' --lake '" + lake + "' --threads 2 --json",
        dir_);
    ASSERT_EQ(cli.exit_code, 0) << cli.out << cli.err;
    auto manifest = nlohmann::json::parse(cli.out);
    std::set<std::string> datasets;
    for (const auto& output : manifest.at("outputs")) {
      const std::string dataset = output.at("dataset");
      datasets.insert(dataset);
      const auto snapshot = Load(lake, dataset);
      ASSERT_TRUE(output.contains("versionAfter")) << output.dump();
      EXPECT_EQ(output.at("versionAfter").get<int64_t>(), snapshot->version()) << dataset;
      auto store = delta::FileSystemLogStore::Open(lake + "/" + dataset).ValueOrDie();
      auto history = delta::ReadHistory(*store).ValueOrDie();
      ASSERT_FALSE(history.empty());
      EXPECT_EQ(history.front().version, output.at("versionAfter").get<int64_t>());
    }
    EXPECT_EQ(datasets.size(), AllTables().size());
    EXPECT_EQ(manifest.at("anatomy").at("incremental").get<bool>(), run == 1);
  }
}

}  // namespace
}  // namespace deltaline::anatomy
