// replaceWhere, ReplacePartitions and Delete: exact results, one commit each,
// nothing committed on a predicate violation, conflicts with real commits, metrics.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;
using deltaline::testing::PxTable;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

std::shared_ptr<arrow::Table> Concat(
    const std::vector<std::shared_ptr<arrow::Table>>& tables) {
  return arrow::ConcatenateTables(tables).ValueOrDie();
}

size_t CountDataFiles(const std::filesystem::path& root) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet" &&
        entry.path().string().find("_delta_log") == std::string::npos) {
      ++count;
    }
  }
  return count;
}

cp::Expression PEquals(int32_t value) {
  return cp::equal(cp::field_ref("p"), cp::literal(value));
}

class TargetedWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "table";
    store_ = FileSystemLogStore::Open(root_.string()).ValueOrDie();
    // p=1: ids 1-3, p=2: ids 4-6 (two files), p=3: id 7.
    WriteOptions options;
    options.partition_by = {"p"};
    ASSERT_OK(WriteTable(*store_,
                         *PxTable("[1,2,3,4,5,7]", "[1,1,1,2,2,3]", "[1,5,9,2,6,7]"),
                         options)
                  .status());
    options.mode = SaveMode::kAppend;
    ASSERT_OK(WriteTable(*store_, *PxTable("[6]", "[2]", "[10]"), options).status());
  }
  std::shared_ptr<arrow::Table> Read() {
    auto snapshot = Snapshot::Load(*store_).ValueOrDie();
    return ReadSnapshot(*store_, snapshot).ValueOrDie();
  }
  int64_t Version() { return Snapshot::Load(*store_).ValueOrDie()->version(); }
  std::shared_ptr<const Snapshot> Latest() {
    return Snapshot::Load(*store_).ValueOrDie();
  }
  arrow::Result<WriteResult> ReplaceWhere(
      const arrow::Table& table, cp::Expression predicate,
      std::shared_ptr<const Snapshot> base = nullptr) {
    WriteOptions options;
    options.mode = SaveMode::kOverwrite;
    options.replace_where = std::move(predicate);
    options.read_snapshot = std::move(base);
    return WriteTable(*store_, table, options);
  }
  arrow::Result<WriteResult> Replace(const arrow::Table& table,
                                     std::vector<PartitionValues> deletes = {},
                                     std::shared_ptr<const Snapshot> base = nullptr) {
    arrow::TableBatchReader reader(table);
    WriteOptions options;
    options.read_snapshot = std::move(base);
    return ReplacePartitions(*store_, reader, {"p"}, deletes, options);
  }
  arrow::Result<WriteResult> DeleteWhere(cp::Expression predicate,
                                         std::shared_ptr<const Snapshot> base = nullptr) {
    WriteOptions options;
    options.read_snapshot = std::move(base);
    return Delete(*store_, predicate, options);
  }
  std::set<std::string> FilesIn(int32_t p) {
    std::set<std::string> out;
    for (const auto& add : Latest()->files()) {
      if (add.partition_values.at("p") == std::to_string(p)) out.insert(add.path);
    }
    return out;
  }

  TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<LogStore> store_;
};

TEST_F(TargetedWriteTest, ReplaceWhereOnAPartitionLeavesOthersUntouched) {
  auto p2 = FilesIn(2), p3 = FilesIn(3);
  ASSERT_OK_AND_ASSIGN(auto result,
                       ReplaceWhere(*PxTable("[10,11]", "[1,1]", "[0,0]"), PEquals(1)));
  EXPECT_EQ(result.version, 2);
  EXPECT_EQ(result.files_removed, 1);
  EXPECT_EQ(result.rows_removed, 3);
  EXPECT_EQ(result.rows_copied, 0);
  EXPECT_EQ(FilesIn(2), p2);
  EXPECT_EQ(FilesIn(3), p3);
  EXPECT_TRUE(TablesEqualUnordered(
      *PxTable("[10,11,4,5,6,7]", "[1,1,2,2,2,3]", "[0,0,2,6,10,7]"), *Read()));
  ASSERT_EQ(result.partitions.count("p=1"), 1u);
  EXPECT_EQ(result.partitions.at("p=1").rows_added, 2);
  EXPECT_EQ(result.partitions.at("p=1").rows_removed, 3);
  EXPECT_EQ(result.partitions.count("p=2"), 0u);
}

TEST_F(TargetedWriteTest, ReplaceWhereOnADataColumnRewritesPartlyMatchingFiles) {
  // x >= 6 holds for ids 5, 9-row, 6, 7: every file is partly or wholly inside.
  auto predicate = cp::greater_equal(cp::field_ref("x"), cp::literal(int64_t{6}));
  ASSERT_OK_AND_ASSIGN(auto result,
                       ReplaceWhere(*PxTable("[20,21]", "[2,4]", "[6,100]"), predicate));
  EXPECT_EQ(result.version, 2);
  EXPECT_TRUE(TablesEqualUnordered(
      *PxTable("[1,2,4,20,21]", "[1,1,2,2,4]", "[1,5,2,6,100]"), *Read()));
  EXPECT_EQ(result.rows_copied, 3);  // ids 1, 2 (p=1) and 4 (p=2)
  EXPECT_EQ(result.files_removed, 4);
  EXPECT_EQ(result.partitions.at("p=1").rows_copied, 2);
  // One commit: its removes and adds together, the predicate recorded.
  auto history = ReadHistory(*store_, 1).ValueOrDie();
  ASSERT_TRUE(history[0].info);
  EXPECT_NE(history[0].info->operation_parameters.at("predicate").find("x"),
            std::string::npos);
  auto metrics =
      nlohmann::json::parse(history[0].info->operation_metrics.at("partitionMetrics"));
  EXPECT_EQ(metrics["p=1"]["numCopiedRows"], 2);
  EXPECT_EQ(metrics["p=4"]["numOutputRows"], 1);
  EXPECT_EQ(metrics["p=3"]["numRemovedFiles"], 1);
}

TEST_F(TargetedWriteTest, PredicateViolationCommitsNothing) {
  auto before = Read();
  const size_t files = CountDataFiles(root_);
  auto st =
      ReplaceWhere(*PxTable("[30,31,32]", "[1,1,2]", "[0,0,0]"), PEquals(1)).status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();
  EXPECT_NE(st.message().find("input row 2"), std::string::npos) << st.ToString();
  EXPECT_EQ(Version(), 1);
  EXPECT_EQ(CountDataFiles(root_), files);
  EXPECT_TRUE(TablesEqualUnordered(*before, *Read()));
  // A null the predicate cannot decide is a violation too.
  st = ReplaceWhere(*PxTable("[33]", "[null]", "[0]"), PEquals(1)).status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();
  EXPECT_EQ(CountDataFiles(root_), files);
  // replaceWhere needs mode overwrite.
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  options.replace_where = PEquals(1);
  EXPECT_TRUE(IsKind(WriteTable(*store_, *PxTable("[1]", "[1]", "[1]"), options).status(),
                     ErrorKind::kInvalidInput));
}

TEST_F(TargetedWriteTest, ReplacePartitionsIsExactAndRepeatable) {
  auto p1 = FilesIn(1);
  auto input = PxTable("[40,41,42]", "[2,2,5]", "[0,1,2]");
  for (int run = 0; run < 3; ++run) {
    ASSERT_OK_AND_ASSIGN(auto result, Replace(*input, {{{"p", "3"}}}));
    EXPECT_EQ(result.version, 2 + run);
    // Partitions 2 and 5 hold only the input's rows, 3 is gone, 1 is untouched: no
    // duplicates however often the same increment is replayed.
    EXPECT_TRUE(TablesEqualUnordered(
        *Concat({PxTable("[1,2,3]", "[1,1,1]", "[1,5,9]"), input}), *Read()));
    EXPECT_EQ(FilesIn(1), p1);
  }
  // A null partition is replaced like any other.
  ASSERT_OK(Replace(*PxTable("[50]", "[null]", "[0]")).status());
  ASSERT_OK(Replace(*PxTable("[51]", "[null]", "[1]")).status());
  EXPECT_TRUE(TablesEqualUnordered(*Concat({PxTable("[1,2,3]", "[1,1,1]", "[1,5,9]"),
                                            input, PxTable("[51]", "[null]", "[1]")}),
                                   *Read()));
}

TEST_F(TargetedWriteTest, DeleteRemovesAndRewritesInOneCommit) {
  ASSERT_OK_AND_ASSIGN(
      auto result, DeleteWhere(cp::or_(PEquals(3), cp::equal(cp::field_ref("x"),
                                                             cp::literal(int64_t{5})))));
  EXPECT_EQ(result.version, 2);
  EXPECT_EQ(result.operation, "DELETE");
  EXPECT_TRUE(TablesEqualUnordered(*PxTable("[1,3,4,5,6]", "[1,1,2,2,2]", "[1,9,2,6,10]"),
                                   *Read()));
  auto history = ReadHistory(*store_, 1).ValueOrDie();
  EXPECT_EQ(history[0].info->operation, "DELETE");
  EXPECT_EQ(history[0].info->operation_metrics.at("numDeletedRows"), "2");
  // Nothing matches: no commit.
  ASSERT_OK_AND_ASSIGN(result, DeleteWhere(PEquals(99)));
  EXPECT_FALSE(result.committed);
  EXPECT_EQ(Version(), 2);
}

TEST_F(TargetedWriteTest, ConcurrentWritesToTheSamePartitionConflict) {
  auto base = Latest();
  // The winner replaced p=1 (removed the file we read, added new ones).
  ASSERT_OK(ReplaceWhere(*PxTable("[60]", "[1]", "[0]"), PEquals(1)).status());
  auto st = ReplaceWhere(*PxTable("[61]", "[1]", "[0]"), PEquals(1), base).status();
  EXPECT_EQ(GetConflictKind(st), ConflictKind::kConcurrentDeleteRead) << st.ToString();
  st = Replace(*PxTable("[62]", "[1]", "[0]"), {}, base).status();
  EXPECT_EQ(GetConflictKind(st), ConflictKind::kConcurrentDeleteRead) << st.ToString();
  st = DeleteWhere(cp::greater(cp::field_ref("x"), cp::literal(int64_t{0})), base)
           .status();
  EXPECT_TRUE(IsCommitConflict(st)) << st.ToString();
  // A winner that created partition 8 (read nothing, non-blind) against our predicate
  // on p=8: it added files we should have read.
  auto base2 = Latest();
  ASSERT_OK(Replace(*PxTable("[63]", "[8]", "[0]")).status());
  st = ReplaceWhere(*PxTable("[64]", "[8]", "[0]"), PEquals(8), base2).status();
  EXPECT_EQ(GetConflictKind(st), ConflictKind::kConcurrentAppend) << st.ToString();
  // Other partitions do not conflict: both land, both partitions hold new rows.
  auto base3 = Latest();
  ASSERT_OK(ReplaceWhere(*PxTable("[65]", "[2]", "[0]"), PEquals(2)).status());
  ASSERT_OK_AND_ASSIGN(auto landed, Replace(*PxTable("[66]", "[3]", "[0]"), {}, base3));
  EXPECT_TRUE(landed.committed);
  EXPECT_TRUE(
      TablesEqualUnordered(*PxTable("[60,63,65,66]", "[1,8,2,3]", "[0,0,0,0]"), *Read()));
  // Failed attempts left no data files behind.
  EXPECT_EQ(CountDataFiles(root_), 4u /*first two commits, not vacuumed*/ + 4u);
}

}  // namespace
}  // namespace deltaline::delta
