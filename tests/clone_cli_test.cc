// `deltaline clone` through the real executable: exit codes, the --json fields and
// the progress display on stderr.
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "support/cli_runner.h"
#include "test_util.h"

namespace deltaline {
namespace {

using testing::RunDeltaline;

class CloneCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    src_ = dir_.str() + "/src";
    std::ofstream(dir_.str() + "/a.csv") << "id,name\n1,x\n2,y\n";
    std::ofstream(dir_.str() + "/b.csv") << "id,name\n3,z\n";
    ASSERT_EQ(RunDeltaline("write " + src_ + " --input " + dir_.str() + "/a.csv", dir_)
                  .exit_code,
              0);
    ASSERT_EQ(
        RunDeltaline("write " + src_ + " --input " + dir_.str() + "/b.csv --mode append",
                     dir_)
            .exit_code,
        0);
  }
  testing::TempDir dir_;
  std::string src_;
};

TEST_F(CloneCliTest, DeepCloneJsonAndProgressOnStderr) {
  const std::string dst = dir_.str() + "/deep";
  auto run = RunDeltaline("clone " + src_ + " " + dst + " --version 0 --json", dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto out = nlohmann::json::parse(run.out);  // stdout holds the JSON only
  EXPECT_EQ(out["sourceVersion"], 0);
  EXPECT_EQ(out["version"], 0);
  EXPECT_EQ(out["shallow"], false);
  EXPECT_EQ(out["numFiles"], 1);
  EXPECT_EQ(out["numCopiedFiles"], 1);
  EXPECT_GT(out["copiedFilesSize"].get<int64_t>(), 0);
  EXPECT_EQ(out["source"], "file://" + std::filesystem::path(src_).string());
  EXPECT_EQ(out["target"], dst);
  // The final progress state: files and bytes.
  EXPECT_NE(run.err.find("clone 1/1 files, "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(" B of "), std::string::npos) << run.err;

  auto read = RunDeltaline("read " + dst + " --format jsonl", dir_);
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_NE(read.out.find("\"x\""), std::string::npos);
  EXPECT_EQ(read.out.find("\"z\""), std::string::npos);  // version 0 only

  // The target exists now: exit 1 with one line naming it, and nothing changes.
  auto again = RunDeltaline("clone " + src_ + " " + dst, dir_);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;

  auto replaced = RunDeltaline("clone " + src_ + " " + dst + " --mode overwrite", dir_);
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_NE(replaced.err.find("into " + dst + " version 1"), std::string::npos)
      << replaced.err;
}

TEST_F(CloneCliTest, ShallowCloneAndUsageErrors) {
  const std::string dst = dir_.str() + "/shallow";
  auto run = RunDeltaline("clone " + src_ + " " + dst + " --shallow", dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("shallow clone referencing 2 files"), std::string::npos)
      << run.err;
  auto history = RunDeltaline("history " + dst + " --json", dir_);
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_NE(history.out.find("CLONE"), std::string::npos);

  auto both = RunDeltaline("clone " + src_ + " " + dir_.str() +
                               "/x --version 0 --timestamp 2024-01-01T00:00:00Z",
                           dir_);
  EXPECT_EQ(both.exit_code, 2) << both.err;
  auto mode =
      RunDeltaline("clone " + src_ + " " + dir_.str() + "/x --mode replace", dir_);
  EXPECT_EQ(mode.exit_code, 2) << mode.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.str() + "/x"));
  auto missing = RunDeltaline("clone " + dir_.str() + "/nope " + dir_.str() + "/y", dir_);
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
}

}  // namespace
}  // namespace deltaline
