#include "anatomy/ids.h"

#include <gtest/gtest.h>

namespace deltaline::anatomy {
namespace {

TEST(IdsTest, Sha256MatchesTheStandardVector) {
  EXPECT_EQ(Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(IdsTest, StableIdIsDeterministicAndLengthPrefixed) {
  EXPECT_EQ(StableId({"file", "a/b.py"}), StableId({"file", "a/b.py"}));
  EXPECT_NE(StableId({"ab", "c"}), StableId({"a", "bc"}));
  EXPECT_NE(StableId({"file", "a.py"}), StableId({"file", "b.py"}));
  // Pinned: ids are stored in tables, so the function may never change silently.
  EXPECT_EQ(StableId({"file", "pkg/mod.py"}), 3572734419495611889LL);
  const Id id = StableId({"file", "pkg/mod.py"});
  EXPECT_GE(FileBucket(id), 0);
  EXPECT_LT(FileBucket(id), kFileBuckets);
  EXPECT_EQ(FileBucket(-1), static_cast<int32_t>(UINT64_MAX % kFileBuckets));
}

}  // namespace
}  // namespace deltaline::anatomy
