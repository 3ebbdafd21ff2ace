// A Substrait plan ends in a Delta table through a NamedTapRel of kind delta_write,
// mapped to the delta_write node by MakeDeltaTapProvider.
#include "engine/delta_tap.h"

#include <arrow/acero/options.h>
#include <arrow/compute/api.h>
#include <arrow/engine/substrait/api.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "support/insert_checks.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using deltaline::testing::PxTable;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

// read T (id, p, x) → NamedTapRel(kind, name) renaming the columns to (a, b, c).
std::string TapPlan(const std::string& kind, const std::string& name) {
  const std::string i64 = R"({"i64": {"nullability": "NULLABILITY_NULLABLE"}})";
  const std::string i32 = R"({"i32": {"nullability": "NULLABILITY_NULLABLE"}})";
  return R"({"relations": [{"root": {"input": {"extension_single": {
      "input": {"read": {
        "baseSchema": {"names": ["id", "p", "x"],
                       "struct": {"types": [)" +
         i64 + "," + i32 + "," + i64 + R"(],
                                  "nullability": "NULLABILITY_REQUIRED"}},
        "namedTable": {"names": ["T"]}}},
      "detail": {"@type": "/arrow.substrait_ext.NamedTapRel",
                 "kind": ")" +
         kind + R"(", "name": ")" + name + R"(",
                 "columns": ["a", "b", "c"]}}},
    "names": ["a", "b", "c"]}}]})";
}

arrow::engine::ConversionOptions Conversion(DeltaTapOptions taps,
                                            std::shared_ptr<DeltaTapWrites> writes) {
  arrow::engine::ConversionOptions conversion;
  conversion.named_table_provider =
      [](const std::vector<std::string>& names,
         const arrow::Schema&) -> arrow::Result<arrow::acero::Declaration> {
    if (names != std::vector<std::string>{"T"}) {
      return arrow::Status::Invalid("no table ", names.empty() ? "" : names[0]);
    }
    return testing::TableSource(PxTable("[1, 2, 3]", "[1, 1, 2]", "[10, 20, 30]"));
  };
  conversion.named_tap_provider = MakeDeltaTapProvider(std::move(taps), writes);
  return conversion;
}

// Deserialises and runs the plan; its output rows.
arrow::Result<std::shared_ptr<arrow::Table>> RunPlan(
    const std::string& json, const arrow::engine::ConversionOptions& conversion) {
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  ARROW_ASSIGN_OR_RAISE(auto buffer,
                        arrow::engine::internal::SubstraitFromJSON("Plan", json));
  ARROW_ASSIGN_OR_RAISE(
      auto info, arrow::engine::DeserializePlan(*buffer, nullptr, nullptr, conversion));
  return arrow::acero::DeclarationToTable(std::move(info.root.declaration));
}

TEST(DeltaTap, ANamedTapWritesTheBoundTableUnderTheTapColumnNames) {
  TempDir dir;
  const std::string uri = dir.str() + "/out";
  DeltaTapOptions taps;
  taps.tables = {{"sales", uri}};
  taps.storage.dataset = "sales";
  auto writes = std::make_shared<DeltaTapWrites>();
  ASSERT_OK_AND_ASSIGN(
      auto output, RunPlan(TapPlan("delta_write", "sales"), Conversion(taps, writes)));
  EXPECT_EQ(output->num_rows(), 0);  // the tap's rows went into the table
  ASSERT_EQ(writes->writes().size(), 1u);
  const DeltaTapWrite write = writes->writes()[0];
  EXPECT_EQ(write.name, "sales");
  EXPECT_EQ(write.uri, uri);
  auto result = write.result->result();
  ASSERT_TRUE(result.has_value());
  ASSERT_OK(result->status());
  EXPECT_EQ((*result)->delta.rows_added, 3);
  EXPECT_EQ((*result)->user_metadata.at("deltaline.dataset"), "sales");
  ASSERT_OK_AND_ASSIGN(auto stored, testing::ReadDelta(uri));
  auto expected = deltaline::testing::TableFromJson(
      {arrow::field("a", arrow::int64()), arrow::field("b", arrow::int32()),
       arrow::field("c", arrow::int64())},
      {"[1, 2, 3]", "[1, 1, 2]", "[10, 20, 30]"});
  EXPECT_TRUE(TablesEqualUnordered(*expected, *stored));
  ASSERT_OK_AND_ASSIGN(auto deltars, testing::DeltaRsRows(uri));
  EXPECT_NE(deltars.find(R"({"a": 3, "b": 2, "c": 30})"), std::string::npos) << deltars;
}

TEST(DeltaTap, NamesArePathsOnlyWhenTheCallerSaysSo) {
  TempDir dir;
  const std::string path = dir.str() + "/by_path";
  auto unbound = RunPlan(TapPlan("delta_write", path), Conversion({}, nullptr));
  ASSERT_FALSE(unbound.ok());
  EXPECT_TRUE(delta::IsKind(unbound.status(), delta::ErrorKind::kInvalidInput));
  EXPECT_NE(unbound.status().message().find(path), std::string::npos);
  DeltaTapOptions taps;
  taps.names_are_paths = true;
  ASSERT_OK(RunPlan(TapPlan("delta_write", path), Conversion(taps, nullptr)).status());
  ASSERT_OK_AND_ASSIGN(auto stored, testing::ReadDelta(path));
  EXPECT_EQ(stored->num_rows(), 3);
}

TEST(DeltaTap, OtherTapKindsAreRefusedByName) {
  DeltaTapOptions taps;
  taps.names_are_paths = true;
  auto refused = RunPlan(TapPlan("parquet_write", "/tmp/x"), Conversion(taps, nullptr));
  ASSERT_FALSE(refused.ok());
  EXPECT_TRUE(delta::IsKind(refused.status(), delta::ErrorKind::kUnsupportedFeature))
      << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("parquet_write"), std::string::npos);
}

}  // namespace
}  // namespace deltaline::engine
