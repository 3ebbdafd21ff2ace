#include "delta/table/table_config.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "delta/base/errors.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

StringMap Indexed(const std::string& value) {
  return {{"delta.dataSkippingNumIndexedCols", value}};
}

// One rule for delta.dataSkippingNumIndexedCols (Spark's: an integer >= -1), whether
// the property is checked when a table is created or read when a file is written.
// Before, creation refused 0 while the writer accepted it.
TEST(TableConfigTest, NumIndexedColsHasOneRule) {
  for (const std::string accepted : {"-1", "0", "1", "32", "250"}) {
    EXPECT_OK(ValidateTableProperties(Indexed(accepted)));
    ASSERT_OK_AND_ASSIGN(int value, DataSkippingNumIndexedCols(Indexed(accepted)));
    EXPECT_EQ(value, std::stoi(accepted));
  }
  for (const std::string refused : {"-2", "x", "1.5", " 3", "3 ", "99999999999"}) {
    auto validated = ValidateTableProperties(Indexed(refused));
    auto read = DataSkippingNumIndexedCols(Indexed(refused));
    ASSERT_FALSE(validated.ok()) << refused;
    ASSERT_FALSE(read.ok()) << refused;
    EXPECT_TRUE(IsKind(validated, ErrorKind::kInvalidInput)) << validated.ToString();
    EXPECT_EQ(validated.message(), read.status().message());
  }
  ASSERT_OK_AND_ASSIGN(int unset, DataSkippingNumIndexedCols({}));
  EXPECT_EQ(unset, kDefaultNumIndexedCols);
}

TEST(TableConfigTest, StatsColumnsAreTrimmedAndEmptyItemsDropped) {
  StringMap configuration = {{"delta.dataSkippingStatsColumns", " a , b.c,,`x.y`.z ,"}};
  EXPECT_EQ(DataSkippingStatsColumns(configuration),
            (std::vector<std::string>{"a", "b.c", "`x.y`.z"}));
  EXPECT_TRUE(DataSkippingStatsColumns({}).empty());
}

TEST(TableConfigTest, BooleanSwitchesAreTrueOnlyForTrue) {
  EXPECT_TRUE(AppendOnly({{"delta.appendOnly", "true"}}));
  EXPECT_FALSE(AppendOnly({{"delta.appendOnly", "false"}}));
  EXPECT_FALSE(AppendOnly({}));
  EXPECT_TRUE(ChangeDataFeedEnabled({{"delta.enableChangeDataFeed", "true"}}));
  EXPECT_FALSE(ChangeDataFeedEnabled({}));
  EXPECT_EQ(ColumnMappingMode({}), "none");
  EXPECT_EQ(ColumnMappingMode({{"delta.columnMapping.mode", "name"}}), "name");
}

}  // namespace
}  // namespace deltaline::delta
