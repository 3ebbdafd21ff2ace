#include "engine/result_compare.h"

#include <cmath>
#include <limits>

#include <arrow/builder.h>
#include <gtest/gtest.h>

#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using testing::TableFromJson;

std::shared_ptr<arrow::Schema> IdNameV() {
  return arrow::schema({arrow::field("id", arrow::int64()),
                        arrow::field("name", arrow::utf8()),
                        arrow::field("v", arrow::float64())});
}

std::shared_ptr<arrow::Table> Rows(const std::string& ids, const std::string& names,
                                   const std::string& vs) {
  return TableFromJson(IdNameV(), {ids, names, vs});
}

// One float64 column `v` built from values (NaN has no JSON spelling).
std::shared_ptr<arrow::Table> Floats(const std::vector<std::optional<double>>& values) {
  arrow::DoubleBuilder builder;
  for (const auto& v : values) {
    EXPECT_TRUE((v ? builder.Append(*v) : builder.AppendNull()).ok());
  }
  auto array = builder.Finish().ValueOrDie();
  return arrow::Table::Make(arrow::schema({arrow::field("v", arrow::float64())}),
                            {array});
}

CompareResult Compare(const arrow::Table& left, const arrow::Table& right,
                      const CompareOptions& options = {}) {
  auto result = CompareTables(left, right, options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : CompareResult{};
}

TEST(ResultCompareTest, SameRowsInAnotherOrderAndChunkingAreEqual) {
  auto left = Rows("[1, 2, 3]", R"(["a", "b", null])", "[1.5, 2.5, 3.5]");
  auto first = Rows("[3, 1]", R"([null, "a"])", "[3.5, 1.5]");
  auto second = Rows("[2]", R"(["b"])", "[2.5]");
  auto right = arrow::ConcatenateTables({first, second}).ValueOrDie();
  ASSERT_EQ(right->column(0)->num_chunks(), 2);
  auto result = Compare(*left, *right);
  EXPECT_TRUE(result.equal);
  EXPECT_TRUE(result.schema_equal);
  EXPECT_TRUE(result.rows_compared);
  EXPECT_EQ(result.left_rows, 3);
  EXPECT_EQ(result.right_rows, 3);
  EXPECT_EQ(result.unmatched_left + result.unmatched_right, 0);
}

TEST(ResultCompareTest, DuplicatesCountAsARowMultiset) {
  auto result = Compare(*Rows("[1, 1, 2]", R"(["a", "a", "b"])", "[1, 1, 2]"),
                        *Rows("[1, 2, 2]", R"(["a", "b", "b"])", "[1, 2, 2]"));
  EXPECT_FALSE(result.equal);
  EXPECT_EQ(result.unmatched_left, 1);
  EXPECT_EQ(result.unmatched_right, 1);
  ASSERT_EQ(result.only_left.size(), 1u);
  EXPECT_EQ(result.only_left[0].values["id"], 1);
  ASSERT_EQ(result.only_right.size(), 1u);
  EXPECT_EQ(result.only_right[0].values["id"], 2);
}

TEST(ResultCompareTest, FloatsWithinTheToleranceAreEqualOutsideAreNot) {
  // Relative: 1e-12 of 1e6 is far inside 1e-9; 1e-6 relative is outside.
  EXPECT_TRUE(Compare(*Floats({1e6, 2.0}), *Floats({2.0, 1e6 * (1 + 1e-12)})).equal);
  auto outside = Compare(*Floats({1e6, 2.0}), *Floats({2.0, 1e6 * (1 + 1e-6)}));
  EXPECT_FALSE(outside.equal);
  EXPECT_EQ(outside.unmatched_left, 1);
  EXPECT_EQ(outside.only_left[0].values["v"], 1e6);
  // Absolute, near zero where a relative tolerance means nothing.
  EXPECT_TRUE(Compare(*Floats({0.0}), *Floats({1e-13})).equal);
  EXPECT_FALSE(Compare(*Floats({0.0}), *Floats({1e-11})).equal);
  EXPECT_TRUE(Compare(*Floats({-0.0}), *Floats({0.0})).equal);
  // Configurable: with no tolerance the tiny difference counts.
  CompareOptions exact;
  exact.relative_tolerance = 0;
  exact.absolute_tolerance = 0;
  EXPECT_FALSE(Compare(*Floats({1e6}), *Floats({1e6 * (1 + 1e-12)}), exact).equal);
}

TEST(ResultCompareTest, NanEqualsNanAndNullEqualsOnlyNull) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(
      Compare(*Floats({nan, 1.0, std::nullopt}), *Floats({std::nullopt, nan, 1.0}))
          .equal);
  CompareOptions strict;
  strict.nans_equal = false;
  EXPECT_FALSE(Compare(*Floats({nan}), *Floats({nan}), strict).equal);
  EXPECT_FALSE(Compare(*Floats({nan}), *Floats({std::nullopt})).equal);
  EXPECT_FALSE(Compare(*Floats({0.0}), *Floats({std::nullopt})).equal);
  EXPECT_TRUE(Compare(*Floats({inf}), *Floats({inf})).equal);
  EXPECT_FALSE(Compare(*Floats({inf}), *Floats({-inf})).equal);
  auto nan_vs_null = Compare(*Floats({nan}), *Floats({std::nullopt}));
  EXPECT_EQ(nan_vs_null.only_left[0].values["v"], "NaN");
  EXPECT_TRUE(nan_vs_null.only_right[0].values["v"].is_null());
  // Nulls in exact columns pair with nulls.
  EXPECT_TRUE(Compare(*Rows("[null, 1]", R"(["x", null])", "[1, 2]"),
                      *Rows("[1, null]", R"([null, "x"])", "[2, 1]"))
                  .equal);
  EXPECT_FALSE(
      Compare(*Rows("[null]", R"(["x"])", "[1]"), *Rows("[0]", R"(["x"])", "[1]")).equal);
}

TEST(ResultCompareTest, SchemaDifferencesAreReportedAndRowsNotCompared) {
  auto left = Rows("[1]", R"(["a"])", "[1]");
  auto renamed = TableFromJson(
      {arrow::field("id", arrow::int64()), arrow::field("label", arrow::utf8()),
       arrow::field("v", arrow::float64())},
      {"[1]", R"(["a"])", "[1]"});
  auto result = Compare(*left, *renamed);
  EXPECT_FALSE(result.equal);
  EXPECT_FALSE(result.schema_equal);
  EXPECT_FALSE(result.rows_compared);
  ASSERT_EQ(result.schema_differences.size(), 1u);
  EXPECT_EQ(result.schema_differences[0], R"(field 1: name "name" vs "label")");

  auto narrower = TableFromJson(
      {arrow::field("id", arrow::int32()), arrow::field("name", arrow::utf8()),
       arrow::field("v", arrow::float64())},
      {"[1]", R"(["a"])", "[1]"});
  result = Compare(*left, *narrower);
  EXPECT_FALSE(result.equal);
  ASSERT_EQ(result.schema_differences.size(), 1u);
  EXPECT_EQ(result.schema_differences[0], R"(field 0: "id" type int64 vs int32)");

  auto fewer = TableFromJson({arrow::field("id", arrow::int64())}, {"[1]"});
  result = Compare(*left, *fewer);
  EXPECT_FALSE(result.equal);
  EXPECT_EQ(result.schema_differences[0], "field count: 3 vs 1");
}

TEST(ResultCompareTest, NullabilityIsANoteUnlessAskedFor) {
  auto left =
      TableFromJson({arrow::field("id", arrow::int64(), /*nullable=*/false)}, {"[2, 1]"});
  auto right = TableFromJson({arrow::field("id", arrow::int64())}, {"[1, 2]"});
  auto loose = Compare(*left, *right);
  EXPECT_TRUE(loose.equal);
  ASSERT_EQ(loose.schema_notes.size(), 1u);
  EXPECT_EQ(loose.schema_notes[0], R"(field 0: "id" nullable false vs true)");
  CompareOptions strict;
  strict.compare_nullability = true;
  auto checked = Compare(*left, *right, strict);
  EXPECT_FALSE(checked.equal);
  EXPECT_FALSE(checked.schema_equal);
  EXPECT_TRUE(checked.rows_compared);  // still compared: only nullability differs
  EXPECT_EQ(checked.unmatched_left + checked.unmatched_right, 0);
}

TEST(ResultCompareTest, AMissingRowIsReportedAsThatRow) {
  auto left = Rows("[1, 2, 3]", R"(["a", "b", "c"])", "[1, 2, 3]");
  auto right = Rows("[3, 1]", R"(["c", "a"])", "[3, 1]");
  auto result = Compare(*left, *right);
  EXPECT_FALSE(result.equal);
  EXPECT_EQ(result.left_rows, 3);
  EXPECT_EQ(result.right_rows, 2);
  EXPECT_EQ(result.unmatched_left, 1);
  EXPECT_EQ(result.unmatched_right, 0);
  ASSERT_EQ(result.only_left.size(), 1u);
  EXPECT_EQ(result.only_left[0].row, 1);
  EXPECT_EQ(result.only_left[0].values,
            nlohmann::json({{"id", 2}, {"name", "b"}, {"v", 2.0}}));
  EXPECT_TRUE(Compare(*Rows("[]", "[]", "[]"), *Rows("[]", "[]", "[]")).equal);
  EXPECT_EQ(Compare(*Rows("[]", "[]", "[]"), *right).unmatched_right, 2);
}

TEST(ResultCompareTest, FirstDifferingRowsOnEachSideAreCappedButCounted) {
  auto left = Rows("[1, 2, 3, 4]", R"(["a", "b", "c", "d"])", "[1, 2, 3, 4]");
  auto right = Rows("[4, 3, 2, 1]", R"(["d", "C", "B", "a"])", "[4, 3, 2, 1]");
  CompareOptions options;
  options.max_reported_rows = 1;
  auto result = Compare(*left, *right, options);
  EXPECT_FALSE(result.equal);
  EXPECT_EQ(result.unmatched_left, 2);
  EXPECT_EQ(result.unmatched_right, 2);
  ASSERT_EQ(result.only_left.size(), 1u);
  ASSERT_EQ(result.only_right.size(), 1u);
  // In sort order: id 2 first on both sides; rows are positions in each input.
  EXPECT_EQ(result.only_left[0].row, 1);
  EXPECT_EQ(result.only_left[0].values["name"], "b");
  EXPECT_EQ(result.only_right[0].row, 2);
  EXPECT_EQ(result.only_right[0].values["name"], "B");

  auto json = result.ToJson();
  EXPECT_EQ(json["equal"], false);
  EXPECT_EQ(json["rows"]["unmatched_left"], 2);
  EXPECT_EQ(json["first_differences"]["right"][0]["values"]["id"], 2);
  EXPECT_EQ(json["tolerance"]["relative"], 1e-9);
  EXPECT_EQ(json["schema"]["left"][2]["type"], "double");
}

// Sorting on every column in schema order (v first) would pair (1.0, id 2) with
// (1.0, id 1): a slightly different float reorders the rows across ids. Sorting on
// the exact columns first keeps each id's rows together, so even pairing in sorted
// order only (no exhaustive matching) pairs them right.
TEST(ResultCompareTest, ExactColumnsSortFirstSoFloatNoiseCannotMisPairRows) {
  auto schema = arrow::schema(
      {arrow::field("v", arrow::float64()), arrow::field("id", arrow::int64())});
  auto left = TableFromJson(schema, {"[1.0, 1.000000000001]", "[2, 1]"});
  auto right = TableFromJson(schema, {"[1.000000000001, 1.0]", "[2, 1]"});
  CompareOptions in_order_only;
  in_order_only.max_pairing_work = 0;
  auto result = Compare(*left, *right, in_order_only);
  EXPECT_TRUE(result.equal);
  EXPECT_TRUE(result.pairing_exhaustive);
}

// Inside one run of equal exact values, two float columns sorted lexicographically
// can still mis-pair: (1, 5) (1+d, 3) vs (1, 3) (1+d, 5). The exhaustive matching
// finds the pairing; with it disabled the result is a mismatch flagged as
// non-exhaustive, never a wrong "equal".
TEST(ResultCompareTest, FloatNoiseInsideARunIsPairedExhaustively) {
  auto schema = arrow::schema(
      {arrow::field("a", arrow::float64()), arrow::field("b", arrow::float64())});
  auto left = TableFromJson(schema, {"[1.0, 1.000000000001]", "[5.0, 3.0]"});
  auto right = TableFromJson(schema, {"[1.000000000001, 1.0]", "[5.0, 3.0]"});
  auto result = Compare(*left, *right);
  EXPECT_TRUE(result.equal);
  EXPECT_TRUE(result.pairing_exhaustive);

  CompareOptions in_order_only;
  in_order_only.max_pairing_work = 0;
  auto limited = Compare(*left, *right, in_order_only);
  EXPECT_FALSE(limited.equal);
  EXPECT_FALSE(limited.pairing_exhaustive);

  // A genuinely unpaired row is still found exhaustively.
  auto wrong = TableFromJson(schema, {"[1.000000000001, 1.0]", "[5.0, 3.5]"});
  auto mismatch = Compare(*left, *wrong);
  EXPECT_FALSE(mismatch.equal);
  EXPECT_TRUE(mismatch.pairing_exhaustive);
  EXPECT_EQ(mismatch.unmatched_left, 1);
  EXPECT_EQ(mismatch.only_left[0].values["b"], 3.0);
}

TEST(ResultCompareTest, NestedColumnsAreComparedInsideRuns) {
  auto schema = arrow::schema({arrow::field("id", arrow::int64()),
                               arrow::field("xs", arrow::list(arrow::float64()))});
  auto left = TableFromJson(schema, {"[1, 2]", "[[1.0, 2.0], null]"});
  auto right = TableFromJson(schema, {"[2, 1]", "[null, [1.0, 2.0]]"});
  EXPECT_TRUE(Compare(*left, *right).equal);
  auto changed = TableFromJson(schema, {"[2, 1]", "[null, [1.0, 2.5]]"});
  auto result = Compare(*left, *changed);
  EXPECT_FALSE(result.equal);
  EXPECT_EQ(result.unmatched_left, 1);
  EXPECT_EQ(result.only_left[0].values["id"], 1);
}

}  // namespace
}  // namespace deltaline::engine
