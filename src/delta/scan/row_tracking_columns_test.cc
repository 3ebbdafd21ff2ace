#include "delta/scan/row_tracking_columns.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <arrow/json/from_string.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <string>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/snapshot.h"
#include "delta/scan/data_file_reader.h"
#include "delta/scan/scan.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using arrow::json::ArrayFromJSONString;
using deltaline::testing::TempDir;

std::string Feature(const arrow::Status& st) {
  const DeltaErrorDetail* detail = GetDeltaDetail(st);
  return detail == nullptr ? "<no detail>" : detail->feature();
}

constexpr const char* kSchema =
    R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";
constexpr const char* kIdColumn = "_row-id-col-1";
constexpr const char* kVersionColumn = "_row-commit-version-col-1";

// One data file of five rows, the hidden materialised columns set on some of them,
// and a log whose configuration may enable row tracking.
class RowTrackingTable : public ::testing::Test {
 protected:
  void Build(bool enabled, bool feature, std::optional<int64_t> base_row_id) {
    ASSERT_OK_AND_ASSIGN(store_, FileSystemLogStore::Open(dir_.str()));
    auto schema = arrow::schema({arrow::field("id", arrow::int64()),
                                 arrow::field(kIdColumn, arrow::int64()),
                                 arrow::field(kVersionColumn, arrow::int64())});
    auto column = [](const char* json) {
      return ArrayFromJSONString(arrow::int64(), json).ValueOrDie();
    };
    auto data = arrow::Table::Make(
        schema, {column("[10, 11, 12, 13, 14]"), column("[null, 500, null, null, 501]"),
                 column("[null, null, 3, null, null]")});
    ASSERT_OK_AND_ASSIGN(
        auto sink, arrow::io::FileOutputStream::Open(dir_.str() + "/part-0.parquet"));
    ASSERT_OK(parquet::arrow::WriteTable(*data, arrow::default_memory_pool(), sink, 2));
    ASSERT_OK(sink->Close());

    Protocol protocol;
    protocol.min_reader_version = 1;
    protocol.min_writer_version = 7;
    protocol.writer_features = std::vector<std::string>{"domainMetadata"};
    if (feature) protocol.writer_features->push_back("rowTracking");
    Metadata metadata;
    metadata.id = "rows";
    metadata.schema_string = kSchema;
    if (enabled) {
      metadata.configuration = {
          {"delta.enableRowTracking", "true"},
          {"delta.rowTracking.materializedRowIdColumnName", kIdColumn},
          {"delta.rowTracking.materializedRowCommitVersionColumnName", kVersionColumn}};
    }
    Add add;
    add.path = "part-0.parquet";
    add.size = 1;
    add.base_row_id = base_row_id;
    add.default_row_commit_version = 7;
    ASSERT_OK(store_->PutIfAbsent(CommitFileName(0),
                                  SerializeCommitFile({protocol, metadata, add})));
    ASSERT_OK_AND_ASSIGN(snapshot_, Snapshot::Load(*store_));
  }

  arrow::Result<std::shared_ptr<arrow::Table>> Read(ScanOptions options) {
    options.with_row_tracking = true;
    options.batch_size = 2;  // several batches: positions carry over between them
    return ReadSnapshot(*store_, snapshot_, options);
  }

  TempDir dir_;
  std::unique_ptr<FileSystemLogStore> store_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_F(RowTrackingTable, MaterialisedValuesWinElseBaseRowIdPlusPosition) {
  Build(/*enabled=*/true, /*feature=*/true, /*base_row_id=*/100);
  ASSERT_OK_AND_ASSIGN(auto table, Read({}));
  ASSERT_EQ(table->schema()->ToString(),
            "id: int64\n_row_id: int64 not null\n_row_commit_version: int64 not null");
  ASSERT_OK_AND_ASSIGN(auto ids, arrow::Concatenate(table->column(1)->chunks()));
  ASSERT_OK_AND_ASSIGN(auto versions, arrow::Concatenate(table->column(2)->chunks()));
  ASSERT_OK_AND_ASSIGN(auto want_ids,
                       ArrayFromJSONString(arrow::int64(), "[100, 500, 102, 103, 501]"));
  ASSERT_OK_AND_ASSIGN(auto want_versions,
                       ArrayFromJSONString(arrow::int64(), "[7, 7, 3, 7, 7]"));
  EXPECT_TRUE(ids->Equals(*want_ids)) << ids->ToString();
  EXPECT_TRUE(versions->Equals(*want_versions)) << versions->ToString();
}

TEST_F(RowTrackingTable, RowIdsFollowTheFileEvenWhenAFilterDropsRows) {
  Build(true, true, 0);
  ScanOptions options;
  options.columns = {};
  options.filter = arrow::compute::greater(arrow::compute::field_ref("id"),
                                           arrow::compute::literal(int64_t{12}));
  ASSERT_OK_AND_ASSIGN(auto table, Read(options));
  ASSERT_OK_AND_ASSIGN(auto ids, arrow::Concatenate(table->column(1)->chunks()));
  ASSERT_OK_AND_ASSIGN(auto want, ArrayFromJSONString(arrow::int64(), "[3, 501]"));
  EXPECT_TRUE(ids->Equals(*want)) << ids->ToString();
}

TEST_F(RowTrackingTable, RefusedWithoutRowTrackingOrBaseRowId) {
  Build(/*enabled=*/false, /*feature=*/true, 0);
  auto off = Read({});
  EXPECT_TRUE(IsKind(off.status(), ErrorKind::kUnsupportedFeature));
  EXPECT_EQ(Feature(off.status()), "rowTracking");
}

TEST_F(RowTrackingTable, RefusedForAFileWithoutBaseRowId) {
  Build(true, true, std::nullopt);
  auto missing = Read({});
  EXPECT_TRUE(IsKind(missing.status(), ErrorKind::kUnsupportedFeature))
      << missing.status().ToString();
  EXPECT_EQ(Feature(missing.status()), "rowTracking");
  EXPECT_NE(missing.status().message().find("baseRowId"), std::string::npos);
  // Reading without row ids is unaffected.
  ASSERT_OK_AND_ASSIGN(auto plain, ReadSnapshot(*store_, snapshot_));
  EXPECT_EQ(plain->num_rows(), 5);
  EXPECT_EQ(plain->num_columns(), 1);
}

TEST_F(RowTrackingTable, RefusedWithoutTheWriterFeature) {
  Build(/*enabled=*/true, /*feature=*/false, 0);
  auto st = Read({}).status();
  EXPECT_EQ(Feature(st), "rowTracking") << st.ToString();
}

}  // namespace
}  // namespace deltaline::delta
