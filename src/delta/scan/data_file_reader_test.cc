#include "delta/scan/data_file_reader.h"

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/table/partition_path.h"
#include "delta/write/write.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using arrow::json::ArrayFromJSONString;
using deltaline::testing::TempDir;

std::shared_ptr<arrow::Table> MakeTable(std::shared_ptr<arrow::Schema> schema,
                                        const std::vector<std::string>& columns) {
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (int idx = 0; idx < schema->num_fields(); ++idx) {
    arrays.push_back(
        ArrayFromJSONString(schema->field(idx)->type(), columns[idx]).ValueOrDie());
  }
  return arrow::Table::Make(std::move(schema), arrays);
}

// A table whose only data file holds `id` as text that is no number: the log says
// int64, so every reader must fail to cast it.
class BadCastTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = FileSystemLogStore::Open(dir_.str()).ValueOrDie();
    auto schema = arrow::schema(
        {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
    WriteOptions options;
    options.mode = SaveMode::kError;
    ASSERT_OK(
        WriteTable(*store_, *MakeTable(schema, {"[1, 2]", R"(["a", "b"])"}), options)
            .status());
    ASSERT_OK_AND_ASSIGN(snapshot_, Snapshot::Load(*store_));
    ASSERT_EQ(snapshot_->files().size(), 1u);
    file_ = snapshot_->files()[0];
    // The same columns with `id` as text, written by deltaline into another table;
    // its data file then takes the place of ours.
    auto wrong = arrow::schema(
        {arrow::field("id", arrow::utf8()), arrow::field("name", arrow::utf8())});
    ASSERT_OK_AND_ASSIGN(auto other, FileSystemLogStore::Open(other_dir_.str()));
    ASSERT_OK(WriteTable(*other,
                         *MakeTable(wrong, {R"(["one", "two"])", R"(["a", "b"])"}),
                         options)
                  .status());
    ASSERT_OK_AND_ASSIGN(auto other_snapshot, Snapshot::Load(*other));
    std::filesystem::copy_file(DataFilePath(*other, other_snapshot->files()[0].path),
                               DataFilePath(*store_, file_.path),
                               std::filesystem::copy_options::overwrite_existing);
  }

  TempDir dir_;
  TempDir other_dir_;
  std::unique_ptr<FileSystemLogStore> store_;
  std::shared_ptr<const Snapshot> snapshot_;
  Add file_;
};

// Before, the scan said kProtocol and ReadDataFile (used by delete and replaceWhere)
// returned Arrow's bare cast error, with no kind and no file name.
TEST_F(BadCastTest, ScanAndReadDataFileFailAlike) {
  auto scanned = ReadSnapshot(*store_, snapshot_);
  auto read =
      ReadDataFile(*store_, snapshot_->schema(), snapshot_->partition_columns(), file_);
  ASSERT_FALSE(scanned.ok());
  ASSERT_FALSE(read.ok());
  EXPECT_TRUE(IsKind(scanned.status(), ErrorKind::kProtocol))
      << scanned.status().ToString();
  EXPECT_TRUE(IsKind(read.status(), ErrorKind::kProtocol)) << read.status().ToString();
  EXPECT_EQ(scanned.status().message(), read.status().message());
  const std::string& msg = read.status().message();
  EXPECT_NE(msg.find("data file '" + file_.path + "'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 'id'"), std::string::npos) << msg;
}

// A delete that has to read the file to decide meets the same error.
TEST_F(BadCastTest, DeleteReadingTheFileFailsAlike) {
  auto deleted = Delete(*store_, arrow::compute::equal(arrow::compute::field_ref("name"),
                                                       arrow::compute::literal("a")));
  ASSERT_FALSE(deleted.ok());
  EXPECT_TRUE(IsKind(deleted.status(), ErrorKind::kProtocol))
      << deleted.status().ToString();
  EXPECT_NE(deleted.status().message().find(file_.path), std::string::npos);
}

TEST(DataFilePathTest, DecodesEveryFormOnce) {
  using Kind = DecodedDataFilePath::Kind;
  auto relative = DecodeDataFilePath("x=A%252FA/part%20one.parquet");
  EXPECT_EQ(relative.kind, Kind::kRelative);
  EXPECT_EQ(relative.path, "x=A%2FA/part one.parquet");
  auto file_uri = DecodeDataFilePath("file:///data/t/a%20b.parquet");
  EXPECT_EQ(file_uri.kind, Kind::kLocalAbsolute);
  EXPECT_EQ(file_uri.path, "/data/t/a b.parquet");
  auto absolute = DecodeDataFilePath("/data/t/c.parquet");
  EXPECT_EQ(absolute.kind, Kind::kLocalAbsolute);
  EXPECT_EQ(absolute.path, "/data/t/c.parquet");
  auto foreign = DecodeDataFilePath("s3://bucket/t/d.parquet");
  EXPECT_EQ(foreign.kind, Kind::kForeignUri);
  EXPECT_EQ(foreign.path, "s3://bucket/t/d.parquet");

  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open("/data/t"));
  EXPECT_EQ(DataFilePath(*store, "a%20b.parquet"), store->root() + "/a b.parquet");
  EXPECT_EQ(DataFilePath(*store, "file:/elsewhere/e.parquet"), "/elsewhere/e.parquet");
}

}  // namespace
}  // namespace deltaline::delta
