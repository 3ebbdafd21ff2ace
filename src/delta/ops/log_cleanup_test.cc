#include "delta/log/log_cleanup.h"

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/snapshot.h"
#include "delta/write/write.h"
#include "support/cli_runner.h"
#include "support/deltars_reader.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace fs = std::filesystem;
using deltaline::testing::IdsTable;
using deltaline::testing::RunDeltaline;
using deltaline::testing::TempDir;

const std::string kTables = DELTALINE_SOURCE_DIR "/../shared/delta-tables/";
constexpr int64_t kDayMs = 86'400'000;

std::set<std::string> LogNames(const fs::path& root) {
  std::set<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root / "_delta_log")) {
    if (entry.is_regular_file())
      out.insert(fs::relative(entry.path(), root / "_delta_log").string());
  }
  return out;
}

// Sets the file time of every log file of a version <= `upto` 40 days back.
void AgeVersions(const fs::path& root, int64_t upto) {
  for (const auto& entry : fs::recursive_directory_iterator(root / "_delta_log")) {
    if (!entry.is_regular_file()) continue;
    ParsedLogName parsed = ParseLogFileName(entry.path().filename().string());
    const bool sidecar = entry.path().parent_path().filename() == "_sidecars";
    if (!sidecar && (parsed.type == LogFileType::kOther || parsed.version > upto))
      continue;
    fs::last_write_time(entry.path(),
                        fs::file_time_type::clock::now() - std::chrono::hours(24 * 40));
  }
}

std::unique_ptr<FileSystemLogStore> MakeTable(const fs::path& root, int commits,
                                              StringMap properties) {
  auto store = FileSystemLogStore::Open(root.string()).ValueOrDie();
  for (int i = 0; i < commits; ++i) {
    WriteOptions options;
    options.mode = SaveMode::kAppend;
    options.table_properties = properties;
    EXPECT_OK(
        WriteTable(*store, *IdsTable("[" + std::to_string(i) + "]"), options).status());
  }
  return store;
}

std::string Commit(int64_t v) { return CommitFileName(v); }

// Every version of `versions` loads in deltaline with v+1 rows (one row per commit).
void ExpectLoads(LogStore& store, int64_t from, int64_t to) {
  for (int64_t v = from; v <= to; ++v) {
    SnapshotRequest request;
    request.version = v;
    SCOPED_TRACE("version " + std::to_string(v));
    auto snapshot = Snapshot::Load(store, request);
    ASSERT_OK(snapshot.status());
    EXPECT_EQ((*snapshot)->num_records(), v + 1) << "version " << v;
  }
}

class LogCleanupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "t";
    store_ = MakeTable(root_, 30, {{"delta.checkpointInterval", "10"}});
    ASSERT_TRUE(fs::exists(root_ / "_delta_log" / CheckpointFileName(10)));
    ASSERT_TRUE(fs::exists(root_ / "_delta_log" / CheckpointFileName(20)));
  }
  TempDir dir_;
  fs::path root_;
  std::unique_ptr<FileSystemLogStore> store_;
};

TEST_F(LogCleanupTest, ExpiredCommitsGoDownToTheCheckpointTheKeptVersionsNeed) {
  AgeVersions(root_, 14);  // versions 0..14 expired; checkpoint 10 is the boundary
  const auto before = LogNames(root_);
  std::vector<std::string> expected;
  for (int64_t v = 0; v < 10; ++v) expected.push_back(Commit(v));

  LogCleanupOptions dry;
  dry.dry_run = true;
  ASSERT_OK_AND_ASSIGN(auto planned, CleanupExpiredLogs(*store_, dry));
  EXPECT_EQ(planned.files, expected);
  EXPECT_EQ(planned.checkpoint_version, 10);
  EXPECT_EQ(planned.earliest_version, 10);
  EXPECT_EQ(planned.retention_ms, 30 * kDayMs);
  EXPECT_EQ(LogNames(root_), before);  // a dry run deletes nothing

  ASSERT_OK_AND_ASSIGN(auto done, CleanupExpiredLogs(*store_));
  EXPECT_EQ(done.files, expected);
  auto after = LogNames(root_);
  for (const auto& name : expected) EXPECT_FALSE(after.count(name)) << name;
  for (int64_t v = 10; v < 30; ++v) EXPECT_TRUE(after.count(Commit(v))) << v;
  EXPECT_TRUE(after.count(CheckpointFileName(10)));
  EXPECT_TRUE(after.count(std::string(kLastCheckpointName)));

  ExpectLoads(*store_, 10, 29);
  for (int64_t v : {0, 5, 9}) {
    SnapshotRequest request;
    request.version = v;
    auto gone = Snapshot::Load(*store_, request);
    ASSERT_FALSE(gone.ok()) << v;
    EXPECT_TRUE(IsKind(gone.status(), ErrorKind::kVersionNotFound)) << gone.status();
    EXPECT_NE(gone.status().message().find("cleaned up"), std::string::npos)
        << gone.status();
    EXPECT_NE(gone.status().message().find("oldest checkpoint 10"), std::string::npos)
        << gone.status();
    // The checkpoints that remain are fine: the message must not say otherwise.
    EXPECT_EQ(gone.status().message().find("missing"), std::string::npos)
        << gone.status();
  }
  // delta-rs opens every kept version, with the same rows.
  auto rows = testing::ReadWithDeltaRs(root_.string(), R"(
out = []
for v in range(10, 30):
    t.load_as_version(v)
    out.append(t.to_pyarrow_table().num_rows)
print(json.dumps(out)))");
  ASSERT_OK(rows.status());
  nlohmann::json expected_rows = nlohmann::json::array();
  for (int v = 10; v < 30; ++v) expected_rows.push_back(v + 1);
  EXPECT_EQ(nlohmann::json::parse(*rows), expected_rows);

  // Again: nothing more is expired below the boundary.
  ASSERT_OK_AND_ASSIGN(auto again, CleanupExpiredLogs(*store_));
  EXPECT_TRUE(again.files.empty());
}

TEST_F(LogCleanupTest, EverythingExpiredKeepsTheNewestCheckpointAndWhatFollows) {
  // "Now" 31 days ahead: every file is past the 30-day retention.
  LogCleanupOptions options;
  options.now_ms = NowMs() + 31 * kDayMs;
  ASSERT_OK_AND_ASSIGN(auto done, CleanupExpiredLogs(*store_, options));
  EXPECT_EQ(done.checkpoint_version, 20);
  EXPECT_EQ(done.earliest_version, 20);
  std::set<std::string> expected;
  for (int64_t v = 0; v < 20; ++v) expected.insert(Commit(v));
  expected.insert(CheckpointFileName(10));
  EXPECT_EQ(std::set<std::string>(done.files.begin(), done.files.end()), expected);
  auto after = LogNames(root_);
  EXPECT_TRUE(after.count(CheckpointFileName(20)));
  for (int64_t v = 20; v < 30; ++v) EXPECT_TRUE(after.count(Commit(v))) << v;
  ExpectLoads(*store_, 20, 29);
  ASSERT_OK_AND_ASSIGN(auto latest, Snapshot::Load(*store_));
  EXPECT_EQ(latest->version(), 29);
}

TEST_F(LogCleanupTest, TheCheckpointLastCheckpointNamesIsNeverDeleted) {
  // A stale hint (a writer that checkpointed 20 without updating it): readers that
  // trust it open checkpoint 10 first, so 10 stays the boundary.
  ASSERT_OK_AND_ASSIGN(auto hint, store_->ReadLog(kLastCheckpointName));
  std::string text = hint->ToString();
  auto json = nlohmann::json::parse(text);
  ASSERT_EQ(json["version"], 20);
  ASSERT_OK(store_->PutReplace(kLastCheckpointName, R"({"version":10,"size":13})"));
  LogCleanupOptions options;
  options.now_ms = NowMs() + 31 * kDayMs;
  ASSERT_OK_AND_ASSIGN(auto done, CleanupExpiredLogs(*store_, options));
  EXPECT_EQ(done.checkpoint_version, 10);
  EXPECT_EQ(done.files.size(), 10u);
  EXPECT_TRUE(fs::exists(root_ / "_delta_log" / CheckpointFileName(10)));
  ExpectLoads(*store_, 10, 29);
  auto rows = testing::ReadWithDeltaRs(
      root_.string(), "print(t.version(), t.to_pyarrow_table().num_rows)");
  ASSERT_OK(rows.status());
  EXPECT_EQ(*rows, "29 30\n");
}

TEST_F(LogCleanupTest, NothingGoesWithoutAnExpiredCheckpoint) {
  AgeVersions(root_, 8);  // expired commits, but no checkpoint at or below 8
  const auto before = LogNames(root_);
  ASSERT_OK_AND_ASSIGN(auto done, CleanupExpiredLogs(*store_));
  EXPECT_FALSE(done.checkpoint_version.has_value());
  EXPECT_TRUE(done.files.empty());
  EXPECT_EQ(done.earliest_version, 0);
  EXPECT_EQ(LogNames(root_), before);
  ExpectLoads(*store_, 0, 29);
}

TEST(LogCleanupAfterCheckpoint, RunsWhenEnabledByDefaultAndNotWhenDisabled) {
  TempDir dir;
  for (bool enabled : {true, false}) {
    SCOPED_TRACE(enabled ? "enabled (default)" : "disabled");
    fs::path root = dir.path() / (enabled ? "on" : "off");
    StringMap properties = {{"delta.checkpointInterval", "5"}};
    if (!enabled) properties["delta.enableExpiredLogCleanup"] = "false";
    auto store = MakeTable(root, 10, properties);  // versions 0..9, checkpoint 5
    AgeVersions(root, 9);
    const auto before = LogNames(root);
    WriteOptions append;
    append.mode = SaveMode::kAppend;
    ASSERT_OK_AND_ASSIGN(auto written, WriteTable(*store, *IdsTable("[10]"), append));
    ASSERT_EQ(written.version, 10);
    EXPECT_TRUE(written.checkpoint_written);
    auto after = LogNames(root);
    for (int64_t v = 0; v < 5; ++v) EXPECT_EQ(after.count(Commit(v)), enabled ? 0u : 1u);
    for (int64_t v = 5; v <= 10; ++v) EXPECT_TRUE(after.count(Commit(v))) << v;
    EXPECT_TRUE(after.count(CheckpointFileName(5)));
    ExpectLoads(*store, enabled ? 5 : 0, 10);
  }
}

TEST(LogCleanupV2, UnreferencedSidecarsGoWithTheirCheckpoint) {
  TempDir dir;
  fs::path root = dir.path() / "v2";
  fs::copy(kTables + "checkpoint-v2-table", root, fs::copy_options::recursive);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    fs::permissions(entry.path(), fs::perms::owner_write, fs::perm_options::add);
  }
  fs::permissions(root, fs::perms::owner_write, fs::perm_options::add);
  AgeVersions(root, 9);
  auto store = FileSystemLogStore::Open(root.string()).ValueOrDie();
  ASSERT_OK_AND_ASSIGN(auto done, CleanupExpiredLogs(*store));
  EXPECT_EQ(done.checkpoint_version, 8);
  EXPECT_EQ(done.earliest_version, 8);
  std::set<std::string> expected;
  for (int64_t v = 0; v < 8; ++v) {
    expected.insert(Commit(v));
    expected.insert(CommitFileName(v).substr(0, 20) + ".crc");
  }
  expected.insert(
      "00000000000000000006.checkpoint.f5ee283b-37c7-46af-b64c-8f77c6a5c43a.json");
  expected.insert(
      "_sidecars/"
      "00000000000000000006.checkpoint.0000000001.0000000001.1a1516f4-8a39-48f0-9ccd-"
      "cc3790d824c7.parquet");
  EXPECT_EQ(std::set<std::string>(done.files.begin(), done.files.end()), expected);
  EXPECT_TRUE(fs::exists(root / "_delta_log/_sidecars" /
                         "00000000000000000008.checkpoint.0000000001.0000000001.d55fb2cb-"
                         "b8d3-4362-8572-c52142a9da1f.parquet"));
  for (int64_t v : {8, 9}) {
    SnapshotRequest request;
    request.version = v;
    EXPECT_TRUE(Snapshot::Load(*store, request).ok()) << v;
  }
  SnapshotRequest seven;
  seven.version = 7;
  EXPECT_TRUE(
      IsKind(Snapshot::Load(*store, seven).status(), ErrorKind::kVersionNotFound));
}

TEST(LogCleanupCli, DryRunJsonThenDelete) {
  TempDir dir;
  fs::path root = dir.path() / "t";
  auto store = MakeTable(root, 12, {{"delta.checkpointInterval", "10"}});
  AgeVersions(root, 11);
  const std::string table = "'" + root.string() + "'";
  auto dry = RunDeltaline("cleanup-log " + table + " --dry-run --json", dir);
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  auto json = nlohmann::json::parse(dry.out);
  EXPECT_EQ(json["dryRun"], true);
  EXPECT_EQ(json["checkpointVersion"], 10);
  EXPECT_EQ(json["earliestVersion"], 10);
  EXPECT_EQ(json["latestVersion"], 11);
  EXPECT_EQ(json["numFiles"], 10);
  EXPECT_EQ(json["files"][0], Commit(0));
  EXPECT_EQ(json["retentionMillis"], 30 * kDayMs);
  EXPECT_TRUE(json.contains("cutoffMillis") && json.contains("bytes"));
  EXPECT_TRUE(fs::exists(root / "_delta_log" / Commit(0)));

  auto text = RunDeltaline("cleanup-log " + table + " --dry-run", dir);
  EXPECT_EQ(text.exit_code, 0);
  EXPECT_NE(text.out.find("_delta_log/" + Commit(9)), std::string::npos) << text.out;

  auto real = RunDeltaline("cleanup-log " + table + " --json", dir);
  ASSERT_EQ(real.exit_code, 0) << real.err;
  EXPECT_EQ(nlohmann::json::parse(real.out)["dryRun"], false);
  EXPECT_FALSE(fs::exists(root / "_delta_log" / Commit(0)));
  EXPECT_TRUE(fs::exists(root / "_delta_log" / Commit(10)));

  auto missing =
      RunDeltaline("cleanup-log '" + (dir.path() / "nope").string() + "'", dir);
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(RunDeltaline("cleanup-log", dir).exit_code, 2);
}

}  // namespace
}  // namespace deltaline::delta
