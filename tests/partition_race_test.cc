// Real processes racing partition replaces through the CLI: writers replacing the
// same partition conflict (typed) or land one after the other, writers on other
// partitions do not conflict, and every partition ends with exactly the rows of one
// replace: never two runs' rows side by side.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>

#include <arrow/api.h>

#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "support/child_process.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::ChildGroup;
using deltaline::testing::TempDir;

constexpr int kWriters = 6;
constexpr int kAttempts = 4;
constexpr int kRowsPerInput = 3;
constexpr int kDays = 3;

std::string Day(int writer) { return "d/" + std::to_string(writer % kDays); }

TEST(PartitionRaceTest, ConcurrentReplacesLeaveOneRunPerPartition) {
  TempDir dir;
  const auto table = dir.path() / "t";
  {
    std::ofstream seed(dir.path() / "seed.csv");
    seed << "day,id,tag\n";
    for (int day = 0; day < kDays; ++day)
      seed << "d/" << day << ",-" << day + 1 << ",seed\n";
  }
  ChildGroup children(dir.path());
  std::string cli = DELTALINE_CLI;
  auto create = std::system((cli + " write " + table.string() + " --input " +
                             (dir.path() / "seed.csv").string() +
                             " --partition-by day >/dev/null 2>&1")
                                .c_str());
  ASSERT_EQ(create, 0);
  for (int writer = 0; writer < kWriters; ++writer) {
    std::string script = "touch " + children.go_file() + ".ready.$$; while [ ! -e " +
                         children.go_file() + " ]; do sleep 0.001; done; ";
    for (int attempt = 0; attempt < kAttempts; ++attempt) {
      const auto input = dir.path() / ("in-" + std::to_string(writer) + "-" +
                                       std::to_string(attempt) + ".csv");
      std::ofstream out(input);
      out << "day,id,tag\n";
      for (int row = 0; row < kRowsPerInput; ++row) {
        out << Day(writer) << "," << writer * 100 + attempt * 10 + row << ",w" << writer
            << "a" << attempt << "\n";
      }
      const std::string err = input.string() + ".err";
      script += "if " + cli + " write " + table.string() + " --input " + input.string() +
                " --replace-partitions >/dev/null 2>" + err + "; then echo LANDED " +
                std::to_string(writer) + "; else echo FAILED $(cat " + err + "); fi; ";
    }
    ASSERT_OK(children.Spawn("/bin/sh", {"-c", script}));
  }
  ASSERT_OK(children.Go());
  children.WaitAll(std::chrono::seconds(300));

  std::map<std::string, int> landed_per_day;
  int failed = 0;
  for (auto& run : children.runs()) {
    EXPECT_EQ(run.exit_code, 0) << run.command << run.output;
    for (const auto& line : run.lines) {
      if (line.rfind("LANDED ", 0) == 0) {
        landed_per_day[Day(std::stoi(line.substr(7)))] += 1;
      } else {
        ++failed;
        // A loser fails with a typed conflict, nothing else.
        EXPECT_NE(line.find("ConcurrentModification/"), std::string::npos) << line;
      }
    }
  }
  // Other partitions never conflict, so each partition saw a replace land.
  EXPECT_EQ(landed_per_day.size(), static_cast<size_t>(kDays));

  auto store = FileSystemLogStore::Open(table.string()).ValueOrDie();
  auto snapshot = Snapshot::Load(*store).ValueOrDie();
  auto read =
      ReadSnapshot(*store, snapshot).ValueOrDie()->CombineChunksToBatch().ValueOrDie();
  auto days = std::static_pointer_cast<arrow::StringArray>(read->GetColumnByName("day"));
  auto tags = std::static_pointer_cast<arrow::StringArray>(read->GetColumnByName("tag"));
  std::map<std::string, std::multiset<std::string>> tags_per_day;
  for (int64_t row = 0; row < read->num_rows(); ++row) {
    tags_per_day[std::string(days->GetView(row))].insert(std::string(tags->GetView(row)));
  }
  ASSERT_EQ(tags_per_day.size(), static_cast<size_t>(kDays));
  for (const auto& [day, day_tags] : tags_per_day) {
    // Exactly one replace's rows: one tag, kRowsPerInput times.
    EXPECT_EQ(day_tags.size(), static_cast<size_t>(kRowsPerInput)) << day;
    EXPECT_EQ(day_tags.count(*day_tags.begin()), static_cast<size_t>(kRowsPerInput))
        << day;
    EXPECT_NE(*day_tags.begin(), "seed") << day;
  }
  std::cerr << "race: " << kWriters * kAttempts << " replaces, " << failed
            << " failed with a typed conflict, version " << snapshot->version() << "\n";
  EXPECT_EQ(snapshot->version(), kWriters * kAttempts - failed);
}

}  // namespace
}  // namespace deltaline::delta
