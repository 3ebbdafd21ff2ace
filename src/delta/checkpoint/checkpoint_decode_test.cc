// DecodeCheckpoint on layouts deltaline never writes but other writers do: other
// integer widths, large strings, maps as lists of pairs, missing and extra fields,
// stats only as a struct. Files are built here with Arrow so each variation is pinned.

#include <cmath>
#include <limits>

#include <arrow/builder.h>
#include <arrow/io/memory.h>
#include <arrow/json/from_string.h>
#include <arrow/table.h>
#include <gtest/gtest.h>
#include <parquet/arrow/writer.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_internal.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using arrow::field;
using arrow::json::ArrayFromJSONString;
using checkpoint_internal::ColumnRef;
using checkpoint_internal::StatsStructToJson;

/// Parquet bytes of `columns`, with the Arrow schema stored so that large_string and
/// friends come back as written.
arrow::Result<std::shared_ptr<arrow::Buffer>> WriteParquet(
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>>& columns) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  for (const auto& [name, array] : columns) {
    fields.push_back(field(name, array->type()));
    arrays.push_back(array);
  }
  auto table = arrow::Table::Make(arrow::schema(fields), arrays);
  ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
  auto arrow_props = parquet::ArrowWriterProperties::Builder().store_schema()->build();
  ARROW_RETURN_NOT_OK(
      parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink, 1024,
                                 parquet::default_writer_properties(), arrow_props));
  return sink->Finish();
}

TEST(CheckpointDecodeTest, AcceptsOtherWritersLayouts) {
  auto protocol_type = arrow::struct_({field("minReaderVersion", arrow::int64()),
                                       field("minWriterVersion", arrow::int64())});
  auto pair =
      arrow::struct_({field("key", arrow::utf8()), field("value", arrow::utf8())});
  auto metadata_type = arrow::struct_({
      field("id", arrow::large_utf8()),
      field("schemaString", arrow::large_utf8()),
      field("partitionColumns", arrow::large_list(arrow::utf8())),
      field("configuration", arrow::list(pair)),  // a map written as list<struct>
      field("format", arrow::struct_({field("provider", arrow::utf8())})),
      field("someFutureField", arrow::int32()),
  });
  auto stats_type = arrow::struct_({
      field("numRecords", arrow::int64()),
      field("minValues", arrow::struct_({field("a", arrow::int32())})),
      field("maxValues", arrow::struct_({field("a", arrow::int32())})),
      field("nullCount", arrow::struct_({field("a", arrow::int64())})),
  });
  auto add_type = arrow::struct_({
      field("path", arrow::large_utf8()),
      field("size", arrow::int32()),
      field("dataChange", arrow::boolean()),
      field("partitionValues", arrow::map(arrow::utf8(), arrow::utf8())),
      field("stats", arrow::utf8()),
      field("stats_parsed", stats_type),
      field("partitionValues_parsed", arrow::struct_({field("p", arrow::date32())})),
  });
  auto commit_type = arrow::struct_({field("operation", arrow::utf8())});

  ASSERT_OK_AND_ASSIGN(auto protocol, ArrayFromJSONString(protocol_type, R"([
      {"minReaderVersion": 1, "minWriterVersion": 2}, null, null, null, null])"));
  ASSERT_OK_AND_ASSIGN(auto metadata, ArrayFromJSONString(metadata_type, R"([null,
      {"id": "m1", "schemaString": "{}", "partitionColumns": ["p"],
       "configuration": [{"key": "k", "value": "v"}, {"key": "n", "value": null}],
       "format": null, "someFutureField": 7},
      null, null, null])"));
  ASSERT_OK_AND_ASSIGN(auto add, ArrayFromJSONString(add_type, R"([null, null,
      {"path": "p=1/a.parquet", "size": 10, "dataChange": null,
       "partitionValues": [["p", "1"], ["q", null]], "stats": null,
       "stats_parsed": {"numRecords": 2, "minValues": {"a": -1}, "maxValues": {"a": 5},
                        "nullCount": {"a": 0}},
       "partitionValues_parsed": {"p": 1}},
      {"path": "b.parquet", "size": 11, "dataChange": false, "partitionValues": [],
       "stats": "{\"numRecords\":1}", "stats_parsed": {"numRecords": 99}},
      null])"));
  ASSERT_OK_AND_ASSIGN(auto commit,
                       ArrayFromJSONString(commit_type, R"([null, null, null, null,
                                                            {"operation": "WRITE"}])"));
  ASSERT_OK_AND_ASSIGN(auto bytes, WriteParquet({{"protocol", protocol},
                                                 {"metaData", metadata},
                                                 {"add", add},
                                                 {"commitInfo", commit}}));
  ASSERT_OK_AND_ASSIGN(auto actions, DecodeCheckpoint(bytes, "foreign.parquet"));
  // The commitInfo row is not an action a checkpoint may hold: it is skipped.
  ASSERT_EQ(actions.size(), 4u);

  EXPECT_EQ(std::get<Protocol>(actions[0]), Protocol{});

  Metadata expected_metadata;
  expected_metadata.id = "m1";
  expected_metadata.schema_string = "{}";
  expected_metadata.partition_columns = {"p"};
  expected_metadata.configuration = {{"k", "v"}};  // the null value names no setting
  EXPECT_EQ(std::get<Metadata>(actions[1]), expected_metadata);

  Add stats_from_struct;
  stats_from_struct.path = "p=1/a.parquet";
  stats_from_struct.size = 10;
  stats_from_struct.data_change = false;
  stats_from_struct.partition_values = {{"p", "1"}, {"q", std::nullopt}};
  stats_from_struct.stats =
      R"({"numRecords":2,"minValues":{"a":-1},"maxValues":{"a":5},"nullCount":{"a":0}})";
  EXPECT_EQ(std::get<Add>(actions[2]), stats_from_struct);

  // With both forms present the JSON string wins, as it does in Spark.
  EXPECT_EQ(std::get<Add>(actions[3]).stats, R"({"numRecords":1})");
}

arrow::Status ExpectProtocolError(
    const std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>>& columns,
    const std::string& needle) {
  ARROW_ASSIGN_OR_RAISE(auto bytes, WriteParquet(columns));
  auto result = DecodeCheckpoint(bytes, "bad.checkpoint.parquet");
  if (result.ok()) return arrow::Status::Invalid("decoded, expected an error");
  const std::string message = result.status().message();
  if (!IsKind(result.status(), ErrorKind::kProtocol) ||
      message.find("bad.checkpoint.parquet") == std::string::npos ||
      message.find(needle) == std::string::npos) {
    return arrow::Status::Invalid("unexpected error: ", result.status().ToString());
  }
  return arrow::Status::OK();
}

TEST(CheckpointDecodeTest, RejectsValuesThatBreakTheProtocol) {
  auto protocol_type = arrow::struct_({field("minReaderVersion", arrow::int64()),
                                       field("minWriterVersion", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(auto huge, ArrayFromJSONString(protocol_type, R"([
      {"minReaderVersion": 1099511627776, "minWriterVersion": 2}])"));
  ASSERT_OK(ExpectProtocolError({{"protocol", huge}}, "does not fit int32"));

  auto add_type =
      arrow::struct_({field("path", arrow::utf8()), field("size", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(auto no_path,
                       ArrayFromJSONString(add_type, R"([{"path": null, "size": 1}])"));
  ASSERT_OK(ExpectProtocolError({{"add", no_path}}, "add.path is null"));
  ASSERT_OK_AND_ASSIGN(auto no_size,
                       ArrayFromJSONString(arrow::struct_({field("path", arrow::utf8())}),
                                           R"([{"path": "x"}])"));
  ASSERT_OK(ExpectProtocolError({{"add", no_size}}, "add.size is null"));

  auto string_size =
      arrow::struct_({field("path", arrow::utf8()), field("size", arrow::utf8())});
  ASSERT_OK_AND_ASSIGN(
      auto text_size,
      ArrayFromJSONString(string_size, R"([{"path": "x", "size": "12"}])"));
  ASSERT_OK(ExpectProtocolError({{"add", text_size}}, "add.size has type string"));

  ASSERT_OK_AND_ASSIGN(auto flat, ArrayFromJSONString(arrow::int64(), "[1]"));
  ASSERT_OK(ExpectProtocolError({{"add", flat}}, "add has type int64"));
}

std::shared_ptr<arrow::Array> Json(const std::shared_ptr<arrow::DataType>& type,
                                   const std::string& json) {
  return ArrayFromJSONString(type, json).ValueOrDie();
}

TEST(CheckpointStatsTest, RendersStructStatsAsSparkJson) {
  arrow::DoubleBuilder nan_builder;
  ASSERT_OK(nan_builder.Append(std::nan("")));
  ASSERT_OK(nan_builder.Append(std::numeric_limits<double>::infinity()));
  ASSERT_OK_AND_ASSIGN(auto nan, nan_builder.Finish());
  auto utc = arrow::timestamp(arrow::TimeUnit::MILLI, "UTC");
  std::vector<std::pair<std::string, std::shared_ptr<arrow::Array>>> min_values = {
      {"i8", Json(arrow::int8(), "[-3, 0]")},
      {"u64", Json(arrow::uint64(), "[18446744073709551615, 0]")},
      {"f", Json(arrow::float32(), "[1.5, 0]")},
      {"d", Json(arrow::float64(), "[0.1, 0]")},
      {"nan", nan},
      {"dec",
       Json(arrow::decimal128(38, 6), R"(["12345678901234567890.123456", "0.000000"])")},
      {"neg_dec", Json(arrow::decimal128(5, 2), R"(["-5.60", "0.00"])")},
      {"s", Json(arrow::utf8(), R"(["quote\" and \u2713", ""])")},
      {"bin", Json(arrow::binary(), R"(["abc", ""])")},
      {"date", Json(arrow::date32(), "[19000, 0]")},
      {"early", Json(arrow::date32(), "[-1, 0]")},
      {"far", Json(arrow::date32(), "[2000000000, 0]")},
      {"ts_ms", Json(utc, "[1666652372846, 0]")},
      {"ts_us", Json(arrow::timestamp(arrow::TimeUnit::MICRO), "[1666652372846123, 0]")},
      {"ts_ns",
       Json(arrow::timestamp(arrow::TimeUnit::NANO), "[1666652372846123456, 0]")},
      {"pre_epoch", Json(arrow::timestamp(arrow::TimeUnit::MICRO), "[-1, 0]")},
      {"nested", Json(arrow::struct_({field("x", arrow::boolean())}),
                      R"([{"x": true}, {"x": null}])")},
      {"gone", Json(arrow::int32(), "[null, null]")},
  };
  arrow::ArrayVector children;
  std::vector<std::string> names;
  for (const auto& [name, array] : min_values) {
    names.push_back(name);
    children.push_back(array);
  }
  ASSERT_OK_AND_ASSIGN(auto min_struct, arrow::StructArray::Make(children, names));
  auto num_records = Json(arrow::int64(), "[5, 0]");
  auto tight = Json(arrow::boolean(), "[true, null]");
  ASSERT_OK_AND_ASSIGN(auto stats, arrow::StructArray::Make(
                                       {num_records, min_struct, tight},
                                       std::vector<std::string>{"numRecords", "minValues",
                                                                "tightBounds"}));
  ColumnRef column{stats, "add.stats_parsed"};
  ASSERT_OK_AND_ASSIGN(auto json, StatsStructToJson(column, 0));
  ASSERT_TRUE(json.has_value());
  EXPECT_EQ(*json,
            R"({"numRecords":5,"minValues":{"i8":-3,"u64":18446744073709551615,"f":1.5,)"
            R"("d":0.1,"dec":12345678901234567890.123456,"neg_dec":-5.60,)"
            R"("s":"quote\" and ✓","date":"2022-01-08","early":"1969-12-31",)"
            R"("ts_ms":"2022-10-24T22:59:32.846Z","ts_us":"2022-10-24T22:59:32.846123Z",)"
            R"("ts_ns":"2022-10-24T22:59:32.846123456Z",)"
            R"("pre_epoch":"1969-12-31T23:59:59.999999Z","nested":{"x":true}},)"
            R"("tightBounds":true})");
  EXPECT_FALSE(nlohmann::json::parse(*json, nullptr, false).is_discarded());

  ASSERT_OK_AND_ASSIGN(auto second, StatsStructToJson(column, 1));
  EXPECT_EQ(second,
            R"({"numRecords":0,"minValues":{"i8":0,"u64":0,"f":0,"d":0,)"
            R"("dec":0.000000,"neg_dec":0.00,"s":"","date":"1970-01-01",)"
            R"("early":"1970-01-01","far":"1970-01-01",)"
            R"("ts_ms":"1970-01-01T00:00:00.000Z","ts_us":"1970-01-01T00:00:00.000Z",)"
            R"("ts_ns":"1970-01-01T00:00:00.000Z",)"
            R"("pre_epoch":"1970-01-01T00:00:00.000Z","nested":{}}})");
}

TEST(CheckpointStatsTest, NullStructIsNoStats) {
  auto type = arrow::struct_({field("numRecords", arrow::int64())});
  ColumnRef column{Json(type, R"([null])"), "add.stats_parsed"};
  ASSERT_OK_AND_ASSIGN(auto json, StatsStructToJson(column, 0));
  EXPECT_FALSE(json.has_value());
  ColumnRef missing{nullptr, "add.stats_parsed"};
  ASSERT_OK_AND_ASSIGN(auto none, StatsStructToJson(missing, 0));
  EXPECT_FALSE(none.has_value());
}

}  // namespace
}  // namespace deltaline::delta
