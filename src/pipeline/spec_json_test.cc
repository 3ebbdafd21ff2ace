// Dataset specs from JSON: every key lands in its field, types resolve through the
// Delta schema parser, and unknown or Parquet-era keys are refused by their path.
#include "pipeline/spec_json.h"

#include <arrow/api.h>

#include "delta/base/errors.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

TEST(SpecJson, EveryKeyLandsInItsField) {
  const std::string text = R"json({
    "name": "orders",
    "schema": [
      {"name": "id", "type": "int64", "nullable": false},
      {"name": "customer", "type": "string"},
      {"name": "amount", "type": "double"},
      {"name": "paid", "type": "bool"},
      {"name": "day", "type": "date32"},
      {"name": "at", "type": "timestamp[us, tz=UTC]"},
      {"name": "local", "type": "timestamp[us]"},
      {"name": "price", "type": "decimal128(10, 2)"},
      {"name": "n", "type": "integer"},
      {"name": "tags", "type": {"type": "array", "elementType": "string",
                                "containsNull": true}}
    ],
    "partitionBy": ["day"],
    "statsColumns": ["id", "amount"],
    "orderingKeys": ["day", "id"],
    "notNull": ["customer"],
    "uniqueKey": ["id"],
    "checks": [{"name": "amount_positive", "expression": "amount > 0"}],
    "onViolation": "fail",
    "writePolicy": {"compression": "zstd:9", "target_file_size_bytes": 1048576}
  })json";
  ASSERT_OK_AND_ASSIGN(auto spec, ParseDatasetSpec(text, "orders.json"));
  EXPECT_EQ(spec.name, "orders");
  auto expected = arrow::schema({
      arrow::field("id", arrow::int64(), false),
      arrow::field("customer", arrow::utf8()),
      arrow::field("amount", arrow::float64()),
      arrow::field("paid", arrow::boolean()),
      arrow::field("day", arrow::date32()),
      arrow::field("at", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("local", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("price", arrow::decimal128(10, 2)),
      arrow::field("n", arrow::int32()),
      arrow::field("tags", arrow::list(arrow::field("element", arrow::utf8()))),
  });
  ASSERT_TRUE(spec.schema);
  EXPECT_TRUE(spec.schema->Equals(*expected)) << spec.schema->ToString();
  EXPECT_EQ(spec.partition_by, std::vector<std::string>{"day"});
  EXPECT_EQ(spec.stats_columns, (std::vector<std::string>{"id", "amount"}));
  EXPECT_EQ(spec.ordering_keys, (std::vector<std::string>{"day", "id"}));
  EXPECT_EQ(spec.not_null, std::vector<std::string>{"customer"});
  EXPECT_EQ(spec.unique_key, std::vector<std::string>{"id"});
  ASSERT_EQ(spec.checks.size(), 1u);
  EXPECT_EQ(spec.checks[0].name, "amount_positive");
  EXPECT_EQ(spec.checks[0].expression, "amount > 0");
  EXPECT_EQ(spec.on_violation, ViolationAction::kFailRun);
  ASSERT_TRUE(spec.write_policy.has_value());
  EXPECT_EQ(spec.write_policy->compression, arrow::Compression::ZSTD);
  EXPECT_EQ(spec.write_policy->compression_level, 9);
  EXPECT_EQ(spec.write_policy->target_file_size, 1048576);
}

TEST(SpecJson, DefaultsAreQuarantineAndNoSchema) {
  ASSERT_OK_AND_ASSIGN(auto spec, ParseDatasetSpec(R"({"name": "x"})", "x.json"));
  EXPECT_EQ(spec.on_violation, ViolationAction::kQuarantine);
  EXPECT_FALSE(spec.schema);
  EXPECT_FALSE(spec.write_policy.has_value());
}

void ExpectRefused(const std::string& text, const std::string& needle) {
  auto spec = ParseDatasetSpec(text, "spec");
  ASSERT_FALSE(spec.ok()) << text;
  EXPECT_TRUE(delta::IsKind(spec.status(), delta::ErrorKind::kInvalidInput))
      << spec.status();
  EXPECT_NE(spec.status().message().find(needle), std::string::npos)
      << spec.status().message() << " lacks " << needle;
}

TEST(SpecJson, UnknownKeysAreRefusedByTheirPath) {
  ExpectRefused(R"({"name": "x", "bogus": 1})", "spec.bogus");
  ExpectRefused(R"({"name": "x", "schema": [{"name": "a", "type": "int64"},
                   {"name": "b", "type": "int64", "colour": "red"}]})",
                "spec.schema[1].colour");
  ExpectRefused(R"({"name": "x", "checks": [{"name": "c", "expr": "a > 0"}]})",
                "spec.checks[0].expr");
  ExpectRefused(R"({"name": "x", "writePolicy": {"shiny": true}})",
                "spec.writePolicy.shiny");
  ExpectRefused(R"({"name": "x", "onViolation": "ignore"})", "spec.onViolation");
  ExpectRefused(R"({"schema": []})", "spec.name");
  ExpectRefused(R"({"name": "x", "notNull": "a"})", "spec.notNull");
}

TEST(SpecJson, ParquetEraKeysAreRefusedWithTheirReplacement) {
  ExpectRefused(R"({"name": "x", "row_group_size": 1000})",
                "writePolicy.max_rows_per_row_group");
  ExpectRefused(R"({"name": "x", "writePolicy": {"parquet_compression": "snappy"}})",
                "spec.writePolicy.parquet_compression");
  ExpectRefused(R"({"name": "x", "sorting_columns": ["a"]})", "ordering keys");
  ExpectRefused(R"({"name": "x", "_metadata": true})", "Parquet writer option");
}

TEST(SpecJson, UnknownTypesAreRefusedByTheirPath) {
  ExpectRefused(R"({"name": "x", "schema": [{"name": "a", "type": "uint64"}]})",
                "spec.schema[0].type");
  ExpectRefused(R"({"name": "x", "schema": [{"name": "a", "type": "timestamp[ns]"}]})",
                "timestamp[ns]");
  ExpectRefused(R"({"name": "x", "schema": [{"name": "a"}]})", "spec.schema[0]");
}

}  // namespace
}  // namespace deltaline::pipeline
