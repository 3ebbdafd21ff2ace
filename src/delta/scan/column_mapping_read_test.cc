// Reading tables whose data files use physical names and Parquet field ids (column
// mapping) or narrower types (type widening): files written here with Arrow, committed
// with a column-mapped schema through the transaction API, read back by the scan.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <arrow/json/from_string.h>
#include <arrow/util/key_value_metadata.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>

#include <filesystem>
#include <string>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/log/transaction.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/table/column_mapping.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using arrow::json::ArrayFromJSONString;
using deltaline::testing::TempDir;

std::shared_ptr<arrow::Field> FileField(const std::string& name,
                                        std::shared_ptr<arrow::DataType> type,
                                        std::optional<int> id) {
  auto metadata =
      id ? arrow::key_value_metadata({kParquetFieldIdKey}, {std::to_string(*id)})
         : nullptr;
  return arrow::field(name, std::move(type), true, std::move(metadata));
}

// The logical schema: `label` was `name` (physical col-name), `s.alpha` was `s.a`,
// `region` is the partition column, `added` came later; `dropped` is gone from it.
constexpr const char* kSchema = R"({"type":"struct","fields":[
  {"name":"id","type":"long","nullable":true,"metadata":{
    "delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-id"}},
  {"name":"label","type":"string","nullable":true,"metadata":{
    "delta.columnMapping.id":2,"delta.columnMapping.physicalName":"col-name"}},
  {"name":"s","type":{"type":"struct","fields":[
    {"name":"alpha","type":"integer","nullable":true,"metadata":{
      "delta.columnMapping.id":4,"delta.columnMapping.physicalName":"col-a"}},
    {"name":"b","type":"string","nullable":true,"metadata":{
      "delta.columnMapping.id":5,"delta.columnMapping.physicalName":"col-b"}}]},
   "nullable":true,"metadata":{
    "delta.columnMapping.id":3,"delta.columnMapping.physicalName":"col-s"}},
  {"name":"region","type":"string","nullable":true,"metadata":{
    "delta.columnMapping.id":6,"delta.columnMapping.physicalName":"col-part"}},
  {"name":"added","type":"integer","nullable":true,"metadata":{
    "delta.columnMapping.id":7,"delta.columnMapping.physicalName":"col-added"}}]})";

class ColumnMappingReadTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Writes `columns` (JSON per field) as one Parquet file; returns its add action.
  Add WriteFile(const std::string& name, const arrow::FieldVector& fields,
                const std::vector<std::string>& columns, PartitionValues partition,
                std::string stats) {
    std::vector<std::shared_ptr<arrow::Array>> arrays;
    for (size_t idx = 0; idx < fields.size(); ++idx) {
      arrays.push_back(
          ArrayFromJSONString(fields[idx]->type(), columns[idx]).ValueOrDie());
    }
    auto table = arrow::Table::Make(arrow::schema(fields), arrays);
    auto out = arrow::io::FileOutputStream::Open(dir_.str() + "/" + name).ValueOrDie();
    EXPECT_OK(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), out));
    EXPECT_OK(out->Close());
    Add add;
    add.path = name;
    add.partition_values = std::move(partition);
    add.size = static_cast<int64_t>(std::filesystem::file_size(dir_.str() + "/" + name));
    add.stats = std::move(stats);
    return add;
  }

  void Commit(const std::string& schema, std::vector<Add> adds,
              std::vector<std::string> partition_columns, StringMap configuration,
              Protocol protocol) {
    ASSERT_OK_AND_ASSIGN(store_, FileSystemLogStore::Open(dir_.str()));
    Metadata metadata;
    metadata.id = "00000000-0000-0000-0000-000000000001";
    metadata.schema_string = schema;
    metadata.partition_columns = std::move(partition_columns);
    metadata.configuration = std::move(configuration);
    Transaction txn(store_.get(), nullptr);
    txn.AddAction(protocol);
    txn.AddAction(metadata);
    for (auto& add : adds) txn.AddAction(std::move(add));
    ASSERT_OK(txn.Commit().status());
    ASSERT_OK_AND_ASSIGN(snapshot_, Snapshot::Load(*store_));
  }

  // The rows as JSON lines sorted by text, for exact comparison.
  std::vector<std::string> Rows(const ScanOptions& options = {}) {
    auto table = ReadSnapshot(*store_, snapshot_, options).ValueOrDie();
    auto batch = table->CombineChunksToBatch().ValueOrDie();
    std::vector<std::string> rows;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string text;
      for (int col = 0; col < batch->num_columns(); ++col) {
        text += (col ? " " : "") + batch->schema()->field(col)->name() + "=" +
                batch->column(col)->GetScalar(row).ValueOrDie()->ToString();
      }
      rows.push_back(text);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  TempDir dir_;
  std::unique_ptr<FileSystemLogStore> store_;
  std::shared_ptr<const Snapshot> snapshot_;
};

TEST_P(ColumnMappingReadTest, RenamedDroppedAndAddedColumns) {
  const bool by_id = GetParam() == "id";
  auto s_type = [&](const std::string& a, const std::string& b) {
    return arrow::struct_(
        {FileField(a, arrow::int32(), 4), FileField(b, arrow::utf8(), 5)});
  };
  // New-style file: physical names and ids, a dropped column still in it.
  Add mapped = WriteFile(
      "mapped.parquet",
      {FileField("col-id", arrow::int64(), 1), FileField("col-name", arrow::utf8(), 2),
       FileField("col-s", s_type("col-a", "col-b"), 3),
       FileField("col-dropped", arrow::int64(), 9),
       FileField("col-added", arrow::int32(), 7)},
      {"[1, 2]", R"(["one", "two"])", R"([{"col-a": 10, "col-b": "x"}, null])", "[5, 6]",
       "[7, null]"},
      {{"col-part", "p1"}},
      R"({"numRecords":2,"minValues":{"col-id":1,"col-s":{"col-a":10}},
          "maxValues":{"col-id":2,"col-s":{"col-a":10}},"nullCount":{"col-id":0}})");
  // Ids right, names wrong (an id-mode writer may name columns anything): only id
  // mode finds them.
  Add ids_only = WriteFile(
      "ids.parquet",
      {FileField("x1", arrow::int64(), 1), FileField("x2", arrow::utf8(), 2),
       FileField("x3", s_type("x4", "x5"), 3)},
      {"[3]", R"(["three"])", R"([{"x4": 30, "x5": "z"}])"}, {{"col-part", "p2"}},
      R"({"numRecords":1,"minValues":{"col-id":3},"maxValues":{"col-id":3}})");
  Commit(kSchema, {mapped, ids_only}, {"region"},
         {{"delta.columnMapping.mode", GetParam()}}, Protocol{2, 5, {}, {}});

  std::vector<std::string> want = {
      "id=1 label=one s={alpha:int32 = 10, b:string = x} region=p1 added=7",
      "id=2 label=two s=null region=p1 added=null",
      by_id ? "id=3 label=three s={alpha:int32 = 30, b:string = z} region=p2 added=null"
            : "id=null label=null s=null region=p2 added=null"};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(Rows(), want);

  // The output schema: logical names, no mapping metadata at any depth.
  auto table = ReadSnapshot(*store_, snapshot_).ValueOrDie();
  EXPECT_EQ(table->schema()->field_names(),
            (std::vector<std::string>{"id", "label", "s", "region", "added"}));
  EXPECT_FALSE(table->schema()->field(2)->metadata());
  EXPECT_FALSE(table->schema()->field(2)->type()->field(0)->metadata());

  // Pruning reads partitionValues and stats by physical name.
  ScanMetrics metrics;
  ScanOptions options;
  options.metrics = &metrics;
  options.filter = ParsePredicate("region = 'p2'", *snapshot_->schema()).ValueOrDie();
  EXPECT_EQ(Rows(options).size(), 1u);
  EXPECT_EQ(metrics.files_skipped_by_partition, 1);
  options.filter = ParsePredicate("s.alpha > 20", *snapshot_->schema()).ValueOrDie();
  Rows(options);
  EXPECT_EQ(metrics.files_skipped_by_stats, 1);
  options.filter = ParsePredicate("id = 3", *snapshot_->schema()).ValueOrDie();
  EXPECT_EQ(Rows(options).size(), by_id ? 1u : 0u);
  EXPECT_EQ(metrics.files_skipped_by_stats, 1);
}

// Spark switches a table to column mapping by giving each existing column its name
// as physical name: the files written before have those names and no field ids.
TEST_P(ColumnMappingReadTest, FilesWrittenBeforeTheMapping) {
  Add old = WriteFile("old.parquet",
                      {FileField("id", arrow::int64(), std::nullopt),
                       FileField("name", arrow::utf8(), std::nullopt)},
                      {"[1]", R"(["one"])"}, {}, "");
  Commit(R"({"type":"struct","fields":[
    {"name":"id","type":"long","nullable":true,"metadata":{
      "delta.columnMapping.id":1,"delta.columnMapping.physicalName":"id"}},
    {"name":"label","type":"string","nullable":true,"metadata":{
      "delta.columnMapping.id":2,"delta.columnMapping.physicalName":"name"}}]})",
         {old}, {}, {{"delta.columnMapping.mode", GetParam()}},
         Protocol{3, 7, std::vector<std::string>{"columnMapping"},
                  std::vector<std::string>{"columnMapping"}});
  EXPECT_EQ(Rows(), std::vector<std::string>{"id=1 label=one"});
}

INSTANTIATE_TEST_SUITE_P(Modes, ColumnMappingReadTest, ::testing::Values("name", "id"));

class TypeWideningReadTest : public ColumnMappingReadTest {};

// Files of the narrow types read as the table's wider types, and their stats (in the
// narrow type) still bound the widened values.
TEST_F(TypeWideningReadTest, NarrowFilesReadWidened) {
  Add narrow = WriteFile(
      "narrow.parquet",
      {FileField("b", arrow::int8(), std::nullopt),
       FileField("sh", arrow::int16(), std::nullopt),
       FileField("i", arrow::int32(), std::nullopt),
       FileField("f", arrow::float32(), std::nullopt),
       FileField("d", arrow::decimal128(5, 2), std::nullopt),
       FileField("dt", arrow::date32(), std::nullopt),
       FileField("i2d", arrow::int32(), std::nullopt),
       FileField("i2dec", arrow::int32(), std::nullopt)},
      {"[-128]", "[32767]", "[2147483647]", "[1.5]", R"(["-123.45"])", "[19782]", "[7]",
       "[-5]"},
      {{"dp", "2024-02-29"}},
      R"({"numRecords":1,"minValues":{"i":2147483647,"d":-123.45,"dt":"2024-02-29",
          "i2dec":-5},"maxValues":{"i":2147483647,"d":-123.45,"dt":"2024-02-29",
          "i2dec":-5},"nullCount":{"i":0,"dt":0}})");
  // A field of type `to` that was `from` when `narrow.parquet` was written.
  auto widened = [](const std::string& name, const std::string& to,
                    const std::string& from) {
    return "{\"name\":\"" + name + "\",\"type\":\"" + to +
           "\",\"nullable\":true,\"metadata\":{\"delta.typeChanges\":[{\"fromType\":\"" +
           from + "\",\"toType\":\"" + to + "\"}]}}";
  };
  std::string schema =
      "{\"type\":\"struct\",\"fields\":[" + widened("b", "long", "byte") + "," +
      widened("sh", "long", "short") + "," + widened("i", "long", "integer") + "," +
      widened("f", "double", "float") + "," +
      widened("d", "decimal(10,4)", "decimal(5,2)") + "," +
      widened("dt", "timestamp_ntz", "date") + "," + widened("i2d", "double", "integer") +
      "," + widened("i2dec", "decimal(12,2)", "integer") + "," +
      widened("dp", "timestamp_ntz", "date") + "]}";
  std::vector<std::string> features = {"typeWidening", "timestampNtz"};
  Commit(schema, {narrow}, {"dp"}, {}, Protocol{3, 7, features, features});

  EXPECT_EQ(Rows(),
            std::vector<std::string>{"b=-128 sh=32767 i=2147483647 f=1.5 d=-123.4500 "
                                     "dt=2024-02-29 00:00:00.000000 i2d=7 i2dec=-5.00 "
                                     "dp=2024-02-29 00:00:00.000000"});
  auto table = ReadSnapshot(*store_, snapshot_).ValueOrDie();
  EXPECT_TRUE(table->schema()->field(5)->type()->Equals(
      arrow::timestamp(arrow::TimeUnit::MICRO)));
  EXPECT_FALSE(table->schema()->field(0)->metadata());

  ScanMetrics metrics;
  ScanOptions options;
  options.metrics = &metrics;
  for (const auto& [predicate, rows] : std::vector<std::pair<std::string, size_t>>{
           {"dt = TIMESTAMP_NTZ '2024-02-29 00:00:00'", 1},
           {"dt > TIMESTAMP_NTZ '2024-02-29 00:00:01'", 0},
           {"dt < TIMESTAMP_NTZ '2024-02-29 00:00:01'", 1},
           {"dp = TIMESTAMP_NTZ '2024-02-29 00:00:00'", 1},
           {"i > 2147483646", 1},
           {"i > 2147483647", 0},
           {"d = -123.45", 1},
           {"d < -123.46", 0},
           {"i2dec = -5", 1}}) {
    options.filter = ParsePredicate(predicate, *snapshot_->schema()).ValueOrDie();
    EXPECT_EQ(Rows(options).size(), rows) << predicate;
    if (rows == 0) {
      EXPECT_EQ(metrics.files_skipped_by_stats, 1) << predicate;
    } else {
      EXPECT_EQ(metrics.files_read, 1) << predicate;
    }
  }
}

// Widened struct fields, array elements and map values (typeChanges with fieldPath).
TEST_F(TypeWideningReadTest, NestedFieldsReadWidened) {
  auto map_type = arrow::map(arrow::utf8(), arrow::float32());
  Add narrow = WriteFile(
      "nested.parquet",
      {FileField("s", arrow::struct_({FileField("x", arrow::int16(), std::nullopt)}),
                 std::nullopt),
       FileField("l", arrow::list(arrow::int8()), std::nullopt),
       FileField("m", map_type, std::nullopt)},
      {R"([{"x": -300}, null])", "[[1, null, -2], null]", R"([[["k", 0.5]], null])"}, {},
      "");
  Commit(R"({"type":"struct","fields":[
    {"name":"s","type":{"type":"struct","fields":[{"name":"x","type":"long",
      "nullable":true,"metadata":{"delta.typeChanges":[{"fromType":"short",
      "toType":"long"}]}}]},"nullable":true,"metadata":{}},
    {"name":"l","type":{"type":"array","elementType":"integer","containsNull":true},
     "nullable":true,"metadata":{"delta.typeChanges":[{"fromType":"byte",
     "toType":"integer","fieldPath":"element"}]}},
    {"name":"m","type":{"type":"map","keyType":"string","valueType":"double",
     "valueContainsNull":true},"nullable":true,"metadata":{"delta.typeChanges":[
     {"fromType":"float","toType":"double","fieldPath":"value"}]}}]})",
         {narrow}, {}, {},
         Protocol{3, 7, std::vector<std::string>{"typeWidening"},
                  std::vector<std::string>{"typeWidening"}});
  auto table = ReadSnapshot(*store_, snapshot_).ValueOrDie();
  auto want = arrow::schema(
      {arrow::field("s", arrow::struct_({arrow::field("x", arrow::int64())})),
       arrow::field("l", arrow::list(arrow::field("element", arrow::int32()))),
       arrow::field("m", arrow::map(arrow::utf8(), arrow::float64()))});
  EXPECT_TRUE(table->schema()->Equals(*want)) << table->schema()->ToString();
  auto expected = arrow::Table::Make(
      want,
      {ArrayFromJSONString(want->field(0)->type(), R"([{"x": -300}, null])").ValueOrDie(),
       ArrayFromJSONString(want->field(1)->type(), "[[1, null, -2], null]").ValueOrDie(),
       ArrayFromJSONString(want->field(2)->type(), R"([[["k", 0.5]], null])")
           .ValueOrDie()});
  EXPECT_TRUE(table->Equals(*expected)) << table->ToString();
}

TEST_F(TypeWideningReadTest, UnsupportedChangeIsRefusedByName) {
  Add narrow = WriteFile("n.parquet", {FileField("x", arrow::int64(), std::nullopt)},
                         {"[1]"}, {}, "");
  ASSERT_OK_AND_ASSIGN(store_, FileSystemLogStore::Open(dir_.str()));
  Metadata metadata;
  metadata.id = "00000000-0000-0000-0000-000000000001";
  metadata.schema_string = R"({"type":"struct","fields":[{"name":"x","type":"integer",
    "nullable":true,"metadata":{"delta.typeChanges":[{"fromType":"long",
    "toType":"integer"}]}}]})";
  std::vector<std::string> features = {"typeWidening"};
  Transaction txn(store_.get(), nullptr);
  txn.AddAction(Protocol{3, 7, features, features});
  txn.AddAction(metadata);
  txn.AddAction(narrow);
  ASSERT_OK(txn.Commit().status());
  auto loaded = Snapshot::Load(*store_);
  ASSERT_FALSE(loaded.ok());
  EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kUnsupportedFeature));
  EXPECT_EQ(GetDeltaDetail(loaded.status())->feature(), "typeWidening");
}

}  // namespace
}  // namespace deltaline::delta
