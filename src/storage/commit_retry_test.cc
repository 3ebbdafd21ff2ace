// CommitRetryPolicy on real tables with real racing writers (threads, each with its
// own log store): conflicts are retried within the policy, and after it the write
// gives up with a typed conflict, never an untyped error.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <mutex>
#include <thread>

#include <arrow/api.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "storage/storage_writer.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

// `extra` adds a nullable column: a write that merges it changes the table metadata.
std::shared_ptr<arrow::Table> Rows(const std::string& who, int64_t count,
                                   bool extra = false) {
  arrow::StringBuilder writers;
  arrow::Int64Builder seqs;
  for (int64_t row = 0; row < count; ++row) {
    EXPECT_TRUE(writers.Append(who).ok());
    EXPECT_TRUE(seqs.Append(row).ok());
  }
  arrow::FieldVector fields = {arrow::field("writer", arrow::utf8()),
                               arrow::field("seq", arrow::int64())};
  std::vector<std::shared_ptr<arrow::Array>> columns = {writers.Finish().ValueOrDie(),
                                                        seqs.Finish().ValueOrDie()};
  if (extra) {
    fields.push_back(arrow::field("extra", arrow::int64()));
    columns.push_back(columns[1]);
  }
  return arrow::Table::Make(arrow::schema(fields), columns);
}

int64_t CountRows(const std::string& uri, const std::string& who) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto table = delta::ReadSnapshot(*store, delta::Snapshot::Load(*store).ValueOrDie())
                   .ValueOrDie();
  int64_t count = 0;
  auto column = table->GetColumnByName("writer");
  for (int64_t row = 0; row < table->num_rows(); ++row) {
    count += column->GetScalar(row).ValueOrDie()->ToString() == who;
  }
  return count;
}

size_t DataFilesOnDisk(const std::string& uri) {
  size_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(uri)) {
    count += entry.path().extension() == ".parquet";
  }
  return count;
}

// Appends one-row commits as fast as it can until told to stop; records the
// versions it landed. Schema mode merge, so it keeps appending after a column was added
// (the new column is written as null). Losing to a metadata change is a typed
// conflict; anything else counts as a failure.
class Appender {
 public:
  explicit Appender(std::string uri) : uri_(std::move(uri)) {
    thread_ = std::thread([this] {
      StorageWriteOptions options;
      options.delta.mode = delta::SaveMode::kAppend;
      options.delta.schema_mode = delta::SchemaMode::kMerge;
      auto row = Rows("append", 1);
      while (!stop_) {
        auto written = WriteTableDelta(*row, uri_, options);
        if (!written.ok()) {
          if (!delta::IsCommitConflict(written.status())) failures_.fetch_add(1);
          continue;
        }
        std::lock_guard<std::mutex> lock(mutex_);
        versions_.push_back(written->delta.version);
      }
    });
    while (Landed() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Appender() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  size_t Landed() {
    std::lock_guard<std::mutex> lock(mutex_);
    return versions_.size();
  }
  int64_t LandedAfter(int64_t version) {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::count_if(versions_.begin(), versions_.end(),
                         [&](int64_t v) { return v > version; });
  }
  std::atomic<bool> stop_{false};
  std::atomic<int> failures_{0};

 private:
  std::string uri_;
  std::mutex mutex_;
  std::vector<int64_t> versions_;
  std::thread thread_;
};

class CommitRetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = dir_.str() + "/t";
    ASSERT_OK(WriteTableDelta(*Rows("seed", 1), uri_).status());
  }
  // A write that adds a column changes the metadata, so every blind append that lands
  // while it is written is a typed kConcurrentAppend for it (as in Spark). Its input
  // is large enough that each attempt spans several appends.
  StorageWriteOptions MergeOptions(int max_attempts) {
    StorageWriteOptions options;
    options.delta.mode = delta::SaveMode::kAppend;
    options.delta.schema_mode = delta::SchemaMode::kMerge;
    options.delta.retry.max_attempts = max_attempts;
    options.delta.retry.base_delay = std::chrono::milliseconds(1);
    options.delta.retry.max_delay = std::chrono::milliseconds(4);
    options.on_retry = [this](int attempt, const arrow::Status& cause) {
      EXPECT_EQ(delta::GetConflictKind(cause), delta::ConflictKind::kConcurrentAppend);
      retries_.push_back(attempt);
    };
    return options;
  }
  testing::TempDir dir_;
  std::string uri_;
  std::vector<int> retries_;
  std::shared_ptr<arrow::Table> big_ = Rows("merge", 300000, /*extra=*/true);
};

TEST_F(CommitRetryTest, SchemaChangeRacingAppendsIsRetriedWithinThePolicy) {
  Appender appender(uri_);
  auto options = MergeOptions(50);
  // The appender keeps racing until the merge has lost twice.
  auto inner = options.on_retry;
  options.on_retry = [&](int attempt, const arrow::Status& cause) {
    inner(attempt, cause);
    if (retries_.size() >= 2) appender.stop_ = true;
  };
  auto written = WriteTableDelta(*big_, uri_, options);
  appender.Stop();
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  ASSERT_GE(retries_.size(), 1u) << "no append ever raced the merge";
  EXPECT_EQ(written->attempts, static_cast<int>(retries_.size()) + 1);
  EXPECT_EQ(retries_.front(), 2);
  EXPECT_TRUE(written->delta.schema_changed);
  EXPECT_EQ(appender.failures_.load(), 0);
  // Every committed row is there exactly once: the merge, the seed, each append.
  EXPECT_EQ(CountRows(uri_, "merge"), 300000);
  EXPECT_EQ(CountRows(uri_, "seed"), 1);
  EXPECT_EQ(CountRows(uri_, "append"), appender.LandedAfter(-1));
  auto store = delta::FileSystemLogStore::Open(uri_).ValueOrDie();
  EXPECT_EQ(delta::Snapshot::Load(*store).ValueOrDie()->schema()->num_fields(), 3);
}

TEST_F(CommitRetryTest, GivesUpWithATypedConflictAfterThePolicy) {
  Appender appender(uri_);
  auto written = WriteTableDelta(*big_, uri_, MergeOptions(3));
  appender.Stop();
  ASSERT_FALSE(written.ok());
  EXPECT_TRUE(delta::IsCommitConflict(written.status())) << written.status().ToString();
  EXPECT_EQ(delta::GetConflictKind(written.status()),
            delta::ConflictKind::kConcurrentAppend);
  EXPECT_EQ(retries_, (std::vector<int>{2, 3}));
  EXPECT_EQ(CountRows(uri_, "merge"), 0);
  EXPECT_EQ(appender.failures_.load(), 0);
  // Every attempt cleaned up its data files: only committed files remain on disk.
  auto store = delta::FileSystemLogStore::Open(uri_).ValueOrDie();
  EXPECT_EQ(DataFilesOnDisk(uri_),
            delta::Snapshot::Load(*store).ValueOrDie()->num_files());
}

// A stream cannot be replayed; its commit still retries lost version races within the
// policy. The racing commit lands while our input is being read, deterministically.
class RacingReader : public arrow::RecordBatchReader {
 public:
  RacingReader(std::shared_ptr<arrow::Table> rows, std::string uri)
      : rows_(std::move(rows)), uri_(std::move(uri)), inner_(*rows_) {}
  std::shared_ptr<arrow::Schema> schema() const override { return rows_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    ARROW_RETURN_NOT_OK(inner_.ReadNext(batch));
    if (*batch == nullptr && !raced_) {
      raced_ = true;
      StorageWriteOptions other;
      other.delta.mode = delta::SaveMode::kAppend;
      ARROW_RETURN_NOT_OK(WriteTableDelta(*Rows("winner", 1), uri_, other).status());
    }
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::Table> rows_;
  std::string uri_;
  arrow::TableBatchReader inner_;
  bool raced_ = false;
};

TEST_F(CommitRetryTest, StreamingCommitRetriesVersionRacesWithinThePolicy) {
  StorageWriteOptions options;
  options.delta.mode = delta::SaveMode::kAppend;
  options.delta.retry.max_attempts = 1;
  RacingReader once(Rows("stream", 5), uri_);
  auto lost = WriteDatasetDelta(once, uri_, options);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(delta::GetConflictKind(lost.status()), delta::ConflictKind::kRetriesExhausted)
      << lost.status().ToString();
  EXPECT_EQ(CountRows(uri_, "stream"), 0);

  options.delta.retry.max_attempts = 2;
  RacingReader twice(Rows("stream", 5), uri_);
  ASSERT_OK_AND_ASSIGN(auto landed, WriteDatasetDelta(twice, uri_, options));
  EXPECT_EQ(landed.delta.version,
            3);  // 0 seed; 1 and 2 the winners; 2 was lost, 3 retried
  // The Delta writer's own result reaches the storage caller whole: the lost race and
  // the retry are the commit's two put-if-absent attempts, in one whole-write attempt.
  EXPECT_EQ(landed.delta.commit_attempts, 2);
  EXPECT_EQ(landed.attempts, 1);
  EXPECT_EQ(CountRows(uri_, "stream"), 5);
  EXPECT_EQ(CountRows(uri_, "winner"), 2);
}

}  // namespace
}  // namespace deltaline::storage
