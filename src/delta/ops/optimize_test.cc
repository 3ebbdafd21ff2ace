#include "delta/ops/optimize.h"

#include <arrow/api.h>
#include <arrow/util/uri.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/ops/optimize_test_util.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/deltars_reader.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace fs = std::filesystem;
using deltaline::delta::optimize_testing::RandomRows;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

const std::string kTables = DELTALINE_SOURCE_DIR "/../shared/delta-tables/";

std::set<std::string> ParquetFiles(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet" &&
        entry.path().string().find("_delta_log") == std::string::npos) {
      out.insert(fs::relative(entry.path(), root).string());
    }
  }
  return out;
}

std::shared_ptr<arrow::Table> ReadAll(LogStore& store) {
  auto snapshot = Snapshot::Load(store).ValueOrDie();
  return ReadSnapshot(store, snapshot).ValueOrDie();
}

// `appends` commits of `rows` rows each over `partitions` partitions of p: many small
// files (one per partition per commit).
std::unique_ptr<LogStore> SmallFilesTable(const std::string& dir, int appends,
                                          int64_t rows, int partitions) {
  auto store = FileSystemLogStore::Open(dir).ValueOrDie();
  for (int append = 0; append < appends; ++append) {
    WriteOptions options;
    options.mode = SaveMode::kAppend;
    options.partition_by = {"p"};
    auto table = RandomRows(append * rows, rows, partitions, 7 + append);
    EXPECT_TRUE(WriteTable(*store, *table, options).ok());
  }
  return store;
}

std::map<std::string, std::vector<int64_t>> SizesByPartition(LogStore& store) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& add : Snapshot::Load(store).ValueOrDie()->files()) {
    out[add.partition_values.at("p").value_or("null")].push_back(add.size);
  }
  return out;
}

TEST(Optimize, BinPackingKeepsRowsAndMakesEvenFilesNearTheTarget) {
  TempDir dir;
  auto store = SmallFilesTable(dir.str(), 24, 3000, 3);
  auto before = ReadAll(*store);
  ASSERT_EQ(Snapshot::Load(*store).ValueOrDie()->num_files(), 72u);
  int64_t partition_bytes = 0;
  auto sizes_before = SizesByPartition(*store);
  for (int64_t size : sizes_before["0"]) partition_bytes += size;

  OptimizeOptions options;
  // About 3.5 outputs per partition (outputs are a little smaller than the inputs,
  // which each carry a footer): far from a whole number, so the count is unambiguous.
  options.target_size = partition_bytes * 10 / 33;
  ASSERT_OK_AND_ASSIGN(auto result, Optimize(*store, options));
  ASSERT_TRUE(result.committed);
  EXPECT_EQ(result.num_files_removed, 72);
  EXPECT_EQ(result.partitions_optimized, 3);
  EXPECT_EQ(result.rows, before->num_rows());
  EXPECT_TRUE(TablesEqualUnordered(*before, *ReadAll(*store)));

  for (const auto& [partition, sizes] : SizesByPartition(*store)) {
    int64_t total = 0;
    for (int64_t size : sizes) total += size;
    const auto expected = static_cast<size_t>(std::ceil(
        static_cast<double>(total) / static_cast<double>(*options.target_size)));
    EXPECT_EQ(sizes.size(), expected) << "partition " << partition;
    // Tolerance 10 % of the target: each file's row count is set from the bytes per
    // row measured on the files before it, so only row-to-row variation of the
    // compressed size (random data here) moves a file away from total / n.
    const double even = static_cast<double>(total) / static_cast<double>(sizes.size());
    for (int64_t size : sizes) {
      EXPECT_NEAR(static_cast<double>(size), even, 0.1 * *options.target_size)
          << "partition " << partition;
      EXPECT_LT(size, *options.target_size * 11 / 10) << "partition " << partition;
    }
  }

  // One commit, dataChange false everywhere, Spark's operation and metrics.
  ASSERT_OK_AND_ASSIGN(auto actions, ReadCommit(*store, result.version));
  int adds = 0, removes = 0;
  for (const auto& action : actions) {
    if (auto* add = std::get_if<Add>(&action)) {
      EXPECT_FALSE(add->data_change);
      ++adds;
    } else if (auto* remove = std::get_if<Remove>(&action)) {
      EXPECT_FALSE(remove->data_change);
      EXPECT_TRUE(remove->size.has_value());
      EXPECT_TRUE(remove->partition_values.has_value());
      EXPECT_EQ(remove->extended_file_metadata, true);
      ++removes;
    } else if (auto* info = std::get_if<CommitInfo>(&action)) {
      EXPECT_EQ(info->operation, "OPTIMIZE");
      EXPECT_EQ(info->operation_parameters.at("predicate"), "[]");
      EXPECT_EQ(info->operation_parameters.at("zOrderBy"), "[]");
      EXPECT_EQ(info->operation_metrics.at("numFilesRemoved"), "72");
      EXPECT_EQ(info->operation_metrics.at("numFilesAdded"),
                std::to_string(result.num_files_added));
      EXPECT_EQ(info->operation_metrics.at("partitionsOptimized"), "3");
      auto added = nlohmann::json::parse(info->operation_metrics.at("filesAdded"));
      EXPECT_EQ(added["totalFiles"], result.num_files_added);
      EXPECT_EQ(added["totalSize"], result.files_added.total_size);
      EXPECT_TRUE(info->operation_metrics.count("totalConsideredFiles"));
    }
  }
  EXPECT_EQ(adds, result.num_files_added);
  EXPECT_EQ(removes, 72);

  // delta-rs, an independent reader, sees the same rows.
  ASSERT_OK_AND_ASSIGN(auto deltars,
                       deltaline::testing::ReadWithDeltaRs(
                           dir.str(),
                           "d = t.to_pyarrow_table()\n"
                           "print(d.num_rows, pc.sum(d['id']).as_py(), "
                           "pc.sum(d['x']).as_py(), len(t.file_uris()))\n"));
  int64_t id_sum = 0, x_sum = 0;
  auto ids = before->GetColumnByName("id"), xs = before->GetColumnByName("x");
  for (const auto& chunk : ids->chunks())
    for (auto v : *std::static_pointer_cast<arrow::Int64Array>(chunk)) id_sum += *v;
  for (const auto& chunk : xs->chunks())
    for (auto v : *std::static_pointer_cast<arrow::Int64Array>(chunk)) x_sum += *v;
  EXPECT_EQ(deltars, std::to_string(before->num_rows()) + " " + std::to_string(id_sum) +
                         " " + std::to_string(x_sum) + " " +
                         std::to_string(result.num_files_added) + "\n");

  // Nothing left to do: no commit.
  ASSERT_OK_AND_ASSIGN(auto again, Optimize(*store, options));
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(again.version, result.version);
  EXPECT_EQ(again.num_files_removed, 0);
}

TEST(Optimize, LeavesAPartitionWithOneSmallFileAlone) {
  TempDir dir;
  auto store = SmallFilesTable(dir.str(), 1, 300, 2);
  ASSERT_OK_AND_ASSIGN(auto result, Optimize(*store, {}));
  EXPECT_FALSE(result.committed);
  EXPECT_EQ(result.total_considered_files, 2);
  EXPECT_EQ(result.total_files_skipped, 2);
  EXPECT_EQ(Snapshot::Load(*store).ValueOrDie()->version(), 0);
}

TEST(Optimize, WhereRestrictsToPartitionsAndRefusesDataColumns) {
  TempDir dir;
  auto store = SmallFilesTable(dir.str(), 4, 500, 3);
  OptimizeOptions options;
  options.where = "p = 1";
  ASSERT_OK_AND_ASSIGN(auto result, Optimize(*store, options));
  ASSERT_TRUE(result.committed);
  EXPECT_EQ(result.num_files_removed, 4);
  EXPECT_EQ(result.num_files_added, 1);
  auto sizes = SizesByPartition(*store);
  EXPECT_EQ(sizes["0"].size(), 4u);
  EXPECT_EQ(sizes["1"].size(), 1u);
  EXPECT_EQ(sizes["2"].size(), 4u);
  ASSERT_OK_AND_ASSIGN(auto info, ReadCommit(*store, result.version));
  for (const auto& action : info) {
    if (auto* commit = std::get_if<CommitInfo>(&action)) {
      EXPECT_EQ(commit->operation_parameters.at("predicate"), "[\"p = 1\"]");
    }
  }

  options.where = "x > 5 AND p = 2";
  auto refused = Optimize(*store, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(IsKind(refused.status(), ErrorKind::kInvalidInput));
  EXPECT_NE(refused.status().message().find("'x'"), std::string::npos)
      << refused.status();
  EXPECT_NE(refused.status().message().find("not a partition column"), std::string::npos);
}

TEST(Optimize, ZOrderRefusesPartitionUnknownAndUnindexedColumns) {
  TempDir dir;
  auto store = SmallFilesTable(dir.str(), 2, 100, 2);
  for (const auto& [columns, needle] :
       std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"x", "p"}, "'p' of"}, {{"nope"}, "'nope' is not a column"}}) {
    OptimizeOptions options;
    options.zorder_by = columns;
    auto refused = Optimize(*store, options);
    ASSERT_FALSE(refused.ok());
    EXPECT_TRUE(IsKind(refused.status(), ErrorKind::kInvalidInput)) << refused.status();
    EXPECT_NE(refused.status().message().find(needle), std::string::npos)
        << refused.status();
  }
  // Statistics on id, p and x only: Z-ordering on y would skip nothing.
  TempDir few;
  auto few_store = FileSystemLogStore::Open(few.str()).ValueOrDie();
  WriteOptions write;
  write.table_properties = {{"delta.dataSkippingNumIndexedCols", "3"}};
  ASSERT_OK(WriteTable(*few_store, *RandomRows(0, 100, 1, 1), write).status());
  OptimizeOptions options;
  options.zorder_by = {"x", "y"};
  auto refused = Optimize(*few_store, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(IsKind(refused.status(), ErrorKind::kUnsupportedFeature))
      << refused.status();
  EXPECT_NE(refused.status().message().find("'y'"), std::string::npos);
}

TEST(Optimize, ConcurrentAppendLandsBesideTheCompaction) {
  TempDir dir;
  auto store = SmallFilesTable(dir.str(), 5, 400, 2);
  ASSERT_OK_AND_ASSIGN(auto base, Snapshot::Load(*store));
  WriteOptions append;
  append.mode = SaveMode::kAppend;
  ASSERT_OK(WriteTable(*store, *RandomRows(10'000, 300, 2, 99), append).status());
  auto expected = ReadAll(*store);

  OptimizeOptions options;
  options.read_snapshot = base;
  ASSERT_OK_AND_ASSIGN(auto result, Optimize(*store, options));
  ASSERT_TRUE(result.committed);
  EXPECT_EQ(result.version, base->version() + 2);
  EXPECT_EQ(result.num_files_removed, 10);
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadAll(*store)));
  // The appended files survive beside the two compacted ones.
  EXPECT_EQ(Snapshot::Load(*store).ValueOrDie()->num_files(), 4u);
}

TEST(Optimize, ConcurrentDeleteOfAnInputIsAConflictAndLeavesNothingBehind) {
  TempDir dir;
  auto store = SmallFilesTable(dir.str(), 5, 400, 2);
  ASSERT_OK_AND_ASSIGN(auto base, Snapshot::Load(*store));
  ASSERT_OK_AND_ASSIGN(auto predicate, ParsePredicate("id = 3", *base->schema()));
  ASSERT_OK(Delete(*store, predicate).status());
  ASSERT_OK_AND_ASSIGN(auto after_delete, Snapshot::Load(*store));
  const auto files_before = ParquetFiles(dir.path());

  OptimizeOptions options;
  options.read_snapshot = base;
  auto conflict = Optimize(*store, options);
  ASSERT_FALSE(conflict.ok());
  EXPECT_EQ(GetConflictKind(conflict.status()), ConflictKind::kConcurrentDeleteRead)
      << conflict.status();
  EXPECT_EQ(Snapshot::Load(*store).ValueOrDie()->version(), after_delete->version());
  EXPECT_EQ(ParquetFiles(dir.path()), files_before);
}

TEST(Optimize, PurgesDeletionVectorsOfARealTable) {
  TempDir dir;
  fs::copy(kTables + "table-with-dv-small", dir.path() / "t",
           fs::copy_options::recursive);
  auto store = FileSystemLogStore::Open((dir.path() / "t").string()).ValueOrDie();
  auto before = ReadAll(*store);
  ASSERT_EQ(before->num_rows(), 8);
  ASSERT_OK_AND_ASSIGN(auto result, Optimize(*store, {}));
  ASSERT_TRUE(result.committed);
  EXPECT_EQ(result.num_deletion_vectors_removed, 1);
  EXPECT_TRUE(TablesEqualUnordered(*before, *ReadAll(*store)));
  for (const auto& add : Snapshot::Load(*store).ValueOrDie()->files()) {
    EXPECT_FALSE(add.deletion_vector.has_value());
  }
  // delta-rs 1.x does not read deletion vectors: no independent reader here.
}

TEST(Optimize, RefusesColumnMappingByName) {
  TempDir dir;
  fs::copy(kTables + "table_with_column_mapping", dir.path() / "t",
           fs::copy_options::recursive);
  auto store = FileSystemLogStore::Open((dir.path() / "t").string()).ValueOrDie();
  auto refused = Optimize(*store, {});
  ASSERT_FALSE(refused.ok());
  ASSERT_TRUE(IsKind(refused.status(), ErrorKind::kUnsupportedFeature))
      << refused.status();
  EXPECT_EQ(GetDeltaDetail(refused.status())->feature(), "columnMapping");
}

}  // namespace
}  // namespace deltaline::delta
