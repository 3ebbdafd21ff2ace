// The builder over an in-memory table and a Delta table of the same rows, each result
// compared with a table written out by hand.
#include "engine/builder.h"

#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "storage/storage_writer.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

namespace cp = arrow::compute;
using testing::TableFromJson;
using testing::TablesEqualUnordered;
using testing::TempDir;

auto Id() { return arrow::field("id", arrow::int64()); }
auto G() { return arrow::field("g", arrow::utf8()); }
auto V() { return arrow::field("v", arrow::int64()); }

std::shared_ptr<arrow::Table> Rows() {
  return TableFromJson({Id(), G(), V()},
                       {"[1, 2, 3, 4, 5, 6]", R"(["a", "b", "a", "c", "b", "a"])",
                        "[10, 20, 30, 40, 50, 60]"});
}

std::shared_ptr<arrow::Table> Labels() {
  return TableFromJson({G(), arrow::field("label", arrow::utf8())},
                       {R"(["a", "b", "z"])", R"(["alpha", "beta", "zeta"])"});
}

class BuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string uri = dir_.str() + "/rows";
    ASSERT_OK(storage::WriteTableDelta(*Rows(), uri).status());
    ASSERT_OK(catalog_.AddTable("mem", Rows()));
    ASSERT_OK(catalog_.AddDelta("delta", uri));
    ASSERT_OK(catalog_.AddTable("labels", Labels()));
  }

  // Runs `build` over both bindings of the same rows and compares with `expected`.
  template <typename Build>
  void ExpectRows(const arrow::Table& expected, Build build, bool ordered = false) {
    for (const std::string name : {"mem", "delta"}) {
      Query query = build(From(catalog_, name));
      ASSERT_OK(query.status());
      EXPECT_TRUE(query.schema()->Equals(*expected.schema())) << name;
      ASSERT_OK_AND_ASSIGN(auto table, query.ToTable());
      if (ordered) {
        ASSERT_OK_AND_ASSIGN(auto combined, table->CombineChunks());
        EXPECT_TRUE(expected.Equals(*combined)) << name << "\n" << table->ToString();
      } else {
        EXPECT_TRUE(TablesEqualUnordered(expected, *table)) << name;
      }
    }
  }

  TempDir dir_;
  Catalog catalog_;
};

TEST_F(BuilderTest, FilterByExpressionAndBySql) {
  auto expected = TableFromJson(
      {Id(), G(), V()}, {"[3, 4, 5, 6]", R"(["a", "c", "b", "a"])", "[30, 40, 50, 60]"});
  ExpectRows(*expected, [](Query q) {
    return q.Filter(cp::greater(cp::field_ref("v"), cp::literal(int64_t{25})));
  });
  auto sql = TableFromJson({Id(), G(), V()}, {"[3, 6]", R"(["a", "a"])", "[30, 60]"});
  ExpectRows(*sql, [](Query q) { return q.Filter("g = 'a' AND v >= 30"); });
}

TEST_F(BuilderTest, ProjectColumnsAndExpressions) {
  auto columns = TableFromJson(
      {G(), Id()}, {R"(["a", "b", "a", "c", "b", "a"])", "[1, 2, 3, 4, 5, 6]"});
  ExpectRows(*columns, [](Query q) { return q.Project({"g", "id"}); });
  auto computed = TableFromJson({Id(), arrow::field("v2", arrow::int64())},
                                {"[1, 2, 3, 4, 5, 6]", "[11, 22, 33, 44, 55, 66]"});
  ExpectRows(*computed, [](Query q) {
    return q.Project(
        {cp::field_ref("id"), cp::call("add", {cp::field_ref("v"), cp::field_ref("id")})},
        {"id", "v2"});
  });
}

TEST_F(BuilderTest, AggregateWithAndWithoutKeys) {
  // Arrow 26 puts the keys first.
  auto grouped = TableFromJson({G(), arrow::field("total", arrow::int64())},
                               {R"(["a", "b", "c"])", "[100, 70, 40]"});
  ExpectRows(*grouped, [](Query q) {
    return q.Aggregate({{"sum", nullptr, "v", "total"}}, {"g"});
  });
  auto whole = TableFromJson(
      {arrow::field("total", arrow::int64()), arrow::field("n", arrow::int64())},
      {"[210]", "[6]"});
  ExpectRows(*whole, [](Query q) {
    return q.Aggregate({{"sum", nullptr, "v", "total"}, {"count", nullptr, "id", "n"}});
  });
}

TEST_F(BuilderTest, JoinOnEqualKeys) {
  auto expected = TableFromJson(
      {Id(), G(), V(), arrow::field("g_right", arrow::utf8()),
       arrow::field("label", arrow::utf8())},
      {"[1, 2, 3, 5, 6]", R"(["a", "b", "a", "b", "a"])", "[10, 20, 30, 50, 60]",
       R"(["a", "b", "a", "b", "a"])", R"(["alpha", "beta", "alpha", "beta", "alpha"])"});
  ExpectRows(*expected,
             [this](Query q) { return q.Join(From(catalog_, "labels"), {"g"}, {"g"}); });
}

TEST_F(BuilderTest, OrderByThenLimit) {
  auto expected = TableFromJson({Id(), V()}, {"[5, 4]", "[50, 40]"});
  ExpectRows(
      *expected,
      [](Query q) {
        return q.OrderBy({cp::SortKey("v", cp::SortOrder::Descending)})
            .Limit(2, /*offset=*/1)
            .Project({"id", "v"});
      },
      /*ordered=*/true);
}

TEST_F(BuilderTest, UnknownColumnsAreTypedErrorsNamingThem) {
  Query base = From(catalog_, "delta");
  const std::vector<std::pair<std::string, Query>> cases = {
      {"Filter", base.Filter(cp::equal(cp::field_ref("nope"), cp::literal(1)))},
      {"Filter: ", base.Filter("nope = 1")},
      {"Project", base.Project({"id", "nope"})},
      {"Aggregate key", base.Aggregate({{"sum", nullptr, "v", "s"}}, {"nope"})},
      {"Aggregate sum", base.Aggregate({{"sum", nullptr, "nope", "s"}}, {"g"})},
      {"Join right key", base.Join(From(catalog_, "labels"), {"g"}, {"nope"})},
      {"OrderBy", base.OrderBy({cp::SortKey("nope")})},
  };
  for (const auto& [step, query] : cases) {
    EXPECT_TRUE(delta::IsKind(query.status(), delta::ErrorKind::kInvalidInput))
        << query.status().ToString();
    EXPECT_NE(query.status().message().find("nope"), std::string::npos);
    EXPECT_NE(query.status().message().find(step), std::string::npos);
    // The error travels down the chain to the terminal call.
    auto later = query.Project({"id"}).ToTable();
    EXPECT_EQ(later.status().message(), query.status().message());
  }
  EXPECT_TRUE(base.ok());  // steps never change their receiver
  EXPECT_TRUE(
      delta::IsKind(From(catalog_, "missing").status(), delta::ErrorKind::kInvalidInput));
  // A limit over rows with no order would return arbitrary rows: refused.
  auto unordered = base.Aggregate({{"sum", nullptr, "v", "s"}}, {"g"}).Limit(1);
  EXPECT_TRUE(delta::IsKind(unordered.status(), delta::ErrorKind::kInvalidInput));
  // A type error names the step too.
  auto mistyped = base.Filter(cp::field_ref("v"));
  EXPECT_NE(mistyped.status().message().find("not boolean"), std::string::npos);
}

std::shared_ptr<arrow::Table> ReadDelta(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  return delta::ReadSnapshot(*store, snapshot).ValueOrDie();
}

TEST_F(BuilderTest, WriteDeltaAndInsertIntoCommitTheRows) {
  const std::string out = dir_.str() + "/out";
  Query big = From(catalog_, "delta").Filter("v > 30");
  ASSERT_OK_AND_ASSIGN(auto written, big.WriteDelta(out));
  EXPECT_TRUE(written.delta.committed);
  EXPECT_EQ(written.delta.version, 0);
  auto expected = TableFromJson({Id(), G(), V()},
                                {"[4, 5, 6]", R"(["c", "b", "a"])", "[40, 50, 60]"});
  EXPECT_TRUE(TablesEqualUnordered(*expected, *ReadDelta(out)));

  // InsertInto appends to an existing table and never creates one.
  storage::StorageWriteOptions append;
  append.delta.mode = delta::SaveMode::kAppend;
  ASSERT_OK_AND_ASSIGN(auto inserted,
                       From(catalog_, "mem").Filter("id = 1").InsertInto(out, append));
  EXPECT_EQ(inserted.delta.version, 1);
  auto both = TableFromJson(
      {Id(), G(), V()}, {"[1, 4, 5, 6]", R"(["a", "c", "b", "a"])", "[10, 40, 50, 60]"});
  EXPECT_TRUE(TablesEqualUnordered(*both, *ReadDelta(out)));
  auto missing = From(catalog_, "mem").InsertInto(dir_.str() + "/absent", append);
  EXPECT_TRUE(delta::IsKind(missing.status(), delta::ErrorKind::kTableNotFound))
      << missing.status().ToString();
  EXPECT_FALSE(std::filesystem::exists(dir_.str() + "/absent"));
}

}  // namespace
}  // namespace deltaline::engine
