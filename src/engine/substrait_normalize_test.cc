// Newer-Substrait fields translated or refused by name, binary plans with fields Arrow
// does not know refused, and named tables bound by column name.
#include "engine/substrait_normalize.h"

#include <fstream>
#include <sstream>

#include <arrow/engine/substrait/serde.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "engine/substrait_plan.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using json = nlohmann::json;
using testing::TableFromJson;

json Fixture(const std::string& name) {
  std::ifstream in(std::string(DELTALINE_SOURCE_DIR) + "/tests/engine/plans/" + name +
                   ".json");
  return json::parse(in);
}

json& RootInput(json& plan) { return plan["relations"][0]["root"]["input"]; }

Catalog Sales() {
  Catalog catalog;
  auto sales = TableFromJson(
      arrow::schema({arrow::field("id", arrow::int64()),
                     arrow::field("region", arrow::utf8()),
                     arrow::field("amount", arrow::int64())}),
      {"[1, 2, 3, 4, 5, 6]", R"(["north", "south", "north", "east", "south", "west"])",
       "[10, 20, 30, 5, 40, 25]"});
  EXPECT_TRUE(catalog.AddTable("sales", sales).ok());
  return catalog;
}

arrow::Result<std::shared_ptr<arrow::Table>> RunJson(const json& plan,
                                                     const Catalog& catalog) {
  ARROW_ASSIGN_OR_RAISE(auto loaded, LoadSubstraitPlan(plan.dump()));
  ARROW_ASSIGN_OR_RAISE(auto reader, RunSubstraitPlan(loaded, catalog));
  return reader->ToTable();
}

// kUnsupportedFeature ("substrait") whose message names `needle`.
void ExpectRefusal(const arrow::Status& st, const std::string& needle) {
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(delta::IsKind(st, delta::ErrorKind::kUnsupportedFeature)) << st.ToString();
  EXPECT_NE(st.message().find(needle), std::string::npos) << st.ToString();
}

TEST(SubstraitNormalizeTest, FetchCountExprLiteralBecomesCount) {
  // As DataFusion 55 writes LIMIT 2 OFFSET 1: Arrow would read count 0 (LIMIT 0).
  json plan = Fixture("sort_fetch");
  json& fetch = RootInput(plan)["fetch"];
  fetch.erase("count");
  fetch.erase("offset");
  fetch["countExpr"] = {{"literal", {{"i64", "2"}}}};
  fetch["offsetExpr"] = {{"literal", {{"i64", "1"}}}};
  ASSERT_OK_AND_ASSIGN(auto rows, RunJson(plan, Sales()));
  ASSERT_EQ(rows->num_rows(), 2);
  auto ids = rows->GetColumnByName("id");
  EXPECT_EQ(ids->GetScalar(0).ValueOrDie()->ToString(), "3");
  EXPECT_EQ(ids->GetScalar(1).ValueOrDie()->ToString(), "6");
}

TEST(SubstraitNormalizeTest, FetchOfAllRowsInNewerPlansIsNotLimitZero) {
  json plan = Fixture("sort_fetch");
  plan["version"]["minorNumber"] = 64;
  json& fetch = RootInput(plan)["fetch"];
  fetch.erase("count");  // unset: all rows since Substrait 0.63
  ASSERT_OK_AND_ASSIGN(auto rows, RunJson(plan, Sales()));
  EXPECT_EQ(rows->num_rows(), 5);  // all but the offset
  fetch["countExpr"] = {{"literal", {{"null", {{"i64", json::object()}}}}}};
  ASSERT_OK_AND_ASSIGN(rows, RunJson(plan, Sales()));
  EXPECT_EQ(rows->num_rows(), 5);
}

TEST(SubstraitNormalizeTest, FetchCountExprThatIsNotALiteralIsRefused) {
  json plan = Fixture("sort_fetch");
  json& fetch = RootInput(plan)["fetch"];
  fetch.erase("count");
  fetch["countExpr"] = {{"selection",
                         {{"directReference", {{"structField", {{"field", 0}}}}},
                          {"rootReference", json::object()}}}};
  ExpectRefusal(LoadSubstraitPlan(plan.dump()).status(), "fetch.countExpr");
}

TEST(SubstraitNormalizeTest, NewerGroupingReferencesBecomeKeys) {
  json plan = Fixture("aggregate_keys");
  json& aggregate = RootInput(plan)["aggregate"];
  aggregate["groupingExpressions"] = aggregate["groupings"][0]["groupingExpressions"];
  aggregate["groupings"][0] = {{"expressionReferences", {0}}};
  ASSERT_OK_AND_ASSIGN(auto rows, RunJson(plan, Sales()));
  EXPECT_EQ(rows->num_rows(), 4);  // one per region: the key was not dropped
  EXPECT_EQ(rows->schema()->field(0)->name(), "region");
}

TEST(SubstraitNormalizeTest, GroupingSetsAreRefusedByName) {
  json plan = Fixture("aggregate_keys");
  json& groupings = RootInput(plan)["aggregate"]["groupings"];
  groupings.push_back({{"groupingExpressions", json::array()}});
  ExpectRefusal(LoadSubstraitPlan(plan.dump()).status(), "aggregate.groupings");
}

TEST(SubstraitNormalizeTest, UnreadFieldsAreRefusedNamingRelationAndField) {
  struct Case {
    std::string fixture, relation, field;
    json value;
  };
  const json mask = {{"select", {{"structItems", {{{"field", 0}}}}}}};
  const json cond =
      Fixture("filter")["relations"][0]["root"]["input"]["filter"]["condition"];
  for (const auto& c : {Case{"read_filter_trap", "read", "projection", mask},
                        Case{"join", "join", "postJoinFilter", cond},
                        Case{"filter", "filter", "advancedExtension", json::object()},
                        Case{"sort_fetch", "fetch", "someFutureField", 1}}) {
    SCOPED_TRACE(c.relation + "." + c.field);
    json plan = Fixture(c.fixture);
    json& rel = RootInput(plan);
    rel[c.relation][c.field] = c.value;
    if (c.relation == "join") rel["join"]["type"] = "JOIN_TYPE_LEFT";
    ExpectRefusal(LoadSubstraitPlan(plan.dump()).status(), c.relation + "." + c.field);
  }
  json plan = Fixture("filter");
  // Files named by the plan bypass the Catalog (and a Delta table's log).
  RootInput(plan)["filter"]["input"]["read"]["localFiles"] = {{"items", json::array()}};
  RootInput(plan)["filter"]["input"]["read"].erase("namedTable");
  ExpectRefusal(LoadSubstraitPlan(plan.dump()).status(), "read.localFiles");
  plan = Fixture("filter");
  plan["extensionUrns"] = json::array();  // Substrait ≥ 0.75 names extensions by URN
  ExpectRefusal(LoadSubstraitPlan(plan.dump()).status(), "plan.extensionUrns");
}

TEST(SubstraitNormalizeTest, InnerJoinPostFilterBecomesAFilter) {
  json plan = Fixture("join");
  json& join = RootInput(plan)["join"];
  join.erase("common");  // emit off: the filter sees the join's five columns
  json cond = Fixture("filter")["relations"][0]["root"]["input"]["filter"]["condition"];
  join["postJoinFilter"] = cond;  // amount > 15
  plan["relations"][0]["root"]["names"] = {"id", "region", "amount", "region2",
                                           "manager"};
  ASSERT_OK_AND_ASSIGN(auto loaded, LoadSubstraitPlan(plan.dump()));
  Catalog catalog = Sales();
  ASSERT_OK(catalog.AddTable(
      "regions", TableFromJson(arrow::schema({arrow::field("region", arrow::utf8()),
                                              arrow::field("manager", arrow::utf8())}),
                               {R"(["north", "south"])", R"(["ann", "bob"])"})));
  ASSERT_OK_AND_ASSIGN(auto reader, RunSubstraitPlan(loaded, catalog));
  ASSERT_OK_AND_ASSIGN(auto rows, reader->ToTable());
  EXPECT_EQ(rows->num_rows(), 3);  // ids 2, 3, 5 (amount > 15, region known)
}

TEST(SubstraitNormalizeTest, BinaryPlanWithFieldsArrowDoesNotKnowIsRefused) {
  json plan = Fixture("filter");
  ASSERT_OK_AND_ASSIGN(auto binary,
                       arrow::engine::internal::SubstraitFromJSON("Plan", plan.dump()));
  // Field 99 (varint 7) appended to the Plan message: what a newer producer's
  // field looks like to Arrow's 0.44 descriptors.
  std::string bytes = binary->ToString() + std::string("\x98\x06\x07", 3);
  ExpectRefusal(LoadSubstraitPlan(bytes).status(), "does not know");
  ExpectRefusal(LoadSubstraitPlan(bytes).status(), "field 99 (varint) at Plan ");
  // Holding its default value (0) too: it may be a member of a oneof, where being set
  // is what counts.
  bytes = binary->ToString() + std::string("\x98\x06\x00", 3);
  ExpectRefusal(LoadSubstraitPlan(bytes).status(), "field 99 (varint) at Plan ");
  // Nested: field 99 (the string "x") inside the plan's version message (field 6).
  plan.erase("version");
  ASSERT_OK_AND_ASSIGN(binary,
                       arrow::engine::internal::SubstraitFromJSON("Plan", plan.dump()));
  bytes = binary->ToString() + std::string("\x32\x06\x10\x2c\x9a\x06\x01x", 8);
  ExpectRefusal(LoadSubstraitPlan(bytes).status(),
                "field 99 (length-delimited) at Plan.6 ");
  ASSERT_OK(LoadSubstraitPlan(binary->ToString() + std::string("\x32\x02\x10\x2c", 4))
                .status());
}

TEST(SubstraitNormalizeTest, NamedTablesBindByColumnName) {
  // The table's columns in another order than the plan's baseSchema: bound by name.
  Catalog reordered;
  ASSERT_OK(reordered.AddTable(
      "sales", TableFromJson(arrow::schema({arrow::field("amount", arrow::int64()),
                                            arrow::field("id", arrow::int64()),
                                            arrow::field("region", arrow::utf8())}),
                             {"[10, 20]", "[1, 2]", R"(["north", "south"])"})));
  ASSERT_OK_AND_ASSIGN(auto rows, RunJson(Fixture("filter"), reordered));
  ASSERT_EQ(rows->num_rows(), 1);
  EXPECT_EQ(rows->schema()->field(0)->name(), "id");
  EXPECT_EQ(rows->GetColumnByName("amount")->GetScalar(0).ValueOrDie()->ToString(), "20");

  Catalog wrong_type;
  ASSERT_OK(wrong_type.AddTable(
      "sales", TableFromJson(arrow::schema({arrow::field("id", arrow::int64()),
                                            arrow::field("region", arrow::utf8()),
                                            arrow::field("amount", arrow::float64())}),
                             {"[1]", R"(["x"])", "[1.5]"})));
  auto st = RunJson(Fixture("filter"), wrong_type).status();
  EXPECT_TRUE(delta::IsKind(st, delta::ErrorKind::kSchemaMismatch)) << st.ToString();
  EXPECT_NE(st.message().find("'amount'"), std::string::npos) << st.ToString();

  st = RunJson(Fixture("filter"), Catalog()).status();
  EXPECT_TRUE(delta::IsKind(st, delta::ErrorKind::kInvalidInput)) << st.ToString();
  EXPECT_NE(st.message().find("'sales'"), std::string::npos) << st.ToString();
}

}  // namespace
}  // namespace deltaline::engine
