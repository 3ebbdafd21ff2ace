#include "delta/write/stats.h"

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <arrow/api.h>
#include <arrow/io/memory.h>
#include <arrow/json/from_string.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_reader.h>
#include <nlohmann/json.hpp>

#include "delta/write/stats_internal.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TableFromJson;
using nlohmann::json;

// Writes `table` to an in-memory Parquet file and reads its footer back, as a reader
// of the data file would see it.
std::shared_ptr<parquet::FileMetaData> Footer(
    const arrow::Table& table, int64_t rows_per_group = 1 << 20,
    std::shared_ptr<parquet::WriterProperties> props =
        parquet::default_writer_properties()) {
  auto sink = arrow::io::BufferOutputStream::Create().ValueOrDie();
  auto arrow_props = parquet::ArrowWriterProperties::Builder()
                         .coerce_timestamps(arrow::TimeUnit::MICRO)
                         ->build();
  auto st = parquet::arrow::WriteTable(table, arrow::default_memory_pool(), sink,
                                       rows_per_group, props, arrow_props);
  EXPECT_TRUE(st.ok()) << st.ToString();
  auto buffer = sink->Finish().ValueOrDie();
  return parquet::ReadMetaData(std::make_shared<arrow::io::BufferReader>(buffer));
}

std::string Stats(const arrow::Table& table, const StatsOptions& options = {},
                  int64_t rows_per_group = 1 << 20) {
  auto footer = Footer(table, rows_per_group);
  std::vector<bool> no_nan(footer->num_columns(), false);
  auto stats = StatsJsonFromParquet(*footer, *table.schema(), options, no_nan);
  EXPECT_TRUE(stats.ok()) << stats.status().ToString();
  return stats.ok() ? *stats : "";
}

TEST(StatsTest, FlatColumnsExact) {
  auto schema = arrow::schema(
      {arrow::field("i", arrow::int32()), arrow::field("l", arrow::int64()),
       arrow::field("s", arrow::utf8()), arrow::field("d", arrow::date32()),
       arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
       arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
       arrow::field("dec", arrow::decimal128(10, 2)), arrow::field("b", arrow::boolean()),
       arrow::field("bin", arrow::binary()), arrow::field("f", arrow::float64()),
       arrow::field("g", arrow::float32())});
  auto table = TableFromJson(
      schema,
      {"[3, null, -7]", "[10000000000, 5, null]", R"(["banana", "apple", null])",
       "[0, 19000, null]", "[1700000000123456, -1, null]", "[0, 86400001500, null]",
       R"(["123.45", "-0.50", null])", "[true, null, false]", R"(["ab", null, "c"])",
       "[1.5, -2.25, null]", "[0.1, null, 7]"});
  EXPECT_EQ(
      Stats(*table),
      R"({"numRecords":3,)"
      R"("minValues":{"i":-7,"l":5,"s":"apple","d":"1970-01-01",)"
      R"("ts":"1969-12-31T23:59:59.999Z","ntz":"1970-01-01T00:00:00.000",)"
      R"("dec":-0.50,"f":-2.25,"g":0.1},)"
      R"("maxValues":{"i":3,"l":10000000000,"s":"banana","d":"2022-01-08",)"
      R"("ts":"2023-11-14T22:13:20.123Z","ntz":"1970-01-02T00:00:00.001",)"
      R"("dec":123.45,"f":1.5,"g":7},)"
      R"("nullCount":{"i":1,"l":1,"s":1,"d":1,"ts":1,"ntz":1,"dec":1,"b":1,"bin":1,)"
      R"("f":1,"g":1}})");
}

TEST(StatsTest, DecimalStoredAsIntegers) {
  auto schema = arrow::schema({arrow::field("small", arrow::decimal128(5, 1)),
                               arrow::field("big", arrow::decimal128(18, 3))});
  auto table = TableFromJson(
      schema, {R"(["-1.5", "2.0"])", R"(["-9.001", "123456789012345.678"])"});
  auto props =
      parquet::WriterProperties::Builder().enable_store_decimal_as_integer()->build();
  auto footer = Footer(*table, 1 << 20, props);
  ASSERT_EQ(footer->schema()->Column(0)->physical_type(), parquet::Type::INT32);
  ASSERT_OK_AND_ASSIGN(auto stats, StatsJsonFromParquet(*footer, *schema, {}));
  EXPECT_EQ(stats, R"({"numRecords":2,"minValues":{"small":-1.5,"big":-9.001},)"
                   R"("maxValues":{"small":2.0,"big":123456789012345.678},)"
                   R"("nullCount":{"small":0,"big":0}})");
}

TEST(StatsTest, FloatBoundsNeedNanKnowledge) {
  auto schema = arrow::schema(
      {arrow::field("x", arrow::float64()), arrow::field("y", arrow::float64())});
  auto table = TableFromJson(schema, {"[1, NaN, 3]", "[-Inf, 2, 4]"});
  auto footer = Footer(*table);
  // Unknown NaN status (plain footer): no float ranges at all.
  ASSERT_OK_AND_ASSIGN(auto unknown, StatsJsonFromParquet(*footer, *schema, {}));
  EXPECT_EQ(unknown, R"({"numRecords":3,"nullCount":{"x":0,"y":0}})");
  // x held NaN: Parquet's finite max (3) would hide it. y's -Inf min has no JSON form.
  ASSERT_OK_AND_ASSIGN(auto known,
                       StatsJsonFromParquet(*footer, *schema, {}, {true, false}));
  EXPECT_EQ(known, R"({"numRecords":3,"maxValues":{"y":4},"nullCount":{"x":0,"y":0}})");
  // The writer's scan finds exactly that.
  std::vector<bool> flags;
  ASSERT_OK(MarkNanLeaves(*table->CombineChunksToBatch().ValueOrDie(), &flags));
  EXPECT_EQ(flags, (std::vector<bool>{true, false}));
}

TEST(StatsTest, AggregatesRowGroupsAndAllNullGroups) {
  auto schema = arrow::schema(
      {arrow::field("v", arrow::int32()), arrow::field("n", arrow::utf8())});
  auto table = TableFromJson(
      schema, {"[5, 1, 9, 3, null, null]", R"([null, null, null, null, null, null])"});
  auto footer = Footer(*table, /*rows_per_group=*/2);
  ASSERT_EQ(footer->num_row_groups(), 3);
  ASSERT_OK_AND_ASSIGN(auto stats, StatsJsonFromParquet(*footer, *schema, {}));
  EXPECT_EQ(stats, R"({"numRecords":6,"minValues":{"v":1},"maxValues":{"v":9},)"
                   R"("nullCount":{"v":2,"n":6}})");
}

TEST(StatsTest, MissingStatisticsAreLeftOut) {
  auto schema = arrow::schema(
      {arrow::field("x", arrow::int64()), arrow::field("y", arrow::int64())});
  auto table = TableFromJson(schema, {"[1, 2]", "[3, null]"});
  auto props = parquet::WriterProperties::Builder().disable_statistics("x")->build();
  auto footer = Footer(*table, 1 << 20, props);
  ASSERT_OK_AND_ASSIGN(auto stats, StatsJsonFromParquet(*footer, *schema, {}));
  EXPECT_EQ(stats, R"({"numRecords":2,"minValues":{"y":3},"maxValues":{"y":3},)"
                   R"("nullCount":{"y":1}})");
}

std::shared_ptr<arrow::Table> NestedTable() {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()),
       arrow::field("s", arrow::struct_({arrow::field("a", arrow::int32()),
                                         arrow::field("B", arrow::utf8())})),
       arrow::field("lst", arrow::list(arrow::field("element", arrow::int32()))),
       arrow::field("m", arrow::map(arrow::utf8(), arrow::int32())),
       arrow::field("weird.name", arrow::int32())});
  return TableFromJson(
      schema, {"[1, 2, 3]", R"([{"a": 4, "B": "x"}, null, {"a": null, "B": "y"}])",
               "[[1, 2], null, []]", R"([[["k", 1]], null, []])", "[7, 8, 9]"});
}

TEST(StatsTest, NestedStructsNestListsAndMapsGetNothing) {
  StatsOptions all;
  all.num_indexed_cols = -1;
  EXPECT_EQ(Stats(*NestedTable(), all),
            R"({"numRecords":3,"minValues":{"id":1,"s":{"a":4,"B":"x"},"weird.name":7},)"
            R"("maxValues":{"id":3,"s":{"a":4,"B":"y"},"weird.name":9},)"
            R"("nullCount":{"id":0,"s":{"a":2,"B":1},"weird.name":0}})");
}

TEST(StatsTest, NumIndexedColsCountsLeavesAsSpark) {
  auto table = NestedTable();
  StatsOptions options;
  options.num_indexed_cols = 0;
  EXPECT_EQ(Stats(*table, options), R"({"numRecords":3})");
  options.num_indexed_cols = 2;  // id, s.a
  EXPECT_EQ(Stats(*table, options),
            R"({"numRecords":3,"minValues":{"id":1,"s":{"a":4}},)"
            R"("maxValues":{"id":3,"s":{"a":4}},"nullCount":{"id":0,"s":{"a":2}}})");
  options.num_indexed_cols = 5;  // lst and m use a slot each: weird.name is out
  EXPECT_EQ(json::parse(Stats(*table, options))["nullCount"].dump(),
            R"({"id":0,"s":{"B":1,"a":2}})");
  options.num_indexed_cols = 6;
  EXPECT_TRUE(json::parse(Stats(*table, options))["nullCount"].contains("weird.name"));
}

TEST(StatsTest, StatsColumnsSelectByPathCaseInsensitively) {
  auto table = NestedTable();
  StatsOptions options;
  options.stats_columns = {"S.b", "`weird.name`"};
  EXPECT_EQ(Stats(*table, options),
            R"({"numRecords":3,"minValues":{"s":{"B":"x"},"weird.name":7},)"
            R"("maxValues":{"s":{"B":"y"},"weird.name":9},)"
            R"("nullCount":{"s":{"B":1},"weird.name":0}})");
  options.stats_columns = {"s"};  // a struct brings all its leaves
  EXPECT_EQ(json::parse(Stats(*table, options))["nullCount"].dump(),
            R"({"s":{"B":1,"a":2}})");
  options.stats_columns = {"lst", "nope", "id.x"};
  EXPECT_EQ(Stats(*table, options), R"({"numRecords":3})");
}

TEST(StatsTest, StringsAreCutByCodePointsAndMaxStaysAnUpperBound) {
  const std::string e_acute = "\xC3\xA9";        // 2 bytes
  const std::string emoji = "\xF0\x9F\x98\x80";  // U+1F600, 4 bytes
  std::string long_accents;
  for (int char_idx = 0; char_idx < 40; ++char_idx) long_accents += e_acute;
  std::vector<std::string> values = {"a" + long_accents, std::string(33, 'z') + "a",
                                     "short",
                                     std::string(31, 'z') + emoji + emoji + "tail",
                                     std::string(32, 'z') +
                                         "\xEF\xBF\xBF"
                                         "b"};
  json values_json = values;
  auto schema = arrow::schema({arrow::field("s", arrow::utf8())});
  auto table = TableFromJson(schema, {values_json.dump()});
  json stats = json::parse(Stats(*table));
  const std::string min = stats["minValues"]["s"];
  const std::string max = stats["maxValues"]["s"];
  std::string min_prefix = "a";  // 32 code points, 63 bytes
  for (int char_idx = 0; char_idx < 31; ++char_idx) min_prefix += e_acute;
  EXPECT_EQ(min, min_prefix);
  // The column max is 31 z, two U+1F600, "tail": cut after 32 code points, the second
  // emoji is kept as it sorts above the U+FFFD tie-breaker, then the tie-breaker.
  EXPECT_EQ(max, std::string(31, 'z') + emoji + emoji + "\xEF\xBF\xBD");
  for (const auto& value : values) {
    EXPECT_LE(value, max);
    EXPECT_GE(value, min);
  }

  auto accents =
      TableFromJson(schema, {json(std::vector<std::string>{long_accents}).dump()});
  json accent_stats = json::parse(Stats(*accents));
  std::string prefix;
  for (int char_idx = 0; char_idx < 32; ++char_idx) prefix += e_acute;
  EXPECT_EQ(accent_stats["minValues"]["s"], prefix);
  EXPECT_EQ(accent_stats["maxValues"]["s"], prefix + "\xEF\xBF\xBD");
}

TEST(StatsInternalTest, TruncateStringMax) {
  const std::string emoji = "\xF0\x9F\x98\x80";
  EXPECT_EQ(TruncateStringMax("abc", 3), "abc");
  EXPECT_EQ(TruncateStringMax("abcd", 3), "abc\xEF\xBF\xBD");
  // U+1F600 sorts above U+FFFD, so it must stay (Spark's UTF-16 check would miss it).
  EXPECT_EQ(TruncateStringMax("ab" + emoji + "x", 2), "ab" + emoji + "\xEF\xBF\xBD");
  EXPECT_EQ(TruncateStringMax("ab" + emoji, 2), "ab" + emoji + "\xEF\xBF\xBD");
  EXPECT_EQ(TruncateStringMax("ab\xEF\xBF\xBD"
                              "c",
                              2),
            "ab\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_EQ(TruncateStringMin("ab" + emoji + "x", 3), "ab" + emoji);
  EXPECT_EQ(TruncateStringMin("abc", 0), "");
}

TEST(StatsInternalTest, DatesAndTimestamps) {
  EXPECT_EQ(FloorDiv(-1, 1000), -1);
  EXPECT_EQ(FloorDiv(-1000, 1000), -1);
  EXPECT_EQ(FloorDiv(1999, 1000), 1);
  EXPECT_EQ(FormatDate(-719162), "0001-01-01");
  EXPECT_EQ(FormatDate(2932896), "9999-12-31");
  EXPECT_EQ(FormatDate(2932897), std::nullopt);
  EXPECT_EQ(FormatDate(-719163), std::nullopt);
  EXPECT_EQ(FormatDate(11016), "2000-02-29");
  EXPECT_EQ(FormatTimestampMillis(-1, true), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatTimestampMillis(951782400000 + 3723004, false),
            "2000-02-29T01:02:03.004");
}

TEST(StatsInternalTest, ParseColumnPath) {
  EXPECT_EQ(ParseColumnPath("a.b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(ParseColumnPath(" `a.b`.c "), (std::vector<std::string>{"a.b", "c"}));
  EXPECT_EQ(ParseColumnPath("`x``y`"), (std::vector<std::string>{"x`y"}));
}

TEST(StatsTest, MarkNanLeavesWalksStructsAndSkipsLists) {
  auto schema = arrow::schema(
      {arrow::field("l", arrow::list(arrow::field("element", arrow::float64()))),
       arrow::field("s", arrow::struct_({arrow::field("f", arrow::float32()),
                                         arrow::field("g", arrow::float64())})),
       arrow::field("h", arrow::float64())});
  auto table =
      TableFromJson(schema, {"[[NaN], null]", R"([{"f": 1, "g": NaN}, null])", "[1, 2]"});
  std::vector<bool> flags;
  ASSERT_OK(MarkNanLeaves(*table->CombineChunksToBatch().ValueOrDie(), &flags));
  EXPECT_EQ(flags, (std::vector<bool>{false, false, true, false}));
}

TEST(StatsTest, SchemaThatDoesNotMatchTheFileFails) {
  auto table = TableFromJson(arrow::schema({arrow::field("x", arrow::int32())}), {"[1]"});
  auto footer = Footer(*table);
  auto other = arrow::schema(
      {arrow::field("x", arrow::int32()), arrow::field("y", arrow::int32())});
  EXPECT_FALSE(StatsJsonFromParquet(*footer, *other, {}).ok());
}

}  // namespace
}  // namespace deltaline::delta
