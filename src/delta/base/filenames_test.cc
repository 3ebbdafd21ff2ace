#include "delta/base/filenames.h"

#include <gtest/gtest.h>

namespace deltaline::delta {

TEST(FileNames, CommitAndCheckpointNamesRoundTrip) {
  EXPECT_EQ(CommitFileName(42), "00000000000000000042.json");
  EXPECT_EQ(CheckpointFileName(10), "00000000000000000010.checkpoint.parquet");
  auto parsed = ParseLogFileName(MultiPartCheckpointFileName(7, 2, 3));
  EXPECT_EQ(parsed.type, LogFileType::kMultiPartCheckpoint);
  EXPECT_EQ(parsed.version, 7);
  EXPECT_EQ(parsed.part, 2);
  EXPECT_EQ(parsed.parts, 3);
  EXPECT_EQ(ParseLogFileName("00000000000000000042.json").version, 42);
  EXPECT_EQ(ParseLogFileName("00000000000000000042.json").type, LogFileType::kCommit);
}

TEST(FileNames, RejectsNearMisses) {
  EXPECT_EQ(ParseLogFileName("0000000000000000042.json").type, LogFileType::kOther);
  EXPECT_EQ(ParseLogFileName("00000000000000000042.json.tmp").type, LogFileType::kOther);
  EXPECT_EQ(ParseLogFileName("_last_checkpoint").type, LogFileType::kOther);
  EXPECT_EQ(ParseLogFileName("0000000000000000004x.json").type, LogFileType::kOther);
  EXPECT_EQ(
      ParseLogFileName("00000000000000000003.checkpoint.0000000004.0000000003.parquet")
          .type,
      LogFileType::kOther);
  EXPECT_EQ(
      ParseLogFileName(
          "00000000000000000003.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json")
          .type,
      LogFileType::kV2Checkpoint);
}

}  // namespace deltaline::delta
