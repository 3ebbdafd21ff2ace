// The spec check decides which rows commit: each kind of rule sends its breakers to
// `_errors` under its name, the unique key holds across a stream's batches, and a
// check that cannot be done within its limits is refused.
#include "pipeline/spec_check.h"

#include <arrow/api.h>

#include "delta/base/errors.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

using testing::BatchFromJson;
using testing::TableFromJson;

std::shared_ptr<arrow::Schema> OrdersSchema(bool id_nullable = true) {
  return arrow::schema({arrow::field("id", arrow::int64(), id_nullable),
                        arrow::field("amount", arrow::float64()),
                        arrow::field("name", arrow::utf8())});
}

DatasetSpec OrdersSpec() {
  DatasetSpec spec;
  spec.name = "orders";
  spec.schema = OrdersSchema(/*id_nullable=*/false);
  spec.not_null = {"name"};
  spec.checks = {{"amount_positive", "amount > 0"}};
  spec.unique_key = {"id"};
  return spec;
}

std::vector<std::string> Strings(const arrow::Table& table, const std::string& column) {
  std::vector<std::string> out;
  auto chunked = table.GetColumnByName(column);
  for (const auto& chunk : chunked->chunks()) {
    auto strings = std::static_pointer_cast<arrow::StringArray>(chunk);
    for (int64_t i = 0; i < strings->length(); ++i) out.push_back(strings->GetString(i));
  }
  return out;
}

// Counts reads, to prove a refusal came before any row was read.
class CountingReader : public arrow::RecordBatchReader {
 public:
  explicit CountingReader(std::shared_ptr<arrow::RecordBatchReader> inner)
      : inner_(std::move(inner)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return inner_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    ++reads;
    return inner_->ReadNext(batch);
  }
  int reads = 0;

 private:
  std::shared_ptr<arrow::RecordBatchReader> inner_;
};

TEST(SpecCheck, EachKindOfViolationIsChargedToItsFirstRule) {
  auto input = TableFromJson(
      OrdersSchema(), {"[1, 2, null, 4, 2, 5, 6, 1]", "[10, -1, 5, 3, 7, null, 8, 1]",
                       R"(["a", "b", "c", null, "e", "f", "g", "h"])"});
  ASSERT_OK_AND_ASSIGN(auto checked, CheckTable(OrdersSpec(), input));

  // Row 4 (id 2) is kept: row 1 had id 2 first but broke a CHECK, so never entered.
  auto expected = TableFromJson(OrdersSchema(false),
                                {"[1, 2, 6]", "[10, 7, 8]", R"(["a", "e", "g"])"});
  EXPECT_TRUE(testing::TablesEqualUnordered(*expected, *checked.good));
  EXPECT_FALSE(checked.good->schema()->GetFieldByName("id")->nullable());

  EXPECT_EQ(checked.counts.rows_in, 8);
  EXPECT_EQ(checked.counts.rows_good, 3);
  const std::map<std::string, int64_t> counts = {
      {"not_null_id", 1}, {"not_null_name", 1}, {"amount_positive", 2}, {"unique_id", 1}};
  EXPECT_EQ(checked.counts.violations, counts);

  ASSERT_EQ(checked.errors->num_rows(), 5);
  std::multiset<std::string> rules;
  for (const auto& rule : Strings(*checked.errors, kRuleColumn)) rules.insert(rule);
  EXPECT_EQ(rules,
            (std::multiset<std::string>{"not_null_id", "not_null_name", "amount_positive",
                                        "amount_positive", "unique_id"}));
  EXPECT_EQ(checked.errors->schema()->field(0)->name(), "id");
  EXPECT_TRUE(checked.errors->schema()->field(0)->nullable());
  auto errors = Strings(*checked.errors, kErrorColumn);
  EXPECT_NE(std::find(errors.begin(), errors.end(), "amount > 0"), errors.end());
  EXPECT_NE(std::find(errors.begin(), errors.end(), "UNIQUE (id)"), errors.end());

  // One stats row per rule, in checking order.
  EXPECT_EQ(Strings(*checked.error_stats, "rule"),
            (std::vector<std::string>{"not_null_id", "not_null_name", "amount_positive",
                                      "unique_id"}));
  auto rows = std::static_pointer_cast<arrow::Int64Array>(
      checked.error_stats->GetColumnByName("rows")->chunk(0));
  EXPECT_EQ(rows->Value(2), 2);
  EXPECT_EQ(rows->Value(3), 1);
}

TEST(SpecCheck, UniqueKeyHoldsAcrossTheBatchesOfAStream) {
  DatasetSpec spec;
  spec.name = "events";
  spec.unique_key = {"id", "name"};
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  auto first = BatchFromJson(schema, {"[1, 2, 2]", R"(["a", "a", "b"])"});
  auto second = BatchFromJson(schema, {"[2, 3, 3, 1]", R"(["a", "c", "c", "b"])"});
  ASSERT_OK_AND_ASSIGN(auto input, arrow::RecordBatchReader::Make({first, second}));
  ASSERT_OK_AND_ASSIGN(auto check, SpecCheck::Make(spec, input));
  ASSERT_OK_AND_ASSIGN(auto good, check->good()->ToTable());
  auto expected =
      TableFromJson(schema, {"[1, 2, 2, 3, 1]", R"(["a", "a", "b", "c", "b"])"});
  EXPECT_TRUE(testing::TablesEqualUnordered(*expected, *good));
  ASSERT_OK_AND_ASSIGN(auto errors, check->errors()->ToTable());
  auto duplicates =
      TableFromJson(arrow::schema({arrow::field("id", arrow::int64()),
                                   arrow::field("name", arrow::utf8()),
                                   arrow::field(kRuleColumn, arrow::utf8(), false),
                                   arrow::field(kErrorColumn, arrow::utf8(), false)}),
                    {"[2, 3]", R"(["a", "c"])", R"(["unique_id_name", "unique_id_name"])",
                     R"j(["UNIQUE (id, name)", "UNIQUE (id, name)"])j"});
  EXPECT_TRUE(testing::TablesEqualUnordered(*duplicates, *errors));
  EXPECT_EQ(check->counts().violations.at("unique_id_name"), 2);
}

TEST(SpecCheck, UniqueKeyBeyondItsLimitIsRefusedNotPassed) {
  DatasetSpec spec;
  spec.name = "events";
  spec.unique_key = {"id"};
  auto schema = arrow::schema({arrow::field("id", arrow::int64())});
  ASSERT_OK_AND_ASSIGN(
      auto input, arrow::RecordBatchReader::Make({BatchFromJson(schema, {"[1, 2]"}),
                                                  BatchFromJson(schema, {"[3, 1]"})}));
  SpecCheckOptions options;
  options.max_unique_keys = 2;
  ASSERT_OK_AND_ASSIGN(auto check, SpecCheck::Make(spec, input, options));
  auto good = check->good()->ToTable();
  ASSERT_FALSE(good.ok());
  EXPECT_TRUE(IsSpecLimitExceeded(good.status())) << good.status();
  EXPECT_NE(good.status().message().find("max_unique_keys"), std::string::npos);
}

TEST(SpecCheck, FailRunStopsAtTheFirstViolationNamingRuleAndRow) {
  DatasetSpec spec = OrdersSpec();
  spec.on_violation = ViolationAction::kFailRun;
  auto good_batch = BatchFromJson(OrdersSchema(), {"[1]", "[1]", R"(["a"])"});
  auto bad_batch = BatchFromJson(OrdersSchema(), {"[2, 3]", "[5, -7]", R"(["b", "c"])"});
  ASSERT_OK_AND_ASSIGN(auto input,
                       arrow::RecordBatchReader::Make({good_batch, bad_batch}));
  ASSERT_OK_AND_ASSIGN(auto check, SpecCheck::Make(spec, input));
  auto good = check->good()->ToTable();
  ASSERT_FALSE(good.ok());
  EXPECT_TRUE(IsConstraintViolation(good.status())) << good.status();
  const std::string message = good.status().message();
  EXPECT_NE(message.find("dataset 'orders'"), std::string::npos) << message;
  EXPECT_NE(message.find("amount_positive"), std::string::npos) << message;
  EXPECT_NE(message.find("id=3"), std::string::npos) << message;
}

TEST(SpecCheck, SchemaMismatchIsTypedAndRefusedBeforeAnyRowIsRead) {
  struct Case {
    arrow::FieldVector fields;
    std::string column;
  };
  const std::vector<Case> cases = {
      {{arrow::field("id", arrow::int32()), arrow::field("amount", arrow::float64()),
        arrow::field("name", arrow::utf8())},
       "'id' is int32"},
      {{arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())},
       "'amount'"},
      {{arrow::field("id", arrow::int64()), arrow::field("amount", arrow::float64()),
        arrow::field("name", arrow::utf8()), arrow::field("extra", arrow::utf8())},
       "'extra'"},
  };
  for (const auto& c : cases) {
    auto schema = arrow::schema(c.fields);
    ASSERT_OK_AND_ASSIGN(auto inner, arrow::RecordBatchReader::Make({}, schema));
    auto counting = std::make_shared<CountingReader>(inner);
    auto check = SpecCheck::Make(OrdersSpec(), counting);
    ASSERT_FALSE(check.ok());
    EXPECT_TRUE(delta::IsKind(check.status(), delta::ErrorKind::kSchemaMismatch))
        << check.status();
    EXPECT_NE(check.status().message().find(c.column), std::string::npos)
        << check.status();
    EXPECT_NE(check.status().message().find("'orders'"), std::string::npos);
    EXPECT_EQ(counting->reads, 0);
  }
  // Column order is not part of the schema: the good rows take the spec's order.
  auto reordered = TableFromJson(arrow::schema({arrow::field("name", arrow::utf8()),
                                                arrow::field("amount", arrow::float64()),
                                                arrow::field("id", arrow::int64())}),
                                 {R"(["a"])", "[1]", "[1]"});
  ASSERT_OK_AND_ASSIGN(auto checked, CheckTable(OrdersSpec(), reordered));
  EXPECT_TRUE(checked.good->schema()->Equals(*OrdersSpec().schema));
}

TEST(SpecCheck, BadSpecsAreRefusedNamingTheRule) {
  auto table = TableFromJson(OrdersSchema(), {"[1]", "[1]", R"(["a"])"});
  DatasetSpec spec = OrdersSpec();
  spec.checks = {{"broken", "amount >"}};
  auto parsed = CheckTable(spec, table);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("CHECK 'broken'"), std::string::npos);

  spec = OrdersSpec();
  spec.checks = {{"not_null_name", "amount > 0"}};
  EXPECT_TRUE(
      delta::IsKind(CheckTable(spec, table).status(), delta::ErrorKind::kInvalidInput));

  spec = OrdersSpec();
  spec.unique_key = {"missing"};
  auto missing = CheckTable(spec, table);
  EXPECT_NE(missing.status().message().find("'missing'"), std::string::npos);
}

}  // namespace
}  // namespace deltaline::pipeline
