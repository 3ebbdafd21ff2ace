// The write side of an anatomy run on real Delta tables, without parsing anything: the
// targeted replace removes exactly the given files' rows and rewrites only their
// buckets' data files, every commit carries the run's txn and a repeated sequence is
// skipped; the state table reads back what was written.
#include <set>

#include <arrow/builder.h>
#include <arrow/table.h>
#include <gtest/gtest.h>

#include "anatomy/anatomy_outputs.h"
#include "anatomy/ids.h"
#include "anatomy/state_table.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

using testing::TempDir;

pipeline::DatasetSpec Spec() {
  pipeline::DatasetSpec spec;
  spec.name = "rows";
  spec.schema = arrow::schema({arrow::field("file_id", arrow::int64(), false),
                               arrow::field("file_bucket", arrow::int32(), false),
                               arrow::field("value", arrow::utf8(), false)});
  spec.partition_by = {"file_bucket"};
  spec.not_null = {"file_id", "file_bucket"};
  return spec;
}

// Two rows per file, valued `tag`.
std::shared_ptr<arrow::Table> Rows(const std::vector<Id>& files, const std::string& tag) {
  arrow::Int64Builder ids;
  arrow::Int32Builder buckets;
  arrow::StringBuilder values;
  for (Id id : files) {
    for (int i = 0; i < 2; ++i) {
      EXPECT_TRUE(ids.Append(id).ok());
      EXPECT_TRUE(buckets.Append(FileBucket(id)).ok());
      EXPECT_TRUE(values.Append(tag + std::to_string(i)).ok());
    }
  }
  return arrow::Table::Make(Spec().schema,
                            {ids.Finish().ValueOrDie(), buckets.Finish().ValueOrDie(),
                             values.Finish().ValueOrDie()});
}

std::vector<Id> Files(int n, const std::string& prefix) {
  std::vector<Id> ids;
  for (int i = 0; i < n; ++i)
    ids.push_back(StableId({"file", prefix + std::to_string(i)}));
  return ids;
}

arrow::Result<pipeline::RunResult> RunRows(const std::string& lake, int64_t sequence,
                                           std::shared_ptr<arrow::Table> rows,
                                           std::optional<std::set<Id>> replaced) {
  pipeline::RunSettings settings;
  settings.lake = lake;
  settings.sequence = sequence;
  settings.mode = delta::SaveMode::kOverwrite;
  settings.parallelism = 1;
  settings.write_output = TargetedWriter(std::move(replaced), {});
  return pipeline::RunPipeline(OutputsPipeline("anatomy", {{Spec(), std::move(rows)}}),
                               settings);
}

std::shared_ptr<const delta::Snapshot> Load(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  return delta::Snapshot::Load(*store).ValueOrDie();
}

TEST(AnatomyOutputs, TargetedReplaceTouchesOnlyTheFilesBuckets) {
  TempDir dir;
  const auto files = Files(40, "f");
  ASSERT_OK_AND_ASSIGN(auto first,
                       RunRows(dir.str(), 1, Rows(files, "old"), std::nullopt));
  ASSERT_TRUE(first.ok()) << first.status.ToString();
  const auto before = Load(dir.str() + "/rows");
  const std::set<int32_t> all_buckets = BucketsOf({files.begin(), files.end()});
  ASSERT_EQ(before->num_files(), all_buckets.size());

  // Files 0 and 1 change, 2 is deleted, "new0" is added.
  const std::set<Id> replaced = {files[0], files[1], files[2], Files(1, "new")[0]};
  auto rows = Rows({files[0], files[1], Files(1, "new")[0]}, "new");
  ASSERT_OK_AND_ASSIGN(auto second, RunRows(dir.str(), 2, rows, replaced));
  ASSERT_TRUE(second.ok()) << second.status.ToString();
  const auto& write = second.outputs[0].result.write.delta;
  EXPECT_TRUE(write.committed);
  const auto touched = BucketsOf({files[0], files[1], files[2]});
  EXPECT_EQ(write.files_removed, static_cast<int64_t>(touched.size()));
  EXPECT_LT(write.files_removed, before->num_files());

  // The other files' rows stay where they were, the replaced files' rows are new.
  auto store = delta::FileSystemLogStore::Open(dir.str() + "/rows").ValueOrDie();
  auto after = delta::Snapshot::Load(*store).ValueOrDie();
  std::set<std::string> paths_after;
  for (const auto& add : after->files()) paths_after.insert(add.path);
  for (const auto& add : before->files()) {
    const int32_t bucket = std::stoi(add.partition_values.at("file_bucket").value());
    EXPECT_EQ(paths_after.count(add.path) == 1, touched.count(bucket) == 0) << add.path;
  }
  std::vector<Id> expected_files(files.begin() + 3, files.end());
  auto expected =
      arrow::ConcatenateTables({Rows(expected_files, "old"), rows}).ValueOrDie();
  auto actual = delta::ReadSnapshot(*store, after).ValueOrDie();
  EXPECT_TRUE(testing::TablesEqualUnordered(*expected, *actual));
  EXPECT_EQ(after->AppTransactionVersion("anatomy"), 2);

  // The same sequence again is skipped: nothing is applied twice.
  ASSERT_OK_AND_ASSIGN(auto again, RunRows(dir.str(), 2, rows, replaced));
  ASSERT_TRUE(again.ok()) << again.status.ToString();
  EXPECT_EQ(again.outputs[0].status, pipeline::TaskStatus::kSkipped);
  EXPECT_EQ(Load(dir.str() + "/rows")->version(), after->version());
}

TEST(AnatomyOutputs, FilesPredicateNeedsTheColumns) {
  EXPECT_FALSE(
      FilesPredicate({1}, *arrow::schema({arrow::field("x", arrow::int64())})).ok());
  EXPECT_FALSE(FilesPredicate({}, *Spec().schema).ok());
}

TEST(StateTable, RoundTripsThroughDelta) {
  TempDir dir;
  std::vector<FileState> states(3);
  for (int i = 0; i < 3; ++i) {
    states[i].path = "pkg/m" + std::to_string(i) + ".py";
    states[i].file_id = StableId({"file", states[i].path});
    states[i].size = 10 + i;
    states[i].mtime_ns = 1000 + i;
    states[i].sha256 = "sha" + std::to_string(i);
    states[i].exports_hash = "exp" + std::to_string(i);
    states[i].summary_json = "{\"i\":" + std::to_string(i) + "}";
  }
  states[2].skip_reason = "binary content (NUL byte at offset 0)";
  ASSERT_OK_AND_ASSIGN(auto missing, ReadState(dir.str(), "anatomy"));
  EXPECT_FALSE(missing.exists);
  ASSERT_OK_AND_ASSIGN(auto table, BuildStateTable(states));
  pipeline::RunSettings settings;
  settings.lake = dir.str();
  settings.sequence = 7;
  settings.mode = delta::SaveMode::kOverwrite;
  ASSERT_OK_AND_ASSIGN(
      auto run, pipeline::RunPipeline(OutputsPipeline("anatomy", {{StateSpec(), table}}),
                                      settings));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  ASSERT_OK_AND_ASSIGN(auto state, ReadState(dir.str(), "anatomy"));
  EXPECT_TRUE(state.exists);
  EXPECT_EQ(state.sequence, 7);
  ASSERT_EQ(state.files.size(), states.size());
  for (size_t i = 0; i < states.size(); ++i) {
    EXPECT_EQ(state.files[i].file_id, states[i].file_id);
    EXPECT_EQ(state.files[i].path, states[i].path);
    EXPECT_EQ(state.files[i].size, states[i].size);
    EXPECT_EQ(state.files[i].mtime_ns, states[i].mtime_ns);
    EXPECT_EQ(state.files[i].sha256, states[i].sha256);
    EXPECT_EQ(state.files[i].exports_hash, states[i].exports_hash);
    EXPECT_EQ(state.files[i].summary_json, states[i].summary_json);
    EXPECT_EQ(state.files[i].skip_reason, states[i].skip_reason);
  }
}

}  // namespace
}  // namespace deltaline::anatomy
