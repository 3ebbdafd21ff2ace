// The JSON output configuration: Parquet-era keys are refused with the name of the
// Delta policy field that replaces them; Parquet as an output format is a forbidden
// sink (production fails, development refuses and goes on).
#include "storage/output_config.h"

#include <filesystem>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "storage/policy_error.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

TEST(OutputConfig, ParsesEveryPolicySection) {
  ASSERT_OK_AND_ASSIGN(auto config, ParseOutputConfig(R"({
    "output": {"format": "delta", "allow_parquet_exports": true, "run_mode": "development"},
    "delta_write": {"compression": "zstd:5", "max_rows_per_row_group": 5000,
                    "data_page_size_bytes": 65536, "dictionary": false,
                    "dictionary_columns": {"name": true}, "statistics": "page",
                    "statistics_columns": {"blob": "none"}, "bloom_filter_columns": ["id"],
                    "bloom_filter_fpp": 0.01, "target_file_size_bytes": 1048576,
                    "stats_columns": ["id"], "checkpoint_interval": 7,
                    "log_retention": "interval 2 days", "change_data_feed": false},
    "schema": {"mode": "merge"},
    "commit_retry": {"max_attempts": 4, "base_delay_ms": 2, "max_delay_ms": 50}
  })",
                                                      "test.json", {}));
  EXPECT_TRUE(config.storage.allow_parquet_exports);
  EXPECT_EQ(config.storage.mode, RunMode::kDevelopment);
  EXPECT_EQ(config.write.compression, arrow::Compression::ZSTD);
  EXPECT_EQ(config.write.compression_level, 5);
  EXPECT_EQ(config.write.max_rows_per_row_group, 5000);
  EXPECT_FALSE(config.write.dictionary);
  EXPECT_EQ(config.write.statistics_columns.at("blob"), StatisticsLevel::kNone);
  EXPECT_EQ(config.schema_mode, delta::SchemaMode::kMerge);
  EXPECT_EQ(config.retry.max_attempts, 4);
  auto properties = ToTableProperties(config.write);
  EXPECT_EQ(properties.at("delta.targetFileSize"), "1048576");
  EXPECT_EQ(properties.at("delta.dataSkippingStatsColumns"), "id");
  EXPECT_EQ(properties.at("delta.checkpointInterval"), "7");
  EXPECT_EQ(properties.at("delta.logRetentionDuration"), "interval 2 days");
}

TEST(OutputConfig, ParquetEraKeysAreRejectedWithTheirReplacement) {
  ASSERT_GE(ParquetEraKeys().size(), 6u);
  for (const auto& replaced : ParquetEraKeys()) {
    // Top level and nested under a dataset section: both are found.
    for (const std::string& text : {std::string("{\"") + replaced.parquet_key + "\": 1}",
                                    std::string(R"({"delta_write": {"datasets": [{")") +
                                        replaced.parquet_key + "\": true}]}}"}) {
      auto parsed = ParseOutputConfig(text, "old.json", {});
      ASSERT_FALSE(parsed.ok()) << text;
      EXPECT_TRUE(delta::IsKind(parsed.status(), delta::ErrorKind::kInvalidInput));
      const std::string message = parsed.status().message();
      EXPECT_NE(message.find(replaced.parquet_key), std::string::npos) << message;
      EXPECT_NE(message.find(std::string("use ") + replaced.replacement),
                std::string::npos)
          << message;
    }
  }
  auto parsed =
      ParseOutputConfig(R"({"delta_write": {"row_group_size": 1000}})", "a.json", {});
  EXPECT_NE(parsed.status().message().find(
                "delta_write.row_group_size is a Parquet writer option and is no longer "
                "accepted; use delta_write.max_rows_per_row_group"),
            std::string::npos)
      << parsed.status().ToString();
}

TEST(OutputConfig, ColumnNamesAreNotMistakenForParquetKeys) {
  ASSERT_OK_AND_ASSIGN(
      auto config,
      ParseOutputConfig(
          R"({"delta_write": {"dictionary_columns": {"row_group_size": false}}})",
          "c.json", {}));
  EXPECT_FALSE(config.write.dictionary_columns.at("row_group_size"));
}

TEST(OutputConfig, UnknownKeysAndBadValuesAreRefused) {
  EXPECT_FALSE(ParseOutputConfig(R"({"delta_write": {"codec": "zstd"}})", "a", {}).ok());
  EXPECT_FALSE(ParseOutputConfig(R"({"delta_write": {"compression": 3}})", "a", {}).ok());
  EXPECT_FALSE(ParseOutputConfig(R"({"schema": {"mode": "loose"}})", "a", {}).ok());
  EXPECT_FALSE(
      ParseOutputConfig(R"({"commit_retry": {"max_attempts": 0}})", "a", {}).ok());
  EXPECT_FALSE(ParseOutputConfig("{not json", "a", {}).ok());
}

TEST(OutputConfig, ParquetAsOutputFormatIsAForbiddenSink) {
  testing::TempDir dir;
  RunContext run{"run-42", dir.str() + "/run"};
  auto production =
      ParseOutputConfig(R"({"output": {"format": "parquet"}})", "p.json", run);
  ASSERT_FALSE(production.ok());
  EXPECT_TRUE(IsPolicyViolation(production.status()));
  EXPECT_NE(production.status().message().find("--allow-parquet-export"),
            std::string::npos);

  ASSERT_OK_AND_ASSIGN(auto development,
                       ParseOutputConfig(R"({"output": {"run_mode": "development",
                                                        "format": "parquet"}})",
                                         "d.json", run));
  EXPECT_EQ(development.storage.format, "delta");  // refused; the run goes on in Delta

  // Both events are in the run's diagnostics table, written by our Delta writer.
  auto store = delta::FileSystemLogStore::Open(PolicyEventsTablePath(run)).ValueOrDie();
  ASSERT_OK_AND_ASSIGN(auto snapshot, delta::Snapshot::Load(*store));
  ASSERT_OK_AND_ASSIGN(auto events, delta::ReadSnapshot(*store, snapshot));
  ASSERT_EQ(events->num_rows(), 2);
  auto outcomes = events->GetColumnByName("outcome");
  std::set<std::string> seen;
  for (int64_t row = 0; row < 2; ++row) {
    seen.insert(outcomes->GetScalar(row).ValueOrDie()->ToString());
    EXPECT_EQ(events->GetColumnByName("run_id")->GetScalar(row).ValueOrDie()->ToString(),
              "run-42");
    EXPECT_EQ(events->GetColumnByName("format")->GetScalar(row).ValueOrDie()->ToString(),
              "parquet");
  }
  EXPECT_EQ(seen, (std::set<std::string>{"failed", "refused"}));
}

}  // namespace
}  // namespace deltaline::storage
