// The storage policy through the real `deltaline` command: the export policy matrix
// (exports off/on × production/development), the write policy flags, the config file
// and `describe --json`'s policy.
#include <filesystem>
#include <fstream>

#include <arrow/io/file.h>
#include <parquet/arrow/reader.h>
#include <parquet/file_reader.h>
#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "test_util.h"

namespace deltaline {
namespace {

namespace fs = std::filesystem;

using testing::CliRun;
using testing::RunDeltaline;

std::vector<nlohmann::json> JsonLines(const std::string& text) {
  std::vector<nlohmann::json> rows;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) rows.push_back(nlohmann::json::parse(line));
  }
  return rows;
}

class StorageCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = dir_.str() + "/t";
    out_ = dir_.str() + "/export";
    run_dir_ = dir_.str() + "/run";
    std::ofstream(dir_.str() + "/a.csv") << "id,name\n1,x\n2,y\n3,z\n";
    auto w = RunDeltaline("write " + table_ + " --input " + dir_.str() + "/a.csv", dir_);
    ASSERT_EQ(w.exit_code, 0) << w.err;
  }
  // Rows of the run's diagnostics table (none when it was never created).
  std::vector<nlohmann::json> Events() {
    if (!fs::exists(run_dir_ + "/_diagnostics/policy_events")) return {};
    auto read = RunDeltaline(
        "read " + run_dir_ + "/_diagnostics/policy_events --format jsonl", dir_);
    EXPECT_EQ(read.exit_code, 0) << read.err;
    return JsonLines(read.out);
  }
  std::string Export(const std::string& flags) {
    return "export-parquet " + table_ + " " + out_ + " --run-dir " + run_dir_ +
           " --run-id run-7 " + flags;
  }
  testing::TempDir dir_;
  std::string table_, out_, run_dir_;
};

TEST_F(StorageCliTest, ExportsOffInProductionFailFastAndWriteNothing) {
  auto run = RunDeltaline(Export(""), dir_);
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("error: PolicyViolation"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--allow-parquet-export"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("warning: policy: refused parquet sink 'export-parquet'"),
            std::string::npos)
      << run.err;
  EXPECT_FALSE(fs::exists(out_));
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["sink"], "export-parquet");
  EXPECT_EQ(events[0]["format"], "parquet");
  EXPECT_EQ(events[0]["path"], out_);
  EXPECT_EQ(events[0]["run_id"], "run-7");
  EXPECT_EQ(events[0]["outcome"], "failed");
  auto policy = nlohmann::json::parse(events[0]["policy"].get<std::string>());
  EXPECT_EQ(policy["allow_parquet_exports"], false);
  EXPECT_EQ(policy["run_mode"], "production");
  EXPECT_TRUE(events[0]["time"].is_string());
}

TEST_F(StorageCliTest, ExportsOffInDevelopmentAreRefusedAndReported) {
  auto run = RunDeltaline(Export("--run-mode development"), dir_);
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.err.find("error:"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("warning: policy: refused"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--allow-parquet-export"), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out_));
  auto events = Events();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["outcome"], "refused");
  EXPECT_EQ(nlohmann::json::parse(events[0]["policy"].get<std::string>())["run_mode"],
            "development");
}

void ExpectExported(const std::string& out_dir, const CliRun& run) {
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(out_dir)) {
    names.insert(entry.path().filename().string());
  }
  // Plain Parquet plus the report: no _metadata / _common_metadata sidecars.
  EXPECT_EQ(names, (std::set<std::string>{"part-00000.parquet", "export_report.json"}));
  auto file = arrow::io::ReadableFile::Open(out_dir + "/part-00000.parquet").ValueOrDie();
  auto reader = parquet::arrow::OpenFile(file, arrow::default_memory_pool()).ValueOrDie();
  ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadTable());
  EXPECT_EQ(rows->num_rows(), 3);
  EXPECT_EQ(rows->schema()->field(0)->name(), "id");
  nlohmann::json report;
  std::ifstream(out_dir + "/export_report.json") >> report;
  EXPECT_EQ(report["rows"], 3);
  EXPECT_EQ(report["version"], 0);
  EXPECT_EQ(report["files"], nlohmann::json({"part-00000.parquet"}));
  EXPECT_EQ(report["schemaFingerprint"].get<std::string>().rfind("xxh64:", 0), 0u);
}

TEST_F(StorageCliTest, ExportsOnInProductionWriteParquetAndNoEvent) {
  ExpectExported(out_, RunDeltaline(Export("--allow-parquet-export"), dir_));
  EXPECT_TRUE(Events().empty());
  // A second export into the same, now non-empty, directory is refused.
  EXPECT_EQ(RunDeltaline(Export("--allow-parquet-export"), dir_).exit_code, 1);
}

TEST_F(StorageCliTest, ExportsOnInDevelopmentFromTheConfigFile) {
  const std::string config = dir_.str() + "/config.json";
  std::ofstream(config)
      << R"({"output": {"allow_parquet_exports": true, "run_mode": "development"}})";
  auto append = RunDeltaline(
      "write " + table_ + " --input " + dir_.str() + "/a.csv --mode append", dir_);
  ASSERT_EQ(append.exit_code, 0) << append.err;
  ExpectExported(out_, RunDeltaline(Export("--config " + config + " --version 0"), dir_));
  EXPECT_TRUE(Events().empty());
}

TEST_F(StorageCliTest, WritePolicyFlagsReachTheTableAndDescribe) {
  const std::string t2 = dir_.str() + "/t2";
  auto w = RunDeltaline("write " + t2 + " --input " + dir_.str() +
                            "/a.csv --compression snappy --stats-columns id "
                            "--target-file-size 1000000 --json",
                        dir_);
  ASSERT_EQ(w.exit_code, 0) << w.err;
  auto written = nlohmann::json::parse(w.out);
  EXPECT_EQ(written["policy"]["write"]["compression"], "snappy");
  auto d = RunDeltaline("describe " + t2 + " --json", dir_);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  auto described = nlohmann::json::parse(d.out);
  EXPECT_EQ(described["policy"]["stats_columns"], nlohmann::json({"id"}));
  EXPECT_EQ(described["policy"]["target_file_size_bytes"], 1000000);
  EXPECT_EQ(described["policy"]["checkpoint_interval"], 100);
  bool snappy = false;
  for (const auto& entry : fs::directory_iterator(t2)) {
    if (entry.path().extension() != ".parquet") continue;
    snappy = entry.path().string().find(".snappy.parquet") != std::string::npos;
    auto file = parquet::ParquetFileReader::OpenFile(entry.path().string());
    EXPECT_EQ(file->metadata()->RowGroup(0)->ColumnChunk(0)->compression(),
              arrow::Compression::SNAPPY);
  }
  EXPECT_TRUE(snappy);

  // The same flags on the existing table with another value: explicit update needed.
  auto differ = RunDeltaline("write " + t2 + " --input " + dir_.str() +
                                 "/a.csv --mode append --target-file-size 2000000",
                             dir_);
  EXPECT_EQ(differ.exit_code, 1);
  EXPECT_NE(differ.err.find("--update-properties"), std::string::npos) << differ.err;
  auto update = RunDeltaline("write " + t2 + " --input " + dir_.str() +
                                 "/a.csv --mode append --target-file-size 2000000 "
                                 "--update-properties",
                             dir_);
  ASSERT_EQ(update.exit_code, 0) << update.err;
  auto history =
      nlohmann::json::parse(RunDeltaline("history " + t2 + " --json", dir_).out);
  EXPECT_EQ(history[1]["operation"], "SET TBLPROPERTIES");
}

TEST_F(StorageCliTest, ConfigWithParquetEraKeyIsRejected) {
  const std::string config = dir_.str() + "/old.json";
  std::ofstream(config) << R"({"delta_write": {"parquet_compression": "snappy"}})";
  auto w = RunDeltaline(
      "write " + dir_.str() + "/t3 --input " + dir_.str() + "/a.csv --config " + config,
      dir_);
  EXPECT_EQ(w.exit_code, 1);
  EXPECT_NE(w.err.find("parquet_compression"), std::string::npos) << w.err;
  EXPECT_NE(w.err.find("use delta_write.compression"), std::string::npos) << w.err;
  EXPECT_FALSE(fs::exists(dir_.str() + "/t3"));
}

TEST_F(StorageCliTest, SchemaModeMergeFromTheCommandLine) {
  std::ofstream(dir_.str() + "/b.csv") << "id,name,score\n4,w,1.5\n";
  auto strict = RunDeltaline(
      "write " + table_ + " --input " + dir_.str() + "/b.csv --mode append", dir_);
  EXPECT_EQ(strict.exit_code, 1);
  EXPECT_NE(strict.err.find("extra column 'score'"), std::string::npos) << strict.err;
  auto merge = RunDeltaline("write " + table_ + " --input " + dir_.str() +
                                "/b.csv --mode append --schema-mode merge",
                            dir_);
  ASSERT_EQ(merge.exit_code, 0) << merge.err;
  auto rows = JsonLines(RunDeltaline("read " + table_ + " --format jsonl", dir_).out);
  ASSERT_EQ(rows.size(), 4u);
}

// `deltaline delete` goes through the storage surface: the commit carries the policy
// metadata and the user's --metadata, and the write policy flags apply to it.
TEST_F(StorageCliTest, DeleteGoesThroughTheStoragePolicies) {
  auto row_count = [&] {
    auto read = RunDeltaline("read " + table_ + " --format jsonl", dir_);
    EXPECT_EQ(read.exit_code, 0) << read.err;
    return JsonLines(read.out).size();
  };
  // A target file size that differs from the table's needs --update-properties, as
  // for write; nothing is deleted without it.
  auto differ = RunDeltaline(
      "delete " + table_ + " --predicate \"id = 2\" --target-file-size 2000000", dir_);
  EXPECT_EQ(differ.exit_code, 1);
  EXPECT_NE(differ.err.find("--update-properties"), std::string::npos) << differ.err;
  EXPECT_EQ(row_count(), 3u);

  // A config that names Parquet as the output format is a forbidden sink.
  const std::string config = dir_.str() + "/parquet.json";
  std::ofstream(config) << R"({"output": {"format": "parquet"}})";
  auto forbidden = RunDeltaline(
      "delete " + table_ + " --predicate \"id = 2\" --config " + config, dir_);
  EXPECT_EQ(forbidden.exit_code, 1);
  EXPECT_NE(forbidden.err.find("PolicyViolation"), std::string::npos) << forbidden.err;
  EXPECT_EQ(row_count(), 3u);

  auto deleted = RunDeltaline(
      "delete " + table_ + " --predicate \"id = 2\" --metadata owner=ci --json", dir_);
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  auto result = nlohmann::json::parse(deleted.out);
  EXPECT_EQ(result["rowsDeleted"], 1);
  EXPECT_EQ(result["policy"]["output"]["format"], "delta");
  EXPECT_EQ(row_count(), 2u);
  auto history =
      nlohmann::json::parse(RunDeltaline("history " + table_ + " --json", dir_).out);
  bool seen = false;
  for (const auto& commit : history) {
    if (commit["version"] != result["version"]) continue;
    seen = true;
    EXPECT_EQ(commit["operation"], "DELETE");
    const auto& user = commit["userMetadata"];
    EXPECT_EQ(user["owner"], "ci") << user.dump();
    EXPECT_TRUE(user.contains("deltaline.policy")) << user.dump();
    EXPECT_TRUE(user.contains("deltaline.schemaFingerprint")) << user.dump();
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace deltaline
