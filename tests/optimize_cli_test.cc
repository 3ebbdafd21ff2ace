// `deltaline optimize`: exit codes, the summary, and the fields of --json.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "delta/log/log_store.h"
#include "delta/ops/optimize_test_util.h"
#include "delta/write/write.h"
#include "support/cli_runner.h"
#include "test_util.h"

namespace deltaline {
namespace {

using testing::RunDeltaline;

class OptimizeCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    table_ = dir_.str() + "/t";
    auto store = delta::FileSystemLogStore::Open(table_).ValueOrDie();
    for (int append = 0; append < 3; ++append) {
      delta::WriteOptions options;
      options.mode = delta::SaveMode::kAppend;
      options.partition_by = {"p"};
      auto rows = delta::optimize_testing::RandomRows(append * 100, 100, 2, append);
      ASSERT_TRUE(delta::WriteTable(*store, *rows, options).ok());
    }
  }
  testing::TempDir dir_;
  std::string table_;
};

TEST_F(OptimizeCliTest, JsonFieldsThenNothingToDo) {
  auto run = RunDeltaline("optimize " + table_ + " --json", dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto out = nlohmann::json::parse(run.out);
  EXPECT_EQ(out["committed"], true);
  EXPECT_EQ(out["version"], 3);
  EXPECT_EQ(out["numFilesRemoved"], 6);
  EXPECT_EQ(out["numFilesAdded"], 2);
  EXPECT_EQ(out["partitionsOptimized"], 2);
  EXPECT_EQ(out["totalConsideredFiles"], 6);
  EXPECT_EQ(out["rows"], 300);
  for (const char* key : {"min", "max", "avg", "totalFiles", "totalSize"}) {
    EXPECT_TRUE(out["filesAdded"].contains(key)) << key;
    EXPECT_TRUE(out["filesRemoved"].contains(key)) << key;
  }
  EXPECT_EQ(out["filesRemoved"]["totalFiles"], 6);

  auto again = RunDeltaline("optimize " + table_, dir_);
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("nothing to optimize"), std::string::npos) << again.err;

  auto zorder = RunDeltaline("optimize " + table_ + " --zorder-by x,y --json", dir_);
  ASSERT_EQ(zorder.exit_code, 0) << zorder.err;
  auto z = nlohmann::json::parse(zorder.out);
  EXPECT_EQ(z["zOrderBy"], nlohmann::json({"x", "y"}));
  EXPECT_EQ(z["numFilesRemoved"], 2);
}

TEST_F(OptimizeCliTest, SummaryOnStderr) {
  auto run = RunDeltaline("optimize " + table_ + " --target-size 1000000", dir_);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  EXPECT_NE(run.err.find("6 files"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("rewritten into 2"), std::string::npos) << run.err;
}

TEST_F(OptimizeCliTest, ExitCodes) {
  auto partition = RunDeltaline("optimize " + table_ + " --zorder-by p", dir_);
  EXPECT_EQ(partition.exit_code, 1);
  EXPECT_NE(partition.err.find("partition column"), std::string::npos) << partition.err;
  auto where = RunDeltaline("optimize " + table_ + " --where 'x > 3'", dir_);
  EXPECT_EQ(where.exit_code, 1);
  EXPECT_NE(where.err.find("'x'"), std::string::npos) << where.err;
  auto missing = RunDeltaline("optimize " + dir_.str() + "/none", dir_);
  EXPECT_EQ(missing.exit_code, 1);
  auto zero = RunDeltaline("optimize " + table_ + " --target-size 0", dir_);
  EXPECT_EQ(zero.exit_code, 2);
  auto no_table = RunDeltaline("optimize", dir_);
  EXPECT_EQ(no_table.exit_code, 2);
}

}  // namespace
}  // namespace deltaline
