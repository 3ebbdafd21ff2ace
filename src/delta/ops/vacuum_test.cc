#include "delta/ops/vacuum.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <arrow/util/uri.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/data_writer.h"
#include "delta/write/write.h"
#include "support/cli_runner.h"
#include "support/deltars_reader.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace fs = std::filesystem;
using deltaline::testing::IdsTable;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

const std::string kTables = DELTALINE_SOURCE_DIR "/../shared/delta-tables/";

/// Every regular file under `root`, relative paths.
std::set<std::string> ListTree(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file()) out.insert(fs::relative(entry.path(), root).string());
  }
  return out;
}

std::set<std::string> LogFiles(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& path : ListTree(root)) {
    if (path.rfind("_delta_log/", 0) == 0) out.insert(path);
  }
  return out;
}

std::set<std::string> LivePaths(LogStore& store) {
  auto snapshot = Snapshot::Load(store).ValueOrDie();
  std::set<std::string> out;
  for (const auto& add : snapshot->files())
    out.insert(arrow::util::UriUnescape(add.path));
  return out;
}

void Age(const fs::path& path, std::chrono::hours by) {
  fs::last_write_time(path, fs::file_time_type::clock::now() - by);
}

void Touch(const fs::path& path, const std::string& text = "junk") {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::shared_ptr<arrow::Table> ReadLatest(LogStore& store) {
  return ReadSnapshot(store, Snapshot::Load(store).ValueOrDie()).ValueOrDie();
}

/// Runs delta-rs on the table: version, row count and the operations of its history.
nlohmann::json DeltaRs(const std::string& table) {
  auto out =
      testing::ReadWithDeltaRs(table,
                               "print(json.dumps({\"version\": t.version(), \"rows\": "
                               "t.to_pyarrow_table().num_rows, \"operations\": "
                               "[h[\"operation\"] for h in t.history()]}), flush=True)");
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  return nlohmann::json::parse(out.ok() ? *out : std::string(), nullptr, false);
}

class VacuumTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "t";
    store_ = FileSystemLogStore::Open(root_.string()).ValueOrDie();
  }
  void WriteIds(const std::string& json, SaveMode mode) {
    WriteOptions options;
    options.mode = mode;
    ASSERT_OK(WriteTable(*store_, *IdsTable(json), options).status());
  }
  TempDir dir_;
  fs::path root_;
  std::unique_ptr<FileSystemLogStore> store_;
};

TEST_F(VacuumTest, OverwrittenFilesGoOnlyPastRetentionAndHistoryRecordsIt) {
  WriteIds("[1, 2, 3]", SaveMode::kError);
  const auto v0_files = LivePaths(*store_);
  WriteIds("[4, 5]", SaveMode::kOverwrite);
  const auto before = ListTree(root_);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));

  // Default retention (7 days): the overwritten file is far too young.
  ASSERT_OK_AND_ASSIGN(auto kept, Vacuum(*store_));
  EXPECT_TRUE(kept.files.empty());
  EXPECT_EQ(kept.retention_ms, 604'800'000);

  // A retention below the table's is refused while the check is on, typed.
  VacuumOptions zero;
  zero.retention_ms = 0;
  auto refused = Vacuum(*store_, zero);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(IsKind(refused.status(), ErrorKind::kInvalidInput)) << refused.status();
  EXPECT_NE(refused.status().message().find("retentionDurationCheck"), std::string::npos);

  zero.retention_check = false;
  zero.dry_run = true;
  const auto log_before_dry = LogFiles(root_);
  ASSERT_OK_AND_ASSIGN(auto dry, Vacuum(*store_, zero));
  EXPECT_EQ(std::set<std::string>(dry.files.begin(), dry.files.end()), v0_files);
  EXPECT_GT(dry.bytes, 0);
  EXPECT_FALSE(dry.start_version.has_value());
  EXPECT_EQ(LogFiles(root_), log_before_dry);  // a dry run commits nothing

  zero.dry_run = false;
  const auto live = LivePaths(*store_);
  ASSERT_OK_AND_ASSIGN(auto done, Vacuum(*store_, zero));
  EXPECT_EQ(std::set<std::string>(done.files.begin(), done.files.end()), v0_files);
  for (const auto& path : v0_files) EXPECT_FALSE(fs::exists(root_ / path)) << path;
  for (const auto& path : live) EXPECT_TRUE(fs::exists(root_ / path)) << path;
  // Nothing under _delta_log was deleted: every log file from before is still there.
  for (const auto& path : before) {
    if (path.rfind("_delta_log/", 0) == 0) {
      EXPECT_TRUE(fs::exists(root_ / path)) << path;
    }
  }
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[4, 5]"), *ReadLatest(*store_)));

  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store_, 2));
  ASSERT_EQ(history.size(), 2u);
  ASSERT_TRUE(done.start_version && done.end_version);
  EXPECT_EQ(history[0].version, *done.end_version);
  EXPECT_EQ(history[0].info->operation, "VACUUM END");
  EXPECT_EQ(history[0].info->operation_parameters.at("status"), "COMPLETED");
  EXPECT_EQ(history[0].info->operation_metrics.at("numDeletedFiles"),
            std::to_string(v0_files.size()));
  EXPECT_EQ(history[1].version, *done.start_version);
  EXPECT_EQ(history[1].info->operation, "VACUUM START");
  EXPECT_EQ(history[1].info->operation_parameters.at("retentionCheckEnabled"), "false");
  EXPECT_EQ(history[1].info->operation_parameters.at("specifiedRetentionMillis"), "0");
  EXPECT_EQ(history[1].info->operation_parameters.at("defaultRetentionMillis"),
            "604800000");
  EXPECT_EQ(history[1].info->operation_metrics.at("numFilesToDelete"),
            std::to_string(v0_files.size()));
  EXPECT_EQ(history[1].info->operation_metrics.at("sizeOfDataToDelete"),
            std::to_string(done.bytes));

  // delta-rs reads the vacuumed table and sees the two operations.
  auto rs = DeltaRs(root_.string());
  EXPECT_EQ(rs["version"], *done.end_version);
  EXPECT_EQ(rs["rows"], 2);
  EXPECT_EQ(rs["operations"][0], "VACUUM END");
  EXPECT_EQ(rs["operations"][1], "VACUUM START");
}

TEST_F(VacuumTest, OrphansOfAFailedWriteGoHiddenAndLogFilesStay) {
  WriteIds("[1, 2, 3]", SaveMode::kError);
  // What a write killed before its commit leaves: a finished but uncommitted data
  // file, and a torn one.
  auto writer =
      DataFileWriter::Make(store_->filesystem(), store_->root(), IdsTable("[]")->schema())
          .ValueOrDie();
  auto batch = IdsTable("[7, 8, 9]")->CombineChunksToBatch().ValueOrDie();
  ASSERT_OK(writer->Write(*batch));
  ASSERT_OK_AND_ASSIGN(auto orphan_adds, writer->Finish());
  ASSERT_EQ(orphan_adds.size(), 1u);
  const std::string orphan = orphan_adds[0].path;
  const std::string live = *LivePaths(*store_).begin();
  fs::copy_file(root_ / live, root_ / "part-00000-torn.zstd.parquet");
  fs::resize_file(root_ / "part-00000-torn.zstd.parquet", 20);
  Touch(root_ / "sub" / "deeper" / "old.parquet");
  // Hidden and log entries that vacuum must never touch, however old.
  Touch(root_ / ".hidden.parquet");
  Touch(root_ / "_tmp" / "x.parquet");
  Touch(root_ / "_delta_log" / "stray.parquet");
  Touch(root_ / "_delta_log" / ".00000000000000000009.json.tmp.1.2");
  for (const auto& path : ListTree(root_)) Age(root_ / path, std::chrono::hours(2));
  Touch(root_ / "young.parquet");  // may belong to a write in flight

  VacuumOptions options;
  options.retention_ms = 3'600'000;  // one hour
  options.retention_check = false;
  ASSERT_OK_AND_ASSIGN(auto result, Vacuum(*store_, options));
  EXPECT_EQ(std::set<std::string>(result.files.begin(), result.files.end()),
            (std::set<std::string>{orphan, "part-00000-torn.zstd.parquet",
                                   "sub/deeper/old.parquet"}));
  EXPECT_EQ(result.directories_deleted, 2);
  EXPECT_FALSE(fs::exists(root_ / "sub"));
  for (const char* stays :
       {".hidden.parquet", "_tmp/x.parquet", "_delta_log/stray.parquet",
        "_delta_log/.00000000000000000009.json.tmp.1.2", "young.parquet"}) {
    EXPECT_TRUE(fs::exists(root_ / stays)) << stays;
  }
  EXPECT_TRUE(fs::exists(root_ / live));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2, 3]"), *ReadLatest(*store_)));
  EXPECT_EQ(DeltaRs(root_.string())["rows"], 3);
}

TEST_F(VacuumTest, TombstonesInsideRetentionKeepTheirFiles) {
  WriteIds("[1]", SaveMode::kError);
  const auto removed = LivePaths(*store_);
  WriteIds("[2]", SaveMode::kOverwrite);
  for (const auto& path : removed) Age(root_ / path, std::chrono::hours(3));
  // The file is old, but it was removed just now: readers of version 0 may still
  // need it for another hour (Spark keeps files of unexpired tombstones).
  VacuumOptions options;
  options.retention_ms = 3'600'000;
  options.retention_check = false;
  ASSERT_OK_AND_ASSIGN(auto kept, Vacuum(*store_, options));
  EXPECT_TRUE(kept.files.empty());
  for (const auto& path : removed) EXPECT_TRUE(fs::exists(root_ / path));
  options.retention_ms = 0;
  ASSERT_OK_AND_ASSIGN(auto gone, Vacuum(*store_, options));
  EXPECT_EQ(std::set<std::string>(gone.files.begin(), gone.files.end()), removed);
}

TEST_F(VacuumTest, TableRetentionPropertyIsTheDefaultAndTheFloor) {
  WriteOptions options;
  options.table_properties = {{"delta.deletedFileRetentionDuration", "interval 2 hours"}};
  ASSERT_OK(WriteTable(*store_, *IdsTable("[1]"), options).status());
  VacuumOptions vacuum;
  ASSERT_OK_AND_ASSIGN(auto result, Vacuum(*store_, vacuum));
  EXPECT_EQ(result.retention_ms, 7'200'000);
  vacuum.retention_ms = 3'600'000;
  EXPECT_TRUE(IsKind(Vacuum(*store_, vacuum).status(), ErrorKind::kInvalidInput));
  vacuum.retention_ms = 3 * 3'600'000;  // longer than the table's: fine
  EXPECT_OK(Vacuum(*store_, vacuum).status());
}

// Spark's special-character partitions: `x=A%2FA` on disk, `x=A%252FA/…` in the log.
TEST(VacuumRealTable, PartitionDirectoriesAndEncodedPaths) {
  TempDir dir;
  const fs::path root = dir.path() / "special";
  fs::copy(kTables + "delta-0.8.0-special-partition", root, fs::copy_options::recursive);
  auto store = FileSystemLogStore::Open(root.string()).ValueOrDie();
  auto rows_before = ReadLatest(*store);
  const auto data_before = ListTree(root);
  Touch(root / "x=A%2FA" / "part-orphan.parquet");
  Touch(root / "x=C" / "part-only-orphan.parquet");
  for (const auto& path : ListTree(root)) Age(root / path, std::chrono::hours(1));

  VacuumOptions options;
  options.retention_ms = 0;
  options.retention_check = false;
  ASSERT_OK_AND_ASSIGN(auto result, Vacuum(*store, options));
  EXPECT_EQ(std::set<std::string>(result.files.begin(), result.files.end()),
            (std::set<std::string>{"x=A%2FA/part-orphan.parquet",
                                   "x=C/part-only-orphan.parquet"}));
  EXPECT_EQ(result.directories_deleted, 1);
  for (const auto& path : data_before) EXPECT_TRUE(fs::exists(root / path)) << path;
  EXPECT_FALSE(fs::exists(root / "x=C"));
  EXPECT_TRUE(TablesEqualUnordered(*rows_before, *ReadLatest(*store)));
  auto rs = DeltaRs(root.string());
  EXPECT_EQ(rs["rows"], rows_before->num_rows());
  EXPECT_EQ(rs["version"], 2);
}

using testing::RunDeltaline;

TEST_F(VacuumTest, Cli) {
  WriteIds("[1, 2]", SaveMode::kError);
  const auto removed = LivePaths(*store_);
  WriteIds("[3]", SaveMode::kOverwrite);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string table = root_.string();

  auto refused = RunDeltaline("vacuum " + table + " --retain-hours 0");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.out.find("InvalidInput"), std::string::npos) << refused.out;
  EXPECT_NE(refused.out.find("retentionDurationCheck"), std::string::npos) << refused.out;

  auto dry = RunDeltaline("vacuum " + table +
                          " --retain-hours 0 --no-retention-check --dry-run");
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  for (const auto& path : removed) {
    EXPECT_NE(dry.out.find(path + "\n"), std::string::npos) << dry.out;
    EXPECT_TRUE(fs::exists(root_ / path));
  }

  auto done =
      RunDeltaline("vacuum " + table + " --retain-hours 0 --no-retention-check --json");
  ASSERT_EQ(done.exit_code, 0) << done.out;
  auto json = nlohmann::json::parse(done.out);
  EXPECT_EQ(json["numFiles"], removed.size());
  EXPECT_EQ(json["dryRun"], false);
  EXPECT_EQ(json["startVersion"], 2);
  EXPECT_EQ(json["endVersion"], 3);
  for (const auto& path : removed) EXPECT_FALSE(fs::exists(root_ / path));
  auto history = RunDeltaline("history " + table + " --json --limit 1");
  EXPECT_NE(history.out.find("VACUUM END"), std::string::npos) << history.out;
}

}  // namespace
}  // namespace deltaline::delta
