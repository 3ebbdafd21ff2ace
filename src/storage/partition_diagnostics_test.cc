// Per-partition counts of each committed write land in the run's diagnostics table.
#include "storage/partition_diagnostics.h"
#include "storage/storage_writer.h"

#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include <arrow/api.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

std::shared_ptr<arrow::Table> Rows(const std::vector<std::string>& parts) {
  arrow::StringBuilder p;
  arrow::Int64Builder v;
  for (size_t i = 0; i < parts.size(); ++i) {
    EXPECT_TRUE(p.Append(parts[i]).ok());
    EXPECT_TRUE(v.Append(static_cast<int64_t>(i)).ok());
  }
  return arrow::Table::Make(arrow::schema({arrow::field("p", arrow::utf8()),
                                           arrow::field("v", arrow::int64())}),
                            {p.Finish().ValueOrDie(), v.Finish().ValueOrDie()});
}

// (version, partition) -> (files added, rows added, files removed, rows removed)
using Counts = std::map<std::pair<int64_t, std::string>,
                        std::tuple<int64_t, int64_t, int64_t, int64_t>>;

Counts ReadMetrics(const std::string& uri, std::set<std::string>* datasets) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  auto table =
      delta::ReadSnapshot(*store, snapshot).ValueOrDie()->CombineChunks().ValueOrDie();
  auto col = [&](const char* name) { return table->GetColumnByName(name)->chunk(0); };
  auto i64 = [&](const char* name, int64_t row) {
    return std::static_pointer_cast<arrow::Int64Array>(col(name))->Value(row);
  };
  auto str = [&](const char* name, int64_t row) {
    return std::static_pointer_cast<arrow::StringArray>(col(name))->GetString(row);
  };
  Counts out;
  for (int64_t row = 0; row < table->num_rows(); ++row) {
    EXPECT_EQ(str("run_id", row), "run-7");
    datasets->insert(str("dataset", row));
    out[{i64("version", row), str("partition", row)}] =
        std::make_tuple(i64("numAddedFiles", row), i64("numOutputRows", row),
                        i64("numRemovedFiles", row), i64("numRemovedRows", row));
  }
  return out;
}

TEST(PartitionDiagnostics, EachCommittedWriteAppendsItsPartitionCounts) {
  testing::TempDir dir;
  const std::string uri = (dir.path() / "orders").string();
  StorageWriteOptions options;
  options.delta.partition_by = {"p"};
  options.run.run_id = "run-7";
  options.run.run_dir = (dir.path() / "run").string();
  ASSERT_OK_AND_ASSIGN(auto first, WriteTableDelta(*Rows({"a", "a", "b"}), uri, options));
  ASSERT_EQ(first.delta.partitions.size(), 2u);

  options.delta.mode = delta::SaveMode::kOverwrite;
  options.delta.replace_partitions = true;
  ASSERT_OK_AND_ASSIGN(auto second, WriteTableDelta(*Rows({"a"}), uri, options));
  ASSERT_EQ(second.delta.version, 1);

  std::set<std::string> datasets;
  Counts metrics = ReadMetrics(PartitionMetricsTablePath(options.run), &datasets);
  Counts expected = {
      {{0, "p=a"}, {1, 2, 0, 0}}, {{0, "p=b"}, {1, 1, 0, 0}}, {{1, "p=a"}, {1, 1, 1, 2}}};
  EXPECT_EQ(metrics, expected);
  EXPECT_EQ(datasets, std::set<std::string>{"orders"});

  // Without a run directory there is nowhere to record them, and nothing is written.
  options.run = {};
  ASSERT_OK(
      WriteTableDelta(*Rows({"c"}), (dir.path() / "other").string(), options).status());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "other" / "_diagnostics"));
  EXPECT_EQ(
      ReadMetrics(PartitionMetricsTablePath({"run-7", (dir.path() / "run").string()}),
                  &datasets)
          .size(),
      3u);
}

}  // namespace
}  // namespace deltaline::storage
