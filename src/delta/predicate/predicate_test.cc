#include "delta/predicate/predicate.h"

#include <arrow/array/builder_primitive.h>
#include <arrow/compute/api.h>
#include <arrow/json/from_string.h>

#include "delta/base/errors.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;

std::shared_ptr<arrow::Schema> TestSchema() {
  return arrow::schema({
      arrow::field("id", arrow::int64()),
      arrow::field("small", arrow::int8()),
      arrow::field("x", arrow::float64()),
      arrow::field("name", arrow::utf8()),
      arrow::field("flag", arrow::boolean()),
      arrow::field("day", arrow::date32()),
      arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
      arrow::field("ntz", arrow::timestamp(arrow::TimeUnit::MICRO)),
      arrow::field("amount", arrow::decimal128(10, 2)),
      arrow::field("weird name", arrow::int32()),
      arrow::field("s", arrow::struct_({arrow::field("a", arrow::int32()),
                                        arrow::field("b", arrow::utf8())})),
  });
}

// Five rows covering nulls in every column.
std::shared_ptr<arrow::RecordBatch> TestBatch() {
  auto array =
      arrow::json::ArrayFromJSONString(arrow::struct_(TestSchema()->fields()), R"([
    {"id": 1, "small": 1, "x": 1.5, "name": "alpha", "flag": true, "day": 19723,
     "ts": 1704067200000000, "ntz": 1704067200000000, "amount": "12.50",
     "weird name": 7, "s": {"a": 1, "b": "p"}},
    {"id": 2, "small": -3, "x": null, "name": "beta", "flag": false, "day": 19724,
     "ts": 1704067200000001, "ntz": 1704070800000000, "amount": "0.01",
     "weird name": 8, "s": {"a": 2, "b": null}},
    {"id": 3, "small": null, "x": -2.0, "name": null, "flag": null, "day": null,
     "ts": null, "ntz": null, "amount": null, "weird name": null, "s": null},
    {"id": null, "small": 5, "x": 100, "name": "it's", "flag": true, "day": 19725,
     "ts": 1704153600000000, "ntz": 1704153600000000, "amount": "-4.00",
     "weird name": 9, "s": {"a": null, "b": "q"}},
    {"id": 5, "small": 5, "x": 3, "name": "gamma", "flag": false, "day": 19723,
     "ts": 1704067199999999, "ntz": 1704067199999999, "amount": "99999999.99",
     "weird name": 10, "s": {"a": 5, "b": "r"}}
  ])");
  return arrow::RecordBatch::FromStructArray(array.ValueOrDie()).ValueOrDie();
}

// The predicate's value on each row of TestBatch: 1 true, 0 false, -1 null.
std::vector<int> Eval(const std::string& sql) {
  auto schema = TestSchema();
  auto expr = ParsePredicate(sql, *schema);
  EXPECT_TRUE(expr.ok()) << sql << ": " << expr.status().ToString();
  if (!expr.ok()) return {};
  auto batch = TestBatch();
  auto datum = cp::ExecuteScalarExpression(*expr, cp::ExecBatch(*batch));
  EXPECT_TRUE(datum.ok()) << datum.status().ToString();
  std::vector<int> out;
  if (datum->is_scalar()) {
    const auto& scalar = static_cast<const arrow::BooleanScalar&>(*datum->scalar());
    out.assign(batch->num_rows(), scalar.is_valid ? scalar.value : -1);
    return out;
  }
  // Keep the array alive: a reference into make_array()'s temporary dangles (ASan).
  const auto made = datum->make_array();
  const auto& array = static_cast<const arrow::BooleanArray&>(*made);
  for (int64_t row = 0; row < array.length(); ++row) {
    out.push_back(array.IsNull(row) ? -1 : array.Value(row));
  }
  return out;
}

using V = std::vector<int>;

TEST(Predicate, Comparisons) {
  EXPECT_EQ(Eval("id = 2"), (V{0, 1, 0, -1, 0}));
  EXPECT_EQ(Eval("id != 2"), (V{1, 0, 1, -1, 1}));
  EXPECT_EQ(Eval("id <> 2"), (V{1, 0, 1, -1, 1}));
  EXPECT_EQ(Eval("id < 3"), (V{1, 1, 0, -1, 0}));
  EXPECT_EQ(Eval("id <= 3"), (V{1, 1, 1, -1, 0}));
  EXPECT_EQ(Eval("id > 3"), (V{0, 0, 0, -1, 1}));
  EXPECT_EQ(Eval("id >= 3"), (V{0, 0, 1, -1, 1}));
  // Literal on the left flips the comparison.
  EXPECT_EQ(Eval("3 > id"), (V{1, 1, 0, -1, 0}));
  EXPECT_EQ(Eval("small = -3"), (V{0, 1, -1, 0, 0}));
  EXPECT_EQ(Eval("x > 2.5"), (V{0, -1, 0, 1, 1}));
  EXPECT_EQ(Eval("x < -1e0"), (V{0, -1, 1, 0, 0}));
  EXPECT_EQ(Eval("name = 'it''s'"), (V{0, 0, -1, 1, 0}));
  EXPECT_EQ(Eval("name >= 'beta'"), (V{0, 1, -1, 1, 1}));
  EXPECT_EQ(Eval("flag = TRUE"), (V{1, 0, -1, 1, 0}));
  EXPECT_EQ(Eval("flag"), (V{1, 0, -1, 1, 0}));
  EXPECT_EQ(Eval("amount > 12.4"), (V{1, 0, -1, 0, 1}));
  EXPECT_EQ(Eval("amount = 0.01"), (V{0, 1, -1, 0, 0}));
  EXPECT_EQ(Eval("id = small"), (V{1, 0, -1, -1, 1}));
}

TEST(Predicate, DatesAndTimestamps) {
  EXPECT_EQ(Eval("day = DATE '2024-01-01'"), (V{1, 0, -1, 0, 1}));
  EXPECT_EQ(Eval("day > '2024-01-01'"), (V{0, 1, -1, 1, 0}));
  // Microsecond precision survives: the 2nd row is 1 µs after midnight.
  EXPECT_EQ(Eval("ts = TIMESTAMP '2024-01-01 00:00:00'"), (V{1, 0, -1, 0, 0}));
  EXPECT_EQ(Eval("ts > TIMESTAMP '2024-01-01T00:00:00.000000Z'"), (V{0, 1, -1, 1, 0}));
  // Zones convert to the instant; a zoned column reads a bare literal as UTC.
  EXPECT_EQ(Eval("ts = TIMESTAMP '2024-01-01T01:00:00+01:00'"), (V{1, 0, -1, 0, 0}));
  EXPECT_EQ(Eval("ts < DATE '2024-01-01'"), (V{0, 0, -1, 0, 1}));
  EXPECT_EQ(Eval("ntz = TIMESTAMP '2024-01-01 01:00:00'"), (V{0, 1, -1, 0, 0}));
}

TEST(Predicate, InBetweenAndNull) {
  EXPECT_EQ(Eval("id IN (1, 5)"), (V{1, 0, 0, -1, 1}));
  EXPECT_EQ(Eval("id NOT IN (1, 5)"), (V{0, 1, 1, -1, 0}));
  // SQL: x IN (…, NULL) is NULL unless x matches; NOT IN with a NULL is never true.
  EXPECT_EQ(Eval("id IN (1, NULL)"), (V{1, -1, -1, -1, -1}));
  EXPECT_EQ(Eval("id NOT IN (1, NULL)"), (V{0, -1, -1, -1, -1}));
  EXPECT_EQ(Eval("name in ('alpha', 'gamma')"), (V{1, 0, -1, 0, 1}));
  EXPECT_EQ(Eval("id BETWEEN 2 AND 3"), (V{0, 1, 1, -1, 0}));
  EXPECT_EQ(Eval("id NOT BETWEEN 2 AND 3"), (V{1, 0, 0, -1, 1}));
  EXPECT_EQ(Eval("day BETWEEN DATE '2024-01-02' AND '2024-01-03'"), (V{0, 1, -1, 1, 0}));
  EXPECT_EQ(Eval("name IS NULL"), (V{0, 0, 1, 0, 0}));
  EXPECT_EQ(Eval("name IS NOT NULL"), (V{1, 1, 0, 1, 1}));
  EXPECT_EQ(Eval("x is null"), (V{0, 1, 0, 0, 0}));
  EXPECT_EQ(Eval("id = NULL"), (V{-1, -1, -1, -1, -1}));
  // A long IN list takes the is_in path with the same SQL semantics.
  std::string list = "id IN (1";
  for (int value = 100; value < 160; ++value) list += ", " + std::to_string(value);
  EXPECT_EQ(Eval(list + ", 5)"), (V{1, 0, 0, -1, 1}));
  EXPECT_EQ(Eval(list + ", NULL)"), (V{1, -1, -1, -1, -1}));
  EXPECT_EQ(Eval("NOT " + list + ", NULL)"), (V{0, -1, -1, -1, -1}));
}

TEST(Predicate, ThreeValuedLogic) {
  // name is NULL on row 3: NULL AND FALSE = FALSE, NULL OR TRUE = TRUE.
  EXPECT_EQ(Eval("name = 'x' AND id = 3"), (V{0, 0, -1, 0, 0}));
  EXPECT_EQ(Eval("name = 'x' AND id = 2"), (V{0, 0, 0, 0, 0}));
  EXPECT_EQ(Eval("name = 'alpha' OR id = 3"), (V{1, 0, 1, -1, 0}));
  EXPECT_EQ(Eval("NOT (name = 'alpha')"), (V{0, 1, -1, 1, 1}));
  EXPECT_EQ(Eval("NOT flag"), (V{0, 1, -1, 0, 1}));
  // Precedence: NOT > AND > OR; parentheses override.
  EXPECT_EQ(Eval("id = 1 OR id = 2 AND small = 5"), (V{1, 0, 0, -1, 0}));
  EXPECT_EQ(Eval("(id = 1 OR id = 5) AND small = 5"), (V{0, 0, 0, -1, 1}));
  EXPECT_EQ(Eval("TRUE"), (V{1, 1, 1, 1, 1}));
  EXPECT_EQ(Eval("NULL"), (V{-1, -1, -1, -1, -1}));
}

TEST(Predicate, IdentifiersAndKeywords) {
  EXPECT_EQ(Eval("`weird name` > 8"), (V{0, 0, -1, 1, 1}));
  EXPECT_EQ(Eval("\"weird name\" = 7"), (V{1, 0, -1, 0, 0}));
  EXPECT_EQ(Eval("\"id\" = 1 and `name` is not null"), (V{1, 0, 0, -1, 0}));
  EXPECT_EQ(Eval("id between 1 AnD 2 oR NoT flag"), (V{1, 1, -1, -1, 1}));
  EXPECT_EQ(Eval("s.a >= 2"), (V{0, 1, -1, -1, 1}));
  EXPECT_EQ(Eval("s.`b` = 'q'"), (V{0, -1, -1, 1, 0}));
}

TEST(Predicate, ColumnsReferenced) {
  auto schema = TestSchema();
  ASSERT_OK_AND_ASSIGN(auto expr,
                       ParsePredicate("s.a = 1 AND (id > 2 OR s.b = 'x')", *schema));
  EXPECT_EQ(PredicateColumns(expr, *schema), (std::vector<std::string>{"id", "s"}));
  ASSERT_OK_AND_ASSIGN(expr, ParsePredicate("TRUE", *schema));
  EXPECT_TRUE(PredicateColumns(expr, *schema).empty());
}

// The error's kind and message: position (1-based characters) and offending token.
void ExpectError(const std::string& sql, ErrorKind kind, const std::string& where) {
  auto schema = TestSchema();
  auto result = ParsePredicate(sql, *schema);
  ASSERT_FALSE(result.ok()) << sql;
  EXPECT_TRUE(IsKind(result.status(), kind)) << sql << ": " << result.status().ToString();
  EXPECT_NE(result.status().message().find(where), std::string::npos)
      << sql << ": " << result.status().message() << " lacks " << where;
}

TEST(Predicate, ErrorsCarryPositionAndToken) {
  ExpectError("idx = 1", ErrorKind::kInvalidInput,
              "unknown column 'idx' at position 1 (near 'idx')");
  ExpectError("id = 1 AND nope > 2", ErrorKind::kInvalidInput,
              "unknown column 'nope' at position 12 (near 'nope')");
  ExpectError("s.zz = 1", ErrorKind::kInvalidInput,
              "unknown column 's.zz' at position 3");
  ExpectError("id = 1 garbage", ErrorKind::kInvalidInput,
              "trailing text at position 8 (near 'garbage')");
  ExpectError("id = 1)", ErrorKind::kInvalidInput, "at position 7 (near ')')");
  ExpectError("day = DATE '2024-13-45'", ErrorKind::kInvalidInput,
              "at position 12 (near ''2024-13-45'')");
  ExpectError("small = 300", ErrorKind::kInvalidInput, "at position 9 (near '300')");
  ExpectError("amount = 1.234", ErrorKind::kInvalidInput,
              "at position 10 (near '1.234')");
  ExpectError("ts > TIMESTAMP 'yesterday'", ErrorKind::kInvalidInput, "at position 16");
  ExpectError("id = 'one'", ErrorKind::kSchemaMismatch, "at position 6 (near ''one'')");
  ExpectError("id = 1.5", ErrorKind::kSchemaMismatch, "at position 6 (near '1.5')");
  ExpectError("name = 3", ErrorKind::kSchemaMismatch, "at position 8 (near '3')");
  ExpectError("id = name", ErrorKind::kSchemaMismatch, "at position 6 (near 'name')");
  ExpectError("id", ErrorKind::kSchemaMismatch, "at position 1 (near 'id')");
  ExpectError("id = ", ErrorKind::kInvalidInput, "at position 6 (near end of input)");
  ExpectError("(id = 1", ErrorKind::kInvalidInput, "expected ')' at position 8");
  ExpectError("name = 'open", ErrorKind::kInvalidInput,
              "unterminated string at position 8");
  ExpectError("id = 1 ; drop", ErrorKind::kInvalidInput,
              "unexpected character at position 8 (near ';')");
  ExpectError("id IN ()", ErrorKind::kInvalidInput, "at position 8 (near ')')");
  ExpectError("id = 12abc", ErrorKind::kInvalidInput,
              "malformed number at position 6 (near '12abc')");
  // Positions count characters, not bytes.
  ExpectError("name = 'ü' AND zz = 1", ErrorKind::kInvalidInput,
              "at position 16 (near 'zz')");
  ExpectError("", ErrorKind::kInvalidInput, "empty predicate");
  ExpectError("name LIKE 'a%'", ErrorKind::kUnsupportedFeature, "at position 6");
}

TEST(Predicate, HostileInputIsAnError) {
  auto schema = TestSchema();
  std::string deep(10000, '(');
  EXPECT_FALSE(ParsePredicate(deep + "id = 1", *schema).ok());
  std::string nots;
  for (int count = 0; count < 5000; ++count) nots += "NOT ";
  EXPECT_FALSE(ParsePredicate(nots + "flag", *schema).ok());
  EXPECT_FALSE(ParsePredicate(std::string("id = 1\0", 7), *schema).ok());
}

}  // namespace
}  // namespace deltaline::delta
