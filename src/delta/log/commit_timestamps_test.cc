#include "delta/log/commit_timestamps.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TempDir;
namespace fs = std::filesystem;

constexpr const char* kSchema =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";

Metadata TableMetadata(StringMap configuration) {
  Metadata metadata;
  metadata.id = "ict-test";
  metadata.schema_string = kSchema;
  metadata.configuration = std::move(configuration);
  return metadata;
}

CommitInfo Info(std::optional<int64_t> timestamp, std::optional<int64_t> ict) {
  CommitInfo info;
  info.operation = "WRITE";
  info.timestamp = timestamp;
  info.in_commit_timestamp = ict;
  return info;
}

// Writes commit `version` and sets its file time to `mtime_ms`.
void PutCommit(LogStore& store, const fs::path& root, int64_t version,
               const std::vector<Action>& actions, int64_t mtime_ms) {
  ASSERT_OK(store.PutIfAbsent(CommitFileName(version), SerializeCommitFile(actions)));
  auto when = fs::file_time_type::clock::from_sys(
      std::chrono::sys_time<std::chrono::milliseconds>(
          std::chrono::milliseconds(mtime_ms)));
  fs::last_write_time(root / "_delta_log" / CommitFileName(version), when);
}

// Versions 0 and 1 predate in-commit timestamps; version 2 enables them. File times
// and commitInfo.timestamp disagree with the protocol's times on purpose: a reader
// that trusts them for the wrong versions picks other versions below.
//   version:           0        1        2 (enables)   3
//   protocol's time:   10 000   20 000   25 000        30 000
//   file time:         10 000   20 000   90 000        15 000
//   commitInfo.ts:     40 000      500   25 000        30 000
class InCommitTimestampLog : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = FileSystemLogStore::Open(dir_.str());
    ASSERT_TRUE(opened.ok());
    store_ = std::move(*opened);
    Protocol protocol;
    protocol.min_reader_version = 1;
    protocol.min_writer_version = 7;
    protocol.writer_features = std::vector<std::string>{"inCommitTimestamp"};
    PutCommit(*store_, dir_.path(), 0,
              {Info(40'000, std::nullopt), protocol, TableMetadata({})}, 10'000);
    PutCommit(*store_, dir_.path(), 1, {Info(500, std::nullopt)}, 20'000);
    PutCommit(*store_, dir_.path(), 2,
              {Info(25'000, 25'000),
               TableMetadata({{"delta.enableInCommitTimestamps", "true"},
                              {"delta.inCommitTimestampEnablementVersion", "2"},
                              {"delta.inCommitTimestampEnablementTimestamp", "25000"}})},
              90'000);
    PutCommit(*store_, dir_.path(), 3, {Info(30'000, 30'000)}, 15'000);
  }

  TempDir dir_;
  std::unique_ptr<FileSystemLogStore> store_;
};

TEST_F(InCommitTimestampLog, HistoryUsesIctFromTheEnablementVersionAndFileTimesBefore) {
  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store_));
  std::map<int64_t, int64_t> got;
  for (const auto& record : history) got[record.version] = record.timestamp_ms;
  std::map<int64_t, int64_t> want = {{0, 10'000}, {1, 20'000}, {2, 25'000}, {3, 30'000}};
  EXPECT_EQ(got, want);
}

TEST_F(InCommitTimestampLog, TimeTravelPicksTheVersionTheProtocolNames) {
  const std::vector<std::pair<int64_t, std::optional<int64_t>>> cases = {
      {9'999, std::nullopt}, {10'000, 0}, {19'999, 0}, {20'000, 1}, {24'999, 1},
      {25'000, 2},           {29'999, 2}, {30'000, 3}, {95'000, 3}};
  for (const auto& [timestamp, expected] : cases) {
    SnapshotRequest request;
    request.timestamp_ms = timestamp;
    auto loaded = Snapshot::Load(*store_, request);
    if (!expected) {
      EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kVersionNotFound)) << timestamp;
      continue;
    }
    ASSERT_TRUE(loaded.ok()) << timestamp << ": " << loaded.status().ToString();
    EXPECT_EQ((*loaded)->version(), *expected) << timestamp;
  }
  SnapshotRequest latest;
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_, latest));
  EXPECT_EQ(snapshot->timestamp_ms(), 30'000);
}

TEST(CommitTimestamps, SpanFromConfiguration) {
  ASSERT_OK_AND_ASSIGN(auto off, InCommitTimestampSpanOf({}));
  EXPECT_FALSE(off.enabled);
  ASSERT_OK_AND_ASSIGN(
      auto from_creation,
      InCommitTimestampSpanOf({{"delta.enableInCommitTimestamps", "true"}}));
  EXPECT_TRUE(from_creation.enabled);
  EXPECT_EQ(from_creation.first_version, 0);
  auto bad = InCommitTimestampSpanOf({{"delta.enableInCommitTimestamps", "true"},
                                      {"delta.inCommitTimestampEnablementVersion", "x"}});
  EXPECT_TRUE(IsKind(bad.status(), ErrorKind::kProtocol)) << bad.status().ToString();
}

TEST(CommitTimestamps, OnlyTimesBeforeTheSpanAreMadeMonotonic) {
  InCommitTimestampSpan span{true, 2, 101};
  std::map<int64_t, int64_t> timestamps = {{0, 100}, {1, 100}, {2, 101}, {3, 105}};
  MakeMonotonic(timestamps, span);
  std::map<int64_t, int64_t> want = {{0, 100}, {1, 101}, {2, 101}, {3, 105}};
  EXPECT_EQ(timestamps, want);
  // 101 is at the enablement time: only versions with ICT are considered.
  EXPECT_EQ(VersionAtTimestamp(timestamps, span, 101), 2);
  EXPECT_EQ(VersionAtTimestamp(timestamps, span, 100), 0);
  EXPECT_EQ(VersionAtTimestamp(timestamps, span, 99), std::nullopt);
  // Without ICT everything is raised, the old behaviour.
  std::map<int64_t, int64_t> plain = {{0, 100}, {1, 100}, {2, 101}};
  MakeMonotonic(plain, {});
  EXPECT_EQ(plain[2], 102);
}

TEST(CommitTimestamps, WhichTimeACommitHas) {
  std::vector<Action> with_ict = {Info(7, 9)};
  std::vector<Action> without = {Info(7, std::nullopt)};
  InCommitTimestampSpan span{true, 5, std::nullopt};
  EXPECT_EQ(CommitTimestampOf(with_ict, 5, 1, span), 9);
  EXPECT_EQ(CommitTimestampOf(without, 4, 1, span), 1);  // before: the file time
  EXPECT_EQ(CommitTimestampOf(without, 4, 1, {}), 7);    // no ICT table: commitInfo
  EXPECT_EQ(CommitTimestampOf({}, 4, 1, {}), 1);
}

}  // namespace
}  // namespace deltaline::delta
