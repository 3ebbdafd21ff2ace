// The `delta_write` Acero node: a Declaration ends in a Delta table, memory stays
// bounded by the node's queue, and a failure on either side commits nothing.
#include "engine/delta_write_node.h"

#include <atomic>
#include <filesystem>

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/api.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "engine/insert_into.h"
#include "support/insert_checks.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using deltaline::testing::IdsTable;
using deltaline::testing::TempDir;

// Generates `batches` batches of `rows` int64 ids on demand (so the test holds no
// copy), failing with "source broke" at batch `fail_at` when set; counts its reads.
class GeneratedIds : public arrow::RecordBatchReader {
 public:
  GeneratedIds(int64_t batches, int64_t rows, int64_t fail_at = -1)
      : batches_(batches), rows_(rows), fail_at_(fail_at) {}
  std::shared_ptr<arrow::Schema> schema() const override {
    return arrow::schema({arrow::field("id", arrow::int64())});
  }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    const int64_t index = reads_++;
    if (index == fail_at_) return arrow::Status::IOError("source broke");
    if (index >= batches_) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    arrow::Int64Builder ids;
    ARROW_RETURN_NOT_OK(ids.Reserve(rows_));
    for (int64_t i = 0; i < rows_; ++i) ids.UnsafeAppend(index * rows_ + i);
    ARROW_ASSIGN_OR_RAISE(auto column, ids.Finish());
    *out = arrow::RecordBatch::Make(schema(), rows_, {column});
    return arrow::Status::OK();
  }
  int64_t reads() const { return reads_; }

 private:
  const int64_t batches_, rows_, fail_at_;
  std::atomic<int64_t> reads_{0};
};

arrow::acero::Declaration Source(std::shared_ptr<GeneratedIds> reader) {
  return arrow::acero::Declaration(
      "record_batch_reader_source",
      arrow::acero::RecordBatchReaderSourceNodeOptions(std::move(reader)));
}

int64_t ParquetFiles(const std::string& dir) {
  int64_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    files += entry.path().extension() == ".parquet";
  }
  return files;
}

TEST(DeltaWriteNode, ADeclarationEndsInADeltaTableAndOutputsNoRows) {
  ASSERT_OK(RegisterDeltaWriteNode());
  ASSERT_OK(RegisterDeltaWriteNode());  // idempotent
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  auto slot = std::make_shared<DeltaWriteResultSlot>();
  DeltaWriteNodeOptions options(uri, {}, slot);
  options.column_names = {"renamed"};
  auto rows = IdsTable("[5, 3, 9, 1, 7, 2, 8]");
  arrow::acero::Declaration plan = arrow::acero::Declaration::Sequence(
      {testing::TableSource(rows, 2), {kDeltaWriteNodeName, options}});
  ASSERT_OK_AND_ASSIGN(auto output, arrow::acero::DeclarationToTable(std::move(plan)));
  EXPECT_EQ(output->num_rows(), 0);
  EXPECT_EQ(output->schema()->field(0)->name(), "renamed");
  auto written = slot->result();
  ASSERT_TRUE(written.has_value());
  ASSERT_OK(written->status());
  EXPECT_EQ((*written)->delta.version, 0);
  EXPECT_EQ((*written)->delta.rows_added, 7);
  EXPECT_EQ(slot->stats().batches, 4);
  // Ordered input lands in order (one file), under the new name.
  ASSERT_OK_AND_ASSIGN(auto stored, testing::ReadDelta(uri));
  ASSERT_OK_AND_ASSIGN(auto expected,
                       rows->RenameColumns(std::vector<std::string>{"renamed"}));
  EXPECT_TRUE(expected->Equals(*stored->CombineChunks().ValueOrDie()))
      << stored->ToString();
}

TEST(DeltaWriteNode, QueuedBytesStayBoundedOnModerateData) {
  TempDir dir;
  // 96 MiB of ids in 64 KiB batches through a 1 MiB queue. The writer (zstd Parquet)
  // is far slower than the generator, so without pausing the queue would hold most of
  // the stream.
  const int64_t batch_rows = 8192, batches = 1536, batch_bytes = batch_rows * 8;
  const int64_t stream_bytes = batches * batch_bytes;
  auto source = std::make_shared<GeneratedIds>(batches, batch_rows);
  InsertOptions options;
  options.path = InsertPath::kStreaming;
  options.max_queued_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(auto inserted,
                       InsertIntoTable(Source(source), dir.str() + "/t", options));
  EXPECT_EQ(inserted.write.delta.rows_added, batches * batch_rows);
  EXPECT_EQ(inserted.queue.rows, batches * batch_rows);
  EXPECT_GT(inserted.queue.pauses, 0);
  // Pausing is advisory: what the source had read ahead (record_batch_reader_source
  // reads ahead on the IO pool) and batches on the CPU threads still arrive, and on a
  // loaded machine that overshoot reached ~10 MiB (150 batches). It does not grow
  // with the stream; without pausing the peak is most of the stream (48 of 48 MiB
  // measured), so a quarter of it tells the two apart whatever the scheduling.
  EXPECT_LE(inserted.queue.peak_queued_bytes, stream_bytes / 4)
      << inserted.queue.peak_queued_bytes;
}

TEST(DeltaWriteNode, APlanFailingMidStreamCommitsNothingOnEitherPath) {
  for (InsertPath path : {InsertPath::kStreaming, InsertPath::kFallback}) {
    SCOPED_TRACE(InsertPathName(path));
    TempDir dir;
    const std::string uri = dir.str() + "/t";
    ASSERT_OK(storage::WriteTableDelta(*IdsTable("[1]"), uri).status());
    const int64_t files_before = ParquetFiles(uri);
    // Enough rows before the failure that the writer has written data files.
    auto source = std::make_shared<GeneratedIds>(400, 8192, /*fail_at=*/300);
    InsertOptions options;
    options.path = path;
    options.storage.delta.mode = delta::SaveMode::kAppend;
    auto inserted = InsertInto(Source(source), uri, options);
    ASSERT_FALSE(inserted.ok());
    EXPECT_NE(inserted.status().message().find("source broke"), std::string::npos)
        << inserted.status().ToString();
    auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
    EXPECT_EQ(delta::Snapshot::Load(*store).ValueOrDie()->version(), 0);
    EXPECT_EQ(ParquetFiles(uri), files_before);  // the writer's files were deleted
    ASSERT_OK_AND_ASSIGN(auto stored, testing::ReadDelta(uri));
    EXPECT_EQ(stored->num_rows(), 1);
  }
}

TEST(DeltaWriteNode, AWriterErrorFailsThePlanAndStopsItsSource) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  auto strings = deltaline::testing::TableFromJson(
      arrow::schema({arrow::field("id", arrow::utf8())}), {R"(["a"])"});
  ASSERT_OK(storage::WriteTableDelta(*strings, uri).status());
  const int64_t batches = 100000;
  auto source = std::make_shared<GeneratedIds>(batches, 1024);
  InsertOptions options;
  options.path = InsertPath::kStreaming;
  options.storage.delta.mode = delta::SaveMode::kAppend;
  auto inserted = InsertInto(Source(source), uri, options);
  ASSERT_FALSE(inserted.ok());
  EXPECT_TRUE(delta::IsKind(inserted.status(), delta::ErrorKind::kSchemaMismatch))
      << inserted.status().ToString();
  EXPECT_LT(source->reads(), batches);  // the plan stopped; it did not run to the end
}

TEST(DeltaWriteNode, BadOptionsAreRefusedByName) {
  ASSERT_OK(RegisterDeltaWriteNode());
  DeltaWriteNodeOptions options("", {}, nullptr);
  auto plan = arrow::acero::Declaration::Sequence(
      {testing::TableSource(IdsTable("[1]")), {kDeltaWriteNodeName, options}});
  auto ran = arrow::acero::DeclarationToStatus(std::move(plan));
  EXPECT_TRUE(delta::IsKind(ran, delta::ErrorKind::kInvalidInput)) << ran.ToString();
  DeltaWriteNodeOptions renamed("/tmp/never-written", {}, nullptr);
  renamed.column_names = {"a", "b"};
  plan = arrow::acero::Declaration::Sequence(
      {testing::TableSource(IdsTable("[1]")), {kDeltaWriteNodeName, renamed}});
  ran = arrow::acero::DeclarationToStatus(std::move(plan));
  EXPECT_NE(ran.message().find("2 column names for 1 input columns"), std::string::npos)
      << ran.ToString();
}

}  // namespace
}  // namespace deltaline::engine
