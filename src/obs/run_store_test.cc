#include "obs/run_store.h"

#include <filesystem>
#include <fstream>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "obs/run_manifest.h"
#include "storage/storage_writer.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::obs {
namespace {

using nlohmann::json;
using testing::TempDir;

class RunStoreTest : public ::testing::Test {
 protected:
  // A real manifest: one run that appended to `<lake>/sales`.
  json Manifest(const std::string& run_id, int64_t sequence, int64_t started_ms,
                const std::string& outcome) {
    storage::StorageWriteOptions options;
    options.delta.mode = delta::SaveMode::kAppend;
    auto before = Version();
    auto written =
        storage::WriteTableDelta(*testing::IdsTable("[1, 2, 3]"), Sales(), options);
    EXPECT_TRUE(written.ok()) << written.status().ToString();
    RunRecord run;
    run.run_id = run_id;
    run.pipeline_id = "daily";
    run.sequence = sequence;
    run.started_ms = started_ms;
    run.ended_ms = started_ms + 40;
    run.outcome = outcome;
    if (outcome == "failed") run.error = "node clean: boom";
    auto manifest = BuildManifest(
        run, {{"sales", Sales(), before, written->delta.version, false, {}}});
    EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
    return *manifest;
  }

  std::string Sales() const { return (lake_.path() / "sales").string(); }

  std::optional<int64_t> Version() const {
    auto store = delta::FileSystemLogStore::Open(Sales());
    if (!store.ok()) return std::nullopt;
    auto snapshot = delta::Snapshot::Load(**store);
    if (!snapshot.ok()) return std::nullopt;
    return (*snapshot)->version();
  }

  TempDir lake_;
};

TEST_F(RunStoreTest, WritesManifestJson) {
  json manifest = Manifest("r1", 1, 5000, "succeeded");
  const auto run_dir = lake_.path() / "_runs_dirs" / "r1";
  ASSERT_OK(WriteManifest(manifest, run_dir.string()));
  std::ifstream in(run_dir / "manifest.json");
  ASSERT_TRUE(in.good());
  EXPECT_EQ(json::parse(in), manifest);
  // Nothing left aside.
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(run_dir)) {
    (void)entry;
    ++files;
  }
  EXPECT_EQ(files, 1u);
}

TEST_F(RunStoreTest, AppendsOneRowPerRunAndFindsThemById) {
  ASSERT_OK_AND_ASSIGN(auto runs, ListRuns(lake_.str()));
  EXPECT_TRUE(runs.empty());  // no _runs table yet

  json first = Manifest("r1", 1, 5000, "succeeded");
  json second = Manifest("r2", 2, 9000, "failed");
  ASSERT_OK_AND_ASSIGN(auto appended, AppendRunRow(first, lake_.str()));
  EXPECT_TRUE(appended.delta.committed);
  EXPECT_EQ(appended.user_metadata["deltaline.dataset"], "_runs");
  // A dataset's options: only their policies reach `_runs`.
  storage::StorageWriteOptions dataset_options;
  dataset_options.delta.partition_by = {"pipeline_id"};
  dataset_options.ordering_keys = {"sales_id"};
  dataset_options.constraints = {{"positive", "amount > 0"}};
  ASSERT_OK_AND_ASSIGN(auto again, AppendRunRow(second, lake_.str(), dataset_options));
  EXPECT_EQ(again.delta.version, 1);
  EXPECT_EQ(again.user_metadata.count("deltaline.orderingKeys"), 0u);
  EXPECT_EQ(again.user_metadata.count("deltaline.constraints"), 0u);

  ASSERT_OK_AND_ASSIGN(runs, ListRuns(lake_.str()));
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, "r1");
  EXPECT_EQ(runs[0].pipeline_id, "daily");
  EXPECT_EQ(runs[0].sequence, 1);
  EXPECT_EQ(runs[0].started_ms, 5000);
  EXPECT_EQ(runs[0].ended_ms, 5040);
  EXPECT_EQ(runs[0].outcome, "succeeded");
  EXPECT_EQ(runs[0].error, "");
  EXPECT_EQ(runs[0].outputs, 1);
  EXPECT_EQ(runs[0].committed_outputs, 1);
  EXPECT_EQ(runs[0].rows_added, 3);
  EXPECT_EQ(runs[1].run_id, "r2");
  EXPECT_EQ(runs[1].outcome, "failed");
  EXPECT_EQ(runs[1].error, "node clean: boom");
  EXPECT_EQ(json::parse(runs[1].manifest), second);

  ASSERT_OK_AND_ASSIGN(json found, FindRun(lake_.str(), "r2"));
  EXPECT_EQ(found, second);
  ASSERT_OK_AND_ASSIGN(found, FindRun(lake_.str(), "r1"));
  EXPECT_EQ(found, first);
  EXPECT_EQ(found["outputs"][0]["versionAfter"], 0);
}

TEST_F(RunStoreTest, UnknownRunIsATypedError) {
  ASSERT_OK(AppendRunRow(Manifest("r1", 1, 5000, "succeeded"), lake_.str()));
  auto missing = FindRun(lake_.str(), "nope-42");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(IsRunNotFound(missing.status())) << missing.status().ToString();
  EXPECT_NE(missing.status().message().find("nope-42"), std::string::npos);
  // Not even a _runs table: the same error.
  TempDir empty;
  auto none = FindRun(empty.str(), "r1");
  EXPECT_TRUE(IsRunNotFound(none.status())) << none.status().ToString();
  // Other failures are not "not found".
  EXPECT_FALSE(IsRunNotFound(arrow::Status::KeyError("x")));
}

TEST_F(RunStoreTest, ManifestWithoutRunIdIsRefused) {
  auto appended = AppendRunRow(json{{"pipelineId", "daily"}}, lake_.str());
  EXPECT_FALSE(appended.ok());
  ASSERT_OK_AND_ASSIGN(auto runs, ListRuns(lake_.str()));
  EXPECT_TRUE(runs.empty());
}

}  // namespace
}  // namespace deltaline::obs
