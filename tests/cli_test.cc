// Drives the real `deltaline` executable: exit codes, one-line errors, and the
// JSON shapes `describe --json` and `history --json` promise.
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "test_util.h"

namespace deltaline {
namespace {

using testing::CliRun;
using testing::RunDeltaline;

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = dir_.str() + "/t";
    WriteFile(dir_.str() + "/a.csv", "id,name\n1,x\n2,y\n");
    WriteFile(dir_.str() + "/b.jsonl", "{\"id\": 3, \"name\": \"z\"}\n");
  }
  testing::TempDir dir_;
  std::string table_;
};

TEST_F(CliTest, WriteAppendTimeTravelDescribeHistory) {
  auto w0 = RunDeltaline(
      "write " + table_ + " --input " + dir_.str() + "/a.csv --metadata run=7", dir_);
  ASSERT_EQ(w0.exit_code, 0) << w0.err;
  auto w1 = RunDeltaline(
      "write " + table_ + " --input " + dir_.str() + "/b.jsonl --mode append", dir_);
  ASSERT_EQ(w1.exit_code, 0) << w1.err;

  auto latest = RunDeltaline("read " + table_ + " --format jsonl", dir_);
  ASSERT_EQ(latest.exit_code, 0) << latest.err;
  EXPECT_EQ(std::count(latest.out.begin(), latest.out.end(), '\n'), 3);
  auto old =
      RunDeltaline("read " + table_ + " --version 0 --format jsonl --columns name", dir_);
  ASSERT_EQ(old.exit_code, 0) << old.err;
  EXPECT_EQ(old.out, "{\"name\":\"x\"}\n{\"name\":\"y\"}\n");

  auto describe = RunDeltaline("describe " + table_ + " --json", dir_);
  ASSERT_EQ(describe.exit_code, 0) << describe.err;
  auto d = nlohmann::json::parse(describe.out);
  EXPECT_EQ(d["version"], 1);
  for (const char* key :
       {"minReaderVersion", "minWriterVersion", "readerFeatures", "writerFeatures"}) {
    EXPECT_TRUE(d["protocol"].contains(key)) << key;
  }
  for (const char* key : {"id", "name", "description", "partitionColumns",
                          "configuration", "createdTime"}) {
    EXPECT_TRUE(d["metadata"].contains(key)) << key;
  }
  EXPECT_EQ(d["schema"]["type"], "struct");
  EXPECT_EQ(d["schema"]["fields"][0]["name"], "id");
  EXPECT_EQ(d["numFiles"], 2);
  EXPECT_EQ(d["numRecords"], 3);
  EXPECT_GT(d["sizeBytes"].get<int64_t>(), 0);

  auto history = RunDeltaline("history " + table_ + " --json", dir_);
  ASSERT_EQ(history.exit_code, 0) << history.err;
  auto h = nlohmann::json::parse(history.out);
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0]["version"], 1);  // newest first
  EXPECT_EQ(h[1]["version"], 0);
  EXPECT_EQ(h[0]["operation"], "WRITE");
  EXPECT_EQ(h[0]["operationParameters"]["mode"], "Append");
  EXPECT_EQ(h[1]["userMetadata"]["run"], "7");
  // Only what the storage surface adds to every commit (see README, Storage).
  std::set<std::string> keys;
  for (const auto& item : h[0]["userMetadata"].items()) keys.insert(item.key());
  EXPECT_EQ(keys, (std::set<std::string>{"deltaline.dataset", "deltaline.policy",
                                         "deltaline.schemaFingerprint"}));
  EXPECT_EQ(h[0]["operationMetrics"]["numOutputRows"], "1");
  EXPECT_TRUE(h[0]["timestamp"].is_number_integer());

  auto limited = RunDeltaline("history " + table_ + " --json --limit 1", dir_);
  EXPECT_EQ(nlohmann::json::parse(limited.out).size(), 1u);
}

TEST_F(CliTest, ErrorsAreOneLineAndNonZero) {
  auto missing = RunDeltaline("describe " + dir_.str() + "/nope", dir_);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("TableNotFound"), std::string::npos) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1) << missing.err;

  ASSERT_EQ(RunDeltaline("write " + table_ + " --input " + dir_.str() + "/a.csv", dir_)
                .exit_code,
            0);
  auto again =
      RunDeltaline("write " + table_ + " --input " + dir_.str() + "/a.csv", dir_);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("TableAlreadyExists"), std::string::npos) << again.err;

  auto future = RunDeltaline("read " + table_ + " --version 9", dir_);
  EXPECT_NE(future.exit_code, 0);
  EXPECT_NE(future.err.find("VersionNotFound"), std::string::npos) << future.err;

  auto early = RunDeltaline("read " + table_ + " --timestamp 2001-01-01T00:00:00Z", dir_);
  EXPECT_NE(early.exit_code, 0);
  EXPECT_NE(early.err.find("VersionNotFound"), std::string::npos) << early.err;

  WriteFile(dir_.str() + "/bad.csv", "id,extra\n1,2\n");
  auto mismatch = RunDeltaline(
      "write " + table_ + " --input " + dir_.str() + "/bad.csv --mode append", dir_);
  EXPECT_NE(mismatch.exit_code, 0);
  EXPECT_NE(mismatch.err.find("SchemaMismatch"), std::string::npos) << mismatch.err;
  EXPECT_NE(mismatch.err.find("extra"), std::string::npos) << mismatch.err;

  auto unknown_format =
      RunDeltaline("write " + table_ + " --input " + dir_.str() + "/a.txt", dir_);
  EXPECT_NE(unknown_format.exit_code, 0);
}

TEST_F(CliTest, TimestampTravelAndCheckpoint) {
  ASSERT_EQ(RunDeltaline("write " + table_ + " --input " + dir_.str() + "/a.csv", dir_)
                .exit_code,
            0);
  ASSERT_EQ(RunDeltaline("write " + table_ + " --input " + dir_.str() +
                             "/b.jsonl --mode overwrite",
                         dir_)
                .exit_code,
            0);
  auto h = nlohmann::json::parse(RunDeltaline("history " + table_ + " --json", dir_).out);
  int64_t t0 = h[1]["timestamp"].get<int64_t>();
  // RFC 3339 text for the first commit's own millisecond: must resolve to version 0.
  std::time_t secs = static_cast<std::time_t>(t0 / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char text[64];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
  std::string rfc =
      std::string(text) + "." + std::to_string(1000 + t0 % 1000).substr(1) + "Z";
  auto at0 =
      RunDeltaline("read " + table_ + " --timestamp " + rfc + " --format jsonl", dir_);
  ASSERT_EQ(at0.exit_code, 0) << at0.err;
  EXPECT_EQ(std::count(at0.out.begin(), at0.out.end(), '\n'), 2) << at0.out;

  auto cp = RunDeltaline("checkpoint " + table_ + " --json", dir_);
  ASSERT_EQ(cp.exit_code, 0) << cp.err;
  EXPECT_EQ(nlohmann::json::parse(cp.out)["checkpointVersion"], 1);
  std::ifstream hint(table_ + "/_delta_log/_last_checkpoint");
  EXPECT_TRUE(hint.good());
  auto after = RunDeltaline("read " + table_ + " --format jsonl", dir_);
  EXPECT_EQ(after.out, "{\"id\":3,\"name\":\"z\"}\n");
}

// One set of exit codes: 0 success, 1 error, 2 usage (CLI11 parse errors, bad flag
// values, flags that cannot be combined). 3 (refused by policy) is in storage_cli_test.
TEST_F(CliTest, ExitCodes) {
  const std::string input = " --input " + dir_.str() + "/a.csv";
  ASSERT_EQ(RunDeltaline("write " + table_ + input, dir_).exit_code, 0);
  EXPECT_EQ(RunDeltaline("--help", dir_).exit_code, 0);

  auto bad_mode = RunDeltaline("write " + table_ + input + " --mode sometimes", dir_);
  EXPECT_EQ(bad_mode.exit_code, 2) << bad_mode.err;
  EXPECT_NE(bad_mode.err.find("--mode"), std::string::npos) << bad_mode.err;
  EXPECT_NE(bad_mode.err.find("sometimes"), std::string::npos) << bad_mode.err;
  auto bad_size = RunDeltaline("write " + table_ + input + " --target-file-size 0", dir_);
  EXPECT_EQ(bad_size.exit_code, 2) << bad_size.err;
  EXPECT_NE(bad_size.err.find("--target-file-size"), std::string::npos) << bad_size.err;
  EXPECT_EQ(
      RunDeltaline("write " + table_ + input + " --schema-mode loose", dir_).exit_code,
      2);
  EXPECT_EQ(RunDeltaline("write " + table_ + input + " --run-mode test", dir_).exit_code,
            2);
  EXPECT_EQ(
      RunDeltaline("write " + table_ + input + " --metadata novalue", dir_).exit_code, 2);
  EXPECT_EQ(RunDeltaline(
                "write " + table_ + input + " --mode append --delete-partition {}", dir_)
                .exit_code,
            2);
  EXPECT_EQ(RunDeltaline("read " + table_ + " --unknown-flag", dir_).exit_code, 2);
  EXPECT_EQ(RunDeltaline("read " + table_ + " --format parquet", dir_).exit_code, 2);
  EXPECT_EQ(RunDeltaline("read", dir_).exit_code, 2);
  EXPECT_EQ(RunDeltaline("frobnicate " + table_, dir_).exit_code, 2);
  auto read_json = RunDeltaline("read " + table_ + " --json", dir_);
  EXPECT_EQ(read_json.exit_code, 2);
  EXPECT_NE(read_json.err.find("--metrics-json"), std::string::npos) << read_json.err;
  EXPECT_TRUE(read_json.out.empty()) << read_json.out;

  auto missing = RunDeltaline("describe " + dir_.str() + "/none", dir_);
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_EQ(RunDeltaline("write " + table_ + input, dir_).exit_code, 1);  // exists
}

// --columns and --stats-columns are comma lists parsed by CLI11.
TEST_F(CliTest, CommaLists) {
  ASSERT_EQ(RunDeltaline("write " + table_ + " --input " + dir_.str() +
                             "/a.csv --stats-columns id --partition-by name",
                         dir_)
                .exit_code,
            0);
  auto described =
      nlohmann::json::parse(RunDeltaline("describe " + table_ + " --json", dir_).out);
  EXPECT_EQ(described["metadata"]["partitionColumns"], nlohmann::json({"name"}));
  EXPECT_EQ(described["policy"]["stats_columns"], nlohmann::json({"id"}));
  auto both = RunDeltaline("read " + table_ + " --columns name,id --format jsonl", dir_);
  ASSERT_EQ(both.exit_code, 0) << both.err;
  EXPECT_NE(both.out.find("{\"id\":1,\"name\":\"x\"}"), std::string::npos) << both.out;
  auto one = RunDeltaline("read " + table_ + " --columns name --format jsonl", dir_);
  // Two partitions: the order of their rows is not promised.
  EXPECT_EQ(one.out.size(), std::string("{\"name\":\"x\"}\n{\"name\":\"y\"}\n").size());
  EXPECT_NE(one.out.find("{\"name\":\"x\"}\n"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("{\"name\":\"y\"}\n"), std::string::npos) << one.out;
}

}  // namespace
}  // namespace deltaline
