// Copy migration through the storage surface and its verification: a good copy
// verifies, a copy whose data file was replaced by one with a single changed value
// does not, and the report names the column.
#include "storage/migrate_parquet.h"

#include <set>

#include <arrow/api.h>
#include <arrow/io/file.h>
#include <gtest/gtest.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/writer.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/ops/convert_to_delta.h"
#include "delta/ops/migration_verify.h"
#include "delta/ops/parquet_layout.h"
#include "delta/table/partition_path.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

std::shared_ptr<arrow::Table> Rows(int64_t base) {
  arrow::Int64Builder ids;
  arrow::StringBuilder names;
  for (int64_t row = 0; row < 5; ++row) {
    EXPECT_TRUE(ids.Append(base + row).ok());
    EXPECT_TRUE(
        (row == 2 ? names.AppendNull() : names.Append("v" + std::to_string(row))).ok());
  }
  auto schema = arrow::schema(
      {arrow::field("id", arrow::int64()), arrow::field("name", arrow::utf8())});
  return arrow::Table::Make(schema,
                            {ids.Finish().ValueOrDie(), names.Finish().ValueOrDie()});
}

// The legacy writer under test's input: plain Parquet (allow-listed fixture).
void WriteLegacyFile(const std::string& path, const arrow::Table& table) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  auto out = arrow::io::FileOutputStream::Open(path).ValueOrDie();
  ASSERT_OK(parquet::arrow::WriteTable(table, arrow::default_memory_pool(), out, 1024));
  ASSERT_OK(out->Close());
}

std::shared_ptr<arrow::Table> ReadFile(const std::string& path) {
  auto input = arrow::io::ReadableFile::Open(path).ValueOrDie();
  auto reader =
      parquet::arrow::OpenFile(input, arrow::default_memory_pool()).ValueOrDie();
  return reader->ReadTable().ValueOrDie();
}

class MigrateParquetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = dir_.str() + "/legacy";
    dst_ = dir_.str() + "/copy";
    WriteLegacyFile(src_ + "/part=a/f0.parquet", *Rows(0));
    WriteLegacyFile(src_ + "/part=b/f1.parquet", *Rows(100));
    WriteLegacyFile(src_ + "/part=__HIVE_DEFAULT_PARTITION__/f2.parquet", *Rows(200));
    auto store = delta::FileSystemLogStore::Open(src_).ValueOrDie();
    layout_ = delta::PlanParquetLayout(store->filesystem(), store->root()).ValueOrDie();
  }

  testing::TempDir dir_;
  std::string src_, dst_;
  delta::ParquetLayout layout_;
};

TEST_F(MigrateParquetTest, VerifyPassesOnCopyAndCatchesOneChangedValue) {
  ASSERT_OK_AND_ASSIGN(auto written, MigrateParquetCopy(layout_, dst_));
  EXPECT_EQ(written.delta.rows_added, 15);
  ASSERT_OK_AND_ASSIGN(auto store, delta::FileSystemLogStore::Open(dst_));
  ASSERT_OK_AND_ASSIGN(auto good, delta::VerifyMigration(layout_, *store));
  EXPECT_TRUE(good.ok);
  EXPECT_EQ(good.source.partition_rows.at("part=b"), 5);
  EXPECT_EQ(good.result.partition_rows.at("part=__HIVE_DEFAULT_PARTITION__"), 5);

  // Replace partition b's data file by a valid one where one `name` differs.
  ASSERT_OK_AND_ASSIGN(auto snapshot, delta::Snapshot::Load(*store));
  std::string victim;
  for (const auto& add : snapshot->files()) {
    if (add.partition_values.at("part") == "b") victim = add.path;
  }
  ASSERT_FALSE(victim.empty());
  const std::string path = dst_ + "/" + delta::DecodeDataFilePath(victim).path;
  auto table = ReadFile(path);
  arrow::StringBuilder names;
  auto old_names = std::static_pointer_cast<arrow::StringArray>(
      table->GetColumnByName("name")->chunk(0));
  for (int64_t row = 0; row < old_names->length(); ++row) {
    if (old_names->IsNull(row)) {
      ASSERT_OK(names.AppendNull());
    } else {
      ASSERT_OK(
          names.Append(row == 3 ? std::string("changed") : old_names->GetString(row)));
    }
  }
  ASSERT_OK_AND_ASSIGN(auto new_names, names.Finish());
  const int name_idx = table->schema()->GetFieldIndex("name");
  ASSERT_OK_AND_ASSIGN(
      table, table->SetColumn(name_idx, table->schema()->field(name_idx),
                              std::make_shared<arrow::ChunkedArray>(new_names)));
  WriteLegacyFile(path, *table);

  ASSERT_OK_AND_ASSIGN(auto bad, delta::VerifyMigration(layout_, *store));
  EXPECT_FALSE(bad.ok);
  ASSERT_EQ(bad.mismatches.size(), 1u);
  EXPECT_EQ(bad.mismatches[0].kind, "column");
  EXPECT_EQ(bad.mismatches[0].name, "name");
  EXPECT_EQ(bad.result.rows, 15);
}

TEST_F(MigrateParquetTest, InPlaceVerifiesAndALostRowIsNamed) {
  ASSERT_OK(
      delta::ConvertToDelta(*delta::FileSystemLogStore::Open(src_).ValueOrDie(), layout_)
          .status());
  ASSERT_OK_AND_ASSIGN(auto store, delta::FileSystemLogStore::Open(src_));
  ASSERT_OK_AND_ASSIGN(auto good, delta::VerifyMigration(layout_, *store));
  EXPECT_TRUE(good.ok);
  // A copy whose partition-a file lost a row: rows, that partition and the
  // columns differ, other partitions do not.
  ASSERT_OK(MigrateParquetCopy(layout_, dst_).status());
  ASSERT_OK_AND_ASSIGN(store, delta::FileSystemLogStore::Open(dst_));
  ASSERT_OK_AND_ASSIGN(auto snapshot, delta::Snapshot::Load(*store));
  for (const auto& add : snapshot->files()) {
    if (add.partition_values.at("part") != "a") continue;
    const std::string path = dst_ + "/" + delta::DecodeDataFilePath(add.path).path;
    auto table = ReadFile(path);
    WriteLegacyFile(path, *table->Slice(0, 4));
  }
  ASSERT_OK_AND_ASSIGN(auto bad, delta::VerifyMigration(layout_, *store));
  EXPECT_FALSE(bad.ok);
  std::set<std::string> kinds;
  for (const auto& mismatch : bad.mismatches)
    kinds.insert(mismatch.kind + ":" + mismatch.name);
  EXPECT_TRUE(kinds.count("rows:"));
  EXPECT_TRUE(kinds.count("partition:part=a"));
  EXPECT_TRUE(kinds.count("column:id"));
  EXPECT_FALSE(kinds.count("partition:part=b"));
}

}  // namespace
}  // namespace deltaline::storage
