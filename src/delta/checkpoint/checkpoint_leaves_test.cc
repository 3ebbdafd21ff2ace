// The column-reader checkpoint decoder against the Arrow-based one: same actions on
// every layout it accepts (ours, Spark's, the real tables in shared/delta-tables),
// same errors, and the Arrow path for everything it declines.

#include <filesystem>
#include <fstream>
#include <sstream>

#include <arrow/io/memory.h>
#include <arrow/json/from_string.h>
#include <arrow/table.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_internal.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using arrow::field;
using checkpoint_internal::DecodeCheckpointWith;

struct Decoded {
  arrow::Status status;
  std::vector<Action> actions;
  bool column_readers = false;
};

Decoded Decode(const std::shared_ptr<arrow::Buffer>& bytes, bool allow_column_readers,
               int64_t batch_rows = 256) {
  Decoded out;
  out.status = DecodeCheckpointWith(
      bytes, "test.checkpoint.parquet",
      [&](std::vector<Action>& batch) {
        out.actions.insert(out.actions.end(), batch.begin(), batch.end());
        return arrow::Status::OK();
      },
      batch_rows, allow_column_readers, &out.column_readers);
  return out;
}

/// Decodes both ways; returns whether the column readers took the file.
bool ExpectSameActions(const std::shared_ptr<arrow::Buffer>& bytes) {
  Decoded arrow_path = Decode(bytes, /*allow_column_readers=*/false);
  Decoded columns = Decode(bytes, /*allow_column_readers=*/true);
  EXPECT_FALSE(arrow_path.column_readers);
  EXPECT_EQ(arrow_path.status.ok(), columns.status.ok())
      << arrow_path.status.ToString() << " vs " << columns.status.ToString();
  EXPECT_EQ(arrow_path.actions.size(), columns.actions.size());
  for (size_t action_idx = 0;
       action_idx < std::min(arrow_path.actions.size(), columns.actions.size());
       ++action_idx) {
    EXPECT_TRUE(arrow_path.actions[action_idx] == columns.actions[action_idx])
        << "action " << action_idx;
  }
  return columns.column_readers;
}

/// Adds and removes with every optional field, maps and lists long enough that rows
/// span several reads (256 levels), and the other action kinds.
std::vector<Action> ManyActions(int64_t files) {
  std::vector<Action> actions;
  Protocol protocol;
  protocol.min_reader_version = 3;
  protocol.min_writer_version = 7;
  protocol.reader_features = std::vector<std::string>{"deletionVectors"};
  protocol.writer_features = std::vector<std::string>{"deletionVectors", "rowTracking"};
  actions.emplace_back(protocol);
  Metadata metadata;
  metadata.id = "id";
  metadata.name = "t";
  metadata.schema_string = "{}";
  metadata.partition_columns = {"p", "q"};
  metadata.format.options = {{"a", "b"}};
  for (int key_idx = 0; key_idx < 300; ++key_idx) {
    metadata.configuration["k" + std::to_string(key_idx)] = std::to_string(key_idx);
  }
  actions.emplace_back(metadata);
  actions.emplace_back(Txn{"app", 3, std::nullopt});
  actions.emplace_back(DomainMetadata{"d", "{}", false});
  for (int64_t file_idx = 0; file_idx < files; ++file_idx) {
    Add add;
    add.path = "p=" + std::to_string(file_idx % 7) + "/part-" + std::to_string(file_idx);
    add.size = file_idx * 1000;
    add.modification_time = 1700000000000 + file_idx;
    add.data_change = file_idx % 2 == 0;
    if (file_idx % 3 != 0)
      add.stats = R"({"numRecords":)" + std::to_string(file_idx) + "}";
    add.partition_values = {{"p", std::to_string(file_idx % 7)}};
    if (file_idx % 5 == 0) add.partition_values["q"] = std::nullopt;
    if (file_idx == 700) {  // one row with more entries than a read holds
      for (int key_idx = 0; key_idx < 600; ++key_idx) {
        add.partition_values["x" + std::to_string(key_idx)] = "v";
      }
    }
    if (file_idx % 11 == 0) add.tags = StringMap{{"t", "1"}};
    if (file_idx % 13 == 0) {
      DeletionVectorDescriptor dv;
      dv.storage_type = "u";
      dv.path_or_inline_dv = "dv" + std::to_string(file_idx);
      dv.offset = file_idx % 2 == 0 ? std::optional<int32_t>(4) : std::nullopt;
      dv.size_in_bytes = 10;
      dv.cardinality = 2;
      add.deletion_vector = dv;
    }
    if (file_idx % 17 == 0) add.base_row_id = file_idx;
    actions.emplace_back(add);
    if (file_idx % 10 == 0) {
      Remove remove;
      remove.path = "gone-" + std::to_string(file_idx);
      remove.deletion_timestamp = file_idx;
      remove.data_change = true;
      if (file_idx % 20 == 0) remove.partition_values = PartitionValues{{"p", "1"}};
      remove.size = 5;
      actions.emplace_back(remove);
    }
  }
  return actions;
}

/// The same rows in row groups of `rows_per_group` (EncodeCheckpoint writes one).
std::shared_ptr<arrow::Buffer> Regroup(const std::shared_ptr<arrow::Buffer>& bytes,
                                       int64_t rows_per_group) {
  auto reader = parquet::arrow::OpenFile(std::make_shared<arrow::io::BufferReader>(bytes),
                                         arrow::default_memory_pool())
                    .ValueOrDie();
  std::shared_ptr<arrow::Table> table = reader->ReadTable().ValueOrDie();
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  EXPECT_TRUE(parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                         rows_per_group)
                  .ok());
  return sink->Finish().ValueOrDie();
}

TEST(CheckpointLeavesTest, SameActionsAsTheArrowPath) {
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint(ManyActions(2000)));
  EXPECT_TRUE(ExpectSameActions(bytes));
  EXPECT_TRUE(ExpectSameActions(Regroup(bytes, 333)));
  ASSERT_OK_AND_ASSIGN(auto empty, EncodeCheckpoint({}));
  EXPECT_TRUE(ExpectSameActions(empty));
  // Batches hand over every action once, in row order, whatever their size.
  Decoded whole = Decode(bytes, true, 1 << 20);
  Decoded small = Decode(bytes, true, 1);
  ASSERT_OK(whole.status);
  ASSERT_OK(small.status);
  EXPECT_TRUE(whole.actions == small.actions);
}

TEST(CheckpointLeavesTest, RealCheckpointsDecodeAlike) {
  const std::filesystem::path tables = DELTALINE_SOURCE_DIR "/../shared/delta-tables";
  if (!std::filesystem::exists(tables)) GTEST_SKIP() << "no " << tables;
  int files = 0, by_column_readers = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(tables)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || name.find(".checkpoint.") == std::string::npos ||
        entry.path().extension() != ".parquet") {
      continue;
    }
    SCOPED_TRACE(entry.path().string());
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    ++files;
    by_column_readers += ExpectSameActions(arrow::Buffer::FromString(text.str())) ? 1 : 0;
  }
  EXPECT_GT(files, 0);
  EXPECT_GT(by_column_readers, 0) << "no real checkpoint took the column readers";
}

arrow::Result<std::shared_ptr<arrow::Buffer>> WriteColumns(
    const std::vector<std::pair<std::string, std::string>>& typed_json,
    const std::vector<std::shared_ptr<arrow::DataType>>& types) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (size_t column_idx = 0; column_idx < types.size(); ++column_idx) {
    ARROW_ASSIGN_OR_RAISE(
        auto array, arrow::json::ArrayFromJSONString(types[column_idx],
                                                     typed_json[column_idx].second));
    fields.push_back(field(typed_json[column_idx].first, types[column_idx]));
    arrays.push_back(array);
  }
  auto table = arrow::Table::Make(arrow::schema(fields), arrays);
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  ARROW_RETURN_NOT_OK(
      parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 1024));
  return sink->Finish();
}

TEST(CheckpointLeavesTest, DeclinesOtherLayouts) {
  auto stats = arrow::struct_({field("numRecords", arrow::int64())});
  auto with_stats_parsed =
      arrow::struct_({field("path", arrow::utf8()), field("size", arrow::int64()),
                      field("stats_parsed", stats)});
  ASSERT_OK_AND_ASSIGN(auto parsed, WriteColumns({{"add", R"([{"path": "a", "size": 1,
                                             "stats_parsed": {"numRecords": 3}}])"}},
                                                 {with_stats_parsed}));
  EXPECT_FALSE(ExpectSameActions(parsed));

  auto pair =
      arrow::struct_({field("key", arrow::utf8()), field("value", arrow::utf8())});
  auto list_map =
      arrow::struct_({field("path", arrow::utf8()), field("size", arrow::int64()),
                      field("partitionValues", arrow::list(pair))});
  ASSERT_OK_AND_ASSIGN(
      auto pairs, WriteColumns({{"add", R"([{"path": "a", "size": 1, "partitionValues":
                                            [{"key": "p", "value": "1"}]}])"}},
                               {list_map}));
  EXPECT_FALSE(ExpectSameActions(pairs));

  auto uint_size =
      arrow::struct_({field("path", arrow::utf8()), field("size", arrow::uint64())});
  ASSERT_OK_AND_ASSIGN(
      auto unsigned_size,
      WriteColumns({{"add", R"([{"path": "a", "size": 1}])"}}, {uint_size}));
  EXPECT_FALSE(ExpectSameActions(unsigned_size));
}

TEST(CheckpointLeavesTest, SameErrorsAsTheArrowPath) {
  auto add_type =
      arrow::struct_({field("path", arrow::utf8()), field("size", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(auto no_path, WriteColumns({{"add", R"([{"path": "a", "size": 1},
                                                 {"path": null, "size": 1}])"}},
                                                  {add_type}));
  Decoded columns = Decode(no_path, true);
  EXPECT_TRUE(columns.column_readers);
  EXPECT_TRUE(IsKind(columns.status, ErrorKind::kProtocol)) << columns.status.ToString();
  EXPECT_NE(columns.status.message().find("add.path is null"), std::string::npos);
  EXPECT_NE(columns.status.message().find("test.checkpoint.parquet"), std::string::npos);

  auto protocol_type = arrow::struct_({field("minReaderVersion", arrow::int64()),
                                       field("minWriterVersion", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(auto huge, WriteColumns({{"protocol", R"([{"minReaderVersion":
                                                    1099511627776, "minWriterVersion": 2}])"}},
                                               {protocol_type}));
  columns = Decode(huge, true);
  EXPECT_TRUE(columns.column_readers);
  EXPECT_NE(columns.status.message().find("does not fit int32"), std::string::npos)
      << columns.status.ToString();
}

TEST(CheckpointLeavesTest, ConsumerErrorsComeBackUnchanged) {
  ASSERT_OK_AND_ASSIGN(auto bytes, EncodeCheckpoint(ManyActions(10)));
  bool used = false;
  auto st = DecodeCheckpointWith(
      bytes, "x", [](std::vector<Action>&) { return arrow::Status::Cancelled("stop"); },
      256, true, &used);
  EXPECT_TRUE(used);
  EXPECT_TRUE(st.IsCancelled()) << st.ToString();
}

}  // namespace
}  // namespace deltaline::delta
