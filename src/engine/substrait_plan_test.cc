// The fixture plans of tests/engine/plans/ run over a Delta binding and an in-memory
// binding of the same rows, each compared with a hand-written expected result; the two
// traps of Arrow's consumer (a read's filter, the root's names) shown to bite without
// the normalising pass; a binary plan runs as its JSON does, also when encoded
// otherwise than Arrow re-encodes it.
#include "engine/substrait_plan.h"

#include <fstream>
#include <sstream>

#include <arrow/acero/options.h>
#include <arrow/engine/substrait/serde.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using testing::TableFromJson;
using testing::TablesEqualUnordered;
using testing::TempDir;

const auto kSales = arrow::schema({arrow::field("id", arrow::int64()),
                                   arrow::field("region", arrow::utf8()),
                                   arrow::field("amount", arrow::int64())});

// Version 0 of `sales`; version 1 appends kSalesAdded.
std::shared_ptr<arrow::Table> SalesV0() {
  return TableFromJson(kSales, {"[1, 2, 3, 4]", R"(["north", "south", "north", "east"])",
                                "[10, 20, 30, 5]"});
}
std::shared_ptr<arrow::Table> SalesAdded() {
  return TableFromJson(kSales, {"[5, 6]", R"(["south", "west"])", "[40, 25]"});
}
std::shared_ptr<arrow::Table> SalesNow() {
  return arrow::ConcatenateTables({SalesV0(), SalesAdded()}).ValueOrDie();
}
std::shared_ptr<arrow::Table> Regions() {
  return TableFromJson(arrow::schema({arrow::field("region", arrow::utf8()),
                                      arrow::field("manager", arrow::utf8())}),
                       {R"(["north", "south", "east"])", R"(["ann", "bob", "cy"])"});
}

std::string PlanPath(const std::string& name) {
  return std::string(DELTALINE_SOURCE_DIR) + "/tests/engine/plans/" + name + ".json";
}

arrow::Status WriteDelta(const std::string& uri, const arrow::Table& rows) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  return delta::WriteTable(*store, rows, options).status();
}

arrow::Result<std::shared_ptr<arrow::Table>> RunPlan(const SubstraitPlan& plan,
                                                     const Catalog& catalog) {
  ARROW_ASSIGN_OR_RAISE(auto reader, RunSubstraitPlan(plan, catalog));
  return reader->ToTable();
}

class SubstraitFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string sales = dir_.str() + "/sales";
    ASSERT_OK(WriteDelta(sales, *SalesV0()));
    ASSERT_OK(WriteDelta(sales, *SalesAdded()));
    ASSERT_OK(WriteDelta(dir_.str() + "/regions", *Regions()));
    ASSERT_OK(delta_.AddBinding("sales=" + sales));
    ASSERT_OK(delta_.AddBinding("sales_v0=" + sales + "@0"));
    ASSERT_OK(delta_.AddBinding("regions=" + dir_.str() + "/regions"));
    ASSERT_OK(memory_.AddTable("sales", SalesNow()));
    ASSERT_OK(memory_.AddTable("sales_v0", SalesV0()));
    ASSERT_OK(memory_.AddTable("regions", Regions()));
  }

  // The plan's result on both bindings, each checked against `expected`.
  void ExpectOnBoth(const std::string& name, const arrow::Table& expected) {
    ASSERT_OK_AND_ASSIGN(auto plan, ReadSubstraitPlanFile(PlanPath(name)));
    for (const Catalog* catalog : {&delta_, &memory_}) {
      SCOPED_TRACE(name + (catalog == &delta_ ? " on Delta" : " in memory"));
      ASSERT_OK_AND_ASSIGN(auto actual, RunPlan(plan, *catalog));
      EXPECT_TRUE(TablesEqualUnordered(expected, *actual));
    }
  }

  TempDir dir_;
  Catalog delta_, memory_;
};

TEST_F(SubstraitFixtureTest, Filter) {
  ExpectOnBoth("filter", *TableFromJson(kSales, {"[2, 3, 5, 6]",
                                                 R"(["south", "north", "south", "west"])",
                                                 "[20, 30, 40, 25]"}));
}

TEST_F(SubstraitFixtureTest, ProjectWithEmit) {
  ExpectOnBoth("project",
               *TableFromJson({arrow::field("id", arrow::int64()),
                               arrow::field("double_amount", arrow::int64())},
                              {"[1, 2, 3, 4, 5, 6]", "[20, 40, 60, 10, 80, 50]"}));
}

TEST_F(SubstraitFixtureTest, AggregateWithKeys) {
  ExpectOnBoth(
      "aggregate_keys",
      *TableFromJson(
          {arrow::field("region", arrow::utf8()), arrow::field("total", arrow::int64())},
          {R"(["north", "south", "east", "west"])", "[40, 60, 5, 25]"}));
}

TEST_F(SubstraitFixtureTest, AggregateWithoutKeys) {
  ExpectOnBoth("aggregate_no_keys", *TableFromJson({arrow::field("total", arrow::int64()),
                                                    arrow::field("n", arrow::int64())},
                                                   {"[130]", "[6]"}));
}

TEST_F(SubstraitFixtureTest, InnerJoin) {
  ExpectOnBoth("join", *TableFromJson(
                           {arrow::field("id", arrow::int64()),
                            arrow::field("manager", arrow::utf8())},
                           {"[1, 2, 3, 4, 5]", R"(["ann", "bob", "ann", "cy", "bob"])"}));
}

TEST_F(SubstraitFixtureTest, SortAndFetchKeepOrder) {
  // amount descending is 40 (5), 30 (3), 25 (6), ...: offset 1, count 2.
  auto expected = TableFromJson(kSales, {"[3, 6]", R"(["north", "west"])", "[30, 25]"});
  ASSERT_OK_AND_ASSIGN(auto plan, ReadSubstraitPlanFile(PlanPath("sort_fetch")));
  for (const Catalog* catalog : {&delta_, &memory_}) {
    ASSERT_OK_AND_ASSIGN(auto actual, RunPlan(plan, *catalog));
    EXPECT_TRUE(expected->Equals(*actual)) << actual->ToString();
  }
}

TEST_F(SubstraitFixtureTest, UnionAll) {
  ExpectOnBoth("union_all",
               *arrow::ConcatenateTables({SalesNow(), SalesNow()}).ValueOrDie());
}

TEST_F(SubstraitFixtureTest, TwoVersionsOfOneDeltaTable) {
  // sales_v0 is the table at version 0, sales its latest version.
  ExpectOnBoth("two_versions",
               *arrow::ConcatenateTables({SalesV0(), SalesNow()}).ValueOrDie());
  ASSERT_OK_AND_ASSIGN(auto plan, ReadSubstraitPlanFile(PlanPath("two_versions")));
  ASSERT_OK_AND_ASSIGN(auto bound, PlanToDeclaration(plan, delta_));
  ASSERT_EQ(bound.bindings.size(), 2u);
  EXPECT_NE(bound.bindings[0].find("@ version 0"), std::string::npos);
  EXPECT_NE(bound.bindings[1].find("@ version 1"), std::string::npos);
}

// What Arrow's consumer makes of a plan left as written: the declaration it builds,
// run as is, over the same catalog.
arrow::Result<std::shared_ptr<arrow::Table>> RunRaw(const nlohmann::json& plan,
                                                    const Catalog& catalog) {
  ARROW_ASSIGN_OR_RAISE(auto buffer,
                        arrow::engine::internal::SubstraitFromJSON("Plan", plan.dump()));
  arrow::engine::ConversionOptions options;
  options.named_table_provider = [&catalog](const std::vector<std::string>& names,
                                            const arrow::Schema&) {
    return catalog.Source(names.back());
  };
  ARROW_ASSIGN_OR_RAISE(
      auto info, arrow::engine::DeserializePlan(*buffer, nullptr, nullptr, options));
  return arrow::acero::DeclarationToTable(std::move(info.root.declaration));
}

TEST_F(SubstraitFixtureTest, ReadFilterTrapIsNormalisedAway) {
  ASSERT_OK_AND_ASSIGN(auto plan, ReadSubstraitPlanFile(PlanPath("read_filter_trap")));
  // Arrow's consumer alone returns every row: the filter on the read is dropped.
  ASSERT_OK_AND_ASSIGN(auto raw, RunRaw(plan.original, delta_));
  EXPECT_EQ(raw->num_rows(), 6);
  ExpectOnBoth(
      "read_filter_trap",
      *TableFromJson(kSales, {"[2, 3, 5, 6]", R"(["south", "north", "south", "west"])",
                              "[20, 30, 40, 25]"}));
  ASSERT_FALSE(plan.normalized.rewrites.empty());
  EXPECT_EQ(plan.normalized.rewrites[0].path, "relations[0].root.input.read");
  EXPECT_TRUE(plan.normalized.plan["relations"][0]["rel"].contains("filter"));
}

TEST_F(SubstraitFixtureTest, OutputNamesTrapIsNormalisedAway) {
  ASSERT_OK_AND_ASSIGN(auto plan, ReadSubstraitPlanFile(PlanPath("output_names_trap")));
  // Arrow's consumer alone names the sum "" (or after its function), not "total".
  ASSERT_OK_AND_ASSIGN(auto raw, RunRaw(plan.original, memory_));
  ASSERT_EQ(raw->num_columns(), 1);
  EXPECT_NE(raw->schema()->field(0)->name(), "total");
  ExpectOnBoth("output_names_trap",
               *TableFromJson({arrow::field("total", arrow::int64())}, {"[130]"}));
  ASSERT_OK_AND_ASSIGN(auto bound, PlanToDeclaration(plan, memory_));
  EXPECT_EQ(bound.schema->field(0)->name(), "total");
}

TEST_F(SubstraitFixtureTest, BinaryPlanRunsAsItsJson) {
  for (const std::string name : {"aggregate_keys", "read_filter_trap", "sort_fetch"}) {
    SCOPED_TRACE(name);
    std::ifstream in(PlanPath(name));
    std::stringstream text;
    text << in.rdbuf();
    ASSERT_OK_AND_ASSIGN(auto binary,
                         arrow::engine::internal::SubstraitFromJSON("Plan", text.str()));
    ASSERT_OK_AND_ASSIGN(auto from_json, LoadSubstraitPlan(text.str()));
    ASSERT_OK_AND_ASSIGN(auto from_binary, LoadSubstraitPlan(binary->ToString()));
    EXPECT_EQ(from_binary.encoding, PlanEncoding::kBinary);
    ASSERT_OK_AND_ASSIGN(auto expected, RunPlan(from_json, delta_));
    ASSERT_OK_AND_ASSIGN(auto actual, RunPlan(from_binary, delta_));
    // Only a sorted plan has a row order: the Delta scan reads files in parallel.
    if (name == "sort_fetch") {
      EXPECT_TRUE(expected->Equals(*actual));
    } else {
      EXPECT_TRUE(TablesEqualUnordered(*expected, *actual));
    }
  }
}

// Protobuf's wire format by hand, for encodings Arrow's own writer never makes. Field
// numbers are those of Substrait's .proto files.
std::string Varint(uint64_t value) {
  std::string out;
  for (; value >= 0x80; value >>= 7) out.push_back(static_cast<char>(value | 0x80));
  out.push_back(static_cast<char>(value));
  return out;
}
std::string Tag(uint32_t field, int wire_type) {
  return Varint((uint64_t{field} << 3) | static_cast<uint64_t>(wire_type));
}
std::string Message(uint32_t field, const std::string& payload) {
  return Tag(field, 2) + Varint(payload.size()) + payload;
}
std::string FromJson(const std::string& type, const nlohmann::json& message) {
  return arrow::engine::internal::SubstraitFromJSON(type, message.dump())
      .ValueOrDie()
      ->ToString();
}

// The project fixture emitting columns [0, 1, 3] (id, region, double_amount), its
// outputMapping packed, as protobuf's Python, Java and Go writers write repeated
// scalars (Arrow writes them unpacked: one byte longer here). `version`, when given,
// replaces the plan's version message; `emit_extra` is appended to the emit.
std::string PackedProjectPlan(const std::string& version = "",
                              const std::string& emit_extra = "") {
  std::ifstream in(PlanPath("project"));
  nlohmann::json plan = nlohmann::json::parse(in);
  nlohmann::json project = plan["relations"][0]["root"]["input"]["project"];
  project.erase("common");
  const std::string emit =
      Message(1, std::string("\x00\x01\x03", 3)) + emit_extra;  // packed
  const std::string project_rel =
      FromJson("ProjectRel", project) + Message(1 /*common*/, Message(2 /*emit*/, emit));
  const std::string rel_root =
      FromJson("RelRoot", {{"names", {"id", "region", "double_amount"}}}) +
      Message(1 /*input*/, Message(7 /*project*/, project_rel));
  plan.erase("relations");
  if (!version.empty()) plan.erase("version");
  return FromJson("Plan", plan) + version +
         Message(3 /*relations*/, Message(2 /*root*/, rel_root));
}

arrow::Result<std::string> ArrowReencoding(const std::string& bytes) {
  ARROW_ASSIGN_OR_RAISE(
      auto json, arrow::engine::internal::SubstraitToJSON("Plan", arrow::Buffer(bytes)));
  ARROW_ASSIGN_OR_RAISE(auto again,
                        arrow::engine::internal::SubstraitFromJSON("Plan", json));
  return again->ToString();
}

TEST_F(SubstraitFixtureTest, BinaryPlanEncodedOtherwiseThanArrowRuns) {
  auto expected = TableFromJson(
      {arrow::field("id", arrow::int64()), arrow::field("region", arrow::utf8()),
       arrow::field("double_amount", arrow::int64())},
      {"[1, 2, 3, 4, 5, 6]", R"(["north", "south", "north", "east", "south", "west"])",
       "[20, 40, 60, 10, 80, 50]"});
  // Version 0.44 with its minor number in an over-long varint (3 bytes for 44) and
  // its patch number's default (0) written out: Arrow's re-encoding drops both.
  const std::string version =
      Message(6, Tag(2, 0) + std::string("\xAC\x80\x00", 3) + Tag(3, 0) + Varint(0));
  const std::string packed = PackedProjectPlan();
  const std::string noncanonical = PackedProjectPlan(version);
  ASSERT_OK_AND_ASSIGN(auto packed_again, ArrowReencoding(packed));
  ASSERT_GT(packed_again.size(), packed.size());  // what was refused as "-1 bytes"
  ASSERT_OK_AND_ASSIGN(auto noncanonical_again, ArrowReencoding(noncanonical));
  ASSERT_NE(noncanonical_again, noncanonical);
  for (const std::string& bytes : {packed, noncanonical}) {
    SCOPED_TRACE(bytes == packed ? "packed" : "packed, non-canonical version");
    ASSERT_OK_AND_ASSIGN(auto plan, LoadSubstraitPlan(bytes));
    EXPECT_EQ(plan.encoding, PlanEncoding::kBinary);
    for (const Catalog* catalog : {&delta_, &memory_}) {
      ASSERT_OK_AND_ASSIGN(auto actual, RunPlan(plan, *catalog));
      EXPECT_TRUE(TablesEqualUnordered(*expected, *actual)) << actual->ToString();
    }
  }
  // An unknown field is still refused, named, when the rest is merely encoded
  // otherwise: field 99 (varint 7) inside the emit, beside the packed mapping.
  const std::string unknown = Tag(99, 0) + Varint(7);
  auto st = LoadSubstraitPlan(PackedProjectPlan(version, unknown)).status();
  EXPECT_TRUE(delta::IsKind(st, delta::ErrorKind::kUnsupportedFeature)) << st.ToString();
  // relations → root → input → project → common → emit
  EXPECT_NE(st.message().find("field 99 (varint) at Plan.3.2.1.7.1.2"), std::string::npos)
      << st.ToString();
}

}  // namespace
}  // namespace deltaline::engine
