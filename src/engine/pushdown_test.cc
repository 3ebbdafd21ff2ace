#include "engine/pushdown.h"

#include <arrow/acero/options.h>
#include <arrow/compute/api.h>
#include <arrow/dataset/scanner.h>
#include <gtest/gtest.h>

#include "delta/log/log_store.h"
#include "delta/write/write.h"
#include "engine/delta_source.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

namespace ac = arrow::acero;
namespace cp = arrow::compute;
using testing::PxTable;
using testing::TablesEqualUnordered;
using testing::TempDir;

// id int64, p int32 (partition), x int64: p=1 {1, 2}, p=2 {3, 4}, p=3 {5}.
arrow::Result<std::shared_ptr<DeltaTableHandle>> MakeTable(const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  delta::WriteOptions options;
  options.partition_by = {"p"};
  ARROW_RETURN_NOT_OK(
      delta::WriteTable(
          *store, *PxTable("[1, 2, 3, 4, 5]", "[1, 1, 2, 2, 3]", "[10, 20, 30, 40, 50]"),
          options)
          .status());
  return OpenDeltaTable(uri);
}

ac::Declaration Filter(ac::Declaration input, cp::Expression expr) {
  return ac::Declaration("filter", {std::move(input)},
                         ac::FilterNodeOptions(std::move(expr)));
}

cp::Expression PEquals(int32_t p) {
  return cp::equal(cp::field_ref("p"), cp::literal(p));
}

// The one Delta scan of `plan`.
DeltaScanInfo OnlyScan(const ac::Declaration& plan) {
  auto scans = DeltaScansOf(plan);
  EXPECT_EQ(scans.size(), 1u);
  return scans.empty() ? DeltaScanInfo{} : scans[0];
}

TEST(PushdownTest, FiltersThroughAChainReachTheScanAndRowsAreStillFiltered) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto table, MakeTable(dir.str() + "/t"));
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table));
  auto plan = Filter(
      Filter(std::move(scan), cp::greater(cp::field_ref("p"), cp::literal(int32_t{1}))),
      cp::less(cp::field_ref("x"), cp::literal(int64_t{40})));
  EXPECT_EQ(OnlyScan(plan).filter, "true");
  ASSERT_OK(PushDownIntoScans(plan));
  auto info = OnlyScan(plan);
  EXPECT_NE(info.filter.find("(p > 1)"), std::string::npos) << info.filter;
  EXPECT_NE(info.filter.find("(x < 40)"), std::string::npos) << info.filter;
  EXPECT_FALSE(info.columns.has_value());  // no project above: every column
  // Idempotent: a second pass adds nothing.
  ASSERT_OK(PushDownIntoScans(plan));
  EXPECT_EQ(OnlyScan(plan).filter, info.filter);

  ASSERT_OK_AND_ASSIGN(auto rows, ac::DeclarationToTable(plan));
  EXPECT_TRUE(TablesEqualUnordered(*PxTable("[3]", "[2]", "[30]"), *rows));
  auto counts = info.metrics->counts();
  EXPECT_EQ(counts.files_skipped_by_partition, 1);
  EXPECT_EQ(counts.files_skipped_by_stats, 1);  // p=3 holds only x=50
  EXPECT_EQ(counts.files_read, 1);
}

TEST(PushdownTest, ProjectAndAggregateNarrowTheColumnsRead) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto table, MakeTable(dir.str() + "/t"));
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table));
  ac::Declaration project(
      "project", {Filter(std::move(scan), PEquals(2))},
      ac::ProjectNodeOptions(
          {cp::call("multiply", {cp::field_ref("x"), cp::literal(int64_t{2})})}, {"x2"}));
  ASSERT_OK(PushDownIntoScans(project));
  auto info = OnlyScan(project);
  ASSERT_TRUE(info.columns.has_value());
  EXPECT_EQ(*info.columns, (std::vector<std::string>{"p", "x"}));
  ASSERT_OK_AND_ASSIGN(auto rows, ac::DeclarationToTable(project));
  EXPECT_TRUE(TablesEqualUnordered(
      *testing::TableFromJson({arrow::field("x2", arrow::int64())}, {"[60, 80]"}),
      *rows));

  ASSERT_OK_AND_ASSIGN(scan, DeltaSourceDeclaration(table));
  ac::Declaration aggregate(
      "aggregate", {std::move(scan)},
      ac::AggregateNodeOptions(
          std::vector<cp::Aggregate>{cp::Aggregate("hash_sum", nullptr, "x", "sum_x")},
          {"p"}));
  ASSERT_OK(PushDownIntoScans(aggregate));
  info = OnlyScan(aggregate);
  ASSERT_TRUE(info.columns.has_value());
  EXPECT_EQ(*info.columns, (std::vector<std::string>{"p", "x"}));
  ASSERT_OK_AND_ASSIGN(rows, ac::DeclarationToTable(aggregate));
  EXPECT_EQ(rows->num_rows(), 3);

  // count(*) needs no column at all, and still counts every row.
  ASSERT_OK_AND_ASSIGN(scan, DeltaSourceDeclaration(table));
  ac::Declaration count("aggregate", {std::move(scan)},
                        ac::AggregateNodeOptions(
                            std::vector<cp::Aggregate>{cp::Aggregate("count_all", "n")}));
  ASSERT_OK(PushDownIntoScans(count));
  info = OnlyScan(count);
  ASSERT_TRUE(info.columns.has_value());
  EXPECT_TRUE(info.columns->empty());
  ASSERT_OK_AND_ASSIGN(rows, ac::DeclarationToTable(count));
  EXPECT_EQ(rows->GetColumnByName("n")->GetScalar(0).ValueOrDie()->ToString(), "5");
}

TEST(PushdownTest, NoNarrowingUnderASortOrAJoin) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto table, MakeTable(dir.str() + "/t"));
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table));
  // project ← order_by ← filter ← scan: the sort sits between, so every column is read
  // (the filter is still pushed: it only prunes).
  ac::Declaration sorted("order_by", {Filter(std::move(scan), PEquals(1))},
                         ac::OrderByNodeOptions(cp::Ordering({cp::SortKey("id")})));
  ac::Declaration project("project", {std::move(sorted)},
                          ac::ProjectNodeOptions({cp::field_ref("id")}, {"id"}));
  ASSERT_OK(PushDownIntoScans(project));
  auto info = OnlyScan(project);
  EXPECT_FALSE(info.columns.has_value());
  EXPECT_NE(info.filter.find("(p == 1)"), std::string::npos) << info.filter;
  ASSERT_OK_AND_ASSIGN(auto rows, ac::DeclarationToTable(project));
  EXPECT_EQ(rows->num_rows(), 2);

  // project ← hashjoin(scan, scan): neither side is narrowed.
  ASSERT_OK_AND_ASSIGN(auto left, DeltaSourceDeclaration(table));
  ASSERT_OK_AND_ASSIGN(auto right, DeltaSourceDeclaration(table));
  ac::HashJoinNodeOptions join(ac::JoinType::INNER, {"id"}, {"id"}, cp::literal(true),
                               "l_", "r_");
  ac::Declaration joined("hashjoin", {std::move(left), std::move(right)}, join);
  ac::Declaration on_top("project", {std::move(joined)},
                         ac::ProjectNodeOptions({cp::field_ref("xl_")}, {"x"}));
  ASSERT_OK(PushDownIntoScans(on_top));
  auto scans = DeltaScansOf(on_top);
  ASSERT_EQ(scans.size(), 2u);
  for (const auto& s : scans) EXPECT_FALSE(s.columns.has_value());
  ASSERT_OK_AND_ASSIGN(rows, ac::DeclarationToTable(on_top));
  EXPECT_EQ(rows->num_rows(), 5);
}

TEST(PushdownTest, FieldsReferencedByPositionAsSubstraitDoesArePushedToo) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto table, MakeTable(dir.str() + "/t"));
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table));
  // Field 1 is p, field 2 is x.
  auto plan = Filter(std::move(scan), cp::equal(cp::field_ref(arrow::FieldPath({1})),
                                                cp::literal(int32_t{2})));
  ac::Declaration project(
      "project", {std::move(plan)},
      ac::ProjectNodeOptions({cp::field_ref(arrow::FieldPath({2}))}, {"x"}));
  ASSERT_OK(PushDownIntoScans(project));
  auto info = OnlyScan(project);
  ASSERT_TRUE(info.columns.has_value());
  EXPECT_EQ(*info.columns, (std::vector<std::string>{"p", "x"}));
  ASSERT_OK_AND_ASSIGN(auto rows, ac::DeclarationToTable(project));
  EXPECT_TRUE(TablesEqualUnordered(
      *testing::TableFromJson({arrow::field("x", arrow::int64())}, {"[30, 40]"}), *rows));
  EXPECT_EQ(info.metrics->counts().files_skipped_by_partition, 2);
}

TEST(PushdownTest, StackedProjectsPassOnlyWhatTheTopOneUses) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto table, MakeTable(dir.str() + "/t"));
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table));
  // As Arrow's Substrait consumer builds a ProjectRel with an emit: every input field
  // plus the new expression, then a project keeping only the new one.
  ac::Declaration all_plus(
      "project", {Filter(std::move(scan), PEquals(1))},
      ac::ProjectNodeOptions(
          {cp::field_ref(arrow::FieldPath({0})), cp::field_ref(arrow::FieldPath({1})),
           cp::field_ref(arrow::FieldPath({2})),
           cp::call("add", {cp::field_ref("id"), cp::literal(int64_t{100})})},
          {"id", "p", "x", "id100"}));
  ac::Declaration emit(
      "project", {std::move(all_plus)},
      ac::ProjectNodeOptions({cp::field_ref(arrow::FieldPath({3}))}, {"id100"}));
  ASSERT_OK(PushDownIntoScans(emit));
  auto info = OnlyScan(emit);
  ASSERT_TRUE(info.columns.has_value());
  EXPECT_EQ(*info.columns, (std::vector<std::string>{"id", "p"}));
  ASSERT_OK_AND_ASSIGN(auto rows, ac::DeclarationToTable(emit));
  EXPECT_TRUE(TablesEqualUnordered(
      *testing::TableFromJson({arrow::field("id100", arrow::int64())}, {"[101, 102]"}),
      *rows));
}

TEST(PushdownTest, AFilterOnAFieldOutsideTheTableIsNotPushedAndCopiesAreIndependent) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto table, MakeTable(dir.str() + "/t"));
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table));
  ac::Declaration copy = scan;  // shares the options with `scan`
  auto plan =
      Filter(std::move(scan), cp::equal(cp::field_ref("no_such_column"), cp::literal(1)));
  ASSERT_OK(PushDownIntoScans(plan));
  EXPECT_EQ(OnlyScan(plan).filter, "true");

  auto filtered = Filter(copy, PEquals(3));
  ASSERT_OK(PushDownIntoScans(filtered));
  EXPECT_NE(OnlyScan(filtered).filter, "true");
  EXPECT_EQ(OnlyScan(copy).filter, "true");  // copy on write
}

}  // namespace
}  // namespace deltaline::engine
