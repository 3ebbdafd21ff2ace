// `deltaline runs`: the real command over a real `_runs` table.
#include <nlohmann/json.hpp>

#include "obs/run_manifest.h"
#include "obs/run_store.h"
#include "storage/storage_writer.h"
#include "support/cli_runner.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline {
namespace {

using nlohmann::json;
using testing::RunDeltaline;
using testing::TempDir;

class RunsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string sales = (lake_.path() / "sales").string();
    for (int idx = 0; idx < 2; ++idx) {
      storage::StorageWriteOptions options;
      options.delta.mode = delta::SaveMode::kAppend;
      auto written =
          storage::WriteTableDelta(*testing::IdsTable("[1, 2]"), sales, options);
      ASSERT_TRUE(written.ok()) << written.status().ToString();
      obs::RunRecord run;
      run.run_id = "run-" + std::to_string(idx + 1);
      run.pipeline_id = "daily";
      run.sequence = idx + 1;
      run.started_ms = 1700000000000 + idx * 60000;
      run.ended_ms = run.started_ms + 1234;
      run.outcome = idx == 0 ? "succeeded" : "failed";
      std::optional<int64_t> before;
      if (idx > 0) before = written->delta.version - 1;
      auto manifest = obs::BuildManifest(
          run, {{"sales", sales, before, written->delta.version, false, {}}});
      ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
      ASSERT_OK(obs::AppendRunRow(*manifest, lake_.str()));
    }
  }

  TempDir lake_;
  TempDir scratch_;
};

TEST_F(RunsCliTest, ListsRunsAsATable) {
  auto run = RunDeltaline("runs '" + lake_.str() + "'", scratch_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find("run_id"), std::string::npos) << run.out;
  const auto first = run.out.find("run-1");
  const auto second = run.out.find("run-2");
  ASSERT_NE(first, std::string::npos) << run.out;
  ASSERT_NE(second, std::string::npos) << run.out;
  EXPECT_LT(first, second);  // oldest first
  EXPECT_NE(run.out.find("2023-11-14T22:13:20Z"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("failed"), std::string::npos);
}

TEST_F(RunsCliTest, ListsRunsAsJson) {
  auto run = RunDeltaline("runs '" + lake_.str() + "' --json", scratch_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  json runs = json::parse(run.out);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0]["runId"], "run-1");
  EXPECT_EQ(runs[0]["outcome"], "succeeded");
  EXPECT_EQ(runs[0]["rowsAdded"], 2);
  EXPECT_EQ(runs[1]["runId"], "run-2");
  EXPECT_EQ(runs[1]["sequence"], 2);
  EXPECT_EQ(runs[1]["endedAt"].get<int64_t>() - runs[1]["startedAt"].get<int64_t>(),
            1234);
}

TEST_F(RunsCliTest, ShowsOneManifest) {
  auto run = RunDeltaline("runs '" + lake_.str() + "' --show run-2 --json", scratch_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  json manifest = json::parse(run.out);
  EXPECT_EQ(manifest["runId"], "run-2");
  EXPECT_EQ(manifest["outputs"][0]["versionBefore"], 0);
  EXPECT_EQ(manifest["outputs"][0]["versionAfter"], 1);
  EXPECT_EQ(manifest["outputs"][0]["operation"], "WRITE");

  auto text = RunDeltaline("runs '" + lake_.str() + "' --show run-1", scratch_);
  ASSERT_EQ(text.exit_code, 0) << text.out << text.err;
  EXPECT_NE(text.out.find("run:       run-1"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("sales  - -> 0"), std::string::npos) << text.out;
}

TEST_F(RunsCliTest, UnknownRunFailsNamingIt) {
  auto run = RunDeltaline("runs '" + lake_.str() + "' --show run-99", scratch_);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_NE(run.err.find("run-99"), std::string::npos) << run.err;
}

TEST_F(RunsCliTest, ALakeWithoutRunsListsNone) {
  TempDir empty;
  auto run = RunDeltaline("runs '" + empty.str() + "' --json", scratch_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(json::parse(run.out), json::array());
}

}  // namespace
}  // namespace deltaline
