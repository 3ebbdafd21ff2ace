#include "engine/delta_source.h"

#include <filesystem>

#include <arrow/acero/options.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/compute/api.h>
#include <arrow/dataset/scanner.h>
#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "engine/pushdown.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

namespace ac = arrow::acero;
namespace cp = arrow::compute;
using testing::IdsTable;
using testing::PxTable;
using testing::TablesEqualUnordered;
using testing::TempDir;

arrow::Status Append(const std::string& uri, const arrow::Table& table,
                     std::vector<std::string> partition_by = {},
                     delta::SchemaMode schema_mode = delta::SchemaMode::kStrict) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.partition_by = std::move(partition_by);
  options.schema_mode = schema_mode;
  return delta::WriteTable(*store, table, options).status();
}

// What `deltaline read [--filter SQL]` gives for the same snapshot, and its metrics.
struct ReadResult {
  std::shared_ptr<arrow::Table> rows;
  delta::ScanMetrics metrics;
};
arrow::Result<ReadResult> ReadLikeTheCli(const DeltaTableHandle& table,
                                         const std::string& filter_sql = "") {
  ReadResult result;
  delta::ScanOptions options;
  if (!filter_sql.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.filter,
                          delta::ParsePredicate(filter_sql, *table.snapshot->schema()));
  }
  options.metrics = &result.metrics;
  ARROW_ASSIGN_OR_RAISE(result.rows,
                        delta::ReadSnapshot(*table.store, table.snapshot, options));
  return result;
}

// The engine's scan of `table`, under a filter node when `filter_sql` is set, after
// the pushdown pass.
arrow::Result<std::shared_ptr<arrow::Table>> EngineScan(
    std::shared_ptr<DeltaTableHandle> table, const std::string& filter_sql,
    std::shared_ptr<DeltaScanMetrics> metrics) {
  ARROW_ASSIGN_OR_RAISE(auto plan, DeltaSourceDeclaration(table, metrics));
  if (!filter_sql.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto filter,
                          delta::ParsePredicate(filter_sql, *table->snapshot->schema()));
    plan = ac::Declaration("filter", {std::move(plan)},
                           ac::FilterNodeOptions(std::move(filter)));
  }
  ARROW_RETURN_NOT_OK(PushDownIntoScans(plan));
  return ac::DeclarationToTable(std::move(plan));
}

void ExpectSameAsRead(std::shared_ptr<DeltaTableHandle> table,
                      const std::string& filter_sql = "") {
  ASSERT_OK_AND_ASSIGN(auto expected, ReadLikeTheCli(*table, filter_sql));
  auto metrics = std::make_shared<DeltaScanMetrics>();
  ASSERT_OK_AND_ASSIGN(auto actual, EngineScan(table, filter_sql, metrics));
  EXPECT_TRUE(actual->schema()->Equals(*expected.rows->schema()))
      << actual->schema()->ToString() << "\nvs read:\n"
      << expected.rows->schema()->ToString();
  EXPECT_TRUE(TablesEqualUnordered(*expected.rows, *actual)) << table->uri;
  auto counts = metrics->counts();
  EXPECT_EQ(counts.files_considered, expected.metrics.files_considered);
  EXPECT_EQ(counts.files_skipped_by_partition,
            expected.metrics.files_skipped_by_partition);
  EXPECT_EQ(counts.files_skipped_by_stats, expected.metrics.files_skipped_by_stats);
  EXPECT_EQ(counts.files_read, expected.metrics.files_read);
}

TEST(DeltaSourceTest, PartitionedTableEqualsReadAndSkipsByPartition) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(Append(
      uri,
      *PxTable("[1, 2, 3, 4, 5, 6]", "[1, 1, 2, 2, 3, null]", "[10, 20, 30, 40, 50, 60]"),
      {"p"}));
  ASSERT_OK_AND_ASSIGN(auto table, OpenDeltaTable(uri));
  ASSERT_EQ(table->snapshot->num_files(), 4u);
  ExpectSameAsRead(table);
  ExpectSameAsRead(table, "p = 2");
  ExpectSameAsRead(table, "p IS NULL");
  ExpectSameAsRead(table, "p >= 2 AND x > 35");

  auto metrics = std::make_shared<DeltaScanMetrics>();
  ASSERT_OK_AND_ASSIGN(auto rows, EngineScan(table, "p = 2", metrics));
  EXPECT_TRUE(TablesEqualUnordered(*PxTable("[3, 4]", "[2, 2]", "[30, 40]"), *rows));
  auto counts = metrics->counts();
  EXPECT_EQ(counts.files_considered, 4);
  EXPECT_EQ(counts.files_skipped_by_partition, 3);
  EXPECT_EQ(counts.files_skipped_by_stats, 0);
  EXPECT_EQ(counts.files_read, 1);
  EXPECT_EQ(counts.rows_read, 2);
  EXPECT_GT(counts.bytes_read, 0);
}

TEST(DeltaSourceTest, StatsSkipFilesAndRowsAreStillFilteredExactly) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  for (const char* ids : {"[1, 5, 10]", "[11, 15, 20]", "[21, 25, 30]", "[31, 35, 40]"}) {
    ASSERT_OK(Append(uri, *IdsTable(ids)));
  }
  ASSERT_OK_AND_ASSIGN(auto table, OpenDeltaTable(uri));
  ExpectSameAsRead(table, "id > 24");
  auto metrics = std::make_shared<DeltaScanMetrics>();
  ASSERT_OK_AND_ASSIGN(auto rows, EngineScan(table, "id > 24", metrics));
  // 21 is in a file the stats cannot skip: the filter node drops it.
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[25, 30, 31, 35, 40]"), *rows));
  auto counts = metrics->counts();
  EXPECT_EQ(counts.files_considered, 4);
  EXPECT_EQ(counts.files_skipped_by_partition, 0);
  EXPECT_EQ(counts.files_skipped_by_stats, 2);
  EXPECT_EQ(counts.files_read, 2);
  EXPECT_EQ(counts.rows_read, 6);
}

std::shared_ptr<arrow::Table> WideTable(int columns, int64_t rows) {
  arrow::FieldVector fields;
  arrow::ArrayVector arrays;
  uint64_t state = 42;
  for (int c = 0; c < columns; ++c) {
    arrow::Int64Builder builder;
    for (int64_t r = 0; r < rows; ++r) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;  // incompressible
      EXPECT_TRUE(builder.Append(static_cast<int64_t>(state >> 1)).ok());
    }
    fields.push_back(arrow::field("c" + std::to_string(c), arrow::int64()));
    arrays.push_back(builder.Finish().ValueOrDie());
  }
  return arrow::Table::Make(arrow::schema(fields), arrays);
}

TEST(DeltaSourceTest, ProjectionReadsOnlyTheColumnsItNeeds) {
  TempDir dir;
  const std::string uri = dir.str() + "/wide";
  ASSERT_OK(Append(uri, *WideTable(12, 20000)));
  ASSERT_OK_AND_ASSIGN(auto table, OpenDeltaTable(uri));

  auto all = std::make_shared<DeltaScanMetrics>();
  ASSERT_OK_AND_ASSIGN(auto all_rows, EngineScan(table, "", all));
  auto one = std::make_shared<DeltaScanMetrics>();
  ASSERT_OK_AND_ASSIGN(auto scan, DeltaSourceDeclaration(table, one));
  ac::Declaration plan("project", {std::move(scan)},
                       ac::ProjectNodeOptions({cp::field_ref("c3")}, {"c3"}));
  ASSERT_OK(PushDownIntoScans(plan));
  ASSERT_OK_AND_ASSIGN(auto one_rows, ac::DeclarationToTable(std::move(plan)));

  EXPECT_TRUE(one_rows->column(0)->Equals(*all_rows->GetColumnByName("c3")));
  const int64_t all_bytes = all->counts().bytes_read;
  const int64_t one_bytes = one->counts().bytes_read;
  // 12 incompressible int64 columns of 20 000 rows: ~1.9 MB in all, ~160 kB for one.
  EXPECT_GT(all_bytes, 12 * 20000 * 8 * 9 / 10);
  EXPECT_LT(one_bytes * 6, all_bytes) << one_bytes << " vs " << all_bytes;
}

TEST(DeltaSourceTest, VersionAndTimestampPinsReadThatSnapshot) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(Append(uri, *IdsTable("[1]")));
  ASSERT_OK(Append(uri, *IdsTable("[2]")));
  ASSERT_OK(Append(uri, *IdsTable("[3]")));
  ASSERT_OK_AND_ASSIGN(auto v0, OpenDeltaTable(uri, {.version = 0, .timestamp_ms = {}}));
  ASSERT_OK_AND_ASSIGN(auto rows, EngineScan(v0, "", nullptr));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1]"), *rows));
  // History's time for version 1, not the snapshot's raw commit time: commits made in
  // the same millisecond share a raw time, and time travel (as Spark's) resolves
  // against the times made strictly increasing, which history shows.
  ASSERT_OK_AND_ASSIGN(auto store, delta::FileSystemLogStore::Open(uri));
  ASSERT_OK_AND_ASSIGN(auto history, delta::ReadHistory(*store));
  std::optional<int64_t> v1_time;
  for (const auto& record : history) {
    if (record.version == 1) v1_time = record.timestamp_ms;
  }
  ASSERT_TRUE(v1_time.has_value());
  ASSERT_OK_AND_ASSIGN(auto at_time,
                       OpenDeltaTable(uri, {.version = {}, .timestamp_ms = *v1_time}));
  EXPECT_EQ(at_time->snapshot->version(), 1);
  ASSERT_OK_AND_ASSIGN(rows, EngineScan(at_time, "id > 0", nullptr));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2]"), *rows));
}

TEST(DeltaSourceTest, ColumnsMissingFromOlderFilesReadAsNull) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(Append(uri, *IdsTable("[1, 2]")));
  ASSERT_OK(Append(uri, *PxTable("[3]", "[7]", "[30]"), {}, delta::SchemaMode::kMerge));
  ASSERT_OK_AND_ASSIGN(auto table, OpenDeltaTable(uri));
  ASSERT_EQ(table->snapshot->schema()->num_fields(), 3);
  ExpectSameAsRead(table);
  ExpectSameAsRead(table, "x IS NULL");
  ASSERT_OK_AND_ASSIGN(auto rows, EngineScan(table, "", nullptr));
  EXPECT_TRUE(TablesEqualUnordered(
      *PxTable("[1, 2, 3]", "[null, null, 7]", "[null, null, 30]"), *rows));
}

TEST(DeltaSourceTest, ArrowsOwnScannerRunsOverTheDataset) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(
      Append(uri, *PxTable("[1, 2, 3, 4]", "[1, 1, 2, 2]", "[10, 20, 30, 40]"), {"p"}));
  ASSERT_OK_AND_ASSIGN(auto table, OpenDeltaTable(uri));
  auto dataset = std::make_shared<DeltaDataset>(table->store, table->snapshot);
  ASSERT_OK_AND_ASSIGN(auto builder, dataset->NewScan());
  ASSERT_OK(builder->Filter(cp::greater(cp::field_ref("x"), cp::literal(int64_t{15}))));
  ASSERT_OK(
      builder->Filter(cp::and_(cp::greater(cp::field_ref("x"), cp::literal(int64_t{15})),
                               cp::equal(cp::field_ref("p"), cp::literal(int32_t{1})))));
  ASSERT_OK(builder->Project({"x", "id"}));
  ASSERT_OK_AND_ASSIGN(auto scanner, builder->Finish());
  ASSERT_OK_AND_ASSIGN(auto rows, scanner->ToTable());
  auto expected = testing::TableFromJson(
      {arrow::field("x", arrow::int64()), arrow::field("id", arrow::int64())},
      {"[20]", "[2]"});
  EXPECT_TRUE(TablesEqualUnordered(*expected, *rows)) << rows->ToString();
  auto counts = dataset->metrics()->counts();
  // Arrow's Scanner lists the fragments twice (its scan node, then again to tag the
  // batches), and listing counts accumulate; each listing skipped one file of two.
  EXPECT_GE(counts.files_considered, 2);
  EXPECT_EQ(counts.files_skipped_by_partition * 2, counts.files_considered);
  EXPECT_EQ(counts.files_read, 1);
}

TEST(DeltaSourceTest, CatalogHandsOutTheMetricsOfEachDeltaScan) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(Append(uri, *PxTable("[1, 2, 3]", "[1, 2, 3]", "[10, 20, 30]"), {"p"}));
  Catalog catalog;
  ASSERT_OK(catalog.AddDelta("t", uri));
  ASSERT_OK(catalog.AddTable("m", IdsTable("[1]")));
  std::shared_ptr<DeltaScanMetrics> metrics;
  ASSERT_OK_AND_ASSIGN(auto scan, catalog.Source("t", &metrics));
  ASSERT_NE(metrics, nullptr);
  ac::Declaration plan(
      "filter", {std::move(scan)},
      ac::FilterNodeOptions(cp::equal(cp::field_ref("p"), cp::literal(int32_t{3}))));
  ASSERT_OK(PushDownIntoScans(plan));
  auto scans = DeltaScansOf(plan);
  ASSERT_EQ(scans.size(), 1u);
  EXPECT_EQ(scans[0].metrics, metrics);
  EXPECT_EQ(scans[0].version, 0);
  ASSERT_OK_AND_ASSIGN(auto rows, ac::DeclarationToTable(std::move(plan)));
  EXPECT_EQ(rows->num_rows(), 1);
  auto counts = metrics->counts();
  EXPECT_EQ(counts.files_considered, 3);
  EXPECT_EQ(counts.files_skipped_by_partition, 2);
  EXPECT_EQ(counts.files_read, 1);
  // Not a Delta table: no metrics.
  ASSERT_OK(catalog.Source("m", &metrics).status());
  EXPECT_EQ(metrics, nullptr);
}

// The shared tables deltaline reads (tests/interop/test_conformance.py: READ) with
// deletion vectors, column mapping, partition types, checkpoints...
const char* const kSharedTables[] = {
    "cdf-table-with-cdc-and-dvs",    "checkpoint-v2-table",
    "delta-0.8.0-null-partition",    "delta-0.8.0-partitioned",
    "delta-0.8.0-special-partition", "delta-0.8.0-numeric-partition",
    "partition-type-primitives",     "table-with-dv-small",
    "table_with_column_mapping",     "table_with_liquid_clustering",
    "simple_table_with_checkpoint",  "delta-stats-optional",
};

// Many scans at once, more than the IO pool has threads, each of many files: a reader
// that blocks an IO thread on other IO tasks (Parquet pre-buffering did) deadlocks
// here. A union of 16 scans of a 24-file table must finish with every row.
TEST(DeltaSourceTest, MoreScansThanIoThreadsFinish) {
  TempDir dir;
  const std::string uri = dir.str() + "/t";
  std::string ids = "[", ps = "[", xs = "[";
  for (int i = 0; i < 24; ++i) {
    const std::string sep = i ? ", " : "";
    ids += sep + std::to_string(i);
    ps += sep + std::to_string(i);
    xs += sep + std::to_string(10 * i);
  }
  ASSERT_OK(Append(uri, *PxTable(ids + "]", ps + "]", xs + "]"), {"p"}));
  Catalog catalog;
  ASSERT_OK(catalog.AddDelta("t", uri));
  std::vector<ac::Declaration::Input> inputs;
  constexpr int kScans = 16;
  static_assert(kScans > 8, "more scans than the IO pool's default 8 threads");
  for (int i = 0; i < kScans; ++i) {
    ASSERT_OK_AND_ASSIGN(auto scan, catalog.Source("t"));
    inputs.emplace_back(std::move(scan));
  }
  ac::Declaration plan("union", std::move(inputs), ac::ExecNodeOptions{});
  auto running = std::async(std::launch::async, [plan = std::move(plan)]() mutable {
    return ac::DeclarationToTable(std::move(plan));
  });
  // A liveness bound, not a speed assertion: the plan takes milliseconds; a deadlock
  // never ends (the future is then abandoned and the test fails).
  ASSERT_EQ(running.wait_for(std::chrono::seconds(120)), std::future_status::ready)
      << "the scans deadlocked";
  ASSERT_OK_AND_ASSIGN(auto rows, running.get());
  EXPECT_EQ(rows->num_rows(), 24 * kScans);
}

TEST(DeltaSourceTest, SharedTablesEqualReadSnapshot) {
  const std::filesystem::path root = "/work/shared/delta-tables";
  if (!std::filesystem::is_directory(root)) GTEST_SKIP() << "no " << root;
  for (const char* name : kSharedTables) {
    SCOPED_TRACE(name);
    const auto uri = (root / name).string();
    ASSERT_OK_AND_ASSIGN(auto table, OpenDeltaTable(uri));
    ExpectSameAsRead(table);
  }
  // Deletion vectors: the engine drops the deleted rows as `read` does.
  ASSERT_OK_AND_ASSIGN(auto dv, OpenDeltaTable((root / "table-with-dv-small").string()));
  ASSERT_OK_AND_ASSIGN(auto rows, EngineScan(dv, "", nullptr));
  ASSERT_OK_AND_ASSIGN(auto no_dv,
                       OpenDeltaTable((root / "table-without-dv-small").string()));
  ASSERT_OK_AND_ASSIGN(auto all_rows, EngineScan(no_dv, "", nullptr));
  EXPECT_LT(rows->num_rows(), all_rows->num_rows());
  ExpectSameAsRead(dv, "value > 3");
  // Partition columns of every primitive type, filtered and pruned as `read` does.
  ASSERT_OK_AND_ASSIGN(auto primitives,
                       OpenDeltaTable((root / "partition-type-primitives").string()));
  ExpectSameAsRead(primitives, "category = 'B'");
  ExpectSameAsRead(primitives, "is_active = 'true' AND year = '2020'");
  // Column mapping with a filter on a renamed column's logical name.
  ASSERT_OK_AND_ASSIGN(auto cm,
                       OpenDeltaTable((root / "table_with_column_mapping").string()));
  const auto& first = cm->snapshot->schema()->field(0)->name();
  ExpectSameAsRead(cm, "\"" + first + "\" IS NOT NULL");
}

}  // namespace
}  // namespace deltaline::engine
