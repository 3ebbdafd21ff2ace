// Exactly-once across a crash: a real process runs a two-output pipeline and is
// SIGKILLed between the two output commits; re-running the same sequence skips the
// committed output (its version and txn unchanged) and commits the other, so every
// row is in each table exactly once. A third run of the sequence commits nothing.
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "support/child_process.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline {
namespace {

namespace fs = std::filesystem;
using testing::IdsTable;
using testing::TablesEqualUnordered;
using testing::TempDir;

// Runs the helper to its end (killed after two minutes: a hang fails, not blocks).
int RunHelper(const std::vector<std::string>& args, const std::string& out) {
  std::vector<std::string> argv = {DELTALINE_PIPELINE_KILL_RUNNER};
  argv.insert(argv.end(), args.begin(), args.end());
  testing::SpawnOptions options;
  options.stdout_path = out;
  options.stderr_to_stdout = true;
  auto pid = testing::SpawnProcess(argv, options);
  EXPECT_TRUE(pid.ok()) << pid.status().ToString();
  if (!pid.ok()) return -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  int status = 0;
  while (::waitpid(*pid, &status, WNOHANG) != *pid) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(*pid, SIGKILL);
      ::waitpid(*pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string Output(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

struct TableView {
  int64_t version = -1;
  std::shared_ptr<arrow::Table> rows;
  std::vector<nlohmann::json> txns;  ///< every txn action in the log, as written
};

TableView View(const std::string& uri) {
  TableView view;
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  view.version = snapshot->version();
  view.rows = delta::ReadSnapshot(*store, snapshot).ValueOrDie();
  for (const auto& entry : fs::directory_iterator(fs::path(uri) / "_delta_log")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      auto action = nlohmann::json::parse(line);
      if (action.contains("txn")) view.txns.push_back(action["txn"]);
    }
  }
  return view;
}

void ExpectCommittedOnce(const TableView& view, const std::string& ids) {
  EXPECT_EQ(view.version, 0);
  ASSERT_EQ(view.txns.size(), 1u);
  EXPECT_EQ(view.txns[0]["appId"], "kill-test");
  EXPECT_EQ(view.txns[0]["version"], 3);
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable(ids), *view.rows));
}

TEST(PipelineKill, KilledBetweenOutputCommitsThenRerunAppliesEachOnce) {
  TempDir dir;
  const std::string lake = dir.str() + "/lake";
  const std::string first = lake + "/first";
  const std::string second = lake + "/second";

  const int killed =
      RunHelper({lake, "3", "--die-after-first-commit"}, dir.str() + "/1.out");
  ASSERT_EQ(killed, 128 + SIGKILL) << Output(dir.str() + "/1.out");
  ExpectCommittedOnce(View(first), "[2, 3, 4, 5]");
  EXPECT_FALSE(fs::exists(fs::path(second) / "_delta_log" / "00000000000000000000.json"));

  const int rerun = RunHelper({lake, "3"}, dir.str() + "/2.out");
  const std::string said = Output(dir.str() + "/2.out");
  ASSERT_EQ(rerun, 0) << said;
  EXPECT_NE(said.find("first skipped version 0"), std::string::npos) << said;
  EXPECT_NE(said.find("second succeeded version 0"), std::string::npos) << said;
  ExpectCommittedOnce(View(first), "[2, 3, 4, 5]");
  ExpectCommittedOnce(View(second), "[10, 20]");

  // The sequence is done: running it again commits nothing anywhere.
  ASSERT_EQ(RunHelper({lake, "3"}, dir.str() + "/3.out"), 0)
      << Output(dir.str() + "/3.out");
  ExpectCommittedOnce(View(first), "[2, 3, 4, 5]");
  ExpectCommittedOnce(View(second), "[10, 20]");
}

}  // namespace
}  // namespace deltaline
