#include "delta/write/write.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "deltaline/version.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TableFromJson;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

/// Every regular file under `root` (relative path → size).
std::map<std::string, int64_t> ListTree(const std::filesystem::path& root) {
  std::map<std::string, int64_t> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    out[std::filesystem::relative(entry.path(), root).string()] =
        static_cast<int64_t>(entry.file_size());
  }
  return out;
}

size_t CountParquet(const std::map<std::string, int64_t>& tree) {
  size_t count = 0;
  for (const auto& [path, size] : tree) {
    if (path.rfind("_delta_log", 0) != 0 && path.ends_with(".parquet")) ++count;
  }
  return count;
}

std::shared_ptr<arrow::Table> IdTable(const std::string& ids, const std::string& names) {
  return TableFromJson(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())},
      {ids, names});
}

class WriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "table";
    store_ = FileSystemLogStore::Open(root_.string()).ValueOrDie();
  }

  arrow::Result<std::shared_ptr<arrow::Table>> ReadLatest() {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(*store_));
    return ReadSnapshot(*store_, snapshot);
  }

  arrow::Result<WriteResult> Write(const arrow::Table& table, SaveMode mode) {
    WriteOptions options;
    options.mode = mode;
    return WriteTable(*store_, table, options);
  }

  TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<FileSystemLogStore> store_;
};

TEST_F(WriteTest, EveryTypeRoundTripsWithNulls) {
  auto point = arrow::struct_(
      {arrow::field("a", arrow::int32()), arrow::field("b", arrow::utf8())});
  auto xy = arrow::struct_(
      {arrow::field("x", arrow::int32()), arrow::field("y", arrow::utf8())});
  std::vector<std::shared_ptr<arrow::Field>> fields = {
      arrow::field("id", arrow::int32()),
      arrow::field("b", arrow::boolean()),
      arrow::field("i8", arrow::int8()),
      arrow::field("i16", arrow::int16()),
      arrow::field("i64", arrow::int64()),
      arrow::field("f32", arrow::float32()),
      arrow::field("f64", arrow::float64()),
      arrow::field("d10", arrow::decimal128(10, 2)),
      arrow::field("d38", arrow::decimal128(38, 18)),
      arrow::field("s", arrow::utf8()),
      arrow::field("bin", arrow::binary()),
      arrow::field("day", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("st", point),
      arrow::field("lst", arrow::list(arrow::field("element", arrow::int64()))),
      arrow::field("m", arrow::map(arrow::utf8(), arrow::int32())),
      arrow::field("ls", arrow::list(arrow::field("element", xy))),
  };
  auto input = TableFromJson(
      fields,
      {R"([1, 2, 3, 4])", R"([true, false, null, true])", R"([-128, 127, null, 0])",
       R"([-32768, 32767, null, 1])",
       R"([-9223372036854775808, 9223372036854775807, null, 0])",
       R"([1.5, -0.25, null, 3.4e38])", R"([1e300, -2.5, null, 0.0])",
       R"(["12345678.91", "-0.01", null, "0.00"])",
       R"(["12345678901234567890.123456789012345678", "-0.000000000000000001", null, "1.000000000000000000"])",
       R"(["héllo wörld", "日本語 ✓ 🚀", null, ""])",
       R"(["\u0000\u0001ab", "", null, "z"])", R"([0, 19723, null, -719162])",
       R"([0, 1700000000123456, null, -62135596800000000])",
       R"([1, 1700000000654321, null, 253402300799999999])",
       R"([{"a": 1, "b": "x"}, {"a": null, "b": null}, null, {"a": -5, "b": "ü"}])",
       R"([[1, 2, null], [], null, [9223372036854775807]])",
       R"([[["k1", 1], ["k2", null]], [], null, [["ü", -7]]])",
       R"([[{"x": 1, "y": "a"}, null, {"x": null, "y": "b"}], [], null, [{"x": 3, "y": null}]])"});

  ASSERT_OK_AND_ASSIGN(auto result, Write(*input, SaveMode::kError));
  EXPECT_TRUE(result.committed);
  EXPECT_EQ(result.version, 0);
  EXPECT_EQ(result.rows_added, 4);

  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_TRUE(snapshot->schema()->Equals(*input->schema(), /*check_metadata=*/false))
      << snapshot->schema()->ToString() << "\nvs\n"
      << input->schema()->ToString();
  // timestamp_ntz needs the timestampNtz table feature (reader 3 / writer 7).
  EXPECT_EQ(snapshot->protocol().min_reader_version, 3);
  EXPECT_EQ(snapshot->protocol().min_writer_version, 7);
  EXPECT_EQ(snapshot->protocol().reader_features,
            std::vector<std::string>{"timestampNtz"});
  EXPECT_EQ(snapshot->protocol().writer_features,
            std::vector<std::string>{"timestampNtz"});

  ASSERT_OK_AND_ASSIGN(auto read, ReadSnapshot(*store_, snapshot));
  EXPECT_TRUE(TablesEqualUnordered(*input, *read));
}

TEST_F(WriteTest, NoNtzColumnKeepsLegacyProtocol) {
  ASSERT_OK(Write(*IdTable("[1]", R"(["a"])"), SaveMode::kError));
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->protocol(), Protocol{});  // 1/2, no feature lists
}

TEST_F(WriteTest, ErrorModeOnExistingTableChangesNothing) {
  ASSERT_OK(Write(*IdTable("[1, 2]", R"(["a", "b"])"), SaveMode::kError));
  auto before = ListTree(root_);
  auto result = Write(*IdTable("[3]", R"(["c"])"), SaveMode::kError);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(IsKind(result.status(), ErrorKind::kTableAlreadyExists))
      << result.status().ToString();
  EXPECT_EQ(ListTree(root_), before);
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(*IdTable("[1, 2]", R"(["a", "b"])"), *read));
}

TEST_F(WriteTest, AppendAddsRows) {
  ASSERT_OK(Write(*IdTable("[1, 2]", R"(["a", "b"])"), SaveMode::kError));
  ASSERT_OK_AND_ASSIGN(auto result,
                       Write(*IdTable("[3, null]", R"(["c", null])"), SaveMode::kAppend));
  EXPECT_EQ(result.version, 1);
  EXPECT_EQ(result.files_removed, 0);
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(
      *IdTable("[1, 2, 3, null]", R"(["a", "b", "c", null])"), *read));
  // Appending to a missing table creates it.
  TempDir other;
  ASSERT_OK_AND_ASSIGN(auto fresh, FileSystemLogStore::Open(other.str()));
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  ASSERT_OK_AND_ASSIGN(auto created,
                       WriteTable(*fresh, *IdTable("[7]", R"(["z"])"), options));
  EXPECT_EQ(created.version, 0);
}

TEST_F(WriteTest, OverwriteReplacesRowsAndKeepsOldFilesOnDisk) {
  ASSERT_OK(Write(*IdTable("[1, 2]", R"(["a", "b"])"), SaveMode::kError));
  ASSERT_OK(Write(*IdTable("[3]", R"(["c"])"), SaveMode::kAppend));
  ASSERT_OK_AND_ASSIGN(auto old_snapshot, Snapshot::Load(*store_));
  std::set<std::string> old_paths;
  for (const auto& add : old_snapshot->files()) old_paths.insert(add.path);
  ASSERT_EQ(old_paths.size(), 2u);

  ASSERT_OK_AND_ASSIGN(auto result,
                       Write(*IdTable("[10]", R"(["new"])"), SaveMode::kOverwrite));
  EXPECT_EQ(result.version, 2);
  EXPECT_EQ(result.files_removed, 2);
  EXPECT_EQ(result.rows_removed, 3);
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(*IdTable("[10]", R"(["new"])"), *read));

  ASSERT_OK_AND_ASSIGN(auto actions, ReadCommit(*store_, 2));
  std::set<std::string> removed;
  for (const auto& action : actions) {
    if (const auto* rm = std::get_if<Remove>(&action)) {
      removed.insert(rm->path);
      EXPECT_TRUE(rm->data_change);
      EXPECT_TRUE(rm->deletion_timestamp.has_value());
    }
  }
  EXPECT_EQ(removed, old_paths);
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  for (const auto& add : snapshot->files()) EXPECT_EQ(old_paths.count(add.path), 0u);
  // Removed files stay until vacuum: time travel still needs them.
  for (const auto& path : old_paths)
    EXPECT_TRUE(std::filesystem::exists(root_ / path)) << path;
  SnapshotRequest at_v1;
  at_v1.version = 1;
  ASSERT_OK_AND_ASSIGN(auto v1, Snapshot::Load(*store_, at_v1));
  ASSERT_OK_AND_ASSIGN(auto v1_rows, ReadSnapshot(*store_, v1));
  EXPECT_TRUE(
      TablesEqualUnordered(*IdTable("[1, 2, 3]", R"(["a", "b", "c"])"), *v1_rows));
}

TEST_F(WriteTest, IgnoreLeavesTableUntouched) {
  ASSERT_OK(Write(*IdTable("[1]", R"(["a"])"), SaveMode::kError));
  auto before = ListTree(root_);
  ASSERT_OK_AND_ASSIGN(auto result,
                       Write(*IdTable("[2]", R"(["b"])"), SaveMode::kIgnore));
  EXPECT_FALSE(result.committed);
  EXPECT_EQ(result.version, 0);
  EXPECT_EQ(ListTree(root_), before);
  // On a missing table, ignore creates it.
  TempDir other;
  ASSERT_OK_AND_ASSIGN(auto fresh, FileSystemLogStore::Open(other.str()));
  WriteOptions options;
  options.mode = SaveMode::kIgnore;
  ASSERT_OK_AND_ASSIGN(auto created,
                       WriteTable(*fresh, *IdTable("[7]", R"(["z"])"), options));
  EXPECT_TRUE(created.committed);
}

TEST_F(WriteTest, SchemaMismatchOnAppendListsDifferencesAndWritesNothing) {
  ASSERT_OK(Write(*IdTable("[1]", R"(["a"])"), SaveMode::kError));
  auto before = ListTree(root_);
  auto bad = TableFromJson(
      {arrow::field("id", arrow::int32()), arrow::field("extra", arrow::utf8())},
      {"[1]", R"(["x"])"});
  auto result = Write(*bad, SaveMode::kAppend);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(IsKind(result.status(), ErrorKind::kSchemaMismatch))
      << result.status().ToString();
  const std::string& msg = result.status().message();
  EXPECT_NE(msg.find("'id'"), std::string::npos) << msg;     // int32 vs int64
  EXPECT_NE(msg.find("'name'"), std::string::npos) << msg;   // missing
  EXPECT_NE(msg.find("'extra'"), std::string::npos) << msg;  // extra
  EXPECT_EQ(ListTree(root_), before);
}

/// Yields `good` batches, then fails: the data already written must be cleaned up.
class FailingReader : public arrow::RecordBatchReader {
 public:
  FailingReader(std::shared_ptr<arrow::RecordBatch> batch, int good)
      : batch_(std::move(batch)), good_(good) {}
  std::shared_ptr<arrow::Schema> schema() const override { return batch_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (served_++ < good_) {
      *out = batch_;
      return arrow::Status::OK();
    }
    return arrow::Status::IOError("source went away");
  }

 private:
  std::shared_ptr<arrow::RecordBatch> batch_;
  int good_;
  int served_ = 0;
};

TEST_F(WriteTest, FailedStreamLeavesNoDataFiles) {
  ASSERT_OK(Write(*IdTable("[1]", R"(["a"])"), SaveMode::kError));
  auto before = ListTree(root_);
  ASSERT_OK_AND_ASSIGN(auto batch,
                       IdTable("[5, 6]", R"(["e", "f"])")->CombineChunksToBatch());
  FailingReader reader(batch, 3);
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  auto result = WriteBatches(*store_, reader, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ListTree(root_), before);
}

TEST_F(WriteTest, UnsupportedTypeNamesColumnAndWritesNothing) {
  auto input = TableFromJson(
      {arrow::field("ok", arrow::int32()), arrow::field("counter", arrow::uint32())},
      {"[1]", "[2]"});
  auto result = Write(*input, SaveMode::kError);
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(IsKind(result.status(), ErrorKind::kUnsupportedFeature))
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("counter"), std::string::npos)
      << result.status().message();
  EXPECT_TRUE(ListTree(root_).empty());
  EXPECT_TRUE(IsKind(Snapshot::Load(*store_).status(), ErrorKind::kTableNotFound));
}

TEST_F(WriteTest, CommitInfoDescribesTheWrite) {
  int64_t before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  ASSERT_OK(Write(*IdTable("[1, 2]", R"(["a", "b"])"), SaveMode::kError));
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  options.user_metadata = {{"job", "nightly"}, {"note", "ünïcode"}};
  ASSERT_OK(WriteTable(*store_, *IdTable("[3, 4, 5]", R"(["c", "d", "e"])"), options));
  ASSERT_OK(Write(*IdTable("[6]", R"(["f"])"), SaveMode::kOverwrite));
  int64_t after_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();

  ASSERT_OK_AND_ASSIGN(auto history, ReadHistory(*store_));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].version, 2);  // newest first
  EXPECT_EQ(history[2].version, 0);
  const std::vector<std::string> modes = {"Overwrite", "Append", "ErrorIfExists"};
  const std::vector<std::string> rows = {"1", "3", "2"};
  for (size_t idx = 0; idx < history.size(); ++idx) {
    ASSERT_TRUE(history[idx].info.has_value());
    const CommitInfo& info = *history[idx].info;
    ASSERT_TRUE(info.timestamp.has_value());
    EXPECT_GE(*info.timestamp, before_ms);
    EXPECT_LE(*info.timestamp, after_ms);
    EXPECT_GE(history[idx].timestamp_ms, *info.timestamp);  // raised when equal
    EXPECT_EQ(info.operation, "WRITE");
    EXPECT_EQ(info.operation_parameters.at("mode"), modes[idx]);
    EXPECT_EQ(info.operation_metrics.at("numOutputRows"), rows[idx]);
    EXPECT_EQ(info.operation_metrics.at("numFiles"), "1");
    EXPECT_EQ(info.engine_info, std::string("deltaline/") + kVersion);
  }
  EXPECT_EQ(history[1].info->is_blind_append, true);
  EXPECT_EQ(history[0].info->is_blind_append, false);
  EXPECT_EQ(history[0].info->operation_metrics.at("numRemovedFiles"), "2");
  ASSERT_TRUE(history[1].info->user_metadata.has_value());
  auto user = nlohmann::json::parse(*history[1].info->user_metadata);
  EXPECT_EQ(user, nlohmann::json({{"job", "nightly"}, {"note", "ünïcode"}}));
  EXPECT_FALSE(history[0].info->user_metadata.has_value());
}

/// `batches` batches of `rows` rows each: ids 0.. in order, with some text.
std::shared_ptr<arrow::RecordBatchReader> ManyBatches(int batches, int rows) {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("text", arrow::utf8())});
  std::vector<std::shared_ptr<arrow::RecordBatch>> out;
  for (int64_t batch_idx = 0; batch_idx < batches; ++batch_idx) {
    arrow::Int64Builder ids;
    arrow::StringBuilder text;
    for (int64_t id = batch_idx * rows; id < (batch_idx + 1) * rows; ++id) {
      EXPECT_TRUE(ids.Append(id).ok());
      EXPECT_TRUE(text.Append("row-" + std::to_string(id * 7919) + "-padding").ok());
    }
    out.push_back(arrow::RecordBatch::Make(
        schema, rows, {ids.Finish().ValueOrDie(), text.Finish().ValueOrDie()}));
  }
  return arrow::RecordBatchReader::Make(out, schema).ValueOrDie();
}

TEST_F(WriteTest, StreamingWriteRollsFilesAndKeepsEveryRow) {
  auto reader = ManyBatches(/*batches=*/60, /*rows=*/2000);
  WriteOptions options;
  options.table_properties = {{"delta.targetFileSize", "262144"}};
  ASSERT_OK_AND_ASSIGN(auto result, WriteBatches(*store_, *reader, options));
  EXPECT_EQ(result.rows_added, 120000);
  EXPECT_GT(result.files_added, 2);
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(static_cast<int64_t>(snapshot->num_files()), result.files_added);
  EXPECT_EQ(CountParquet(ListTree(root_)), snapshot->num_files());
  EXPECT_EQ(snapshot->num_records(), 120000);
  ASSERT_OK_AND_ASSIGN(auto read, ReadSnapshot(*store_, snapshot));
  ASSERT_EQ(read->num_rows(), 120000);
  // Every id exactly once.
  std::vector<bool> seen(120000, false);
  for (const auto& chunk : read->GetColumnByName("id")->chunks()) {
    auto values = std::static_pointer_cast<arrow::Int64Array>(chunk);
    for (int64_t row = 0; row < values->length(); ++row) {
      int64_t id = values->Value(row);
      ASSERT_TRUE(id >= 0 && id < 120000 && !seen[id]) << id;
      seen[id] = true;
    }
  }
}

TEST_F(WriteTest, AppTransactionMakesRepeatedWriteANoOp) {
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  options.app_transaction = Txn{"nightly-job", 5, std::nullopt};
  ASSERT_OK_AND_ASSIGN(auto first,
                       WriteTable(*store_, *IdTable("[1]", R"(["a"])"), options));
  EXPECT_TRUE(first.committed);
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->AppTransactionVersion("nightly-job"), 5);
  auto before = ListTree(root_);

  ASSERT_OK_AND_ASSIGN(auto again,
                       WriteTable(*store_, *IdTable("[1]", R"(["a"])"), options));
  EXPECT_FALSE(again.committed);
  EXPECT_EQ(again.version, 0);
  options.app_transaction->version = 4;  // older than what is recorded: also a no-op
  ASSERT_OK_AND_ASSIGN(auto older,
                       WriteTable(*store_, *IdTable("[1]", R"(["a"])"), options));
  EXPECT_FALSE(older.committed);
  EXPECT_EQ(ListTree(root_), before);

  options.app_transaction->version = 6;
  ASSERT_OK_AND_ASSIGN(auto next,
                       WriteTable(*store_, *IdTable("[2]", R"(["b"])"), options));
  EXPECT_TRUE(next.committed);
  EXPECT_EQ(next.version, 1);
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(*IdTable("[1, 2]", R"(["a", "b"])"), *read));
  // Another app id is independent.
  options.app_transaction = Txn{"other-job", 5, std::nullopt};
  ASSERT_OK_AND_ASSIGN(auto other,
                       WriteTable(*store_, *IdTable("[3]", R"(["c"])"), options));
  EXPECT_TRUE(other.committed);
}

}  // namespace
}  // namespace deltaline::delta
