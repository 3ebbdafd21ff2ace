// The run configuration: defaults with no file, a file with flags on top, and the keys
// it refuses (unknown ones by JSON path, Parquet-era ones with their replacement).
#include "pipeline/run_config.h"

#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "storage/policy_error.h"
#include "storage/storage_writer.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

using testing::TempDir;

bool Contains(const arrow::Status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

TEST(RunConfig, DefaultsWithNoConfigAtAll) {
  ASSERT_OK_AND_ASSIGN(auto config, LoadRunConfig(std::nullopt));
  EXPECT_TRUE(config.inputs.empty());
  EXPECT_EQ(config.lake, "lake");
  EXPECT_EQ(config.parallelism,
            std::max(1, static_cast<int>(std::thread::hardware_concurrency())));
  EXPECT_EQ(config.mode(), storage::RunMode::kProduction);
  EXPECT_EQ(config.output.storage.format, "delta");
  EXPECT_FALSE(config.output.storage.allow_parquet_exports);
  EXPECT_FALSE(config.sequence.has_value());  // the runner picks the next one
  EXPECT_TRUE(config.pipeline_id.empty());    // the declared pipeline's id
  EXPECT_EQ(config.run_id.size(), 36u);       // a UUID
  EXPECT_EQ(config.run_dir, "lake/_run_dirs/" + config.run_id);
  EXPECT_EQ(config.WritePolicyFor("anything").compression, arrow::Compression::ZSTD);

  // Each run gets its own id.
  ASSERT_OK_AND_ASSIGN(auto again, LoadRunConfig(std::nullopt));
  EXPECT_NE(again.run_id, config.run_id);
}

TEST(RunConfig, FileValuesThenFlagOverrides) {
  TempDir dir;
  const std::string path = dir.str() + "/run.json";
  std::ofstream(path) << R"({
    "lake": "/data/lake",
    "pipeline_id": "sales_daily",
    "run_id": "run-1",
    "sequence": 4,
    "parallelism": 3,
    "inputs": {"sales": "/data/sales@3", "regions": "/data/regions.arrow"},
    "output": {"run_mode": "development"},
    "delta_write": {"compression": "snappy", "max_rows_per_row_group": 1000},
    "datasets": {"totals": {"delta_write": {"target_file_size_bytes": 4096}}}
  })";
  ASSERT_OK_AND_ASSIGN(auto file_only, LoadRunConfig(path));
  EXPECT_EQ(file_only.lake, "/data/lake");
  EXPECT_EQ(file_only.pipeline_id, "sales_daily");
  EXPECT_EQ(file_only.run_id, "run-1");
  EXPECT_EQ(file_only.sequence, 4);
  EXPECT_EQ(file_only.parallelism, 3);
  EXPECT_EQ(file_only.run_dir, "/data/lake/_run_dirs/run-1");
  EXPECT_EQ(file_only.mode(), storage::RunMode::kDevelopment);
  EXPECT_EQ(file_only.inputs.at("sales"), "/data/sales@3");
  EXPECT_EQ(file_only.output.write.compression, arrow::Compression::SNAPPY);
  // A dataset's policy is the run's with its own keys on top.
  const auto& totals = file_only.WritePolicyFor("totals");
  EXPECT_EQ(totals.target_file_size, 4096);
  EXPECT_EQ(totals.compression, arrow::Compression::SNAPPY);
  EXPECT_EQ(totals.max_rows_per_row_group, 1000);
  EXPECT_FALSE(file_only.WritePolicyFor("other").target_file_size.has_value());

  RunConfigOverrides flags;
  flags.lake = "/other/lake";
  flags.parallelism = 7;
  flags.sequence = 9;
  flags.mode = storage::RunMode::kProduction;
  flags.inputs = {"sales=/elsewhere/sales@5", "extra=/x.jsonl"};
  ASSERT_OK_AND_ASSIGN(auto config, LoadRunConfig(path, flags));
  EXPECT_EQ(config.lake, "/other/lake");
  EXPECT_EQ(config.parallelism, 7);
  EXPECT_EQ(config.sequence, 9);
  EXPECT_EQ(config.mode(), storage::RunMode::kProduction);
  EXPECT_EQ(config.run_id, "run-1");  // not overridden: the file's
  EXPECT_EQ(config.run_dir, "/other/lake/_run_dirs/run-1");
  EXPECT_EQ(config.inputs.at("sales"), "/elsewhere/sales@5");
  EXPECT_EQ(config.inputs.at("regions"), "/data/regions.arrow");
  EXPECT_EQ(config.inputs.at("extra"), "/x.jsonl");

  auto json = RunConfigJson(config);
  EXPECT_EQ(json["lake"], "/other/lake");
  EXPECT_EQ(json["sequence"], 9);
  EXPECT_EQ(json["datasets"]["totals"]["delta_write"].is_object(), true);
}

TEST(RunConfig, UnknownKeysAreRefusedByTheirPath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"colour": 1})", "colour"},
      {R"({"output": {"colour": 1}})", "output.colour"},
      {R"({"delta_write": {"colour": 1}})", "delta_write.colour"},
      {R"({"datasets": {"totals": {"colour": 1}}})", "datasets.totals.colour"},
      {R"({"datasets": {"totals": {"delta_write": {"colour": 1}}}})",
       "datasets.totals: unknown config key delta_write.colour"},
  };
  for (const auto& [text, path] : cases) {
    auto parsed = ParseRunConfig(text, "run.json");
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_TRUE(delta::IsKind(parsed.status(), delta::ErrorKind::kInvalidInput));
    EXPECT_TRUE(Contains(parsed.status(), path)) << parsed.status().ToString();
    EXPECT_TRUE(Contains(parsed.status(), "run.json")) << parsed.status().ToString();
  }
}

TEST(RunConfig, ParquetEraKeysAreRefusedWithTheirReplacement) {
  for (const auto& replaced : storage::ParquetEraKeys()) {
    const std::string key = replaced.parquet_key;
    for (const std::string& text :
         {"{\"" + key + "\": 1}",
          "{\"datasets\": {\"t\": {\"delta_write\": {\"" + key + "\": 1}}}}"}) {
      auto parsed = ParseRunConfig(text, "run.json");
      ASSERT_FALSE(parsed.ok()) << text;
      EXPECT_TRUE(Contains(parsed.status(), replaced.replacement))
          << parsed.status().ToString();
    }
  }
  auto nested = ParseRunConfig(
      R"({"datasets": {"t": {"delta_write": {"row_group_size": 5}}}})", "run.json");
  EXPECT_TRUE(
      Contains(nested.status(), "config key datasets.t.delta_write.row_group_size"))
      << nested.status().ToString();
  EXPECT_TRUE(Contains(nested.status(), "delta_write.max_rows_per_row_group"));

  // Names are not keys: an input or a dataset may be called anything.
  ASSERT_OK(ParseRunConfig(R"({"inputs": {"row_group_size": "/x.jsonl"},
                               "datasets": {"_metadata": {}}})",
                           "run.json")
                .status());
}

TEST(RunConfig, TheModeFlagReachesTheOutputPolicy) {
  const std::string parquet = R"({"output": {"format": "parquet"}})";
  auto production = ParseRunConfig(parquet, "run.json");
  ASSERT_FALSE(production.ok());
  EXPECT_TRUE(storage::IsPolicyViolation(production.status()));

  std::vector<std::string> warnings;
  delta::Reporter reporter;
  reporter.warning = [&](std::string_view m) { warnings.emplace_back(m); };
  RunConfigOverrides flags;
  flags.mode = storage::RunMode::kDevelopment;
  ASSERT_OK_AND_ASSIGN(auto development,
                       ParseRunConfig(parquet, "run.json", flags, reporter));
  EXPECT_EQ(development.output.storage.format, "delta");
  EXPECT_EQ(development.mode(), storage::RunMode::kDevelopment);
  EXPECT_EQ(warnings.size(), 1u);
}

TEST(RunConfig, BadValuesAreNamed) {
  auto zero = ParseRunConfig(R"({"parallelism": 0})", "run.json");
  EXPECT_TRUE(Contains(zero.status(), "parallelism")) << zero.status().ToString();
  auto wrong_type = ParseRunConfig(R"({"sequence": "four"})", "run.json");
  EXPECT_TRUE(Contains(wrong_type.status(), "sequence"))
      << wrong_type.status().ToString();
  auto bad_at = ParseRunConfig(R"({"inputs": {"sales": "/t@yesterday"}})", "run.json");
  EXPECT_TRUE(Contains(bad_at.status(), "input sales")) << bad_at.status().ToString();
  auto missing = LoadRunConfig(std::string("/no/such/run.json"));
  EXPECT_TRUE(Contains(missing.status(), "/no/such/run.json"));
}

TEST(RunConfig, BindInputsPinsDeltaTables) {
  TempDir dir;
  const std::string uri = dir.str() + "/ids";
  ASSERT_OK(storage::WriteTableDelta(*testing::IdsTable("[1, 2]"), uri).status());
  storage::StorageWriteOptions append;
  append.delta.mode = delta::SaveMode::kAppend;
  ASSERT_OK(storage::WriteTableDelta(*testing::IdsTable("[3]"), uri, append).status());

  RunConfigOverrides flags;
  flags.inputs = {"ids=" + uri + "@0", "latest=" + uri};
  ASSERT_OK_AND_ASSIGN(auto config, LoadRunConfig(std::nullopt, flags));
  ASSERT_OK_AND_ASSIGN(auto catalog, BindInputs(config));
  ASSERT_OK_AND_ASSIGN(auto pinned, catalog->Entry("ids"));
  EXPECT_EQ(pinned.version, 0);
  ASSERT_OK_AND_ASSIGN(auto latest, catalog->Entry("latest"));
  EXPECT_EQ(latest.version, 1);
}

}  // namespace
}  // namespace deltaline::pipeline
