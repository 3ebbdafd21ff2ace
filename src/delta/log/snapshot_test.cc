#include "delta/log/snapshot.h"
#include "delta/log/checkpoint_writer.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/log/transaction.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;
namespace fs = std::filesystem;

std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t count) {
  arrow::Int64Builder ids;
  arrow::StringBuilder names;
  for (int64_t row = first; row < first + count; ++row) {
    EXPECT_TRUE(ids.Append(row).ok());
    EXPECT_TRUE(
        (row % 3 == 0 ? names.AppendNull() : names.Append("n" + std::to_string(row)))
            .ok());
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  return arrow::Table::Make(schema,
                            {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie()});
}

arrow::Result<std::shared_ptr<const Snapshot>> LoadAt(LogStore& store,
                                                      std::optional<int64_t> version) {
  SnapshotRequest request;
  request.version = version;
  return Snapshot::Load(store, request);
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadAt(LogStore& store,
                                                    std::optional<int64_t> version) {
  ARROW_ASSIGN_OR_RAISE(auto snapshot, LoadAt(store, version));
  return ReadSnapshot(store, snapshot);
}

arrow::Result<WriteResult> Write(LogStore& store, const arrow::Table& table,
                                 SaveMode mode, StringMap properties = {}) {
  WriteOptions options;
  options.mode = mode;
  options.table_properties = std::move(properties);
  return WriteTable(store, table, options);
}

// ------------------------------------------------------------------ time travel

TEST(SnapshotTimeTravel, ByVersion) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  ASSERT_OK(Write(*store, *Rows(0, 3), SaveMode::kError));
  ASSERT_OK(Write(*store, *Rows(3, 2), SaveMode::kAppend));
  ASSERT_OK(Write(*store, *Rows(100, 1), SaveMode::kOverwrite));

  ASSERT_OK_AND_ASSIGN(auto v0, ReadAt(*store, 0));
  EXPECT_TRUE(TablesEqualUnordered(*Rows(0, 3), *v0));
  ASSERT_OK_AND_ASSIGN(auto v1, ReadAt(*store, 1));
  EXPECT_TRUE(TablesEqualUnordered(*Rows(0, 5), *v1));
  ASSERT_OK_AND_ASSIGN(auto v2, ReadAt(*store, 2));
  EXPECT_TRUE(TablesEqualUnordered(*Rows(100, 1), *v2));
  ASSERT_OK_AND_ASSIGN(auto latest, LoadAt(*store, std::nullopt));
  EXPECT_EQ(latest->version(), 2);

  for (int64_t missing : {int64_t{3}, int64_t{1000}, int64_t{-1}}) {
    auto st = LoadAt(*store, missing).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kVersionNotFound))
        << missing << ": " << st.ToString();
  }
}

TEST(SnapshotTimeTravel, ByTimestampUsesHistoryTimestamps) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  for (int version = 0; version < 3; ++version) {
    // Distinct commit times, far enough apart to ask for a time in between.
    if (version > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_OK(Write(*store, *Rows(version * 10, 1), SaveMode::kAppend));
  }
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store));
  ASSERT_EQ(history.size(), 3u);
  std::map<int64_t, int64_t> ts;  // version → commit time
  for (const auto& record : history) ts[record.version] = record.timestamp_ms;
  ASSERT_LT(ts[0], ts[1]);
  ASSERT_LT(ts[1] + 1, ts[2]);

  auto at = [&](int64_t timestamp_ms) {
    SnapshotRequest request;
    request.timestamp_ms = timestamp_ms;
    return Snapshot::Load(*store, request);
  };
  for (int64_t version = 0; version < 3; ++version) {
    ASSERT_OK_AND_ASSIGN(auto exact, at(ts[version]));
    EXPECT_EQ(exact->version(), version);
    EXPECT_EQ(exact->timestamp_ms(), ts[version]);
  }
  ASSERT_OK_AND_ASSIGN(auto between, at(ts[1] + (ts[2] - ts[1]) / 2));
  EXPECT_EQ(between->version(), 1);
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store, between));
  EXPECT_TRUE(TablesEqualUnordered(
      *arrow::ConcatenateTables({Rows(0, 1), Rows(10, 1)}).ValueOrDie(), *rows));
  ASSERT_OK_AND_ASSIGN(auto future, at(ts[2] + 3'600'000));
  EXPECT_EQ(future->version(), 2);
  auto before = at(ts[0] - 1);
  EXPECT_TRUE(IsKind(before.status(), ErrorKind::kVersionNotFound))
      << before.status().ToString();

  SnapshotRequest both;
  both.version = 1;
  both.timestamp_ms = ts[1];
  EXPECT_FALSE(Snapshot::Load(*store, both).ok());
}

// Commit times that repeat or go backwards are made strictly increasing, as Spark
// does, so that every version is reachable by some timestamp.
TEST(SnapshotTimeTravel, NonMonotonicCommitTimestamps) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  ASSERT_OK(Write(*store, *Rows(0, 1), SaveMode::kError));
  // Rewrite commit 0's time and add commits at the same time and earlier.
  ASSERT_OK_AND_ASSIGN(auto actions, ReadCommit(*store, 0));
  for (auto& action : actions) {
    if (auto* ci = std::get_if<CommitInfo>(&action)) ci->timestamp = 5000;
  }
  fs::remove(dir.path() / "_delta_log" / CommitFileName(0));
  ASSERT_OK(store->PutIfAbsent(CommitFileName(0), SerializeCommitFile(actions)));
  for (int64_t version : {1, 2}) {
    CommitInfo info;
    info.timestamp = version == 1 ? 5000 : 4000;
    info.operation = "TEST";
    ASSERT_OK(store->PutIfAbsent(CommitFileName(version), SerializeCommitFile({info})));
  }
  // History shows the times time travel resolves against.
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store));
  ASSERT_EQ(history.size(), 3u);
  for (const auto& record : history) {
    EXPECT_EQ(record.timestamp_ms, 5000 + record.version) << record.version;
    SnapshotRequest request;
    request.timestamp_ms = record.timestamp_ms;
    ASSERT_OK_AND_ASSIGN(auto loaded, Snapshot::Load(*store, request));
    EXPECT_EQ(loaded->version(), record.version);
  }
  std::vector<std::tuple<int64_t, std::optional<int64_t>>> cases = {
      {4999, std::nullopt}, {5000, 0}, {5001, 1}, {5002, 2}, {9999, 2}};
  for (const auto& [timestamp, expected] : cases) {
    SnapshotRequest request;
    request.timestamp_ms = timestamp;
    auto loaded = Snapshot::Load(*store, request);
    if (!expected) {
      EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kVersionNotFound)) << timestamp;
    } else {
      ASSERT_TRUE(loaded.ok()) << timestamp << ": " << loaded.status().ToString();
      EXPECT_EQ((*loaded)->version(), *expected) << timestamp;
    }
  }
}

// ------------------------------------------------------ checkpoint equivalence

/// Copies the table and deletes every checkpoint and the hint from the copy, so
/// that loading it replays JSON commits only.
void CopyWithoutCheckpoints(const fs::path& from, const fs::path& to) {
  fs::copy(from, to, fs::copy_options::recursive);
  for (const auto& entry : fs::directory_iterator(to / "_delta_log")) {
    ParsedLogName parsed = ParseLogFileName(entry.path().filename().string());
    if (parsed.type == LogFileType::kCheckpoint ||
        parsed.type == LogFileType::kMultiPartCheckpoint ||
        entry.path().filename() == kLastCheckpointName) {
      fs::remove(entry.path());
    }
  }
}

using FileSummary =
    std::map<std::string, std::tuple<int64_t, std::optional<std::string>>>;

FileSummary Summarize(const Snapshot& snapshot) {
  FileSummary out;
  for (const auto& add : snapshot.files()) out[add.path] = {add.size, add.stats};
  return out;
}

std::map<std::string, std::optional<int64_t>> Tombstones(const Snapshot& snapshot) {
  std::map<std::string, std::optional<int64_t>> out;
  for (const auto& [key, remove] : snapshot.state().tombstones)
    out[remove.path] = remove.size;
  return out;
}

void ExpectEquivalent(LogStore& with_cp, LogStore& json_only, int64_t version,
                      bool expect_checkpoint) {
  SCOPED_TRACE("version " + std::to_string(version));
  ASSERT_OK_AND_ASSIGN(auto a, LoadAt(with_cp, version));
  ASSERT_OK_AND_ASSIGN(auto b, LoadAt(json_only, version));
  EXPECT_EQ(a->checkpoint_version().has_value(), expect_checkpoint);
  EXPECT_FALSE(b->checkpoint_version().has_value());
  EXPECT_EQ(a->version(), b->version());
  EXPECT_EQ(a->protocol(), b->protocol());
  EXPECT_EQ(a->metadata(), b->metadata());
  EXPECT_TRUE(a->schema()->Equals(*b->schema()));
  EXPECT_EQ(Summarize(*a), Summarize(*b));
  EXPECT_EQ(Tombstones(*a), Tombstones(*b));
  EXPECT_EQ(a->state().txns, b->state().txns);
  EXPECT_EQ(a->num_records(), b->num_records());
  ASSERT_OK_AND_ASSIGN(auto rows_a, ReadSnapshot(with_cp, a));
  ASSERT_OK_AND_ASSIGN(auto rows_b, ReadSnapshot(json_only, b));
  EXPECT_TRUE(TablesEqualUnordered(*rows_b, *rows_a));
}

/// Builds a table whose latest version is `latest`: appends, with an overwrite
/// every 7th version (so tombstones exist) and an app transaction every 50th.
void BuildTable(LogStore& store, int64_t latest) {
  const StringMap properties = {{"delta.checkpointInterval", "10"}, {"owner", "tests"}};
  ASSERT_OK(Write(store, *Rows(0, 2), SaveMode::kError, properties));
  for (int64_t version = 1; version <= latest; ++version) {
    WriteOptions options;
    options.mode = version % 7 == 0 ? SaveMode::kOverwrite : SaveMode::kAppend;
    if (version % 50 == 0)
      options.app_transaction = Txn{"app-" + std::to_string(version % 100), version, {}};
    ASSERT_OK_AND_ASSIGN(
        auto result, WriteTable(store, *Rows(version * 10, 1 + version % 3), options));
    ASSERT_EQ(result.version, version);
    EXPECT_EQ(result.checkpoint_written, version % 10 == 0);
  }
}

TEST(SnapshotCheckpoint, SingleVersionTable) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  BuildTable(*store, 0);
  ASSERT_OK_AND_ASSIGN(auto v0, LoadAt(*store, 0));
  ASSERT_OK(WriteCheckpoint(*store, *v0));
  ASSERT_TRUE(fs::exists(dir.path() / "_delta_log" / CheckpointFileName(0)));
  TempDir copy;
  CopyWithoutCheckpoints(dir.path(), copy.path() / "t");
  ASSERT_OK_AND_ASSIGN(auto json_only,
                       FileSystemLogStore::Open((copy.path() / "t").string()));
  ExpectEquivalent(*store, *json_only, 0, /*expect_checkpoint=*/true);
}

TEST(SnapshotCheckpoint, TwoVersionTable) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  BuildTable(*store, 1);
  ASSERT_OK_AND_ASSIGN(auto v1, LoadAt(*store, 1));
  ASSERT_OK(WriteCheckpoint(*store, *v1));
  TempDir copy;
  CopyWithoutCheckpoints(dir.path(), copy.path() / "t");
  ASSERT_OK_AND_ASSIGN(auto json_only,
                       FileSystemLogStore::Open((copy.path() / "t").string()));
  ExpectEquivalent(*store, *json_only, 0, /*expect_checkpoint=*/false);
  ExpectEquivalent(*store, *json_only, 1, /*expect_checkpoint=*/true);
}

TEST(SnapshotCheckpoint, ManyVersionsWithTombstones) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  BuildTable(*store, 250);
  ASSERT_TRUE(fs::exists(dir.path() / "_delta_log" / CheckpointFileName(250)));
  ASSERT_OK_AND_ASSIGN(auto latest, LoadAt(*store, std::nullopt));
  EXPECT_EQ(latest->checkpoint_version(), 250);
  EXPECT_FALSE(latest->state().tombstones.empty());
  EXPECT_EQ(latest->AppTransactionVersion("app-50"), 250);
  EXPECT_EQ(latest->AppTransactionVersion("app-0"), 200);

  TempDir copy;
  CopyWithoutCheckpoints(dir.path(), copy.path() / "t");
  ASSERT_OK_AND_ASSIGN(auto json_only,
                       FileSystemLogStore::Open((copy.path() / "t").string()));
  for (int64_t version : {0, 9, 10, 11, 49, 50, 123, 240, 249, 250}) {
    ExpectEquivalent(*store, *json_only, version, /*expect_checkpoint=*/version >= 10);
  }
}

TEST(SnapshotCheckpoint, CleanedUpCommitsBeforeCheckpoint) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  BuildTable(*store, 24);  // checkpoints at 10 and 20
  ASSERT_OK_AND_ASSIGN(auto expected_latest, ReadAt(*store, std::nullopt));
  ASSERT_OK_AND_ASSIGN(auto expected_v20, ReadAt(*store, 20));
  ASSERT_OK_AND_ASSIGN(auto expected_v10, ReadAt(*store, 10));
  for (int64_t version = 0; version < 20; ++version) {
    ASSERT_TRUE(fs::remove(dir.path() / "_delta_log" / CommitFileName(version)));
  }

  ASSERT_OK_AND_ASSIGN(auto latest, LoadAt(*store, std::nullopt));
  EXPECT_EQ(latest->version(), 24);
  EXPECT_EQ(latest->checkpoint_version(), 20);
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store, latest));
  EXPECT_TRUE(TablesEqualUnordered(*expected_latest, *rows));
  ASSERT_OK_AND_ASSIGN(auto v20, ReadAt(*store, 20));
  EXPECT_TRUE(TablesEqualUnordered(*expected_v20, *v20));
  // A surviving checkpoint is a complete version of its own.
  ASSERT_OK_AND_ASSIGN(auto v10, ReadAt(*store, 10));
  EXPECT_TRUE(TablesEqualUnordered(*expected_v10, *v10));

  // Versions whose commits were cleaned up: before every checkpoint, and between
  // checkpoint 10 and the first surviving commit.
  for (int64_t version : {0, 5, 9, 11, 15, 19}) {
    auto st = LoadAt(*store, version).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kVersionNotFound))
        << version << ": " << st.ToString();
  }
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store));
  ASSERT_EQ(history.size(), 5u);  // commits 20..24
  EXPECT_EQ(history.back().version, 20);
}

// The hint only narrows the listing: a stale one, one ahead of the log and one that
// names a missing checkpoint all load what the whole log says.
TEST(SnapshotCheckpoint, LastCheckpointHintOnlyNarrowsTheListing) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  BuildTable(*store, 24);  // checkpoints at 10 and 20; the hint names 20
  ASSERT_OK_AND_ASSIGN(auto expected, ReadAt(*store, std::nullopt));
  ASSERT_OK_AND_ASSIGN(auto expected_v15, ReadAt(*store, 15));
  for (int64_t hinted : {20, 10, 15, 99}) {
    SCOPED_TRACE("hint " + std::to_string(hinted));
    LastCheckpointHint hint;
    hint.version = hinted;
    ASSERT_OK(store->PutReplace(kLastCheckpointName, SerializeLastCheckpoint(hint)));
    ASSERT_OK_AND_ASSIGN(auto latest, LoadAt(*store, std::nullopt));
    EXPECT_EQ(latest->version(), 24);
    EXPECT_EQ(latest->checkpoint_version(), 20);  // newer than a stale hint
    ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store, latest));
    EXPECT_TRUE(TablesEqualUnordered(*expected, *rows));
    ASSERT_OK_AND_ASSIGN(auto v15, LoadAt(*store, 15));
    EXPECT_EQ(v15->checkpoint_version(), 10);
    ASSERT_OK_AND_ASSIGN(auto v15_rows, ReadSnapshot(*store, v15));
    EXPECT_TRUE(TablesEqualUnordered(*expected_v15, *v15_rows));
    ASSERT_OK_AND_ASSIGN(auto v5, LoadAt(*store, 5));
    EXPECT_FALSE(v5->checkpoint_version().has_value());
  }
  // A missing newest checkpoint: the hint's part of the log has none, the whole log
  // still has the one at 10.
  ASSERT_TRUE(fs::remove(dir.path() / "_delta_log" / CheckpointFileName(20)));
  LastCheckpointHint hint;
  hint.version = 20;
  ASSERT_OK(store->PutReplace(kLastCheckpointName, SerializeLastCheckpoint(hint)));
  ASSERT_OK_AND_ASSIGN(auto latest, LoadAt(*store, std::nullopt));
  EXPECT_EQ(latest->checkpoint_version(), 10);
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store, latest));
  EXPECT_TRUE(TablesEqualUnordered(*expected, *rows));
}

TEST(LogStoreTest, ListsFromANameSortedFilesOnly) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  ASSERT_OK_AND_ASSIGN(auto none, store->ListLogFrom(""));
  EXPECT_TRUE(none.empty());  // no _delta_log/ yet
  for (int64_t version : {3, 1, 12, 0, 2}) {
    ASSERT_OK(store->PutIfAbsent(CommitFileName(version), "{}\n"));
  }
  ASSERT_OK(store->PutReplace(kLastCheckpointName, "{}"));
  fs::create_directories(dir.path() / "_delta_log" / "_sidecars");
  auto names = [](const std::vector<LogFileInfo>& files) {
    std::vector<std::string> out;
    for (const auto& file : files) out.push_back(file.name);
    return out;
  };
  ASSERT_OK_AND_ASSIGN(auto all, store->ListLog());
  EXPECT_EQ(names(all), (std::vector<std::string>{CommitFileName(0), CommitFileName(1),
                                                  CommitFileName(2), CommitFileName(3),
                                                  CommitFileName(12),
                                                  std::string(kLastCheckpointName)}));
  EXPECT_EQ(all.front().size, 3);
  EXPECT_GT(all.front().modification_time_ms, 0);
  ASSERT_OK_AND_ASSIGN(auto from_two, store->ListLogFrom("00000000000000000002"));
  EXPECT_EQ(names(from_two), (std::vector<std::string>{
                                 CommitFileName(2), CommitFileName(3), CommitFileName(12),
                                 std::string(kLastCheckpointName)}));
}

}  // namespace
}  // namespace deltaline::delta
