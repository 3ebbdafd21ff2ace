#include "delta/log/transaction.h"

#include <filesystem>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/snapshot.h"
#include "delta/write/write.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TempDir;

Add FakeAdd(const std::string& path) {
  Add add;
  add.path = path;
  add.size = 100;
  add.modification_time = 1700000000000;
  add.stats = R"({"numRecords":1})";
  return add;
}

Remove RemoveOf(const Add& add) {
  Remove remove;
  remove.path = add.path;
  remove.deletion_timestamp = 1700000000001;
  remove.data_change = true;
  remove.size = add.size;
  return remove;
}

::testing::AssertionResult IsConflict(const arrow::Result<CommitResult>& result,
                                      ConflictKind expected) {
  if (result.ok()) {
    return ::testing::AssertionFailure() << "committed at version " << result->version
                                         << ", expected " << ConflictKindName(expected);
  }
  if (!IsCommitConflict(result.status()) ||
      GetConflictKind(result.status()) != expected) {
    return ::testing::AssertionFailure() << "expected " << ConflictKindName(expected)
                                         << ", got " << result.status().ToString();
  }
  return ::testing::AssertionSuccess();
}

/// Version 0 holds one real data file; every test opens its transactions on it.
class TransactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, FileSystemLogStore::Open((dir_.path() / "t").string()));
    auto schema = arrow::schema({arrow::field("id", arrow::int64())});
    ASSERT_OK_AND_ASSIGN(auto ids,
                         arrow::json::ArrayFromJSONString(arrow::int64(), "[1, 2]"));
    ASSERT_OK(WriteTable(*store_, *arrow::Table::Make(schema, {ids})));
    ASSERT_OK_AND_ASSIGN(read_, Snapshot::Load(*store_));
    ASSERT_EQ(read_->version(), 0);
    ASSERT_EQ(read_->num_files(), 1u);
    original_ = read_->files()[0];
  }

  std::unique_ptr<Transaction> Begin(std::shared_ptr<const Snapshot> snapshot = nullptr) {
    return std::make_unique<Transaction>(store_.get(), snapshot ? snapshot : read_);
  }

  std::string Body(int64_t version) {
    auto body = store_->ReadLog(CommitFileName(version));
    return body.ok() ? (*body)->ToString() : "<" + body.status().ToString() + ">";
  }

  /// The loser left nothing behind: the log ends at `last`, no temporary file.
  void ExpectLogEndsAt(int64_t last) {
    int64_t commits = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(dir_.path() / "t" / "_delta_log")) {
      ParsedLogName parsed = ParseLogFileName(entry.path().filename().string());
      EXPECT_EQ(parsed.type, LogFileType::kCommit) << entry.path();
      EXPECT_LE(parsed.version, last) << entry.path();
      ++commits;
    }
    EXPECT_EQ(commits, last + 1);
  }

  TempDir dir_;
  std::unique_ptr<FileSystemLogStore> store_;
  std::shared_ptr<const Snapshot> read_;
  Add original_;
};

TEST_F(TransactionTest, BlindAppendsBothLandAtConsecutiveVersions) {
  auto first = Begin();
  auto second = Begin();
  first->AddAction(FakeAdd("a.parquet"));
  second->AddAction(FakeAdd("b.parquet"));
  ASSERT_TRUE(first->IsBlindAppend());
  ASSERT_OK_AND_ASSIGN(auto won, first->Commit());
  const std::string winner_body = Body(1);
  ASSERT_OK_AND_ASSIGN(auto retried, second->Commit());
  EXPECT_EQ(won.version, 1);
  EXPECT_EQ(won.attempts, 1);
  EXPECT_EQ(retried.version, 2);
  EXPECT_EQ(retried.attempts, 2);
  EXPECT_EQ(Body(1), winner_body) << "the loser rewrote the winner's commit";
  ASSERT_OK_AND_ASSIGN(auto latest, Snapshot::Load(*store_));
  EXPECT_EQ(latest->version(), 2);
  EXPECT_EQ(latest->num_files(), 3u);
}

TEST_F(TransactionTest, WinnerChangingMetadataConflicts) {
  auto winner = Begin();
  Metadata changed = read_->metadata();
  changed.configuration["delta.appendOnly"] = "false";
  winner->AddAction(changed);
  ASSERT_OK(winner->Commit());
  auto loser = Begin();
  loser->AddAction(FakeAdd("b.parquet"));
  EXPECT_TRUE(IsConflict(loser->Commit(), ConflictKind::kMetadataChanged));
  ExpectLogEndsAt(1);
}

TEST_F(TransactionTest, WinnerChangingProtocolConflicts) {
  auto winner = Begin();
  winner->AddAction(read_->protocol());
  ASSERT_OK(winner->Commit());
  auto loser = Begin();
  loser->AddAction(FakeAdd("b.parquet"));
  EXPECT_TRUE(IsConflict(loser->Commit(), ConflictKind::kProtocolChanged));
  ExpectLogEndsAt(1);
}

// The conflict hides in the second winner: every commit since the read is checked.
TEST_F(TransactionTest, EveryWinnerIsChecked) {
  auto append = Begin();
  append->AddAction(FakeAdd("a.parquet"));
  ASSERT_OK(append->Commit());
  ASSERT_OK_AND_ASSIGN(auto v1, Snapshot::Load(*store_));
  auto alter = Begin(v1);
  Metadata changed = v1->metadata();
  changed.configuration["owner"] = "someone";
  alter->AddAction(changed);
  ASSERT_OK(alter->Commit());
  auto loser = Begin();
  loser->AddAction(FakeAdd("b.parquet"));
  EXPECT_TRUE(IsConflict(loser->Commit(), ConflictKind::kMetadataChanged));
  ExpectLogEndsAt(2);
}

TEST_F(TransactionTest, RemovingAFileTheLoserReadConflicts) {
  auto winner = Begin();
  winner->AddAction(RemoveOf(original_));
  ASSERT_OK(winner->Commit());
  auto reader = Begin();
  reader->MarkReadWholeTable();
  reader->AddAction(FakeAdd("derived.parquet"));
  EXPECT_TRUE(IsConflict(reader->Commit(), ConflictKind::kConcurrentDeleteRead));
  ExpectLogEndsAt(1);
  // A blind append read nothing, so the same removal does not concern it.
  auto blind = Begin();
  blind->AddAction(FakeAdd("blind.parquet"));
  ASSERT_OK_AND_ASSIGN(auto landed, blind->Commit());
  EXPECT_EQ(landed.version, 2);
}

TEST_F(TransactionTest, RemovingTheSameFileTwiceConflicts) {
  auto winner = Begin();
  winner->AddAction(RemoveOf(original_));
  ASSERT_OK(winner->Commit());
  auto loser = Begin();
  loser->AddAction(RemoveOf(original_));
  EXPECT_TRUE(IsConflict(loser->Commit(), ConflictKind::kConcurrentDeleteDelete));
  ExpectLogEndsAt(1);
}

// A compaction (dataChange=false) rewrote the file: our delete or overwrite of it
// must not land, or the compacted copy would bring the removed rows back.
TEST_F(TransactionTest, CompactionOfAFileWeRemoveOrReadConflicts) {
  auto compaction = Begin();
  Remove rewritten = RemoveOf(original_);
  rewritten.data_change = false;
  Add compacted = FakeAdd("compacted.parquet");
  compacted.data_change = false;
  compaction->AddAction(rewritten);
  compaction->AddAction(compacted);
  ASSERT_OK(compaction->Commit());
  auto deleter = Begin();
  deleter->AddAction(RemoveOf(original_));
  EXPECT_TRUE(IsConflict(deleter->Commit(), ConflictKind::kConcurrentDeleteDelete));
  auto overwrite = Begin();
  overwrite->MarkReadWholeTable();
  overwrite->AddAction(FakeAdd("rewritten.parquet"));
  EXPECT_TRUE(IsConflict(overwrite->Commit(), ConflictKind::kConcurrentDeleteRead));
  ExpectLogEndsAt(1);
  auto blind = Begin();
  blind->AddAction(FakeAdd("blind.parquet"));
  ASSERT_OK(blind->Commit());
}

TEST_F(TransactionTest, SameAppIdConflictsOtherAppIdDoesNot) {
  auto winner = Begin();
  winner->SetAppTransaction("stream-1", 7);
  winner->AddAction(FakeAdd("a.parquet"));
  ASSERT_OK(winner->Commit());
  auto same = Begin();
  same->SetAppTransaction("stream-1", 7);
  same->AddAction(FakeAdd("b.parquet"));
  EXPECT_TRUE(IsConflict(same->Commit(), ConflictKind::kConcurrentTransaction));
  ExpectLogEndsAt(1);
  auto other = Begin();
  other->SetAppTransaction("stream-2", 7);
  other->AddAction(FakeAdd("c.parquet"));
  ASSERT_OK_AND_ASSIGN(auto landed, other->Commit());
  EXPECT_EQ(landed.version, 2);
  ASSERT_OK_AND_ASSIGN(auto latest, Snapshot::Load(*store_));
  EXPECT_EQ(latest->AppTransactionVersion("stream-1"), 7);
  EXPECT_EQ(latest->AppTransactionVersion("stream-2"), 7);
}

// An overwrite (reads everything, removes everything) racing a blind append.
class OverwriteVsAppendTest : public TransactionTest {
 protected:
  arrow::Result<CommitResult> Race(IsolationLevel level) {
    auto append = Begin();
    append->AddAction(FakeAdd("appended.parquet"));
    ARROW_RETURN_NOT_OK(append->Commit());
    auto overwrite = Begin();
    overwrite->SetIsolationLevel(level);
    overwrite->MarkReadWholeTable();
    overwrite->AddAction(RemoveOf(original_));
    overwrite->AddAction(FakeAdd("rewritten.parquet"));
    return overwrite->Commit();
  }
};

TEST_F(OverwriteVsAppendTest, SerializableConflicts) {
  EXPECT_TRUE(
      IsConflict(Race(IsolationLevel::kSerializable), ConflictKind::kConcurrentAppend));
  ExpectLogEndsAt(1);
}

TEST_F(OverwriteVsAppendTest, WriteSerializableLandsAndKeepsTheAppend) {
  ASSERT_OK_AND_ASSIGN(auto landed, Race(IsolationLevel::kWriteSerializable));
  EXPECT_EQ(landed.version, 2);
  ASSERT_OK_AND_ASSIGN(auto latest, Snapshot::Load(*store_));
  std::vector<std::string> paths;
  for (const auto& file : latest->files()) paths.push_back(file.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"appended.parquet", "rewritten.parquet"}));
}

// An overwrite that read an empty table must still not land beside another overwrite.
TEST_F(TransactionTest, OverwriteLosingToOverwriteOfEmptyTableConflicts) {
  auto empty = Begin();
  empty->AddAction(RemoveOf(original_));
  ASSERT_OK(empty->Commit());
  ASSERT_OK_AND_ASSIGN(auto v1, Snapshot::Load(*store_));
  ASSERT_EQ(v1->num_files(), 0u);
  auto first = Begin(v1);
  auto second = Begin(v1);
  for (auto* txn : {first.get(), second.get()}) txn->MarkReadWholeTable();
  first->AddAction(FakeAdd("first.parquet"));
  second->AddAction(FakeAdd("second.parquet"));
  ASSERT_OK(first->Commit());
  EXPECT_TRUE(IsConflict(second->Commit(), ConflictKind::kConcurrentAppend));
}

TEST_F(TransactionTest, OneAttemptGivesUpWithRetriesExhausted) {
  auto winner = Begin();
  winner->AddAction(FakeAdd("a.parquet"));
  ASSERT_OK(winner->Commit());
  CommitRetryPolicy once;
  once.max_attempts = 1;
  auto loser = Begin();
  loser->AddAction(FakeAdd("b.parquet"));
  EXPECT_TRUE(IsConflict(loser->Commit(once), ConflictKind::kRetriesExhausted));
  ExpectLogEndsAt(1);
  CommitRetryPolicy twice;
  twice.max_attempts = 2;
  twice.base_delay = std::chrono::milliseconds(0);
  auto retried = Begin();
  retried->AddAction(FakeAdd("c.parquet"));
  ASSERT_OK_AND_ASSIGN(auto landed, retried->Commit(twice));
  EXPECT_EQ(landed.version, 2);
  EXPECT_EQ(landed.attempts, 2);
}

TEST_F(TransactionTest, ConcurrentCreateReportsTableAlreadyExists) {
  TempDir other;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(other.str()));
  Transaction first(store.get(), nullptr);
  Transaction second(store.get(), nullptr);
  for (auto* txn : {&first, &second}) {
    txn->AddAction(read_->protocol());
    txn->AddAction(read_->metadata());
  }
  first.AddAction(FakeAdd("first.parquet"));
  ASSERT_OK_AND_ASSIGN(auto created, first.Commit());
  EXPECT_EQ(created.version, 0);
  auto lost = second.Commit();
  ASSERT_FALSE(lost.ok());
  EXPECT_TRUE(IsKind(lost.status(), ErrorKind::kTableAlreadyExists)) << lost.status();
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store));
  EXPECT_EQ(snapshot->num_files(), 1u);
}

TEST_F(TransactionTest, PutIfAbsentNeverReplaces) {
  const std::string name = CommitFileName(1);
  ASSERT_OK(store_->PutIfAbsent(name, "{\"first\":1}\n"));
  arrow::Status again = store_->PutIfAbsent(name, "{\"second\":2}\n");
  EXPECT_TRUE(again.IsAlreadyExists()) << again.ToString();
  EXPECT_EQ(Body(1), "{\"first\":1}\n");
  // A shorter and a longer replacement are refused alike: no truncation, no append.
  EXPECT_TRUE(store_->PutIfAbsent(name, "").IsAlreadyExists());
  EXPECT_TRUE(store_->PutIfAbsent(name, std::string(1 << 16, 'x')).IsAlreadyExists());
  EXPECT_EQ(Body(1), "{\"first\":1}\n");
  ExpectLogEndsAt(1);
  ASSERT_OK_AND_ASSIGN(auto listed, store_->ListLog());
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[1].name, name);
}

TEST_F(TransactionTest, LosingCommitNeverRewritesTheTakenVersion) {
  // Somebody else's bytes at version 1 (a foreign writer, no commitInfo).
  const std::string foreign = R"({"add":{"path":"x.parquet","partitionValues":{},)"
                              R"("size":1,"modificationTime":1,"dataChange":true}})"
                              "\n";
  ASSERT_OK(store_->PutIfAbsent(CommitFileName(1), foreign));
  auto loser = Begin();
  loser->AddAction(FakeAdd("b.parquet"));
  ASSERT_OK_AND_ASSIGN(auto landed, loser->Commit());
  EXPECT_EQ(landed.version, 2);
  EXPECT_EQ(Body(1), foreign);
  ExpectLogEndsAt(2);
}

}  // namespace
}  // namespace deltaline::delta
