// Partitioned writes: Hive directories, partitionValues per type, path safety,
// replaceWhere, partition replace, delete, their conflicts and metrics.
#include <arrow/api.h>
#include <arrow/compute/api.h>
#include <arrow/io/file.h>
#include <arrow/json/from_string.h>
#include <arrow/util/uri.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/table/partition_path.h"
#include "delta/write/write.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;
using arrow::json::ArrayFromJSONString;
using deltaline::testing::PxTable;
using deltaline::testing::TableFromJson;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

std::vector<std::string> DataFiles(const std::filesystem::path& root) {
  std::vector<std::string> out;
  if (!std::filesystem::exists(root)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".parquet" &&
        entry.path().string().find("_delta_log") == std::string::npos) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

class PartitionWriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "table";
    store_ = FileSystemLogStore::Open(root_.string()).ValueOrDie();
  }
  arrow::Result<std::shared_ptr<arrow::Table>> ReadLatest() {
    ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(*store_));
    return ReadSnapshot(*store_, snapshot);
  }
  arrow::Result<WriteResult> Write(const arrow::Table& table, SaveMode mode,
                                   std::vector<std::string> partition_by = {"p"}) {
    WriteOptions options;
    options.mode = mode;
    options.partition_by = std::move(partition_by);
    return WriteTable(*store_, table, options);
  }
  arrow::Result<WriteResult> ReplaceWhere(
      const arrow::Table& table, cp::Expression predicate,
      std::shared_ptr<const Snapshot> base = nullptr) {
    WriteOptions options;
    options.mode = SaveMode::kOverwrite;
    options.replace_where = std::move(predicate);
    options.read_snapshot = std::move(base);
    return WriteTable(*store_, table, options);
  }
  arrow::Result<WriteResult> Replace(const arrow::Table& table,
                                     std::vector<PartitionValues> deletes = {},
                                     std::shared_ptr<const Snapshot> base = nullptr) {
    arrow::TableBatchReader reader(table);
    WriteOptions options;
    options.read_snapshot = std::move(base);
    return ReplacePartitions(*store_, reader, {"p"}, deletes, options);
  }
  std::set<std::string> LivePaths() {
    std::set<std::string> out;
    for (const auto& add : Snapshot::Load(*store_).ValueOrDie()->files())
      out.insert(add.path);
    return out;
  }
  std::vector<Add> LiveFiles() { return Snapshot::Load(*store_).ValueOrDie()->files(); }

  TempDir dir_;
  std::filesystem::path root_;
  std::unique_ptr<LogStore> store_;
};

TEST(PartitionPathTest, EscapesLikeHive) {
  EXPECT_EQ(EscapePartitionPathName("A/A"), "A%2FA");
  EXPECT_EQ(EscapePartitionPathName("a=b%c"), "a%3Db%25c");
  EXPECT_EQ(EscapePartitionPathName("x:y?z#\"'*\\{[]^"),
            "x%3Ay%3Fz%23%22%27%2A%5C%7B%5B%5D%5E");
  EXPECT_EQ(EscapePartitionPathName(std::string("a\0b\x01\x7f", 5)), "a%00b%01%7F");
  EXPECT_EQ(EscapePartitionPathName("a b é😀.."), "a b é😀..");
  auto key = MakePartitionKey({"p", "q"}, {{"p", "../.."}, {"q", std::nullopt}});
  ASSERT_OK(key.status());
  EXPECT_EQ(key->directory, "p=..%2F../q=__HIVE_DEFAULT_PARTITION__");
  EXPECT_EQ(EncodeDataFilePath("x=A%2FA", "f.parquet"), "x=A%252FA/f.parquet");
}

TEST(PartitionPathTest, RefusesPathsLeavingTheRoot) {
  for (const std::string& bad : std::vector<std::string>{
           "..", "a/../b", "/etc", "a//b", "./a", std::string("a\0b", 3), "a\\b"}) {
    auto st = CheckPathStaysInside(bad);
    EXPECT_TRUE(IsKind(st, ErrorKind::kInvalidInput)) << bad << ": " << st.ToString();
  }
  EXPECT_OK(CheckPathStaysInside("p=..%2F../q=%00"));
}

TEST_F(PartitionWriteTest, StringValuesRoundTripAndStayInsideTheRoot) {
  const std::string values =
      R"([null, "", "/", "=", "%", "..", "../..", "/etc/passwd", "a b", "😀", "é中文", "x%2Fy", "__HIVE_DEFAULT_PARTITION__", ".", "a\\b", "tab\there", "nul\u0000x"])";
  auto ps = ArrayFromJSONString(arrow::utf8(), values).ValueOrDie();
  arrow::Int64Builder ids;
  for (int64_t row = 0; row < ps->length(); ++row) ASSERT_OK(ids.Append(row));
  auto table = arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64()),
                                                 arrow::field("p", arrow::utf8())}),
                                  {ids.Finish().ValueOrDie(), ps});
  ASSERT_OK_AND_ASSIGN(auto result, Write(*table, SaveMode::kError));
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  // The protocol reads an empty partition value as null (Spark writes it so too).
  auto expected_p = ArrayFromJSONString(arrow::utf8(),
                                        [&] {
                                          std::string v = values;
                                          v.replace(v.find(R"(, "",)"), 5, ", null,");
                                          return v;
                                        }())
                        .ValueOrDie();
  auto expected =
      arrow::Table::Make(table->schema(), {table->column(0)->chunk(0), expected_p});
  EXPECT_TRUE(TablesEqualUnordered(*expected, *read));
  // Every file sits under the table root, one directory per distinct value, and the
  // directory named by add.path (URI-decoded) exists.
  const std::string parent = dir_.path().string();
  for (const auto& path : DataFiles(dir_.path())) {
    EXPECT_EQ(path.rfind(root_.string() + "/p=", 0), 0u) << path;
  }
  std::set<std::string> dirs;
  for (const auto& add : LiveFiles()) {
    auto decoded = arrow::util::UriUnescape(add.path);
    EXPECT_TRUE(std::filesystem::exists(root_ / decoded)) << add.path;
    auto canonical = std::filesystem::weakly_canonical(root_ / decoded).string();
    EXPECT_EQ(canonical.rfind(std::filesystem::weakly_canonical(root_).string() + "/", 0),
              0u);
    dirs.insert(decoded.substr(0, decoded.find('/')));
    ASSERT_EQ(add.partition_values.count("p"), 1u);
  }
  // null, "" and the literal "__HIVE_DEFAULT_PARTITION__" share a directory (as in
  // Spark); partitionValues keep the literal apart from null.
  EXPECT_EQ(dirs.size(), static_cast<size_t>(ps->length() - 2));
  EXPECT_TRUE(dirs.count("p=__HIVE_DEFAULT_PARTITION__"));
  EXPECT_TRUE(dirs.count("p=%2F"));
  EXPECT_TRUE(dirs.count("p=.."));
  EXPECT_TRUE(dirs.count("p=nul%00x"));
  EXPECT_EQ(result.partitions.size(), dirs.size());
}

TEST_F(PartitionWriteTest, TypedPartitionValuesFollowTheProtocol) {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("d", arrow::date32()),
       arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
       arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
       arrow::field("dec", arrow::decimal128(10, 2)), arrow::field("b", arrow::boolean()),
       arrow::field("i", arrow::int32()), arrow::field("f", arrow::float64())});
  auto table =
      TableFromJson({schema->fields().begin(), schema->fields().end()},
                    {"[1, 2, 3]", "[19753, -1, null]",
                     R"(["2024-01-31 10:11:12.123456", "1969-12-31 23:59:59.5", null])",
                     R"(["2024-01-31 10:11:12", "2000-02-29 00:00:00.000001", null])",
                     R"(["12.30", "-0.05", null])", "[true, false, null]",
                     "[7, -2147483648, null]", "[1.5, -0.25, null]"});
  std::vector<std::string> parts = {"d", "ts", "ntz", "dec", "b", "i", "f"};
  ASSERT_OK(Write(*table, SaveMode::kError, parts).status());
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(*table, *read)) << read->ToString();
  std::map<std::string, PartitionValues> by_id;
  for (const auto& add : LiveFiles()) {
    auto key = add.partition_values.at("i").value_or("null");
    by_id[key] = add.partition_values;
  }
  ASSERT_EQ(by_id.size(), 3u);
  const PartitionValues& first = by_id.at("7");
  EXPECT_EQ(first.at("d"), "2024-01-31");
  EXPECT_EQ(first.at("ts"), "2024-01-31T10:11:12.123456Z");
  EXPECT_EQ(first.at("ntz"), "2024-01-31 10:11:12.000000");
  EXPECT_EQ(first.at("dec"), "12.30");
  EXPECT_EQ(first.at("b"), "true");
  EXPECT_EQ(first.at("f"), "1.5");
  const PartitionValues& second = by_id.at("-2147483648");
  EXPECT_EQ(second.at("d"), "1969-12-31");
  EXPECT_EQ(second.at("ts"), "1969-12-31T23:59:59.500000Z");
  EXPECT_EQ(second.at("dec"), "-0.05");
  EXPECT_EQ(second.at("b"), "false");
  for (const auto& [column, value] : by_id.at("null")) EXPECT_FALSE(value) << column;
  // Partition columns are not stored in the data files.
  for (const auto& path : DataFiles(root_)) {
    auto file = arrow::io::ReadableFile::Open(path).ValueOrDie();
    auto reader =
        parquet::arrow::OpenFile(file, arrow::default_memory_pool()).ValueOrDie();
    std::shared_ptr<arrow::Schema> file_schema;
    ASSERT_OK(reader->GetSchema(&file_schema));
    EXPECT_EQ(file_schema->num_fields(), 1) << file_schema->ToString();
    EXPECT_EQ(file_schema->field(0)->name(), "id");
  }
}

TEST_F(PartitionWriteTest, RefusesBadPartitionColumnsAndChangingThem) {
  auto table = PxTable("[1]", "[1]", "[1]");
  EXPECT_TRUE(IsKind(Write(*table, SaveMode::kError, {"nope"}).status(),
                     ErrorKind::kInvalidInput));
  EXPECT_TRUE(IsKind(Write(*table, SaveMode::kError, {"id", "p", "x"}).status(),
                     ErrorKind::kInvalidInput));
  EXPECT_FALSE(
      std::filesystem::exists(root_ / "_delta_log" / "00000000000000000000.json"));
  ASSERT_OK(Write(*table, SaveMode::kError).status());
  for (SaveMode mode : {SaveMode::kAppend, SaveMode::kOverwrite}) {
    auto st = Write(*table, mode, {"x"}).status();
    EXPECT_TRUE(IsKind(st, ErrorKind::kSchemaMismatch)) << st.ToString();
  }
  // Appending without partition_by uses the table's own columns.
  ASSERT_OK(Write(*table, SaveMode::kAppend, {}).status());
  EXPECT_EQ(Snapshot::Load(*store_).ValueOrDie()->version(), 1);
}

TEST_F(PartitionWriteTest, OverwriteWithSchemaOverwriteRepartitions) {
  auto table = PxTable("[1, 2, 3]", "[1, 1, 2]", "[10, 20, 30]");
  ASSERT_OK(Write(*table, SaveMode::kError).status());
  WriteOptions options;
  options.mode = SaveMode::kOverwrite;
  options.partition_by = {"x"};
  // Schema mode merge is not enough: the old files' layout would no longer match.
  options.schema_mode = SchemaMode::kMerge;
  EXPECT_TRUE(
      IsKind(WriteTable(*store_, *table, options).status(), ErrorKind::kSchemaMismatch));
  options.schema_mode = SchemaMode::kOverwrite;
  ASSERT_OK(WriteTable(*store_, *table, options).status());
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->partition_columns(), std::vector<std::string>{"x"});
  for (const auto& add : snapshot->files()) {
    EXPECT_EQ(add.path.rfind("x=", 0), 0u) << add.path;
    EXPECT_TRUE(add.partition_values.count("x")) << add.path;
  }
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(*table, *read));
}

TEST_F(PartitionWriteTest, FewOpenWritersStillWriteEveryRow) {
  arrow::Int64Builder ids, xs;
  arrow::Int32Builder ps;
  for (int64_t row = 0; row < 5000; ++row) {
    ASSERT_OK(ids.Append(row));
    ASSERT_OK(ps.Append(static_cast<int32_t>((row * 7) % 13)));
    ASSERT_OK(xs.Append(row * 3));
  }
  auto table = arrow::Table::Make(
      PxTable("[]", "[]", "[]")->schema(),
      {ids.Finish().ValueOrDie(), ps.Finish().ValueOrDie(), xs.Finish().ValueOrDie()});
  // 50 batches of 100 rows, each touching every partition.
  auto combined = table->CombineChunksToBatch().ValueOrDie();
  std::vector<std::shared_ptr<arrow::RecordBatch>> batches;
  for (int64_t offset = 0; offset < 5000; offset += 100)
    batches.push_back(combined->Slice(offset, 100));
  auto reader = arrow::RecordBatchReader::Make(batches).ValueOrDie();
  WriteOptions options;
  options.partition_by = {"p"};
  options.max_open_partition_writers = 2;
  ASSERT_OK_AND_ASSIGN(auto result, WriteBatches(*store_, *reader, options));
  ASSERT_OK_AND_ASSIGN(auto read, ReadLatest());
  EXPECT_TRUE(TablesEqualUnordered(*table, *read));
  // Closing least recently used writers gives more files than partitions.
  EXPECT_GT(result.files_added, 13);
  EXPECT_EQ(result.partitions.size(), 13u);
}

}  // namespace
}  // namespace deltaline::delta
