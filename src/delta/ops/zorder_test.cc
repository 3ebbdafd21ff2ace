#include "delta/ops/zorder.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include "delta/log/snapshot.h"
#include "delta/ops/optimize.h"
#include "delta/ops/optimize_test_util.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::BatchFromJson;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

TEST(ZOrder, InterleavesRankBucketsFirstColumnLeading) {
  auto schema = arrow::schema(
      {arrow::field("x", arrow::int64()), arrow::field("y", arrow::utf8())});
  auto batch = BatchFromJson(schema, {"[0, 10, 20, 30]", R"(["d", "c", "b", "a"])"});
  ASSERT_EQ(ZOrderBitsPerColumn(2), 20);
  ASSERT_OK_AND_ASSIGN(auto keys, ZOrderKeys(*batch, {"x", "y"}));
  // Buckets' top two bits: x 00 01 10 11, y 11 10 01 00; interleaved x first.
  const uint64_t expected[] = {0b0101, 0b0110, 0b1001, 0b1010};
  for (int64_t row = 0; row < 4; ++row) {
    EXPECT_EQ(keys->Value(row) >> 36, expected[row]) << "row " << row;
  }
}

TEST(ZOrder, TiesShareABucketAndNullsComeLast) {
  auto schema = arrow::schema({arrow::field("x", arrow::int32())});
  auto batch = BatchFromJson(schema, {"[null, 5, 5, 1]"});
  ASSERT_OK_AND_ASSIGN(auto keys, ZOrderKeys(*batch, {"x"}));
  EXPECT_EQ(keys->Value(1), keys->Value(2));
  EXPECT_LT(keys->Value(3), keys->Value(1));
  EXPECT_GT(keys->Value(0), keys->Value(1));
  ASSERT_OK_AND_ASSIGN(auto sorted, SortByZOrder(batch, {"x"}));
  EXPECT_TRUE(sorted->Equals(*BatchFromJson(schema, {"[1, 5, 5, null]"})));
}

double FractionRead(LogStore& store, const std::string& filter) {
  auto snapshot = Snapshot::Load(store).ValueOrDie();
  ScanMetrics metrics;
  ScanOptions options;
  options.filter = ParsePredicate(filter, *snapshot->schema()).ValueOrDie();
  options.metrics = &metrics;
  auto rows = ReadSnapshot(store, snapshot, options).ValueOrDie();
  EXPECT_GT(rows->num_rows(), 0);
  return static_cast<double>(metrics.files_read) /
         static_cast<double>(metrics.files_considered);
}

TEST(ZOrder, ClusteringPrunesAOnePercentFilterOnTheSecondColumn) {
  TempDir dir;
  auto store = FileSystemLogStore::Open(dir.str()).ValueOrDie();
  WriteOptions write;
  write.table_properties = {{"delta.targetFileSize", "40000"}};
  ASSERT_OK(WriteTable(*store, *optimize_testing::RandomRows(0, 150'000, 1, 5), write)
                .status());
  auto before = Snapshot::Load(*store).ValueOrDie();
  ASSERT_GT(before->num_files(), 60u);
  auto rows_before = ReadSnapshot(*store, before).ValueOrDie();
  const std::string filter = "y >= 500000 AND y < 510000";
  const double unclustered = FractionRead(*store, filter);
  EXPECT_GT(unclustered, 0.9);

  OptimizeOptions options;
  options.zorder_by = {"x", "y"};
  ASSERT_OK_AND_ASSIGN(auto result, Optimize(*store, options));
  ASSERT_TRUE(result.committed);
  EXPECT_GT(result.num_files_added, 60);
  const double clustered = FractionRead(*store, filter);
  EXPECT_LT(clustered, 0.25) << "unclustered read " << unclustered;
  EXPECT_TRUE(TablesEqualUnordered(
      *rows_before,
      *ReadSnapshot(*store, Snapshot::Load(*store).ValueOrDie()).ValueOrDie()));
  ASSERT_OK_AND_ASSIGN(auto actions, ReadCommit(*store, result.version));
  for (const auto& action : actions) {
    if (auto* info = std::get_if<CommitInfo>(&action)) {
      EXPECT_EQ(info->operation_parameters.at("zOrderBy"), "[\"x\",\"y\"]");
      EXPECT_TRUE(info->operation_metrics.count("zOrderStats"));
      EXPECT_EQ(info->operation_metrics.at("preserveInsertionOrder"), "false");
    }
  }
}

}  // namespace
}  // namespace deltaline::delta
