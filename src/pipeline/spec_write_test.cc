// An output written under its spec: good rows in the table, violations in `_errors`
// with their rule, counts in `_error_stats` and in the result; the spec's metadata in
// the commit; a failed run commits nothing; the runner's txn passes through.
#include "pipeline/spec_write.h"

#include <filesystem>

#include <arrow/api.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

using testing::BatchFromJson;
using testing::TableFromJson;

std::shared_ptr<arrow::Schema> SalesSchema() {
  return arrow::schema({arrow::field("id", arrow::int64()),
                        arrow::field("day", arrow::utf8()),
                        arrow::field("amount", arrow::float64())});
}

DatasetSpec SalesSpec() {
  DatasetSpec spec;
  spec.name = "sales";
  spec.partition_by = {"day"};
  spec.stats_columns = {"id", "amount"};
  spec.ordering_keys = {"day", "id"};
  spec.not_null = {"amount"};
  spec.checks = {{"amount_positive", "amount > 0"}};
  spec.unique_key = {"id"};
  return spec;
}

// Two batches: the second repeats id 2, has a null amount and a negative one.
std::shared_ptr<arrow::RecordBatchReader> SalesStream() {
  auto first = BatchFromJson(SalesSchema(), {"[1, 2]", R"(["d1", "d1"])", "[5, 6]"});
  auto second = BatchFromJson(
      SalesSchema(), {"[2, 3, 4, 5]", R"(["d2", "d2", "d2", "d2"])", "[7, null, -1, 9]"});
  return arrow::RecordBatchReader::Make({first, second}).ValueOrDie();
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadTable(const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  return delta::ReadSnapshot(*store, snapshot);
}

arrow::Result<std::shared_ptr<const delta::Snapshot>> Load(const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  return delta::Snapshot::Load(*store);
}

bool TableMissing(const std::string& uri) {
  return delta::IsKind(Load(uri).status(), delta::ErrorKind::kTableNotFound);
}

nlohmann::json LatestUserMetadata(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto history = delta::ReadHistory(*store, 1).ValueOrDie();
  return nlohmann::json::parse(history.at(0).info->user_metadata.value());
}

TEST(SpecWrite, ViolationsLandInErrorsWithTheirRuleAndGoodRowsInTheTable) {
  testing::TempDir lake;
  ASSERT_OK_AND_ASSIGN(auto result,
                       WriteOutput(SalesStream(), SalesSpec(), lake.str(), {}));
  EXPECT_EQ(result.uri, lake.str() + "/sales");
  EXPECT_EQ(result.counts.rows_in, 6);
  EXPECT_EQ(result.counts.rows_good, 3);
  const std::map<std::string, int64_t> counts = {
      {"not_null_amount", 1}, {"amount_positive", 1}, {"unique_id", 1}};
  EXPECT_EQ(result.counts.violations, counts);
  EXPECT_EQ(result.written.good.delta.rows_added, 3);

  ASSERT_OK_AND_ASSIGN(auto good, ReadTable(lake.str() + "/sales"));
  ASSERT_OK_AND_ASSIGN(auto good_sorted_schema_check, Load(lake.str() + "/sales"));
  EXPECT_EQ(good_sorted_schema_check->partition_columns(),
            std::vector<std::string>{"day"});
  auto expected =
      TableFromJson(good->schema(), {"[1, 2, 5]", R"(["d1", "d1", "d2"])", "[5, 6, 9]"});
  EXPECT_TRUE(testing::TablesEqualUnordered(*expected, *good));

  ASSERT_OK_AND_ASSIGN(auto errors, ReadTable(lake.str() + "/sales_errors"));
  ASSERT_OK_AND_ASSIGN(
      auto errors_expected,
      arrow::Table::FromRecordBatches(
          {BatchFromJson(errors->schema(),
                         {"[2, 3, 4]", R"(["d2", "d2", "d2"])", "[7, null, -1]",
                          R"(["unique_id", "not_null_amount", "amount_positive"])",
                          R"j(["UNIQUE (id)", "amount IS NOT NULL", "amount > 0"])j"})}));
  EXPECT_TRUE(testing::TablesEqualUnordered(*errors_expected, *errors));

  ASSERT_OK_AND_ASSIGN(auto stats, ReadTable(lake.str() + "/sales_error_stats"));
  ASSERT_OK_AND_ASSIGN(
      auto stats_expected,
      arrow::Table::FromRecordBatches({BatchFromJson(
          stats->schema(),
          {R"(["not_null_amount", "amount_positive", "unique_id"])",
           R"(["not_null", "check", "unique"])",
           R"j(["amount IS NOT NULL", "amount > 0", "UNIQUE (id)"])j", "[1, 1, 1]"})}));
  EXPECT_TRUE(testing::TablesEqualUnordered(*stats_expected, *stats));
  EXPECT_EQ(LatestUserMetadata(lake.str() + "/sales_errors")["deltaline.sideTableOf"],
            "sales");
}

TEST(SpecWrite, SpecMetadataLandsInTheCommitAndTableProperties) {
  testing::TempDir lake;
  ASSERT_OK(WriteOutput(SalesStream(), SalesSpec(), lake.str(), {}).status());
  auto metadata = LatestUserMetadata(lake.str() + "/sales");
  EXPECT_EQ(metadata["deltaline.dataset"], "sales");
  EXPECT_EQ(nlohmann::json::parse(metadata["deltaline.orderingKeys"].get<std::string>()),
            nlohmann::json::array({"day", "id"}));
  EXPECT_EQ(nlohmann::json::parse(metadata["deltaline.constraints"].get<std::string>()),
            (nlohmann::json{{"not_null_amount", "amount IS NOT NULL"},
                            {"amount_positive", "amount > 0"},
                            {"unique_id", "UNIQUE (id)"}}));
  ASSERT_OK_AND_ASSIGN(auto snapshot, Load(lake.str() + "/sales"));
  EXPECT_EQ(snapshot->Config("delta.dataSkippingStatsColumns"), "id,amount");
  // The side tables keep neither the partitioning nor the stats columns.
  ASSERT_OK_AND_ASSIGN(auto stats, Load(lake.str() + "/sales_error_stats"));
  EXPECT_TRUE(stats->partition_columns().empty());
  EXPECT_EQ(stats->Config("delta.dataSkippingStatsColumns"), "");
}

TEST(SpecWrite, SpecWritePolicyOverridesTheRunsPolicy) {
  DatasetSpec spec = SalesSpec();
  spec.write_policy = storage::DeltaWritePolicy{};
  spec.write_policy->target_file_size = 1 << 20;
  storage::StorageWriteOptions base;
  base.write.target_file_size = 1 << 30;
  base.delta.app_transaction = delta::Txn{"pipe", 7, std::nullopt};
  ASSERT_OK_AND_ASSIGN(auto options, SpecWriteOptions(spec, base));
  EXPECT_EQ(options.write.target_file_size, 1 << 20);
  EXPECT_EQ(options.write.stats_columns, spec.stats_columns);
  EXPECT_EQ(options.delta.partition_by, spec.partition_by);
  EXPECT_EQ(options.dataset, "sales");
  ASSERT_TRUE(options.delta.app_transaction.has_value());
  EXPECT_EQ(*options.delta.app_transaction, (delta::Txn{"pipe", 7, std::nullopt}));
}

TEST(SpecWrite, FailRunCommitsNothing) {
  DatasetSpec spec = SalesSpec();
  spec.on_violation = ViolationAction::kFailRun;
  for (bool as_table : {false, true}) {
    testing::TempDir lake;
    OutputValue value = SalesStream();
    if (as_table) value = SalesStream()->ToTable().ValueOrDie();
    auto result = WriteOutput(value, spec, lake.str(), {});
    ASSERT_FALSE(result.ok());
    EXPECT_TRUE(IsConstraintViolation(result.status())) << result.status();
    EXPECT_NE(result.status().message().find("sales"), std::string::npos);
    for (const char* table : {"/sales", "/sales_errors", "/sales_error_stats"}) {
      EXPECT_TRUE(TableMissing(lake.str() + table)) << table;
      EXPECT_FALSE(std::filesystem::exists(lake.str() + table + "/_delta_log")) << table;
    }
  }
  // An existing table stays at its version.
  testing::TempDir lake;
  storage::StorageWriteOptions append;
  append.delta.mode = delta::SaveMode::kAppend;
  auto clean = BatchFromJson(SalesSchema(), {"[10]", R"(["d0"])", "[1]"});
  ASSERT_OK(WriteOutput(arrow::RecordBatchReader::Make({clean}).ValueOrDie(), spec,
                        lake.str(), append)
                .status());
  ASSERT_OK_AND_ASSIGN(auto before, Load(lake.str() + "/sales"));
  ASSERT_OK_AND_ASSIGN(auto stats_before, Load(lake.str() + "/sales_error_stats"));
  auto failed = WriteOutput(SalesStream(), spec, lake.str(), append);
  EXPECT_TRUE(IsConstraintViolation(failed.status())) << failed.status();
  ASSERT_OK_AND_ASSIGN(auto after, Load(lake.str() + "/sales"));
  ASSERT_OK_AND_ASSIGN(auto stats_after, Load(lake.str() + "/sales_error_stats"));
  EXPECT_EQ(after->version(), before->version());
  EXPECT_EQ(stats_after->version(), stats_before->version());
}

TEST(SpecWrite, SchemaMismatchWritesNothing) {
  testing::TempDir lake;
  DatasetSpec spec = SalesSpec();
  spec.schema = arrow::schema({arrow::field("id", arrow::int32()),
                               arrow::field("day", arrow::utf8()),
                               arrow::field("amount", arrow::float64())});
  auto result = WriteOutput(SalesStream(), spec, lake.str(), {});
  EXPECT_TRUE(delta::IsKind(result.status(), delta::ErrorKind::kSchemaMismatch));
  EXPECT_TRUE(std::filesystem::is_empty(lake.path()));
}

TEST(SpecWrite, SpecSchemaWithItsNullabilityIsTheTablesSchema) {
  testing::TempDir lake;
  DatasetSpec spec;
  spec.name = "sales";
  spec.schema = arrow::schema({arrow::field("amount", arrow::float64()),
                               arrow::field("id", arrow::int64(), false),
                               arrow::field("day", arrow::utf8())});
  auto batch = BatchFromJson(SalesSchema(), {"[1, null]", R"(["d1", "d1"])", "[5, 6]"});
  ASSERT_OK_AND_ASSIGN(
      auto result, WriteOutput(arrow::RecordBatchReader::Make({batch}).ValueOrDie(), spec,
                               lake.str(), {}));
  EXPECT_EQ(result.counts.violations.at("not_null_id"), 1);
  ASSERT_OK_AND_ASSIGN(auto snapshot, Load(lake.str() + "/sales"));
  EXPECT_EQ(snapshot->schema()->field(0)->name(), "amount");
  EXPECT_FALSE(snapshot->schema()->GetFieldByName("id")->nullable());
  ASSERT_OK_AND_ASSIGN(auto good, ReadTable(lake.str() + "/sales"));
  EXPECT_EQ(good->num_rows(), 1);
}

TEST(SpecWrite, NoRulesNoSideTables) {
  testing::TempDir lake;
  DatasetSpec spec;
  spec.name = "plain";
  ASSERT_OK_AND_ASSIGN(auto result, WriteOutput(SalesStream(), spec, lake.str(), {}));
  EXPECT_FALSE(result.written.errors.has_value());
  EXPECT_FALSE(std::filesystem::exists(lake.str() + "/plain_errors"));
  EXPECT_EQ(result.written.good.delta.rows_added, 6);
}

// A run that died after the main commit is re-run with the same txn: the main commit
// is skipped, the side tables still get the rows the check finds.
TEST(SpecWrite, RepeatedTxnSkipsTheMainCommitButCompletesTheSideTables) {
  testing::TempDir lake;
  storage::StorageWriteOptions base;
  base.delta.app_transaction = delta::Txn{"pipe", 3, std::nullopt};
  base.delta.mode = delta::SaveMode::kAppend;
  DatasetSpec plain = SalesSpec();
  plain.not_null.clear();
  plain.checks.clear();
  plain.unique_key.clear();
  ASSERT_OK(WriteOutput(SalesStream(), plain, lake.str(), base).status());
  ASSERT_TRUE(TableMissing(lake.str() + "/sales_errors"));

  ASSERT_OK_AND_ASSIGN(auto rerun,
                       WriteOutput(SalesStream(), SalesSpec(), lake.str(), base));
  EXPECT_FALSE(rerun.written.good.delta.committed);
  ASSERT_TRUE(rerun.written.errors.has_value());
  EXPECT_TRUE(rerun.written.errors->delta.committed);
  ASSERT_OK_AND_ASSIGN(auto errors, ReadTable(lake.str() + "/sales_errors"));
  EXPECT_EQ(errors->num_rows(), 3);
  ASSERT_OK_AND_ASSIGN(auto main, Load(lake.str() + "/sales"));
  EXPECT_EQ(main->version(), 0);
  EXPECT_EQ(main->AppTransactionVersion("pipe"), 3);

  // And once more: everything is skipped.
  ASSERT_OK_AND_ASSIGN(auto again,
                       WriteOutput(SalesStream(), SalesSpec(), lake.str(), base));
  EXPECT_FALSE(again.written.good.delta.committed);
  EXPECT_FALSE(again.written.errors->delta.committed);
  EXPECT_FALSE(again.written.error_stats->delta.committed);
}

}  // namespace
}  // namespace deltaline::pipeline
