// Deletion vectors end to end: a table written by deltaline gets DVs (file `u` and
// inline `i`) through a commit, then every reader path must leave the deleted rows out.
#include "delta/scan/deleted_row_filter.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>
#include <parquet/properties.h>

#include <filesystem>
#include <set>
#include <string>

#include "delta/base/errors.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/skipping.h"
#include "delta/scan/data_file_reader.h"
#include "delta/scan/deletion_vector.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/deletion_vector_writer.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;
using deltaline::testing::CommitDeletionVectors;
using deltaline::testing::InlineDeletionVector;
using deltaline::testing::TempDir;
using deltaline::testing::WriteDeletionVectorFile;

// ids [first, first + n) as one batch of (id int64, p int32 = id % 2, x int64 = id,
// null where id % 5 == 0).
std::shared_ptr<arrow::RecordBatch> Rows(int64_t first, int64_t n) {
  arrow::Int64Builder ids, xs;
  arrow::Int32Builder ps;
  for (int64_t id = first; id < first + n; ++id) {
    EXPECT_TRUE(ids.Append(id).ok());
    EXPECT_TRUE(ps.Append(static_cast<int32_t>(id % 2)).ok());
    EXPECT_TRUE((id % 5 == 0 ? xs.AppendNull() : xs.Append(id)).ok());
  }
  auto schema = arrow::schema({arrow::field("id", arrow::int64()),
                               arrow::field("p", arrow::int32()),
                               arrow::field("x", arrow::int64())});
  return arrow::RecordBatch::Make(
      schema, n,
      {ids.Finish().ValueOrDie(), ps.Finish().ValueOrDie(), xs.Finish().ValueOrDie()});
}

std::multiset<int64_t> Ids(const arrow::Table& table) {
  std::multiset<int64_t> out;
  auto column = table.GetColumnByName("id");
  for (const auto& chunk : column->chunks()) {
    const auto& ids = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t row = 0; row < ids.length(); ++row) out.insert(ids.Value(row));
  }
  return out;
}

class DeletionVectorScanTest : public ::testing::Test {
 protected:
  // One file per write; row groups of 100 rows, so the file's batches meet row group
  // boundaries as well as batch_size ones.
  void Write(int64_t first, int64_t n, std::vector<std::string> partition_by = {}) {
    if (!store_) store_ = FileSystemLogStore::Open(dir_.str()).ValueOrDie();
    WriteOptions options;
    options.mode = SaveMode::kAppend;
    options.partition_by = std::move(partition_by);
    options.writer_properties =
        parquet::WriterProperties::Builder().max_row_group_length(100)->build();
    auto batch = Rows(first, n);
    ASSERT_OK_AND_ASSIGN(auto reader, arrow::RecordBatchReader::Make({batch}));
    ASSERT_OK(WriteBatches(*store_, *reader, options).status());
  }

  // The live file whose smallest id is `first_id` (ids are unique across files).
  Add FileStarting(int64_t first_id) {
    auto snapshot = Snapshot::Load(*store_).ValueOrDie();
    for (const auto& file : snapshot->files()) {
      auto rows =
          ReadDataFile(*store_, snapshot->schema(), snapshot->partition_columns(), file)
              .ValueOrDie();
      auto ids = Ids(*rows);
      if (!ids.empty() && *ids.begin() == first_id) return file;
    }
    ADD_FAILURE() << "no file starts at id " << first_id;
    return {};
  }

  arrow::Result<std::shared_ptr<arrow::Table>> Read(
      int64_t batch_size = 1 << 16, std::vector<std::string> columns = {},
      std::optional<cp::Expression> filter = std::nullopt, bool skip_files = true) {
    ScanOptions options;
    options.batch_size = batch_size;
    options.columns = std::move(columns);
    options.filter = std::move(filter);
    options.skip_files = skip_files;
    ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(*store_));
    return ReadSnapshot(*store_, snapshot, options);
  }

  TempDir dir_;
  std::unique_ptr<FileSystemLogStore> store_;
};

std::multiset<int64_t> Range(int64_t first, int64_t end,
                             const std::set<int64_t>& deleted = {}, int64_t offset = 0) {
  std::multiset<int64_t> out;
  for (int64_t id = first; id < end; ++id) {
    if (!deleted.count(id - offset)) out.insert(id);
  }
  return out;
}

// DV rows at and across every batch boundary (batch_size 7), a whole batch deleted,
// and a whole row group (rows 200..299) deleted; with the same DV as file and inline.
TEST_F(DeletionVectorScanTest, DeletedRowsNeverComeBackAcrossBatches) {
  Write(0, 1000);
  Write(1000, 1000);
  std::set<int64_t> deleted = {0, 6, 7, 8, 13, 999};
  for (int64_t row = 14; row < 21; ++row) deleted.insert(row);
  for (int64_t row = 200; row < 300; ++row) deleted.insert(row);
  for (int64_t row = 501; row < 1000; row += 3) deleted.insert(row);
  std::vector<int64_t> rows(deleted.begin(), deleted.end());
  ASSERT_OK_AND_ASSIGN(auto file_dv, WriteDeletionVectorFile(*store_, rows, "ab"));
  ASSERT_OK_AND_ASSIGN(auto inline_dv, InlineDeletionVector(rows));
  ASSERT_OK(CommitDeletionVectors(*store_, {{FileStarting(0).path, file_dv},
                                            {FileStarting(1000).path, inline_dv}})
                .status());

  auto expected = Range(0, 1000, deleted);
  auto second = Range(1000, 2000, deleted, 1000);
  expected.insert(second.begin(), second.end());
  for (int64_t batch_size : {7, 64, 100, 1 << 16}) {
    SCOPED_TRACE(batch_size);
    ASSERT_OK_AND_ASSIGN(auto table, Read(batch_size));
    EXPECT_EQ(table->num_rows(), 2000 - 2 * static_cast<int64_t>(deleted.size()));
    EXPECT_EQ(Ids(*table), expected);
  }
  // describe's count: numRecords (physical) minus the DVs' cardinality.
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->num_records(), 2000 - 2 * static_cast<int64_t>(deleted.size()));
  EXPECT_EQ(snapshot->deletion_vectors().files, 2);
  EXPECT_EQ(snapshot->deletion_vectors().deleted_rows,
            2 * static_cast<int64_t>(deleted.size()));
}

// A file whose every row is deleted reads as nothing; the other file is untouched.
// Reading only a partition column takes the path that reads no Parquet column and
// only counts rows: the count drops the deleted rows too.
TEST_F(DeletionVectorScanTest, AllRowsDeletedAndRowsOnlyPath) {
  Write(0, 300, {"p"});  // two files: p=0 and p=1, 150 rows each
  Write(1000, 10, {"p"});
  auto snapshot = Snapshot::Load(*store_).ValueOrDie();
  std::vector<int64_t> all(150);
  for (int64_t row = 0; row < 150; ++row) all[row] = row;
  ASSERT_OK_AND_ASSIGN(auto everything, InlineDeletionVector(all));
  ASSERT_OK_AND_ASSIGN(auto some, WriteDeletionVectorFile(*store_, {1, 2, 149}));
  ASSERT_OK(CommitDeletionVectors(*store_, {{FileStarting(0).path, everything},
                                            {FileStarting(1).path, some}})
                .status());
  // File p=0 of the first write held ids 0, 2, 4…; p=1 held 1, 3, 5… (row k = id 2k+1).
  std::multiset<int64_t> expected;
  for (int64_t id = 1; id < 300; id += 2) {
    const int64_t row = (id - 1) / 2;
    if (row != 1 && row != 2 && row != 149) expected.insert(id);
  }
  for (int64_t id = 1000; id < 1010; ++id) expected.insert(id);
  for (int64_t batch_size : {4, 1 << 16}) {
    ASSERT_OK_AND_ASSIGN(auto table, Read(batch_size));
    EXPECT_EQ(Ids(*table), expected);
    ASSERT_OK_AND_ASSIGN(auto counted, Read(batch_size, {"p"}));
    EXPECT_EQ(counted->num_rows(), static_cast<int64_t>(expected.size()));
  }
  // ReadDataFile (what delete and replaceWhere read) of the emptied file alone.
  ASSERT_OK_AND_ASSIGN(snapshot, Snapshot::Load(*store_));
  int emptied = 0;
  for (const auto& file : snapshot->files()) {
    if (!file.deletion_vector || file.deletion_vector->cardinality != 150) continue;
    ++emptied;
    ASSERT_OK_AND_ASSIGN(auto rows, ReadDataFile(*store_, snapshot->schema(),
                                                 snapshot->partition_columns(), file));
    EXPECT_EQ(rows->num_rows(), 0);
  }
  EXPECT_EQ(emptied, 1);
}

// Stats describe the physical file; a DV must never make stats skip a file that still
// has matching live rows. x is null at ids 0, 5 and 10 (nullCount 3 of numRecords
// 15); the DV deletes 12 rows, leaving 5, 10 (null) and 14. So numRecords minus the
// DV's cardinality equals nullCount although a live row is not null: a pruner that
// took it for the row count would call the file "all null" and skip `x IS NOT NULL`.
TEST_F(DeletionVectorScanTest, SkippingNeverDropsLiveMatches) {
  Write(0, 15);
  std::vector<int64_t> deleted = {0, 1, 2, 3, 4, 6, 7, 8, 9, 11, 12, 13};
  ASSERT_OK_AND_ASSIGN(auto dv, InlineDeletionVector(deleted));
  ASSERT_OK(CommitDeletionVectors(*store_, {{FileStarting(0).path, dv}}).status());
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  const Add file = snapshot->files()[0];
  auto x = cp::field_ref("x");
  struct Case {
    cp::Expression filter;
    std::multiset<int64_t> ids;
  };
  std::vector<Case> cases = {
      {cp::is_valid(x), {14}},
      {cp::is_null(x), {5, 10}},
      {cp::greater_equal(x, cp::literal(int64_t{14})), {14}},
      {cp::equal(x, cp::literal(int64_t{1})), {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.filter.ToString());
    ASSERT_OK_AND_ASSIGN(auto pruner, FilePruner::Make(c.filter, snapshot->schema(),
                                                       snapshot->partition_columns()));
    ASSERT_OK_AND_ASSIGN(auto verdict, pruner->Evaluate(file));
    if (!c.ids.empty()) {
      EXPECT_NE(verdict.match, FileMatch::kNone);
    }
    // Not every physical row matches, so no verdict may say every row does.
    EXPECT_NE(verdict.match, FileMatch::kAll);
    for (bool skip : {true, false}) {
      ASSERT_OK_AND_ASSIGN(auto table, Read(1 << 16, {}, c.filter, skip));
      EXPECT_EQ(Ids(*table), c.ids);
    }
  }
  EXPECT_EQ(snapshot->num_records(), 3);
}

// A checkpoint holds each add's DV; a snapshot loaded from it reads the same rows.
TEST_F(DeletionVectorScanTest, CheckpointCarriesTheDeletionVectors) {
  Write(0, 50);
  Write(50, 50);
  ASSERT_OK_AND_ASSIGN(auto file_dv, WriteDeletionVectorFile(*store_, {0, 10, 49}));
  ASSERT_OK_AND_ASSIGN(auto inline_dv, InlineDeletionVector({5}));
  ASSERT_OK(CommitDeletionVectors(*store_, {{FileStarting(0).path, file_dv},
                                            {FileStarting(50).path, inline_dv}})
                .status());
  ASSERT_OK_AND_ASSIGN(auto before, Read());
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  ASSERT_OK(WriteCheckpoint(*store_, *snapshot));
  ASSERT_OK_AND_ASSIGN(auto reloaded, Snapshot::Load(*store_));
  ASSERT_EQ(reloaded->checkpoint_version(), snapshot->version());
  int with_dv = 0;
  for (const auto& file : reloaded->files()) with_dv += file.deletion_vector ? 1 : 0;
  EXPECT_EQ(with_dv, 2);
  ASSERT_OK_AND_ASSIGN(auto after, ReadSnapshot(*store_, reloaded));
  EXPECT_EQ(Ids(*after), Ids(*before));
  EXPECT_EQ(after->num_rows(), 96);
  // Time travel to before the DVs: every row.
  SnapshotRequest at_v1;
  at_v1.version = 1;
  ASSERT_OK_AND_ASSIGN(auto v1, Snapshot::Load(*store_, at_v1));
  ASSERT_OK_AND_ASSIGN(auto old, ReadSnapshot(*store_, v1));
  EXPECT_EQ(old->num_rows(), 100);
}

// What cannot be carried is refused by name: deltaline writes no DVs, so appending,
// deleting or overwriting a table with the feature would lose or mis-keep them.
TEST_F(DeletionVectorScanTest, WritesToATableWithDeletionVectorsAreRefused) {
  Write(0, 10);
  ASSERT_OK_AND_ASSIGN(auto dv, InlineDeletionVector({3}));
  ASSERT_OK(CommitDeletionVectors(*store_, {{FileStarting(0).path, dv}}).status());
  auto batch = Rows(10, 5);
  ASSERT_OK_AND_ASSIGN(auto reader, arrow::RecordBatchReader::Make({batch}));
  WriteOptions append;
  append.mode = SaveMode::kAppend;
  auto appended = WriteBatches(*store_, *reader, append);
  ASSERT_FALSE(appended.ok());
  EXPECT_TRUE(IsKind(appended.status(), ErrorKind::kUnsupportedFeature));
  EXPECT_NE(appended.status().message().find("deletionVectors"), std::string::npos)
      << appended.status().ToString();
  auto deleted = Delete(*store_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{1})));
  ASSERT_FALSE(deleted.ok());
  EXPECT_TRUE(IsKind(deleted.status(), ErrorKind::kUnsupportedFeature));
  ASSERT_OK_AND_ASSIGN(auto table, Read());
  EXPECT_EQ(table->num_rows(), 9);
}

// A corrupt DV is an error at open, never a silently different row set.
TEST_F(DeletionVectorScanTest, BadDeletionVectorsFail) {
  Write(0, 10);
  Write(10, 10);
  ASSERT_OK_AND_ASSIGN(auto past_end, InlineDeletionVector({2, 10}));  // 10 rows: 0..9
  ASSERT_OK_AND_ASSIGN(auto missing, WriteDeletionVectorFile(*store_, {1}));
  ASSERT_OK_AND_ASSIGN(auto missing_path, DeletionVectorFilePath(*store_, missing));
  std::filesystem::remove(missing_path);
  ASSERT_OK(CommitDeletionVectors(*store_, {{FileStarting(0).path, past_end},
                                            {FileStarting(10).path, missing}})
                .status());
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  for (const auto& file : snapshot->files()) {
    auto read =
        ReadDataFile(*store_, snapshot->schema(), snapshot->partition_columns(), file);
    ASSERT_FALSE(read.ok());
    if (file.deletion_vector->storage_type == "i") {
      EXPECT_TRUE(IsKind(read.status(), ErrorKind::kProtocol))
          << read.status().ToString();
      EXPECT_NE(read.status().message().find("deletes row 10"), std::string::npos);
    } else {
      EXPECT_TRUE(read.status().IsIOError()) << read.status().ToString();
    }
    EXPECT_NE(read.status().message().find(file.deletion_vector->UniqueId()),
              std::string::npos)
        << read.status().ToString();
  }
  EXPECT_FALSE(Read().ok());
}

}  // namespace
}  // namespace deltaline::delta
