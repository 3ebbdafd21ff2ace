// Each Delta writer policy field must be visible in what lands on disk: read the data
// files back through their Parquet metadata, and the add.stats JSON from the log.
#include "storage/write_policy.h"

#include <arrow/api.h>
#include <parquet/file_reader.h>
#include <parquet/metadata.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "storage/storage_writer.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

std::shared_ptr<arrow::Table> Rows(int64_t count) {
  arrow::Int64Builder ids;
  arrow::StringBuilder names, notes;
  arrow::DoubleBuilder scores;
  for (int64_t row = 0; row < count; ++row) {
    EXPECT_TRUE(ids.Append(row).ok());
    EXPECT_TRUE(names.Append("name-" + std::to_string(row % 10)).ok());
    EXPECT_TRUE(notes.Append("note-" + std::to_string(row % 7)).ok());
    EXPECT_TRUE(scores.Append(static_cast<double>(row) / 4).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8()),
       arrow::field("note", arrow::utf8()), arrow::field("score", arrow::float64())});
  return arrow::Table::Make(schema,
                            {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie(),
                             notes.Finish().ValueOrDie(), scores.Finish().ValueOrDie()});
}

struct Written {
  std::vector<delta::Add> adds;
  std::vector<std::unique_ptr<parquet::ParquetFileReader>> files;
};

Written ReadBack(const std::string& uri) {
  Written out;
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  out.adds = snapshot->files();
  for (const auto& add : out.adds) {
    out.files.push_back(parquet::ParquetFileReader::OpenFile(uri + "/" + add.path));
  }
  return out;
}

std::set<std::string> Keys(const nlohmann::json& object) {
  std::set<std::string> keys;
  for (const auto& item : object.items()) keys.insert(item.key());
  return keys;
}

TEST(WritePolicy, EveryPropertyIsVisibleInTheDataFiles) {
  testing::TempDir dir;
  StorageWriteOptions options;
  ASSERT_OK(ParseCompression("gzip:7", &options.write));
  options.write.max_rows_per_row_group = 1000;
  options.write.dictionary_columns = {{"note", false}};
  options.write.statistics_columns = {{"score", StatisticsLevel::kNone},
                                      {"id", StatisticsLevel::kPage}};
  options.write.bloom_filter_columns = {"id"};
  options.write.stats_columns = {"id", "name"};
  options.write.checkpoint_interval = 5;
  ASSERT_OK_AND_ASSIGN(auto result,
                       WriteTableDelta(*Rows(4500), dir.str() + "/t", options));
  ASSERT_TRUE(result.delta.committed);

  auto written = ReadBack(dir.str() + "/t");
  ASSERT_EQ(written.files.size(), 1u);
  auto meta = written.files[0]->metadata();
  const auto& schema = *meta->schema();
  auto column = [&](int row_group, const std::string& name) {
    return meta->RowGroup(row_group)->ColumnChunk(schema.ColumnIndex(name));
  };
  // Row groups: 4500 rows at most 1000 each.
  ASSERT_EQ(meta->num_row_groups(), 5);
  for (int rg = 0; rg < 4; ++rg) EXPECT_EQ(meta->RowGroup(rg)->num_rows(), 1000);
  EXPECT_EQ(meta->RowGroup(4)->num_rows(), 500);
  for (int rg = 0; rg < meta->num_row_groups(); ++rg) {
    for (const char* name : {"id", "name", "note", "score"}) {
      EXPECT_EQ(column(rg, name)->compression(), arrow::Compression::GZIP) << name;
    }
    // Dictionary on by default, off for `note`.
    EXPECT_TRUE(column(rg, "name")->has_dictionary_page());
    EXPECT_FALSE(column(rg, "note")->has_dictionary_page());
    // Statistics: none for score, chunk for name, page (column index) for id.
    EXPECT_FALSE(column(rg, "score")->is_stats_set());
    EXPECT_TRUE(column(rg, "name")->is_stats_set());
    EXPECT_TRUE(column(rg, "id")->is_stats_set());
    EXPECT_TRUE(column(rg, "id")->GetColumnIndexLocation().has_value());
    EXPECT_FALSE(column(rg, "name")->GetColumnIndexLocation().has_value());
    // Bloom filter only where asked.
    EXPECT_TRUE(column(rg, "id")->bloom_filter_offset().has_value());
    EXPECT_FALSE(column(rg, "name")->bloom_filter_offset().has_value());
  }
  // The file name says the codec too (Spark's convention).
  EXPECT_NE(written.adds[0].path.find(".gz"), std::string::npos) << written.adds[0].path;

  // add.stats holds exactly the configured columns.
  auto stats = nlohmann::json::parse(written.adds[0].stats.value());
  EXPECT_EQ(stats["numRecords"], 4500);
  EXPECT_EQ(Keys(stats["minValues"]), (std::set<std::string>{"id", "name"}));
  EXPECT_EQ(Keys(stats["maxValues"]), (std::set<std::string>{"id", "name"}));
  EXPECT_EQ(Keys(stats["nullCount"]), (std::set<std::string>{"id", "name"}));
  EXPECT_EQ(stats["minValues"]["id"], 0);
  EXPECT_EQ(stats["maxValues"]["id"], 4499);

  // Table properties land on the new table and in the commit's policy payload.
  auto store = delta::FileSystemLogStore::Open(dir.str() + "/t").ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  EXPECT_EQ(snapshot->Config("delta.dataSkippingStatsColumns"), "id,name");
  EXPECT_EQ(snapshot->Config("delta.checkpointInterval"), "5");
  auto policy = nlohmann::json::parse(result.user_metadata.at("deltaline.policy"));
  EXPECT_EQ(policy["write"]["compression"], "gzip:7");
  EXPECT_EQ(policy, result.policy);
  auto table_policy = TablePolicyJson(snapshot->metadata().configuration);
  EXPECT_EQ(table_policy["stats_columns"], nlohmann::json({"id", "name"}));
  EXPECT_EQ(table_policy["checkpoint_interval"], 5);
}

TEST(WritePolicy, DefaultsAreZstdWithStatsOnEveryColumn) {
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto result, WriteTableDelta(*Rows(100), dir.str() + "/t"));
  auto written = ReadBack(dir.str() + "/t");
  auto meta = written.files[0]->metadata();
  ASSERT_EQ(meta->num_row_groups(), 1);
  for (int col = 0; col < meta->num_columns(); ++col) {
    auto chunk = meta->RowGroup(0)->ColumnChunk(col);
    EXPECT_EQ(chunk->compression(), arrow::Compression::ZSTD);
    EXPECT_TRUE(chunk->is_stats_set());
    EXPECT_TRUE(chunk->has_dictionary_page());
    EXPECT_FALSE(chunk->bloom_filter_offset().has_value());
  }
  auto stats = nlohmann::json::parse(written.adds[0].stats.value());
  // Floats get no min/max (NaN safety, see delta/stats.h), but a null count.
  EXPECT_EQ(Keys(stats["nullCount"]),
            (std::set<std::string>{"id", "name", "note", "score"}));
}

TEST(WritePolicy, TargetFileSizeBecomesTheTableProperty) {
  testing::TempDir dir;
  StorageWriteOptions options;
  options.write.target_file_size = 64 * 1024;
  options.write.dictionary = false;
  options.write.compression = arrow::Compression::UNCOMPRESSED;
  options.write.max_rows_per_row_group = 2000;
  ASSERT_OK_AND_ASSIGN(auto result,
                       WriteTableDelta(*Rows(60000), dir.str() + "/t", options));
  auto store = delta::FileSystemLogStore::Open(dir.str() + "/t").ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  EXPECT_EQ(snapshot->Config("delta.targetFileSize"), "65536");
  // ~1.6 MB of plain values at a 64 KiB target: many files, each near the target.
  EXPECT_GT(result.delta.files_added, 8);
  for (const auto& add : snapshot->files()) EXPECT_LT(add.size, 64 * 1024 * 2);
}

TEST(WritePolicy, ChangingAPropertyOfAnExistingTableIsAnExplicitCommit) {
  testing::TempDir dir;
  const std::string uri = dir.str() + "/t";
  StorageWriteOptions options;
  options.write.checkpoint_interval = 10;
  ASSERT_OK(WriteTableDelta(*Rows(10), uri, options).status());

  options.delta.mode = delta::SaveMode::kAppend;
  options.write.checkpoint_interval = 3;
  auto refused = WriteTableDelta(*Rows(10), uri, options);
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(delta::IsKind(refused.status(), delta::ErrorKind::kInvalidInput));
  EXPECT_NE(refused.status().message().find("delta.checkpointInterval=3 (table has 10)"),
            std::string::npos)
      << refused.status().ToString();

  options.update_table_properties = true;
  ASSERT_OK_AND_ASSIGN(auto appended, WriteTableDelta(*Rows(10), uri, options));
  EXPECT_EQ(appended.delta.version, 2);
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  ASSERT_OK_AND_ASSIGN(auto history, delta::ReadHistory(*store));
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].version, 1);
  ASSERT_TRUE(history[1].info && history[0].info);
  EXPECT_EQ(history[1].info->operation, "SET TBLPROPERTIES");
  EXPECT_NE(history[1]
                .info->operation_parameters.at("properties")
                .find("delta.checkpointInterval"),
            std::string::npos);
  EXPECT_EQ(history[0].info->operation, "WRITE");
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  EXPECT_EQ(snapshot->Config("delta.checkpointInterval"), "3");
}

// "lz4" is Parquet's LZ4 (LZ4_RAW in the file), the codec every codec list names; Arrow
// alone would read it as its frame codec, which Parquet cannot write.
TEST(WritePolicy, Lz4IsParquetsRawLz4) {
  DeltaWritePolicy policy;
  ASSERT_OK(ParseCompression("lz4", &policy));
  EXPECT_EQ(policy.compression, arrow::Compression::LZ4);
  ASSERT_OK(ParseCompression("lz4_raw", &policy));
  EXPECT_EQ(policy.compression, arrow::Compression::LZ4);
}

TEST(WritePolicy, BadValuesAreRefusedByName) {
  DeltaWritePolicy policy;
  auto codec = ParseCompression("zstd:99", &policy);
  EXPECT_NE(codec.message().find("outside"), std::string::npos) << codec.ToString();
  EXPECT_FALSE(ParseCompression("lzo", &policy).ok());
  policy.bloom_filter_fpp = 1.5;
  EXPECT_FALSE(ToWriterProperties(policy).ok());
  // Change data feed needs CDC files deltaline does not write: refused at creation.
  testing::TempDir dir;
  StorageWriteOptions options;
  options.write.change_data_feed = true;
  auto cdf = WriteTableDelta(*Rows(3), dir.str() + "/t", options);
  EXPECT_TRUE(delta::IsKind(cdf.status(), delta::ErrorKind::kUnsupportedFeature));
}

}  // namespace
}  // namespace deltaline::storage
