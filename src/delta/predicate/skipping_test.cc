#include "delta/predicate/skipping.h"

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;

constexpr int kFiles = 100;
constexpr int kRowsPerFile = 1000;

// One append per file: file f holds ids [f*1000, f*1000+1000), so `id` is clustered.
// `name` and `ts` follow id; `x` is a double; `tag` is null on every 7th row.
std::shared_ptr<arrow::RecordBatch> ClusteredBatch(int file_idx) {
  arrow::Int64Builder ids;
  arrow::StringBuilder names, tags;
  arrow::DoubleBuilder xs;
  arrow::TimestampBuilder ts(arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"),
                             arrow::default_memory_pool());
  for (int row = 0; row < kRowsPerFile; ++row) {
    int64_t id = int64_t{file_idx} * kRowsPerFile + row;
    (void)ids.Append(id);
    char name[32];
    std::snprintf(name, sizeof(name), "n%08lld", static_cast<long long>(id));
    (void)names.Append(name);
    (void)xs.Append(static_cast<double>(id % 97));
    // 1 µs per id plus a sub-millisecond offset, so that ms-truncated stats matter.
    (void)ts.Append(1'700'000'000'000'000 + id * 1000 + 999);
    if (id % 7 == 0) {
      (void)tags.AppendNull();
    } else {
      (void)tags.Append(id % 2 ? "odd" : "even");
    }
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8()),
       arrow::field("x", arrow::float64()), arrow::field("ts", ts.type()),
       arrow::field("tag", arrow::utf8())});
  return arrow::RecordBatch::Make(
      schema, kRowsPerFile,
      {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie(), xs.Finish().ValueOrDie(),
       ts.Finish().ValueOrDie(), tags.Finish().ValueOrDie()});
}

class SkippingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    auto store = FileSystemLogStore::Open(dir_->str() + "/clustered").ValueOrDie();
    WriteOptions options;
    options.mode = SaveMode::kAppend;
    for (int file_idx = 0; file_idx < kFiles; ++file_idx) {
      auto table =
          arrow::Table::FromRecordBatches({ClusteredBatch(file_idx)}).ValueOrDie();
      auto result = WriteTable(*store, *table, options);
      ASSERT_TRUE(result.ok()) << result.status().ToString();
    }
  }
  static void TearDownTestSuite() { delete dir_; }

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(store_, FileSystemLogStore::Open(dir_->str() + "/clustered"));
    ASSERT_OK_AND_ASSIGN(snapshot_, Snapshot::Load(*store_));
    ASSERT_EQ(snapshot_->num_files(), static_cast<size_t>(kFiles));
  }

  struct Scanned {
    std::shared_ptr<arrow::Table> table;
    ScanMetrics metrics;
  };

  Scanned Scan(const std::string& sql, bool skip_files) {
    Scanned out;
    ScanOptions options;
    options.filter = ParsePredicate(sql, *snapshot_->schema()).ValueOrDie();
    options.skip_files = skip_files;
    options.metrics = &out.metrics;
    out.table = ReadSnapshot(*store_, snapshot_, options).ValueOrDie();
    return out;
  }

  // Pruned and unpruned scans agree; returns the pruned one.
  Scanned ScanBothWays(const std::string& sql) {
    Scanned pruned = Scan(sql, true);
    Scanned full = Scan(sql, false);
    EXPECT_EQ(full.metrics.files_read, kFiles) << sql;
    EXPECT_TRUE(testing::TablesEqualUnordered(*full.table, *pruned.table)) << sql;
    EXPECT_EQ(pruned.metrics.files_considered,
              pruned.metrics.files_read + pruned.metrics.files_skipped_by_stats +
                  pruned.metrics.files_skipped_by_partition);
    return pruned;
  }

  static testing::TempDir* dir_;
  std::unique_ptr<FileSystemLogStore> store_;
  std::shared_ptr<const Snapshot> snapshot_;
};

testing::TempDir* SkippingTest::dir_ = nullptr;

TEST_F(SkippingTest, OnePercentFilterReadsAtMostTwoPercentOfFiles) {
  auto scanned = ScanBothWays("id >= 50500 AND id < 51500");
  EXPECT_EQ(scanned.table->num_rows(), 1000);
  EXPECT_LE(scanned.metrics.files_read * 100, 2 * kFiles);
  EXPECT_EQ(scanned.metrics.files_skipped_by_stats, kFiles - scanned.metrics.files_read);
  EXPECT_EQ(scanned.metrics.rows_returned, 1000);
  // Every returned row satisfies the filter; bytes are those of the files opened.
  auto ids = scanned.table->GetColumnByName("id");
  auto min_max = cp::MinMax(ids).ValueOrDie().scalar_as<arrow::StructScalar>();
  EXPECT_EQ(min_max.value[0]->ToString(), "50500");
  EXPECT_EQ(min_max.value[1]->ToString(), "51499");
  EXPECT_GT(scanned.metrics.bytes_read, 0);
  EXPECT_LT(scanned.metrics.bytes_read * 20, snapshot_->size_bytes());
}

TEST_F(SkippingTest, EveryConstructPrunesSoundly) {
  for (const char* sql :
       {"id = 12345", "id IN (5, 77777, 99999)", "id NOT IN (5, 6)",
        "id BETWEEN 1000 AND 1999", "NOT (id < 98000)", "id > 99999",
        "id < 0 OR id >= 99500", "name = 'n00042000'", "name > 'n00098999'",
        "tag IS NULL AND id < 2000", "tag IS NOT NULL AND id < 3", "id != 5",
        "x > 95 AND id < 5000", "x != 1 AND id < 1000", "id = NULL", "NOT (id = NULL)",
        "id IN (1, NULL)"}) {
    ScanBothWays(sql);
  }
  EXPECT_EQ(ScanBothWays("id = 12345").metrics.files_read, 1);
  EXPECT_EQ(ScanBothWays("id > 99999").metrics.files_read, 0);
  EXPECT_EQ(ScanBothWays("id = NULL").metrics.files_read, 0);
  EXPECT_EQ(ScanBothWays("id IN (5, 77777, 99999)").metrics.files_read, 3);
  EXPECT_EQ(ScanBothWays("name = 'n00042000'").metrics.files_read, 1);
}

TEST_F(SkippingTest, FilterOnColumnsNotReturned) {
  ScanMetrics metrics;
  ScanOptions options;
  options.columns = {"name"};
  options.filter =
      ParsePredicate("id BETWEEN 7000 AND 7002 AND tag IS NOT NULL", *snapshot_->schema())
          .ValueOrDie();
  options.metrics = &metrics;
  ASSERT_OK_AND_ASSIGN(auto table, ReadSnapshot(*store_, snapshot_, options));
  // 7000 is a multiple of 7: its tag is null.
  ASSERT_EQ(table->schema()->ToString(),
            arrow::schema({arrow::field("name", arrow::utf8())})->ToString());
  ASSERT_EQ(table->num_rows(), 2);
  EXPECT_EQ(metrics.files_read, 1);
  EXPECT_EQ(metrics.rows_read, kRowsPerFile);
  EXPECT_EQ(metrics.rows_returned, 2);
}

TEST_F(SkippingTest, MillisecondTimestampStatsDoNotHideRows) {
  // File 0's last row is at …000 + 999 * 1000 + 999 µs; its max stat is truncated to
  // the millisecond. Asking for rows after that millisecond must still find it.
  int64_t last_us = 1'700'000'000'000'000 + 999 * 1000 + 999;
  auto text = arrow::TimestampScalar(last_us - 500,
                                     arrow::timestamp(arrow::TimeUnit::MICRO, "UTC"))
                  .ToString();
  auto scanned = ScanBothWays("ts > TIMESTAMP '" + text + "' AND id < 1000");
  EXPECT_EQ(scanned.table->num_rows(), 1);
  EXPECT_EQ(scanned.metrics.files_read, 1);
}

TEST(SkippingTable, TruncatedStringStatsDoNotHideRows) {
  // Values longer than the 32-character stats prefix: the writer stores a cut min and
  // a max of prefix + U+FFFD. Rows past the prefix must still be found, and a file
  // whose range excludes the value is still skipped.
  testing::TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str() + "/t"));
  const std::string prefix(40, 'p');
  WriteOptions options;
  options.mode = SaveMode::kAppend;
  for (const auto& values : std::vector<std::vector<std::string>>{
           {prefix + "a", prefix + "b"}, {"apple", "azure"}}) {
    arrow::StringBuilder builder;
    ASSERT_OK(builder.AppendValues(values));
    auto table = arrow::Table::Make(arrow::schema({arrow::field("s", arrow::utf8())}),
                                    {builder.Finish().ValueOrDie()});
    ASSERT_OK(WriteTable(*store, *table, options).status());
  }
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store));
  bool saw_tie_breaker = false;
  for (const auto& add : snapshot->files()) {
    saw_tie_breaker |= add.stats->find("\\ufffd") != std::string::npos ||
                       add.stats->find("\xEF\xBF\xBD") != std::string::npos;
  }
  ASSERT_TRUE(saw_tie_breaker)
      << "the writer no longer truncates: this test proves nothing";
  for (const std::string& sql :
       {"s = '" + prefix + "b'", "s > '" + prefix + "a'", "s >= '" + prefix + "b'"}) {
    ScanMetrics metrics;
    ScanOptions scan;
    scan.filter = ParsePredicate(sql, *snapshot->schema()).ValueOrDie();
    scan.metrics = &metrics;
    ASSERT_OK_AND_ASSIGN(auto table, ReadSnapshot(*store, snapshot, scan));
    EXPECT_EQ(table->num_rows(), 1) << sql;
    EXPECT_EQ(metrics.files_read, 1) << sql;
    EXPECT_EQ(metrics.files_skipped_by_stats, 1) << sql;
  }
}

Add AddWithStats(std::optional<std::string> stats) {
  Add add;
  add.path = "f.parquet";
  add.stats = std::move(stats);
  return add;
}

FileMatch Verdict(const std::string& sql, std::optional<std::string> stats,
                  const PartitionValues& partition = {}) {
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("x", arrow::float64()),
       arrow::field("s", arrow::utf8()),
       arrow::field("ts", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
       arrow::field("st", arrow::struct_({arrow::field("a", arrow::int32())})),
       arrow::field("p", arrow::utf8())});
  auto predicate = ParsePredicate(sql, *schema).ValueOrDie();
  auto pruner = FilePruner::Make(predicate, schema, {"p"}).ValueOrDie();
  Add add = AddWithStats(std::move(stats));
  add.partition_values = partition;
  return pruner->Evaluate(add).ValueOrDie().match;
}

TEST(FilePruner, MissingOrPartialStatsNeverSkip) {
  EXPECT_EQ(Verdict("id = 5", std::nullopt), FileMatch::kSome);
  EXPECT_EQ(Verdict("id = 5", ""), FileMatch::kSome);
  EXPECT_EQ(Verdict("id = 5", "{not json"), FileMatch::kSome);
  EXPECT_EQ(Verdict("id = 5", R"({"numRecords": 10})"), FileMatch::kSome);
  EXPECT_EQ(Verdict("id = 5", R"({"numRecords": 10, "minValues": {"s": "a"}})"),
            FileMatch::kSome);
  // Only a min: a filter below it skips, one above it cannot.
  EXPECT_EQ(Verdict("id = 5", R"({"numRecords": 10, "minValues": {"id": 7}})"),
            FileMatch::kNone);
  EXPECT_EQ(Verdict("id = 9", R"({"numRecords": 10, "minValues": {"id": 7}})"),
            FileMatch::kSome);
  // nullCount without min/max proves nothing about values.
  EXPECT_EQ(Verdict("id = 5", R"({"numRecords": 10, "nullCount": {"id": 3}})"),
            FileMatch::kSome);
  // A stat of the wrong JSON type is ignored, not trusted.
  EXPECT_EQ(
      Verdict("id = 5",
              R"({"numRecords": 10, "minValues": {"id": "7"}, "maxValues": {"id": 9}})"),
      FileMatch::kSome);
}

TEST(FilePruner, RangesNullsAndWholeFileMatches) {
  const std::string no_nulls =
      R"({"numRecords": 10, "minValues": {"id": 10}, "maxValues": {"id": 20}, "nullCount": {"id": 0}})";
  const std::string some_nulls =
      R"({"numRecords": 10, "minValues": {"id": 10}, "maxValues": {"id": 20}, "nullCount": {"id": 2}})";
  const std::string all_null = R"({"numRecords": 10, "nullCount": {"id": 10}})";
  EXPECT_EQ(Verdict("id > 30", no_nulls), FileMatch::kNone);
  EXPECT_EQ(Verdict("id > 30", some_nulls), FileMatch::kNone);
  EXPECT_EQ(Verdict("id >= 15", no_nulls), FileMatch::kSome);
  EXPECT_EQ(Verdict("id >= 5", no_nulls), FileMatch::kAll);
  // With nulls the predicate is null on some rows: not a whole-file match.
  EXPECT_EQ(Verdict("id >= 5", some_nulls), FileMatch::kSome);
  EXPECT_EQ(Verdict("id IS NULL", no_nulls), FileMatch::kNone);
  EXPECT_EQ(Verdict("id IS NULL", all_null), FileMatch::kAll);
  EXPECT_EQ(Verdict("id = 3", all_null), FileMatch::kNone);
  EXPECT_EQ(Verdict("NOT (id = 3)", all_null), FileMatch::kNone);
  EXPECT_EQ(Verdict("id IS NOT NULL", all_null), FileMatch::kNone);
  // tightBounds=false: counts may be stale, min/max still bound the rows.
  EXPECT_EQ(
      Verdict("id = 3",
              R"({"numRecords": 10, "nullCount": {"id": 10}, "tightBounds": false})"),
      FileMatch::kSome);
}

TEST(FilePruner, PartitionValues) {
  EXPECT_EQ(Verdict("p = 'a'", std::nullopt, {{"p", "a"}}), FileMatch::kAll);
  EXPECT_EQ(Verdict("p = 'a'", std::nullopt, {{"p", "b"}}), FileMatch::kNone);
  EXPECT_EQ(Verdict("p = 'a'", std::nullopt, {{"p", std::nullopt}}), FileMatch::kNone);
  EXPECT_EQ(Verdict("p IS NULL", std::nullopt, {{"p", std::nullopt}}), FileMatch::kAll);
  EXPECT_EQ(Verdict("p IS NULL", std::nullopt, {{"p", ""}}), FileMatch::kAll);
  EXPECT_EQ(Verdict("p IN ('x', 'b')", std::nullopt, {{"p", "b"}}), FileMatch::kAll);
  EXPECT_EQ(Verdict("p = 'b' AND id = 5", std::nullopt, {{"p", "b"}}), FileMatch::kSome);
  EXPECT_EQ(Verdict("p = 'a' OR id = 5", std::nullopt, {{"p", "b"}}), FileMatch::kSome);
}

TEST(FilePruner, UntrustedStatsAreNotUsed) {
  // NaN rows are absent from float min/max, and NaN != 1 is true.
  EXPECT_EQ(
      Verdict(
          "x != 1",
          R"({"numRecords": 2, "minValues": {"x": 1.0}, "maxValues": {"x": 1.0}, "nullCount": {"x": 0}})"),
      FileMatch::kSome);
  // A 32-character max without the tie-breaker may be a bare prefix of longer values.
  const std::string prefix(32, 'a');
  EXPECT_EQ(Verdict("s = '" + prefix + "z'",
                    R"({"numRecords": 2, "minValues": {"s": "a"}, "maxValues": {"s": ")" +
                        prefix + R"("}})"),
            FileMatch::kSome);
  // With the tie-breaker it is a real upper bound: longer values below it stay in,
  // values above it are excluded.
  const std::string tie_broken = prefix + "\xEF\xBF\xBD";
  EXPECT_EQ(Verdict("s = '" + prefix + "zzz'",
                    R"({"numRecords": 2, "minValues": {"s": "a"}, "maxValues": {"s": ")" +
                        tie_broken + R"("}})"),
            FileMatch::kSome);
  EXPECT_EQ(Verdict("s = 'b'",
                    R"({"numRecords": 2, "minValues": {"s": "a"}, "maxValues": {"s": ")" +
                        tie_broken + R"("}})"),
            FileMatch::kNone);
  // Millisecond timestamp max: a row 0.5 ms later may exist.
  const std::string ts_stats =
      R"({"numRecords": 1, "minValues": {"ts": "2024-01-01T00:00:00.000Z"}, "maxValues": {"ts": "2024-01-01T00:00:00.000Z"}})";
  EXPECT_EQ(Verdict("ts > TIMESTAMP '2024-01-01 00:00:00.0005'", ts_stats),
            FileMatch::kSome);
  EXPECT_EQ(Verdict("ts > TIMESTAMP '2024-01-01 00:00:00.001'", ts_stats),
            FileMatch::kNone);
  // Nested stats nest like the schema.
  const std::string nested =
      R"({"numRecords": 3, "minValues": {"st": {"a": 1}}, "maxValues": {"st": {"a": 4}}, "nullCount": {"st": {"a": 0}}})";
  EXPECT_EQ(Verdict("st.a > 4", nested), FileMatch::kNone);
  EXPECT_EQ(Verdict("st.a > 3", nested), FileMatch::kSome);
  // nullCount of a nested leaf is not trusted for IS NULL.
  EXPECT_EQ(Verdict("st.a IS NULL", nested), FileMatch::kSome);
}

}  // namespace
}  // namespace deltaline::delta
