#include "delta/write/data_writer.h"

#include <chrono>
#include <filesystem>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/filesystem/localfs.h>
#include <arrow/json/from_string.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::BatchFromJson;
using nlohmann::json;

class DataFileWriterTest : public ::testing::Test {
 protected:
  std::shared_ptr<arrow::fs::FileSystem> fs_ =
      std::make_shared<arrow::fs::LocalFileSystem>();
  deltaline::testing::TempDir dir_;

  std::string Root() const { return dir_.str(); }

  arrow::Result<std::shared_ptr<arrow::Table>> ReadFile(const std::string& relative) {
    ARROW_ASSIGN_OR_RAISE(auto input, fs_->OpenInputFile(Root() + "/" + relative));
    ARROW_ASSIGN_OR_RAISE(auto reader,
                          parquet::arrow::OpenFile(input, arrow::default_memory_pool()));
    return reader->ReadTable();
  }

  std::unique_ptr<parquet::ParquetFileReader> OpenFooter(const std::string& relative) {
    return parquet::ParquetFileReader::OpenFile(Root() + "/" + relative);
  }

  std::vector<std::string> FilesOnDisk() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }
};

std::shared_ptr<arrow::Schema> AllTypesSchema() {
  return arrow::schema({
      arrow::field("bool", arrow::boolean()),
      arrow::field("i8", arrow::int8()),
      arrow::field("i16", arrow::int16()),
      arrow::field("i32", arrow::int32()),
      arrow::field("i64", arrow::int64()),
      arrow::field("f32", arrow::float32()),
      arrow::field("f64", arrow::float64()),
      arrow::field("dec", arrow::decimal128(10, 2)),
      arrow::field("str", arrow::utf8()),
      arrow::field("bin", arrow::binary()),
      arrow::field("date", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("st", arrow::struct_({arrow::field("x", arrow::int32()),
                                         arrow::field("y", arrow::utf8())})),
      arrow::field("lst", arrow::list(arrow::field("element", arrow::int64()))),
      arrow::field("m", arrow::map(arrow::utf8(), arrow::int32())),
  });
}

std::shared_ptr<arrow::RecordBatch> AllTypesBatch() {
  const std::string long_text = "this string is longer than thirty-two characters";
  return BatchFromJson(
      AllTypesSchema(),
      {
          "[true, false, null, true]",
          "[-128, 127, null, 0]",
          "[-32768, 32767, null, 1]",
          "[-5, 2147483647, null, 3]",
          "[-9000000000, 9000000000, null, 4]",
          "[1.5, -0.25, null, 3]",
          "[1.5, NaN, null, -7.5]",
          R"(["12345678.99", "-0.01", null, "0.00"])",
          R"(["ascii", ")" + long_text + R"(", null, "\u00e9t\u00e9 \ud83d\ude00"])",
          R"(["raw", "", null, "bytes"])",
          "[0, -1, null, 19000]",
          "[1700000000123456, -1500, null, 0]",
          "[1700000000999999, 1, null, 0]",
          R"([{"x": 1, "y": "a"}, null, {"x": null, "y": "b"}, {"x": 9, "y": null}])",
          "[[1, 2], [], null, [null]]",
          R"([[["k", 1], ["l", null]], [], null, [["z", 3]]])",
      });
}

TEST_F(DataFileWriterTest, RoundTripsEveryTypeWithStats) {
  auto schema = AllTypesSchema();
  auto batch = AllTypesBatch();
  ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root() + "/", schema));
  const int64_t before = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  ASSERT_OK(writer->Write(*batch));
  ASSERT_OK(writer->Write(*batch->Slice(1, 2)));
  ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
  ASSERT_EQ(adds.size(), 1u);
  const Add& add = adds[0];
  EXPECT_EQ(writer->written_paths(), std::vector<std::string>{add.path});
  EXPECT_EQ(FilesOnDisk(), std::vector<std::string>{add.path});
  EXPECT_EQ(add.size,
            static_cast<int64_t>(std::filesystem::file_size(dir_.path() / add.path)));
  EXPECT_GE(add.modification_time, before);
  EXPECT_TRUE(add.data_change);
  EXPECT_TRUE(add.partition_values.empty());

  ASSERT_OK_AND_ASSIGN(auto table, ReadFile(add.path));
  ASSERT_OK_AND_ASSIGN(auto expected,
                       arrow::Table::FromRecordBatches({batch, batch->Slice(1, 2)}));
  ASSERT_OK_AND_ASSIGN(expected, expected->CombineChunks());
  ASSERT_OK_AND_ASSIGN(table, table->CombineChunks());
  EXPECT_TRUE(expected->schema()->Equals(*table->schema(), /*check_metadata=*/false))
      << table->schema()->ToString();
  EXPECT_TRUE(table->Equals(*expected, arrow::EqualOptions().nans_equal(true)))
      << table->ToString();

  ASSERT_TRUE(add.stats.has_value());
  json stats = json::parse(*add.stats);
  EXPECT_EQ(stats["numRecords"], 6);
  const json& min = stats["minValues"];
  const json& max = stats["maxValues"];
  const json& nulls = stats["nullCount"];
  EXPECT_EQ(min["i8"], -128);
  EXPECT_EQ(max["i64"], 9000000000LL);
  EXPECT_EQ(min["f32"], -0.25);
  EXPECT_FALSE(min.contains("f64")) << "f64 holds NaN: its range is unknown";
  EXPECT_FALSE(max.contains("f64"));
  EXPECT_EQ(nulls["f64"], 2);
  EXPECT_NE(add.stats->find(R"("dec":-0.01)"), std::string::npos) << *add.stats;
  EXPECT_NE(add.stats->find(R"("dec":12345678.99)"), std::string::npos) << *add.stats;
  EXPECT_EQ(min["str"], "ascii");
  EXPECT_EQ(max["str"], "\u00e9t\u00e9 \U0001F600");
  EXPECT_EQ(min["date"], "1969-12-31");
  EXPECT_EQ(min["ts"], "1969-12-31T23:59:59.998Z");
  EXPECT_EQ(max["ts"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(max["ntz"], "2023-11-14T22:13:20.999");
  EXPECT_EQ(min["st"]["x"], 1);
  EXPECT_EQ(max["st"]["y"], "b");
  EXPECT_EQ(nulls["st"]["x"], 4);  // the null struct counts for its children
  EXPECT_FALSE(min.contains("bool"));
  EXPECT_FALSE(min.contains("bin"));
  EXPECT_EQ(nulls["bool"], 2);
  EXPECT_EQ(nulls["bin"], 2);
  EXPECT_FALSE(nulls.contains("lst"));
  EXPECT_FALSE(nulls.contains("m"));
}

TEST_F(DataFileWriterTest, TimestampsAreInt64Micros) {
  auto schema = AllTypesSchema();
  ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema));
  ASSERT_OK(writer->Write(*AllTypesBatch()));
  ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
  auto footer = OpenFooter(adds[0].path)->metadata();
  for (const auto& [name, utc] : {std::pair{"ts", true}, std::pair{"ntz", false}}) {
    const int leaf = footer->schema()->ColumnIndex(name);
    ASSERT_GE(leaf, 0);
    const parquet::ColumnDescriptor* column = footer->schema()->Column(leaf);
    EXPECT_EQ(column->physical_type(), parquet::Type::INT64);
    ASSERT_TRUE(column->logical_type()->is_timestamp());
    const auto& logical =
        static_cast<const parquet::TimestampLogicalType&>(*column->logical_type());
    EXPECT_EQ(logical.time_unit(), parquet::LogicalType::TimeUnit::MICROS);
    EXPECT_EQ(logical.is_adjusted_to_utc(), utc) << name;
  }
  EXPECT_EQ(footer->RowGroup(0)->ColumnChunk(0)->compression(), arrow::Compression::ZSTD);
}

std::shared_ptr<arrow::RecordBatch> RandomBatch(int64_t first_id, int64_t rows,
                                                std::mt19937_64& rng) {
  arrow::Int64Builder ids;
  arrow::StringBuilder payloads;
  std::uniform_int_distribution<int> letter(0, 25);
  for (int64_t row = 0; row < rows; ++row) {
    EXPECT_TRUE(ids.Append(first_id + row).ok());
    std::string payload(64, ' ');
    for (char& c : payload) c = static_cast<char>('a' + letter(rng));
    EXPECT_TRUE(payloads.Append(payload).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("payload", arrow::utf8())});
  return arrow::RecordBatch::Make(
      schema, rows, {ids.Finish().ValueOrDie(), payloads.Finish().ValueOrDie()});
}

TEST_F(DataFileWriterTest, RollsOverNearTheTargetSize) {
  constexpr int64_t kTarget = 64 << 10;
  std::mt19937_64 rng(7);
  DataWriterOptions options;
  options.target_file_size = kTarget;
  auto schema = RandomBatch(0, 1, rng)->schema();
  ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema, options));
  int64_t total = 0;
  for (int batch_idx = 0; batch_idx < 20; ++batch_idx) {
    ASSERT_OK(writer->Write(*RandomBatch(total, 1000, rng)));
    total += 1000;
  }
  // One large batch is sliced rather than written as one oversized file.
  ASSERT_OK(writer->Write(*RandomBatch(total, 20000, rng)));
  total += 20000;
  ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
  ASSERT_GT(adds.size(), 10u);
  EXPECT_EQ(FilesOnDisk().size(), adds.size());

  int64_t rows = 0;
  std::set<int64_t> ids;
  for (size_t file_idx = 0; file_idx < adds.size(); ++file_idx) {
    const Add& add = adds[file_idx];
    EXPECT_EQ(add.path, writer->written_paths()[file_idx]);
    EXPECT_EQ(add.size,
              static_cast<int64_t>(std::filesystem::file_size(dir_.path() / add.path)));
    if (file_idx + 1 < adds.size()) {
      EXPECT_GE(add.size, kTarget / 2) << "file " << file_idx;
      EXPECT_LE(add.size, kTarget * 3 / 2) << "file " << file_idx;
    }
    rows += json::parse(*add.stats)["numRecords"].get<int64_t>();
    ASSERT_OK_AND_ASSIGN(auto table, ReadFile(add.path));
    auto column = std::static_pointer_cast<arrow::Int64Array>(
        table->GetColumnByName("id")->chunk(0));
    for (int64_t row = 0; row < column->length(); ++row) ids.insert(column->Value(row));
  }
  EXPECT_EQ(rows, total);
  EXPECT_EQ(static_cast<int64_t>(ids.size()), total);
  EXPECT_EQ(*ids.begin(), 0);
  EXPECT_EQ(*ids.rbegin(), total - 1);
}

TEST_F(DataFileWriterTest, FlushesRowGroupsToBoundMemory) {
  std::mt19937_64 rng(11);
  DataWriterOptions options;
  options.max_row_group_bytes = 32 << 10;
  auto schema = RandomBatch(0, 1, rng)->schema();
  ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema, options));
  for (int batch_idx = 0; batch_idx < 10; ++batch_idx) {
    ASSERT_OK(writer->Write(*RandomBatch(batch_idx * 1000, 1000, rng)));
  }
  ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
  ASSERT_EQ(adds.size(), 1u);
  auto footer = OpenFooter(adds[0].path)->metadata();
  EXPECT_GT(footer->num_row_groups(), 5);
  for (int rg_idx = 0; rg_idx < footer->num_row_groups(); ++rg_idx) {
    EXPECT_GT(footer->RowGroup(rg_idx)->num_rows(), 0) << "row group " << rg_idx;
    EXPECT_LT(footer->RowGroup(rg_idx)->total_compressed_size(), 64 << 10);
  }
  EXPECT_EQ(footer->num_rows(), 10000);
}

TEST_F(DataFileWriterTest, NoRowsNoFiles) {
  auto schema = AllTypesSchema();
  ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema));
  ASSERT_OK(writer->Write(*AllTypesBatch()->Slice(0, 0)));
  ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
  EXPECT_TRUE(adds.empty());
  EXPECT_TRUE(writer->written_paths().empty());
  EXPECT_TRUE(FilesOnDisk().empty());
}

TEST_F(DataFileWriterTest, NamesAreUniqueAndSparkShaped) {
  auto schema = AllTypesSchema();
  std::vector<std::string> paths;
  for (auto codec :
       {arrow::Compression::ZSTD, arrow::Compression::ZSTD, arrow::Compression::SNAPPY}) {
    DataWriterOptions options;
    options.writer_properties =
        parquet::WriterProperties::Builder().compression(codec)->build();
    ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema, options));
    ASSERT_OK(writer->Write(*AllTypesBatch()));
    ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
    ASSERT_EQ(adds.size(), 1u);
    paths.push_back(adds[0].path);
  }
  const std::regex uuid_name(
      "part-00000-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"
      "-c000\\.(zstd|snappy)\\.parquet");
  for (const auto& path : paths) EXPECT_TRUE(std::regex_match(path, uuid_name)) << path;
  EXPECT_NE(paths[0], paths[1]);
  EXPECT_NE(paths[2].find(".snappy.parquet"), std::string::npos);
  EXPECT_EQ(FilesOnDisk().size(), 3u);
}

TEST_F(DataFileWriterTest, RefusesMismatchedBatchesAndUseAfterFinish) {
  auto schema = AllTypesSchema();
  ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema));
  auto other =
      BatchFromJson(arrow::schema({arrow::field("bool", arrow::boolean())}), {"[true]"});
  arrow::Status st = writer->Write(*other);
  EXPECT_TRUE(IsKind(st, ErrorKind::kSchemaMismatch)) << st.ToString();
  ASSERT_OK(writer->Write(*AllTypesBatch()));
  ASSERT_OK_AND_ASSIGN(auto adds, writer->Finish());
  EXPECT_EQ(adds.size(), 1u);
  EXPECT_FALSE(writer->Write(*AllTypesBatch()).ok());
  EXPECT_FALSE(writer->Finish().ok());
}

TEST_F(DataFileWriterTest, AbandonedWriterLeavesItsPathsForCleanup) {
  auto schema = AllTypesSchema();
  std::vector<std::string> paths;
  {
    ASSERT_OK_AND_ASSIGN(auto writer, DataFileWriter::Make(fs_, Root(), schema));
    ASSERT_OK(writer->Write(*AllTypesBatch()));
    paths = writer->written_paths();
  }  // destroyed mid-file, without Finish
  ASSERT_EQ(paths.size(), 1u);
  EXPECT_EQ(FilesOnDisk(), paths);
}

TEST_F(DataFileWriterTest, UnwritableSchemaFailsAtMake) {
  auto schema = arrow::schema({arrow::field("empty", arrow::struct_({}))});
  EXPECT_FALSE(DataFileWriter::Make(fs_, Root(), schema).ok());
}

}  // namespace
}  // namespace deltaline::delta
