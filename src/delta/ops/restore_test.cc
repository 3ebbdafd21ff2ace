#include "delta/ops/restore.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/util/uri.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/cli_runner.h"
#include "support/deltars_reader.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace fs = std::filesystem;
namespace cp = arrow::compute;
using deltaline::testing::IdsTable;
using deltaline::testing::RunDeltaline;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

std::shared_ptr<arrow::Table> ReadAt(LogStore& store, std::optional<int64_t> version) {
  SnapshotRequest request;
  request.version = version;
  auto snapshot = Snapshot::Load(store, request).ValueOrDie();
  return ReadSnapshot(store, snapshot).ValueOrDie();
}

std::shared_ptr<arrow::Table> IdsNames(const std::string& ids, const std::string& names) {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  return testing::TableFromJson(schema, {ids, names});
}

// A table whose versions hold appends, an overwrite, a delete that rewrites a file,
// and a schema change:
//   0 [1,2,3]  1 +[4,5]  2 overwrite [10,11,12]  3 delete id=11 (rewrite)
//   4 +[20,"x"] with a new column `name` (schema merge)
class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "t";
    store_ = FileSystemLogStore::Open(root_.string()).ValueOrDie();
    Write(*IdsTable("[1, 2, 3]"), SaveMode::kError);
    Write(*IdsTable("[4, 5]"), SaveMode::kAppend);
    Write(*IdsTable("[10, 11, 12]"), SaveMode::kOverwrite);
    ASSERT_OK(Delete(*store_, cp::equal(cp::field_ref("id"), cp::literal(int64_t{11})))
                  .status());
    WriteOptions merge;
    merge.mode = SaveMode::kAppend;
    merge.schema_mode = SchemaMode::kMerge;
    ASSERT_OK(WriteTable(*store_, *IdsNames("[20]", R"(["x"])"), merge).status());
    ASSERT_EQ(Snapshot::Load(*store_).ValueOrDie()->version(), 4);
  }
  void Write(const arrow::Table& table, SaveMode mode) {
    WriteOptions options;
    options.mode = mode;
    ASSERT_OK(WriteTable(*store_, table, options).status());
  }
  int64_t Latest() { return Snapshot::Load(*store_).ValueOrDie()->version(); }

  TempDir dir_;
  fs::path root_;
  std::unique_ptr<FileSystemLogStore> store_;
};

TEST_F(RestoreTest, EachVersionsContentAndSchemaComeBackAsOneCommit) {
  // Every older version, out of order, each restore on top of the previous ones.
  for (int64_t target : {1, 3, 0, 2}) {
    SCOPED_TRACE("restore to " + std::to_string(target));
    auto expected = ReadAt(*store_, target);
    const int64_t before = Latest();
    RestoreOptions options;
    options.version = target;
    ASSERT_OK_AND_ASSIGN(auto result, Restore(*store_, options));
    EXPECT_EQ(result.version, before + 1);
    EXPECT_EQ(result.restored_version, target);
    auto actual = ReadAt(*store_, std::nullopt);
    // The schema change (version 4's `name`) is undone with the rows.
    EXPECT_TRUE(actual->schema()->Equals(*expected->schema()))
        << actual->schema()->ToString();
    EXPECT_TRUE(TablesEqualUnordered(*expected, *actual));
    SnapshotRequest at_target;
    at_target.version = target;
    auto target_snapshot = Snapshot::Load(*store_, at_target).ValueOrDie();
    auto now = Snapshot::Load(*store_).ValueOrDie();
    EXPECT_EQ(now->metadata().schema_string, target_snapshot->metadata().schema_string);
    EXPECT_EQ(now->num_files(), target_snapshot->num_files());
  }
  // Forward again to the schema-changed version: the column and its row return.
  RestoreOptions forward;
  forward.version = 4;
  ASSERT_OK(Restore(*store_, forward).status());
  EXPECT_TRUE(TablesEqualUnordered(*ReadAt(*store_, 4), *ReadAt(*store_, std::nullopt)));
  EXPECT_EQ(ReadAt(*store_, std::nullopt)->schema()->num_fields(), 2);

  // delta-rs, an independent reader, sees the restored content.
  auto rows = testing::ReadWithDeltaRs(
      root_.string(),
      "print(json.dumps(sorted(t.to_pyarrow_table().column('id').to_pylist())))");
  ASSERT_OK(rows.status());
  EXPECT_EQ(nlohmann::json::parse(*rows), nlohmann::json::parse("[10, 12, 20]"));
}

TEST_F(RestoreTest, HistoryRecordsRestoreWithSparksMetrics) {
  RestoreOptions options;
  options.version = 1;
  ASSERT_OK_AND_ASSIGN(auto result, Restore(*store_, options));
  // Version 1 had the two files of [1,2,3] and [4,5]; now live: the rewritten file of
  // [10,12] and the [20] file.
  EXPECT_EQ(result.num_restored_files, 2);
  EXPECT_EQ(result.num_removed_files, 2);
  EXPECT_EQ(result.num_of_files_after_restore, 2);
  EXPECT_TRUE(result.metadata_changed);
  EXPECT_FALSE(result.protocol_changed);
  SnapshotRequest v1;
  v1.version = 1;
  EXPECT_EQ(result.table_size_after_restore,
            Snapshot::Load(*store_, v1).ValueOrDie()->size_bytes());
  EXPECT_EQ(result.restored_files_size, result.table_size_after_restore);
  EXPECT_GT(result.removed_files_size, 0);

  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store_, 1));
  ASSERT_EQ(history.size(), 1u);
  ASSERT_TRUE(history[0].info.has_value());
  const CommitInfo& info = *history[0].info;
  EXPECT_EQ(info.operation, "RESTORE");
  EXPECT_EQ(info.operation_parameters.at("version"), "1");
  const StringMap& m = info.operation_metrics;
  EXPECT_EQ(m.at("numRestoredFiles"), "2");
  EXPECT_EQ(m.at("numRemovedFiles"), "2");
  EXPECT_EQ(m.at("numOfFilesAfterRestore"), "2");
  EXPECT_EQ(m.at("tableSizeAfterRestore"),
            std::to_string(result.table_size_after_restore));
  EXPECT_EQ(m.at("restoredFilesSize"), std::to_string(result.restored_files_size));
  EXPECT_EQ(m.at("removedFilesSize"), std::to_string(result.removed_files_size));

  // The commit's actions: re-adds with dataChange, removes with their size and
  // partition values (extended metadata), and the metadata of version 1.
  ASSERT_OK_AND_ASSIGN(auto actions, ReadCommit(*store_, result.version));
  int adds = 0, removes = 0, metadata = 0;
  for (const auto& action : actions) {
    if (const auto* add = std::get_if<Add>(&action)) {
      EXPECT_TRUE(add->data_change);
      EXPECT_TRUE(add->stats.has_value());
      ++adds;
    }
    if (const auto* rm = std::get_if<Remove>(&action)) {
      EXPECT_TRUE(rm->data_change);
      EXPECT_EQ(rm->extended_file_metadata, true);
      EXPECT_TRUE(rm->size.has_value() && *rm->size > 0);
      EXPECT_TRUE(rm->partition_values.has_value());
      ++removes;
    }
    if (std::holds_alternative<Metadata>(action)) ++metadata;
  }
  EXPECT_EQ(adds, 2);
  EXPECT_EQ(removes, 2);
  EXPECT_EQ(metadata, 1);
}

TEST_F(RestoreTest, VacuumedFileIsNamedAndNothingIsCommitted) {
  SnapshotRequest v0;
  v0.version = 0;
  auto files = Snapshot::Load(*store_, v0).ValueOrDie()->files();
  ASSERT_EQ(files.size(), 1u);
  const std::string gone = arrow::util::UriUnescape(files[0].path);
  fs::remove(root_ / gone);
  const auto log_before = Latest();

  RestoreOptions options;
  options.version = 0;
  auto failed = Restore(*store_, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(IsKind(failed.status(), ErrorKind::kInvalidInput)) << failed.status();
  EXPECT_NE(failed.status().message().find(gone), std::string::npos) << failed.status();
  EXPECT_NE(failed.status().message().find("version 0"), std::string::npos);
  EXPECT_NE(failed.status().message().find("1 of its files"), std::string::npos);
  EXPECT_EQ(Latest(), log_before);

  // Version 1 needs that file too; version 2's files are all there.
  options.version = 1;
  EXPECT_FALSE(Restore(*store_, options).ok());
  options.version = 2;
  EXPECT_OK(Restore(*store_, options).status());
}

TEST_F(RestoreTest, ByTimestampAndTheVersionsThatCannotBeRestored) {
  SnapshotRequest v1;
  v1.version = 1;
  const int64_t t1 = Snapshot::Load(*store_, v1).ValueOrDie()->timestamp_ms();
  RestoreOptions by_time;
  by_time.timestamp_ms = t1;
  by_time.timestamp_text = "given-as-text";
  ASSERT_OK_AND_ASSIGN(auto result, Restore(*store_, by_time));
  EXPECT_EQ(result.restored_version, 1);
  EXPECT_TRUE(TablesEqualUnordered(*ReadAt(*store_, 1), *ReadAt(*store_, std::nullopt)));
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store_, 1));
  EXPECT_EQ(history[0].info->operation_parameters.at("timestamp"), "given-as-text");

  const int64_t latest = Latest();
  auto fails_as = [&](const RestoreOptions& options, ErrorKind kind) {
    auto r = Restore(*store_, options);
    return !r.ok() && IsKind(r.status(), kind);
  };
  RestoreOptions current;
  current.version = latest;  // the current version: refused, as Spark and delta-rs
  EXPECT_TRUE(fails_as(current, ErrorKind::kInvalidInput));
  RestoreOptions future;
  future.version = latest + 5;
  EXPECT_TRUE(fails_as(future, ErrorKind::kInvalidInput));
  RestoreOptions neither;
  EXPECT_TRUE(fails_as(neither, ErrorKind::kInvalidInput));
  RestoreOptions before_any;
  before_any.timestamp_ms = 1000;
  EXPECT_TRUE(fails_as(before_any, ErrorKind::kVersionNotFound));
  EXPECT_EQ(Latest(), latest);
}

TEST_F(RestoreTest, AConcurrentWriteConflictsAndNothingIsCommitted) {
  auto read = Snapshot::Load(*store_).ValueOrDie();
  Write(*IdsNames("[99]", R"(["y"])"), SaveMode::kAppend);  // after the restore read
  RestoreOptions options;
  options.version = 1;
  options.read_snapshot = read;
  auto failed = Restore(*store_, options);
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(IsCommitConflict(failed.status())) << failed.status();
  EXPECT_EQ(GetConflictKind(failed.status()), ConflictKind::kConcurrentAppend);
  EXPECT_EQ(Latest(), 5);
}

TEST_F(RestoreTest, CliExitCodesAndJson) {
  const std::string table = "'" + root_.string() + "'";
  auto run = RunDeltaline("restore " + table + " --version 1 --json", dir_);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto json = nlohmann::json::parse(run.out);
  EXPECT_EQ(json["version"], 5);
  EXPECT_EQ(json["restoredVersion"], 1);
  EXPECT_EQ(json["readVersion"], 4);
  for (const char* key :
       {"tableSizeAfterRestore", "numOfFilesAfterRestore", "numRemovedFiles",
        "numRestoredFiles", "removedFilesSize", "restoredFilesSize"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["numRestoredFiles"], 2);

  EXPECT_EQ(RunDeltaline("restore " + table, dir_).exit_code, 2);
  EXPECT_EQ(
      RunDeltaline("restore " + table + " --version 1 --timestamp 2024-01-01T00:00:00Z",
                   dir_)
          .exit_code,
      2);
  auto bad_time = RunDeltaline("restore " + table + " --timestamp yesterday", dir_);
  EXPECT_NE(bad_time.exit_code, 0);
  EXPECT_NE(bad_time.err.find("--timestamp"), std::string::npos) << bad_time.err;
  auto too_new = RunDeltaline("restore " + table + " --version 5", dir_);
  EXPECT_EQ(too_new.exit_code, 1);
  EXPECT_NE(too_new.err.find("older than the latest"), std::string::npos) << too_new.err;
  auto by_time =
      RunDeltaline("restore " + table + " --timestamp 1970-01-01T00:00:00Z", dir_);
  EXPECT_EQ(by_time.exit_code, 1) << by_time.err;
  EXPECT_EQ(Latest(), 5);
}

}  // namespace
}  // namespace deltaline::delta
