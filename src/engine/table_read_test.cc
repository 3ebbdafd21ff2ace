#include "engine/table_read.h"

#include <arrow/array/builder_primitive.h>
#include <gtest/gtest.h>
#include <parquet/properties.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

using testing::TempDir;

// Rows `first`..`first + n - 1` of (id, bucket = id % 7).
std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t n) {
  arrow::Int64Builder ids, buckets;
  for (int64_t i = first; i < first + n; ++i) {
    EXPECT_OK(ids.Append(i));
    EXPECT_OK(buckets.Append(i % 7));
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("bucket", arrow::int64())});
  return arrow::Table::Make(schema,
                            {ids.Finish().ValueOrDie(), buckets.Finish().ValueOrDie()});
}

// Eight files of 30,000 rows in row groups of 1,000: many batches for the threads to
// finish out of order.
std::shared_ptr<DeltaTableHandle> ManyFiles(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  for (int file = 0; file < 8; ++file) {
    delta::WriteOptions options;
    options.mode = delta::SaveMode::kAppend;
    options.writer_properties =
        parquet::WriterProperties::Builder().max_row_group_length(1000)->build();
    EXPECT_OK(delta::WriteTable(*store, *Rows(file * 30000, 30000), options).status());
  }
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  std::shared_ptr<delta::LogStore> shared = std::move(store);
  return std::make_shared<DeltaTableHandle>(DeltaTableHandle{uri, shared, snapshot});
}

std::shared_ptr<arrow::Table> Expected(
    const DeltaTableHandle& table, const std::vector<std::string>& columns,
    const std::optional<arrow::compute::Expression>& filter) {
  delta::ScanOptions options;
  options.columns = columns;
  options.filter = filter;
  return delta::ReadSnapshot(*table.store, table.snapshot, options).ValueOrDie();
}

std::string FirstOfEachFile(const arrow::Table& table) {
  auto ids = table.GetColumnByName("id");
  std::string out;
  for (int64_t row = 0; row < table.num_rows(); row += 30000) {
    out += ids->GetScalar(row).ValueOrDie()->ToString() + " ";
  }
  return out;
}

TEST(TableReadTest, SameRowsInTheSameOrderAsTheSerialScan) {
  TempDir dir;
  auto table = ManyFiles(dir.str() + "/t");
  ASSERT_EQ(table->snapshot->num_files(), 8u);
  ASSERT_OK_AND_ASSIGN(auto all, ReadTable(table, {}, std::nullopt));
  auto expected = Expected(*table, {}, std::nullopt);
  ASSERT_EQ(all->num_rows(), 240000);
  EXPECT_TRUE(all->schema()->Equals(*expected->schema()))
      << all->schema()->ToString() << "\nvs\n"
      << expected->schema()->ToString();
  EXPECT_TRUE(all->Equals(*expected))
      << "rows out of the files' order: " << FirstOfEachFile(*all) << " vs "
      << FirstOfEachFile(*expected);
}

TEST(TableReadTest, FilterAndColumnsAsTheSerialScan) {
  TempDir dir;
  auto table = ManyFiles(dir.str() + "/t");
  ASSERT_OK_AND_ASSIGN(auto filter, delta::ParsePredicate("bucket = 3 AND id >= 100000",
                                                          *table->snapshot->schema()));
  ASSERT_OK_AND_ASSIGN(auto read, ReadTable(table, {"bucket", "id"}, filter));
  auto expected = Expected(*table, {"bucket", "id"}, filter);
  ASSERT_GT(read->num_rows(), 0);
  EXPECT_TRUE(read->schema()->Equals(*expected->schema())) << read->schema()->ToString();
  EXPECT_TRUE(read->Equals(*expected));
  // Nothing matching: no rows, the columns asked for.
  ASSERT_OK_AND_ASSIGN(auto none_filter,
                       delta::ParsePredicate("id < 0", *table->snapshot->schema()));
  ASSERT_OK_AND_ASSIGN(auto none, ReadTable(table, {"id"}, none_filter));
  EXPECT_EQ(none->num_rows(), 0);
  EXPECT_EQ(none->schema()->field_names(), std::vector<std::string>{"id"});
}

}  // namespace
}  // namespace deltaline::engine
