#include "delta/scan/change_feed.h"

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <string>

#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/transaction.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/deletion_vector.h"
#include "delta/scan/roaring_test_util.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TableFromJson;
using deltaline::testing::TempDir;

// One change row, as the tests compare them: id, type, version.
using Change = std::tuple<int64_t, std::string, int64_t>;

std::shared_ptr<arrow::Schema> IdSchema() {
  return arrow::schema({arrow::field("id", arrow::int64())});
}

// A tiny table through the write and transaction APIs, commit by commit.
class ChangeFeedTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = FileSystemLogStore::Open(dir_.str()).ValueOrDie(); }

  // Version 0 (or the next append): one new data file with these ids. Version 0
  // declares protocol 1/2, under which the transaction API commits to a table with
  // `delta.enableChangeDataFeed` (deltaline's writers refuse the property itself).
  void Write(const std::string& ids, bool cdf = true) {
    Add add;
    add.path = "part-" + std::to_string(next_file_++) + ".parquet";
    add.size = WriteParquet(add.path, *TableFromJson(IdSchema(), {ids}));
    add.modification_time = 1;
    if (next_file_ > 1) {
      Commit({add}, "WRITE");
      return;
    }
    Metadata metadata;
    metadata.id = "change-feed-test";
    metadata.schema_string =
        R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,)"
        R"("metadata":{}}]})";
    metadata.configuration["delta.enableChangeDataFeed"] = cdf ? "true" : "false";
    Transaction txn(store_.get(), nullptr);
    txn.AddAction(Protocol{});
    txn.AddAction(metadata);
    txn.AddAction(add);
    txn.SetOperation("CREATE TABLE", {});
    ASSERT_OK(txn.Commit().status());
  }

  std::shared_ptr<const Snapshot> Latest() {
    SnapshotRequest request;
    request.check_read_support = false;
    return Snapshot::Load(*store_, request).ValueOrDie();
  }

  // The live file holding `id` values (the only one written by that Write).
  Add FileOf(size_t index) { return Latest()->files().at(index); }

  void Commit(std::vector<Action> actions, const std::string& operation = "DELETE") {
    Transaction txn(store_.get(), Latest());
    for (auto& action : actions) txn.AddAction(std::move(action));
    txn.SetOperation(operation, {});
    ASSERT_OK(txn.Commit().status());
  }

  // A Parquet file of `batch` at `path` under the table root; returns its size.
  int64_t WriteParquet(const std::string& path, const arrow::Table& table) {
    std::filesystem::create_directories((dir_.path() / path).parent_path());
    auto out =
        arrow::io::FileOutputStream::Open((dir_.path() / path).string()).ValueOrDie();
    EXPECT_OK(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), out));
    EXPECT_OK(out->Close());
    return static_cast<int64_t>(std::filesystem::file_size(dir_.path() / path));
  }

  static Remove RemoveOf(const Add& add, bool data_change = true) {
    Remove remove;
    remove.path = add.path;
    remove.data_change = data_change;
    remove.partition_values = add.partition_values;
    remove.size = add.size;
    remove.deletion_vector = add.deletion_vector;
    remove.deletion_timestamp = 1;
    return remove;
  }

  static DeletionVectorDescriptor InlineDv(const std::vector<int64_t>& rows) {
    std::string bytes = roaring_test::SerializeRows(rows);
    const auto size = static_cast<int32_t>(bytes.size());
    bytes.append((4 - bytes.size() % 4) % 4, '\0');
    return {
        "i", Z85Encode(bytes).ValueOrDie(), {}, size, static_cast<int64_t>(rows.size())};
  }

  arrow::Result<std::shared_ptr<arrow::Table>> Read(ChangeFeedRequest request,
                                                    ChangeFeedOptions options = {}) {
    return ReadChanges(*store_, request, options);
  }

  std::vector<Change> Changes(ChangeFeedRequest request) {
    auto table = Read(request);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return {};
    auto combined = (*table)->CombineChunksToBatch().ValueOrDie();
    auto ids =
        std::static_pointer_cast<arrow::Int64Array>(combined->GetColumnByName("id"));
    auto types = std::static_pointer_cast<arrow::StringArray>(
        combined->GetColumnByName(kChangeTypeColumn));
    auto versions = std::static_pointer_cast<arrow::Int64Array>(
        combined->GetColumnByName(kCommitVersionColumn));
    std::vector<Change> out;
    for (int64_t row = 0; row < combined->num_rows(); ++row) {
      out.emplace_back(ids->Value(row), types->GetString(row), versions->Value(row));
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  TempDir dir_;
  std::unique_ptr<FileSystemLogStore> store_;
  int next_file_ = 0;
};

ChangeFeedRequest From(int64_t start, std::optional<int64_t> end = std::nullopt) {
  ChangeFeedRequest request;
  request.start_version = start;
  request.end_version = end;
  return request;
}

TEST_F(ChangeFeedTest, AppendsAreInsertsWithVersionAndCommitTime) {
  Write("[1, 2]");
  Write("[3]");
  EXPECT_EQ(Changes(From(0)),
            (std::vector<Change>{{1, "insert", 0}, {2, "insert", 0}, {3, "insert", 1}}));
  EXPECT_EQ(Changes(From(1)), (std::vector<Change>{{3, "insert", 1}}));
  EXPECT_EQ(Changes(From(0, 0)),
            (std::vector<Change>{{1, "insert", 0}, {2, "insert", 0}}));

  ASSERT_OK_AND_ASSIGN(auto table, Read(From(0)));
  EXPECT_EQ(table->schema()->ToString(),
            "id: int64\n_change_type: string\n_commit_version: int64\n"
            "_commit_timestamp: timestamp[us, tz=UTC]");
  // Spark's _commit_timestamp: the commit file's modification time (monotonised).
  auto mtime = [&](int64_t version) {
    return store_->HeadLog(CommitFileName(version)).ValueOrDie()->modification_time_ms;
  };
  int64_t v0 = mtime(0);
  int64_t v1 = std::max(mtime(1), v0 + 1);
  auto combined = table->CombineChunksToBatch().ValueOrDie();
  auto versions = std::static_pointer_cast<arrow::Int64Array>(combined->column(2));
  auto stamps = std::static_pointer_cast<arrow::TimestampArray>(combined->column(3));
  for (int64_t row = 0; row < combined->num_rows(); ++row) {
    EXPECT_EQ(stamps->Value(row), (versions->Value(row) == 0 ? v0 : v1) * 1000);
  }
}

TEST_F(ChangeFeedTest, CdcFilesAreReadInsteadOfAddsAndRemoves) {
  Write("[1, 2]");
  Add old_file = FileOf(0);
  // An UPDATE of 2 -> 20: the rewritten file, and the cdc file with both images.
  auto rewritten = TableFromJson(IdSchema(), {"[1, 20]"});
  Add add;
  add.path = "part-rewritten.parquet";
  add.size = WriteParquet(add.path, *rewritten);
  auto cdc_rows =
      TableFromJson({arrow::field("id", arrow::int64()),
                     arrow::field(kChangeTypeColumn, arrow::utf8())},
                    {"[2, 20]", R"(["update_preimage", "update_postimage"])"});
  Cdc cdc;
  cdc.path = "_change_data/cdc-00000.parquet";
  cdc.size = WriteParquet(cdc.path, *cdc_rows);
  Commit({RemoveOf(old_file), add, cdc}, "UPDATE");
  EXPECT_EQ(Changes(From(1)), (std::vector<Change>{{2, "update_preimage", 1},
                                                   {20, "update_postimage", 1}}));
}

TEST_F(ChangeFeedTest, RemoveWithoutCdcDeletesTheFilesRows) {
  Write("[1, 2]");
  Add first = FileOf(0);
  Write("[3]");
  Commit({RemoveOf(first)});
  ChangeFeedMetrics metrics;
  ChangeFeedOptions options;
  options.metrics = &metrics;
  ASSERT_OK_AND_ASSIGN(auto table, Read(From(2), options));
  EXPECT_EQ(table->num_rows(), 2);
  EXPECT_EQ(metrics.files_read, 1);
  EXPECT_EQ(metrics.rows_returned, 2);
  EXPECT_EQ(Changes(From(2)), (std::vector<Change>{{1, "delete", 2}, {2, "delete", 2}}));
}

TEST_F(ChangeFeedTest, DataChangeFalseCommitsYieldNothing) {
  Write("[1, 2]");
  Add file = FileOf(0);
  Add compacted = file;
  compacted.path = "part-compacted.parquet";
  compacted.size = WriteParquet(compacted.path, *TableFromJson(IdSchema(), {"[1, 2]"}));
  compacted.data_change = false;
  Commit({RemoveOf(file, /*data_change=*/false), compacted}, "OPTIMIZE");
  Write("[3]");
  EXPECT_EQ(Changes(From(1)), (std::vector<Change>{{3, "insert", 2}}));
  ASSERT_OK_AND_ASSIGN(auto feed, ChangeFeed::Make(*store_, From(1, 1)));
  EXPECT_TRUE(feed->commits().empty());
}

TEST_F(ChangeFeedTest, DeletionVectorDiffsWithoutCdc) {
  Write("[10, 11, 12, 13]");
  Add file = FileOf(0);
  // v1: DELETE rows 1 and 3 by a DV on the same file.
  Add with_dv = file;
  with_dv.deletion_vector = InlineDv({1, 3});
  Commit({RemoveOf(file), with_dv});
  // v2: DELETE row 2 too: the new DV holds 1, 2, 3.
  Add with_more = file;
  with_more.deletion_vector = InlineDv({1, 2, 3});
  Commit({RemoveOf(with_dv), with_more});
  // v3: a restore drops the DV: rows 1, 2, 3 come back.
  Commit({RemoveOf(with_more), file}, "RESTORE");
  // v4: the file goes, with its DV-less rows; v5: an append of a file with a DV.
  Commit({RemoveOf(file)});
  Add appended;
  appended.path = "part-dv.parquet";
  appended.size = WriteParquet(appended.path, *TableFromJson(IdSchema(), {"[7, 8, 9]"}));
  appended.deletion_vector = InlineDv({0});
  Commit({appended}, "WRITE");
  // v6: the file with a DV goes: only its live rows are deleted.
  Commit({RemoveOf(appended)});

  EXPECT_EQ(Changes(From(1, 1)),
            (std::vector<Change>{{11, "delete", 1}, {13, "delete", 1}}));
  EXPECT_EQ(Changes(From(2, 2)), (std::vector<Change>{{12, "delete", 2}}));
  EXPECT_EQ(
      Changes(From(3, 3)),
      (std::vector<Change>{{11, "insert", 3}, {12, "insert", 3}, {13, "insert", 3}}));
  EXPECT_EQ(
      Changes(From(4, 4)),
      (std::vector<Change>{
          {10, "delete", 4}, {11, "delete", 4}, {12, "delete", 4}, {13, "delete", 4}}));
  EXPECT_EQ(Changes(From(5, 6)),
            (std::vector<Change>{
                {8, "delete", 6}, {8, "insert", 5}, {9, "delete", 6}, {9, "insert", 5}}));
}

TEST_F(ChangeFeedTest, RefusesRangesWhereCdfWasOff) {
  Write("[1]", /*cdf=*/false);  // v0: CDF off
  Write("[2]");                 // v1: still off
  Metadata on = Latest()->metadata();
  on.configuration["delta.enableChangeDataFeed"] = "true";
  Commit({on}, "SET TBLPROPERTIES");  // v2
  Write("[3]");                       // v3
  Metadata off = on;
  off.configuration["delta.enableChangeDataFeed"] = "false";
  Commit({off}, "SET TBLPROPERTIES");  // v4
  Write("[4]");                        // v5

  for (auto request : {From(0, 3), From(1, 2), From(2, 4), From(3, 5)}) {
    auto read = Read(request);
    ASSERT_FALSE(read.ok());
    EXPECT_TRUE(IsKind(read.status(), ErrorKind::kChangeDataNotRecorded))
        << read.status().ToString();
  }
  auto from_one = Read(From(1, 2)).status();
  EXPECT_NE(from_one.message().find("versions 1 to 2"), std::string::npos) << from_one;
  EXPECT_NE(from_one.message().find("at version 1"), std::string::npos) << from_one;
  auto to_four = Read(From(2, 4)).status();
  EXPECT_NE(to_four.message().find("at version 4"), std::string::npos) << to_four;
  EXPECT_EQ(Changes(From(2, 3)), (std::vector<Change>{{3, "insert", 3}}));
}

TEST_F(ChangeFeedTest, RangeErrorsNameTheVersions) {
  Write("[1]");
  Write("[2]");
  auto backwards = Read(From(1, 0)).status();
  EXPECT_TRUE(IsKind(backwards, ErrorKind::kInvalidInput)) << backwards;
  EXPECT_NE(backwards.message().find("end version 0 is before the start version 1"),
            std::string::npos)
      << backwards;
  auto beyond = Read(From(2)).status();
  EXPECT_TRUE(IsKind(beyond, ErrorKind::kVersionNotFound)) << beyond;
  EXPECT_NE(beyond.message().find("start version 2"), std::string::npos) << beyond;
  auto end_beyond = Read(From(0, 5)).status();
  EXPECT_TRUE(IsKind(end_beyond, ErrorKind::kVersionNotFound)) << end_beyond;
  EXPECT_TRUE(IsKind(Read(ChangeFeedRequest{}).status(), ErrorKind::kInvalidInput));
}

TEST_F(ChangeFeedTest, ColumnsAndFilterOverTheChangeColumns) {
  Write("[1, 2]");
  Write("[3, 4]");
  ChangeFeedOptions options;
  options.columns = {kCommitVersionColumn, "id"};
  auto schema = arrow::schema({arrow::field("id", arrow::int64()),
                               arrow::field(kCommitVersionColumn, arrow::int64())});
  ASSERT_OK_AND_ASSIGN(options.filter,
                       ParsePredicate("_commit_version = 1 AND id > 3", *schema));
  ASSERT_OK_AND_ASSIGN(auto table, Read(From(0), options));
  EXPECT_EQ(table->schema()->ToString(), "_commit_version: int64\nid: int64");
  ASSERT_EQ(table->num_rows(), 1);
  EXPECT_EQ(table->column(1)->chunk(0)->ToString(), "[\n  4\n]");
  options.columns = {"nope"};
  options.filter.reset();
  EXPECT_TRUE(IsKind(Read(From(0), options).status(), ErrorKind::kInvalidInput));
}

TEST(ChangeFeedPlanTest, TimestampsAndTimeRanges) {
  std::vector<ListedCommit> commits = {
      {0, {"0.json", 1, 1000}}, {1, {"1.json", 1, 900}}, {2, {"2.json", 1, 3000}}};
  auto by_mtime = ChangeFeedTimestamps(commits, {});
  EXPECT_EQ(by_mtime, (std::map<int64_t, int64_t>{{0, 1000}, {1, 1001}, {2, 3000}}));
  auto by_ict = ChangeFeedTimestamps(commits, {{2, 2500}});
  EXPECT_EQ(by_ict.at(2), 2500);

  auto resolve = [&](ChangeFeedRequest request) {
    return ResolveChangeRange(request, by_mtime, "t");
  };
  ChangeFeedRequest request;
  request.start_timestamp_ms = 1001;  // exactly v1
  ASSERT_OK_AND_ASSIGN(auto range, resolve(request));
  EXPECT_EQ(range.start, 1);
  EXPECT_EQ(range.end, 2);
  request.start_timestamp_ms = 1002;  // after v1: the next commit
  request.end_timestamp_ms = 2999;    // before v2: v1
  ASSERT_OK_AND_ASSIGN(range, resolve(request));
  EXPECT_TRUE(range.empty());  // both between v1 and v2
  request.start_timestamp_ms = 500;
  ASSERT_OK_AND_ASSIGN(range, resolve(request));
  EXPECT_EQ(range.start, 0);
  EXPECT_EQ(range.end, 1);
  request.start_timestamp_ms = 3001;  // after the latest commit
  EXPECT_TRUE(IsKind(resolve(request).status(), ErrorKind::kVersionNotFound));
  request.start_timestamp_ms = 1001;
  request.end_timestamp_ms = 1000;  // end before start
  EXPECT_TRUE(IsKind(resolve(request).status(), ErrorKind::kInvalidInput));
  request.start_timestamp_ms = 0;
  request.end_timestamp_ms = 10;  // before the earliest commit
  EXPECT_TRUE(IsKind(resolve(request).status(), ErrorKind::kVersionNotFound));
}

TEST(ChangeFeedPlanTest, NoOpMergeAndPartitionlessRemove) {
  Add add;
  add.path = "a.parquet";
  CommitInfo merge;
  merge.operation = "MERGE";
  merge.operation_metrics = {{"numTargetRowsInserted", "0"},
                             {"numTargetRowsUpdated", "0"},
                             {"numTargetRowsDeleted", "0"}};
  ASSERT_OK_AND_ASSIGN(auto planned, PlanCommitChanges({merge, add}, {}, 3));
  EXPECT_TRUE(planned.empty());
  merge.operation_metrics["numTargetRowsInserted"] = "1";
  ASSERT_OK_AND_ASSIGN(planned, PlanCommitChanges({merge, add}, {}, 3));
  EXPECT_EQ(planned.size(), 1u);

  Remove remove;
  remove.path = "p=1/b.parquet";
  auto refused = PlanCommitChanges({remove}, {"p"}, 7);
  EXPECT_TRUE(IsKind(refused.status(), ErrorKind::kProtocol));
  EXPECT_NE(refused.status().message().find("commit 7"), std::string::npos);
}

}  // namespace
}  // namespace deltaline::delta
