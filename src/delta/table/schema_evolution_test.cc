// Schema policies on real tables: strict lists every difference, merge adds new
// nullable columns (and delta-rs reads the merged table), overwrite replaces the
// schema only together with an overwrite.
#include "delta/table/schema_evolution.h"

#include <cstdio>
#include <fstream>

#include <arrow/api.h>
#include <arrow/json/from_string.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "support/deltars_reader.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TableFromJson;

class SchemaEvolutionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    uri_ = dir_.str() + "/t";
    store_ = FileSystemLogStore::Open(uri_).ValueOrDie();
    auto schema = arrow::schema(
        {arrow::field("id", arrow::int64(), false), arrow::field("name", arrow::utf8())});
    ASSERT_OK(WriteTable(*store_, *TableFromJson(schema, {"[1, 2]", R"(["a", "b"])"}))
                  .status());
  }
  testing::TempDir dir_;
  std::string uri_;
  std::unique_ptr<LogStore> store_;
};

TEST_F(SchemaEvolutionTest, StrictListsEveryDifference) {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::utf8()), arrow::field("extra", arrow::int32())});
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  auto st =
      WriteTable(*store_, *TableFromJson(schema, {R"(["x"])", "[1]"}), options).status();
  ASSERT_TRUE(IsKind(st, ErrorKind::kSchemaMismatch)) << st.ToString();
  const std::string msg = st.message();
  EXPECT_NE(msg.find("schema mode strict"), std::string::npos) << msg;
  EXPECT_NE(msg.find("column 'id' is string, the table has int64"), std::string::npos)
      << msg;
  EXPECT_NE(msg.find("missing column 'name' (string)"), std::string::npos) << msg;
  EXPECT_NE(msg.find("extra column 'extra' (int32)"), std::string::npos) << msg;
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->version(), 0);
}

TEST_F(SchemaEvolutionTest, MergeAddsNullableColumnsThatDeltaRsReads) {
  // New nullable `score`; `name` left out (nullable, so written as null).
  auto schema = arrow::schema({arrow::field("id", arrow::int64(), false),
                               arrow::field("score", arrow::float64())});
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  options.schema_mode = SchemaMode::kMerge;
  ASSERT_OK_AND_ASSIGN(
      auto result,
      WriteTable(*store_, *TableFromJson(schema, {"[3]", "[2.5]"}), options));
  EXPECT_TRUE(result.schema_changed);
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  ASSERT_EQ(snapshot->schema()->num_fields(), 3);
  EXPECT_EQ(snapshot->schema()->field(2)->name(), "score");
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store_, snapshot));
  EXPECT_EQ(rows->num_rows(), 3);

  // delta-rs, an independent reader, sees the merged schema and the nulls.
  ASSERT_OK_AND_ASSIGN(
      const std::string out,
      testing::ReadWithDeltaRs(
          uri_,
          "rows = sorted(t.to_pyarrow_table().to_pylist(), key=lambda r: r['id'])\n"
          "print(json.dumps({'version': t.version(),"
          " 'fields': [f.name for f in t.schema().fields], 'rows': rows}))"));
  const nlohmann::json seen = nlohmann::json::parse(out);
  EXPECT_EQ(seen["version"], 1);
  EXPECT_EQ(seen["fields"], nlohmann::json({"id", "name", "score"}));
  EXPECT_EQ(seen["rows"], nlohmann::json::parse(R"([
      {"id": 1, "name": "a", "score": null}, {"id": 2, "name": "b", "score": null},
      {"id": 3, "name": null, "score": 2.5}])"));
}

TEST_F(SchemaEvolutionTest, MergeStillRefusesTypeChangesAndNotNullColumns) {
  auto schema = arrow::schema({arrow::field("id", arrow::int32(), false),
                               arrow::field("flag", arrow::boolean(), false)});
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  options.schema_mode = SchemaMode::kMerge;
  auto st =
      WriteTable(*store_, *TableFromJson(schema, {"[1]", "[true]"}), options).status();
  ASSERT_TRUE(IsKind(st, ErrorKind::kSchemaMismatch)) << st.ToString();
  EXPECT_NE(st.message().find("merge does not change types"), std::string::npos);
  EXPECT_NE(st.message().find("new column 'flag' (bool NOT NULL) must be nullable"),
            std::string::npos)
      << st.message();
}

TEST_F(SchemaEvolutionTest, OverwriteReplacesTheSchemaOnlyWithModeOverwrite) {
  auto schema = arrow::schema({arrow::field("key", arrow::utf8())});
  auto table = TableFromJson(schema, {R"(["k"])"});
  WriteOptions options;
  options.schema_mode = SchemaMode::kOverwrite;
  options.mode = SaveMode::kAppend;
  auto st = WriteTable(*store_, *table, options).status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << st.ToString();
  EXPECT_NE(st.message().find("needs write mode overwrite"), std::string::npos);

  options.mode = SaveMode::kOverwrite;
  ASSERT_OK_AND_ASSIGN(auto result, WriteTable(*store_, *table, options));
  EXPECT_TRUE(result.schema_changed);
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_TRUE(
      snapshot->schema()->Equals(*arrow::schema({arrow::field("key", arrow::utf8())})));
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store_, snapshot));
  EXPECT_EQ(rows->num_rows(), 1);
}

}  // namespace
}  // namespace deltaline::delta
