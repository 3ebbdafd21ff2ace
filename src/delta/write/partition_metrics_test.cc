// One set of names for per-partition counts: the commit's operationMetrics names,
// round-tripped through JSON.
#include "delta/write/partition_metrics.h"

#include <set>

#include "delta/base/errors.h"

#include "test_util.h"

namespace deltaline::delta {
namespace {

TEST(PartitionMetrics, NamesAreTheCommitsOperationMetricsNames) {
  std::set<std::string> names;
  for (const auto& field : PartitionMetricFields()) names.insert(field.name);
  // Spark / delta-rs readers of commitInfo.operationMetrics may read these.
  EXPECT_EQ(names,
            (std::set<std::string>{"numAddedFiles", "numOutputRows", "numAddedBytes",
                                   "numRemovedFiles", "numRemovedRows", "numRemovedBytes",
                                   "numCopiedRows"}));
}

TEST(PartitionMetrics, RoundTripsThroughJson) {
  PartitionMetrics metrics{1, 2, 3, 4, -1, 6, 7};
  auto json = PartitionMetricsToJson(metrics);
  EXPECT_EQ(json["numOutputRows"], 2);
  EXPECT_EQ(json["numRemovedRows"], -1);
  ASSERT_OK_AND_ASSIGN(auto back, PartitionMetricsFromJson(json));
  for (const auto& field : PartitionMetricFields()) {
    EXPECT_EQ(back.*field.member, metrics.*field.member) << field.name;
  }
  auto map = PartitionMetricsJson({{"p=a", metrics}, {"p=b", {}}});
  EXPECT_EQ(map["p=a"], json);
  EXPECT_EQ(map["p=b"]["numCopiedRows"], 0);
}

TEST(PartitionMetrics, FromJsonRefusesWhatIsNotACount) {
  EXPECT_TRUE(IsKind(PartitionMetricsFromJson(nlohmann::json::array()).status(),
                     ErrorKind::kInvalidInput));
  EXPECT_TRUE(IsKind(PartitionMetricsFromJson({{"numAddedFiles", "three"}}).status(),
                     ErrorKind::kInvalidInput));
  ASSERT_OK_AND_ASSIGN(auto partial, PartitionMetricsFromJson({{"numAddedFiles", 3}}));
  EXPECT_EQ(partial.files_added, 3);
  EXPECT_EQ(partial.rows_added, 0);
}

}  // namespace
}  // namespace deltaline::delta
