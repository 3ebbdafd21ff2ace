#include "delta/checkpoint/checkpoint.h"

#include <algorithm>

#include <arrow/io/memory.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/metadata.h>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint_internal.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

DeletionVectorDescriptor SampleDv(std::optional<int32_t> offset) {
  DeletionVectorDescriptor dv;
  dv.storage_type = offset ? "u" : "i";
  dv.path_or_inline_dv = offset ? "ab^-aqEH.-t@S}K{vb[*k^"
                                : "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
  dv.offset = offset;
  dv.size_in_bytes = 40;
  dv.cardinality = 6;
  return dv;
}

/// Every action kind a checkpoint holds, each once with all optional fields set and
/// once with none, including the awkward values: null and empty partition values,
/// empty maps versus absent ones, non-ASCII text.
std::vector<Action> AllActionKinds() {
  std::vector<Action> actions;
  Protocol features;
  features.min_reader_version = 3;
  features.min_writer_version = 7;
  features.reader_features = std::vector<std::string>{"deletionVectors"};
  features.writer_features =
      std::vector<std::string>{"deletionVectors", "domainMetadata"};
  actions.emplace_back(features);
  actions.emplace_back(Protocol{});  // legacy 1/2: feature lists stay null

  Metadata full;
  full.id = "0f4a9b5e-6d1c-4e0b-9b0e-2f1d5c3a7e11";
  full.name = "events";
  full.description = "données ✓";
  full.format.options = {{"compression", "zstd"}};
  full.schema_string = R"({"type":"struct","fields":[]})";
  full.partition_columns = {"date", "region"};
  full.configuration = {{"delta.enableDeletionVectors", "true"}, {"k", ""}};
  full.created_time = 1700000000123;
  actions.emplace_back(full);
  Metadata bare;
  bare.id = "bare";
  bare.schema_string = "{}";
  actions.emplace_back(bare);

  Add add;
  add.path = "date=2024-01-01/region=__HIVE_DEFAULT_PARTITION__/part-0.parquet";
  add.partition_values = {{"date", "2024-01-01"}, {"region", std::nullopt}, {"e", ""}};
  add.size = 123456789012;
  add.modification_time = 1700000000999;
  add.data_change = false;
  add.stats =
      R"({"numRecords":3,"minValues":{"a":1},"maxValues":{"a":9},"nullCount":{"a":0}})";
  add.tags = StringMap{{"INSERTION_TIME", "1700000000000000"}};
  add.deletion_vector = SampleDv(1);
  add.base_row_id = 42;
  add.default_row_commit_version = 7;
  add.clustering_provider = "liquid";
  actions.emplace_back(add);
  Add bare_add;
  bare_add.path = "part-1.parquet";
  bare_add.size = 1;
  bare_add.tags = StringMap{};  // empty, not absent
  bare_add.deletion_vector = SampleDv(std::nullopt);
  actions.emplace_back(bare_add);

  Remove remove;
  remove.path = "part-2.parquet";
  remove.deletion_timestamp = 1700000001000;
  remove.data_change = true;
  remove.extended_file_metadata = true;
  remove.partition_values = PartitionValues{{"date", std::nullopt}};
  remove.size = 99;
  remove.tags = StringMap{{"t", "v"}};
  remove.deletion_vector = SampleDv(3);
  remove.base_row_id = 5;
  remove.default_row_commit_version = 6;
  actions.emplace_back(remove);
  Remove bare_remove;
  bare_remove.path = "part-3.parquet";
  bare_remove.data_change = false;
  actions.emplace_back(bare_remove);

  actions.emplace_back(Txn{"app-1", 12, 1700000002000});
  actions.emplace_back(Txn{"app-2", 0, std::nullopt});
  actions.emplace_back(
      DomainMetadata{"delta.rowTracking", R"({"rowIdHighWaterMark":9})", false});
  actions.emplace_back(DomainMetadata{"gone", "", true});
  return actions;
}

TEST(CheckpointTest, RoundTripsEveryActionKindAndOptionalField) {
  const std::vector<Action> actions = AllActionKinds();
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint(actions));
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeCheckpoint(bytes, "roundtrip.parquet"));
  ASSERT_EQ(decoded.size(), actions.size());
  for (size_t action_idx = 0; action_idx < actions.size(); ++action_idx) {
    EXPECT_TRUE(decoded[action_idx] == actions[action_idx]) << "action " << action_idx;
  }
}

TEST(CheckpointTest, RoundTripsAnEmptyCheckpoint) {
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint({}));
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeCheckpoint(bytes, "empty.parquet"));
  EXPECT_TRUE(decoded.empty());
}

TEST(CheckpointTest, RemoveStatsAreNotWritten) {
  Remove remove;
  remove.path = "p";
  remove.stats = R"({"numRecords":1})";
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint({remove}));
  ASSERT_OK_AND_ASSIGN(auto decoded, DecodeCheckpoint(bytes, "r.parquet"));
  ASSERT_EQ(decoded.size(), 1u);
  EXPECT_FALSE(std::get<Remove>(decoded[0]).stats.has_value());
}

TEST(CheckpointTest, RejectsCommitInfoAndCdc) {
  auto with_commit_info = EncodeCheckpoint({Protocol{}, CommitInfo{}});
  EXPECT_TRUE(IsKind(with_commit_info.status(), ErrorKind::kInvalidInput))
      << with_commit_info.status().ToString();
  Cdc cdc;
  cdc.path = "_change_data/c.parquet";
  auto with_cdc = EncodeCheckpoint({cdc});
  EXPECT_TRUE(IsKind(with_cdc.status(), ErrorKind::kInvalidInput))
      << with_cdc.status().ToString();
}

// Spark reads checkpoints with its own schema, so names and widths must match it.
TEST(CheckpointTest, WritesSparkColumnNamesAndTypes) {
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint(AllActionKinds()));
  ASSERT_OK_AND_ASSIGN(auto reader, parquet::arrow::OpenFile(
                                        std::make_shared<arrow::io::BufferReader>(bytes),
                                        arrow::default_memory_pool()));
  ASSERT_OK_AND_ASSIGN(auto table, reader->ReadTable());
  // Type of a dotted path such as "add.deletionVector.offset", or "<missing>".
  auto type_at = [&](const std::string& dotted) -> std::string {
    std::shared_ptr<arrow::DataType> type = arrow::struct_(table->schema()->fields());
    size_t begin = 0;
    while (true) {
      const size_t dot = dotted.find('.', begin);
      const std::string name = dotted.substr(begin, dot - begin);
      if (type->id() != arrow::Type::STRUCT) return "<missing>";
      auto field = static_cast<const arrow::StructType&>(*type).GetFieldByName(name);
      if (field == nullptr) return "<missing>";
      type = field->type();
      if (dot == std::string::npos) return type->ToString();
      begin = dot + 1;
    }
  };
  EXPECT_EQ(table->schema()->field_names(),
            (std::vector<std::string>{"txn", "add", "remove", "metaData", "protocol",
                                      "domainMetadata"}));
  EXPECT_EQ(type_at("protocol.minReaderVersion"), "int32");
  EXPECT_EQ(type_at("protocol.minWriterVersion"), "int32");
  EXPECT_EQ(type_at("protocol.readerFeatures"), "list<element: string>");
  EXPECT_EQ(type_at("txn.version"), "int64");
  EXPECT_EQ(type_at("add.size"), "int64");
  EXPECT_EQ(type_at("add.modificationTime"), "int64");
  EXPECT_EQ(type_at("add.dataChange"), "bool");
  EXPECT_EQ(type_at("add.partitionValues"), "map<string, string ('partitionValues')>");
  EXPECT_EQ(type_at("add.deletionVector.offset"), "int32");
  EXPECT_EQ(type_at("add.deletionVector.sizeInBytes"), "int32");
  EXPECT_EQ(type_at("add.deletionVector.cardinality"), "int64");
  EXPECT_EQ(type_at("add.stats"), "string");
  EXPECT_EQ(type_at("remove.deletionTimestamp"), "int64");
  EXPECT_EQ(type_at("metaData.format.options"), "map<string, string ('options')>");
  EXPECT_EQ(type_at("metaData.partitionColumns"), "list<element: string>");
  EXPECT_EQ(type_at("metaData.createdTime"), "int64");
  EXPECT_EQ(type_at("domainMetadata.removed"), "bool");
  // One action per row: every row has exactly one non-null action column.
  ASSERT_OK_AND_ASSIGN(auto batch, table->CombineChunksToBatch());
  for (int64_t row = 0; row < batch->num_rows(); ++row) {
    int non_null = 0;
    for (const auto& column : batch->columns()) non_null += column->IsValid(row) ? 1 : 0;
    EXPECT_EQ(non_null, 1) << "row " << row;
  }
}

void ExpectProtocolErrorNaming(const arrow::Result<std::vector<Action>>& result,
                               const std::string& source, const std::string& what) {
  ASSERT_FALSE(result.ok()) << what;
  EXPECT_TRUE(IsKind(result.status(), ErrorKind::kProtocol))
      << what << ": " << result.status().ToString();
  EXPECT_NE(result.status().message().find(source), std::string::npos)
      << what << ": " << result.status().ToString();
}

TEST(CheckpointTest, NonParquetBytesAreProtocolErrors) {
  const std::string source = "_delta_log/00000000000000000010.checkpoint.parquet";
  ExpectProtocolErrorNaming(DecodeCheckpoint(nullptr, source), source, "null buffer");
  ExpectProtocolErrorNaming(DecodeCheckpoint(arrow::Buffer::FromString(""), source),
                            source, "empty");
  ExpectProtocolErrorNaming(
      DecodeCheckpoint(arrow::Buffer::FromString("PAR1 this is not parquet PAR1"),
                       source),
      source, "garbage");
  ExpectProtocolErrorNaming(
      DecodeCheckpoint(arrow::Buffer::FromString(R"({"add":{"path":"x"}})"), source),
      source, "json");
}

TEST(CheckpointTest, TruncatedFilesAreProtocolErrors) {
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint(AllActionKinds()));
  const std::string source = "truncated.checkpoint.parquet";
  const int64_t size = bytes->size();
  for (int64_t length = 0; length < size;
       length += (length < 64 || size - length < 64) ? 1 : 7) {
    auto prefix = arrow::SliceBuffer(bytes, 0, length);
    ExpectProtocolErrorNaming(DecodeCheckpoint(prefix, source), source,
                              "length " + std::to_string(length));
  }
}

// A flipped bit must either decode or fail as a protocol error naming the file; a
// crash or another error kind fails the test. Page CRCs catch flips in page data;
// flips in the footer may decode silently (a renamed optional field reads as
// missing), which no Parquet reader can detect.
TEST(CheckpointTest, BitFlipsNeverCrashAndFailAsProtocolErrors) {
  const std::vector<Action> actions = AllActionKinds();
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint(actions));
  ASSERT_OK_AND_ASSIGN(auto reader, parquet::arrow::OpenFile(
                                        std::make_shared<arrow::io::BufferReader>(bytes),
                                        arrow::default_memory_pool()));
  auto row_group = reader->parquet_reader()->metadata()->RowGroup(0);
  int64_t pages_end = 0;
  for (int column_idx = 0; column_idx < row_group->num_columns(); ++column_idx) {
    auto chunk = row_group->ColumnChunk(column_idx);
    pages_end =
        std::max(pages_end, chunk->data_page_offset() + chunk->total_compressed_size());
  }
  const std::string source = "flipped.checkpoint.parquet";
  const std::string original = bytes->ToString();
  int silent_in_pages = 0;
  // Every byte near the ends (magic, first pages, footer length), every third between:
  // each decode costs about a millisecond.
  const size_t size = original.size();
  for (size_t byte_idx = 0; byte_idx < size;
       byte_idx += (byte_idx < 512 || byte_idx + 512 > size) ? 1 : 3) {
    std::string mutated = original;
    mutated[byte_idx] = static_cast<char>(mutated[byte_idx] ^ (1 << (byte_idx % 8)));
    auto result = DecodeCheckpoint(arrow::Buffer::FromString(std::move(mutated)), source);
    if (!result.ok()) {
      ExpectProtocolErrorNaming(result, source, "flip at " + std::to_string(byte_idx));
    } else if (static_cast<int64_t>(byte_idx) < pages_end && *result != actions) {
      ++silent_in_pages;
    }
  }
  // Only the page headers (outside the CRC) can change values silently.
  EXPECT_LE(silent_in_pages, pages_end / 100) << "of " << pages_end << " page bytes";
}

TEST(LastCheckpointTest, ParsesSparkAndDeltaRsForms) {
  ASSERT_OK_AND_ASSIGN(auto spark, ParseLastCheckpoint(R"({"version":10,"size":13})"));
  EXPECT_EQ(spark.version, 10);
  EXPECT_EQ(spark.size, 13);
  EXPECT_FALSE(spark.parts || spark.size_in_bytes || spark.num_of_add_files);

  ASSERT_OK_AND_ASSIGN(
      auto full,
      ParseLastCheckpoint(R"({"version":8,"size":11,"parts":3,"sizeInBytes":20432,
          "numOfAddFiles":7,"checkpointSchema":{"type":"struct","fields":[]},
          "checksum":"c7c089e999e9dd02ca5c847d9b1380d3","tags":{"a":"b"}})"));
  EXPECT_EQ(full.version, 8);
  EXPECT_EQ(full.size, 11);
  EXPECT_EQ(full.parts, 3);
  EXPECT_EQ(full.size_in_bytes, 20432);
  EXPECT_EQ(full.num_of_add_files, 7);

  // Old delta-rs: explicit null parts and the snake_case size name.
  ASSERT_OK_AND_ASSIGN(auto rs,
                       ParseLastCheckpoint(R"({"parts":null,"size_in_bytes":41898,
                                               "size":4,"version":2})"));
  EXPECT_EQ(rs.version, 2);
  EXPECT_FALSE(rs.parts.has_value());
  EXPECT_EQ(rs.size_in_bytes, 41898);
}

TEST(LastCheckpointTest, SerializesInProtocolFieldOrder) {
  LastCheckpointHint hint;
  hint.version = 42;
  hint.size = 1000;
  EXPECT_EQ(SerializeLastCheckpoint(hint), R"({"version":42,"size":1000})");
  hint.parts = 4;
  hint.size_in_bytes = 123456;
  hint.num_of_add_files = 990;
  const std::string text = SerializeLastCheckpoint(hint);
  EXPECT_EQ(
      text,
      R"({"version":42,"size":1000,"parts":4,"sizeInBytes":123456,"numOfAddFiles":990})");
  ASSERT_OK_AND_ASSIGN(auto back, ParseLastCheckpoint(text));
  EXPECT_EQ(back.version, 42);
  EXPECT_EQ(back.size, 1000);
  EXPECT_EQ(back.parts, 4);
  EXPECT_EQ(back.size_in_bytes, 123456);
  EXPECT_EQ(back.num_of_add_files, 990);
}

TEST(LastCheckpointTest, MalformedHintsAreProtocolErrors) {
  for (std::string_view text :
       {"", "not json", "[]", "42", R"({"version":1,)", R"({"size":1})",
        R"({"version":1})", R"({"version":"3","size":1})", R"({"version":-1,"size":1})",
        R"({"version":1.5,"size":1})", R"({"version":1,"size":1,"parts":0})",
        R"({"version":1,"size":1,"parts":4294967296})",
        R"({"version":18446744073709551615,"size":1})",
        R"({"version":1,"size":1,"sizeInBytes":"big"})",
        R"({"version":1,"size":1,"numOfAddFiles":true})"}) {
    auto result = ParseLastCheckpoint(text);
    ASSERT_FALSE(result.ok()) << text;
    EXPECT_TRUE(IsKind(result.status(), ErrorKind::kProtocol))
        << result.status().ToString();
    EXPECT_NE(result.status().message().find("_last_checkpoint"), std::string::npos)
        << result.status().ToString();
  }
}

}  // namespace
}  // namespace deltaline::delta
