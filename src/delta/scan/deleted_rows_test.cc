// DeletedRows: the RoaringBitmapArray decoder on bitmaps built by hand from the format
// description (array, bitmap and run containers, several containers and buckets,
// 64-bit row indexes), its queries against a brute-force model, and every kind of
// corrupt input, which must come back as a typed kProtocol error.

#include "delta/scan/deleted_rows.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/scan/roaring_test_util.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using roaring_test::ContainerSpec;
using roaring_test::PutLe;
using roaring_test::SerializeBuckets;
using roaring_test::SerializeRoaring32;
using roaring_test::SerializeRows;

std::vector<uint16_t> Range(uint32_t first, uint32_t last, uint32_t step = 1) {
  std::vector<uint16_t> out;
  for (uint32_t v = first; v <= last; v += step) out.push_back(static_cast<uint16_t>(v));
  return out;
}

std::vector<int64_t> Rows(uint64_t base, const std::vector<uint16_t>& low) {
  std::vector<int64_t> out;
  for (uint16_t v : low) out.push_back(static_cast<int64_t>(base + v));
  return out;
}

// Checks every query against the expected rows: Contains, CountInRange, Max and the
// keep mask, over ranges that start and end inside and across containers.
void ExpectRows(const DeletedRows& rows, const std::vector<int64_t>& expected) {
  ASSERT_EQ(rows.ToVector(), expected);
  EXPECT_EQ(rows.cardinality(), static_cast<int64_t>(expected.size()));
  const std::set<int64_t> set(expected.begin(), expected.end());
  if (!expected.empty()) {
    EXPECT_EQ(rows.Max(), expected.back());
  }
  std::set<int64_t> probes{
      0, 1, 65535, 65536, 65537, (int64_t{1} << 32) - 1, int64_t{1} << 32};
  for (int64_t row : expected) {
    for (int64_t delta : {-1, 0, 1}) probes.insert(row + delta);
  }
  for (int64_t probe : probes) {
    EXPECT_EQ(rows.Contains(probe), set.count(probe) > 0) << "row " << probe;
  }
  std::vector<std::pair<int64_t, int64_t>> ranges{
      {0, 70000}, {3, 61}, {65530, 20}, {1, 131072}};
  for (int64_t row : expected) ranges.emplace_back(std::max<int64_t>(row - 70, 0), 141);
  for (auto [first, n] : ranges) {
    ASSERT_OK_AND_ASSIGN(auto mask, rows.KeepMask(first, n));
    ASSERT_EQ(mask->length(), n);
    EXPECT_EQ(mask->null_count(), 0);
    int64_t deleted = 0;
    for (int64_t k = 0; k < n; ++k) {
      const bool is_deleted = set.count(first + k) > 0;
      deleted += is_deleted;
      ASSERT_EQ(mask->Value(k), !is_deleted) << "row " << first + k;
    }
    EXPECT_EQ(rows.CountInRange(first, n), deleted) << first << "+" << n;
  }
}

TEST(DeletedRowsTest, EmptyBitmap) {
  ASSERT_OK_AND_ASSIGN(auto rows, DeletedRows::Deserialize(SerializeBuckets({})));
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(rows.Max(), std::nullopt);
  ExpectRows(rows, {});
}

TEST(DeletedRowsTest, ArrayContainer) {
  ASSERT_OK_AND_ASSIGN(auto rows,
                       DeletedRows::Deserialize(SerializeRows({0, 3, 9, 65535})));
  ExpectRows(rows, {0, 3, 9, 65535});
}

TEST(DeletedRowsTest, BitmapContainer) {
  // 5000 values > 4096: the format stores them as an 8 KiB bitmap.
  const auto low = Range(1, 9999, 2);
  ASSERT_EQ(low.size(), 5000u);
  ASSERT_OK_AND_ASSIGN(auto rows, DeletedRows::Deserialize(SerializeRows(Rows(0, low))));
  ExpectRows(rows, Rows(0, low));
}

TEST(DeletedRowsTest, RunContainers) {
  std::vector<int64_t> expected = Rows(0, Range(10, 19));
  for (int64_t row : Rows(0, Range(65000, 65535))) expected.push_back(row);
  expected.push_back(65536 + 7);
  ASSERT_OK_AND_ASSIGN(auto rows,
                       DeletedRows::Deserialize(SerializeRows(expected, /*runs=*/true)));
  ExpectRows(rows, expected);
}

TEST(DeletedRowsTest, MixedContainersWithOffsetHeader) {
  // Four or more containers with a run among them: the offset header is present.
  std::vector<ContainerSpec> specs{{0, Range(0, 65535), true},
                                   {1, Range(5, 4100)},  // 4096 values: still an array
                                   {2, Range(0, 65535, 3)},
                                   {7, {42}, false},
                                   {9, Range(100, 200), true}};
  std::vector<int64_t> expected;
  for (const auto& spec : specs) {
    for (int64_t row : Rows(uint64_t{spec.key} << 16, spec.values))
      expected.push_back(row);
  }
  const auto bytes = SerializeBuckets({{0, SerializeRoaring32(specs)}});
  ASSERT_OK_AND_ASSIGN(auto rows, DeletedRows::Deserialize(bytes));
  ExpectRows(rows, expected);
}

TEST(DeletedRowsTest, SixtyFourBitRowsInSeveralBuckets) {
  const int64_t high = int64_t{1} << 32;
  std::vector<int64_t> expected{1,
                                2,
                                high - 1,
                                high,
                                high + 65536 + 3,
                                5 * high + 17,
                                (int64_t{0x7FFFFFFF} << 32) + 0xFFFFFFFF};
  ASSERT_OK_AND_ASSIGN(auto rows, DeletedRows::Deserialize(SerializeRows(expected)));
  EXPECT_EQ(rows.ToVector(), expected);
  EXPECT_EQ(rows.Max(), expected.back());
  EXPECT_TRUE(rows.Contains(5 * high + 17));
  EXPECT_FALSE(rows.Contains(5 * high + 16));
  EXPECT_FALSE(rows.Contains(-1));
  EXPECT_EQ(rows.CountInRange(high - 10, 20), 2);
  ASSERT_OK_AND_ASSIGN(auto mask, rows.KeepMask(high - 2, 4));
  ASSERT_EQ(mask->length(), 4);
  EXPECT_TRUE(mask->Value(0));
  EXPECT_FALSE(mask->Value(1));
  EXPECT_FALSE(mask->Value(2));
  EXPECT_TRUE(mask->Value(3));
}

TEST(DeletedRowsTest, FillKeepBitsAtAnOffsetLeavesOtherBits) {
  ASSERT_OK_AND_ASSIGN(auto rows, DeletedRows::Deserialize(SerializeRows({2, 3, 4, 8})));
  std::vector<uint8_t> bits(4, 0xAA);
  rows.FillKeepBits(/*first_row=*/1, /*num_rows=*/9, bits.data(), /*bit_offset=*/5);
  // Bits 5..13 hold rows 1..9: kept 1, 5, 6, 7, 9; deleted 2, 3, 4, 8.
  const std::vector<bool> expected{true, false, false, false, true,
                                   true, true,  false, true};
  for (int bit = 0; bit < 32; ++bit) {
    const bool value = (bits[bit / 8] >> (bit % 8)) & 1;
    if (bit >= 5 && bit < 14) {
      EXPECT_EQ(value, expected[bit - 5]) << bit;
    } else {
      EXPECT_EQ(value, ((0xAA >> (bit % 8)) & 1) != 0) << bit;
    }
  }
  EXPECT_FALSE(rows.KeepMask(-1, 3).ok());
}

// --- corrupt input: always a kProtocol error, never a crash ---

void ExpectProtocolError(const std::string& bytes, const std::string& needle) {
  auto result = DeletedRows::Deserialize(bytes, "deletion vector 'test'");
  ASSERT_FALSE(result.ok()) << needle;
  EXPECT_TRUE(IsKind(result.status(), ErrorKind::kProtocol))
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("deletion vector 'test'"), std::string::npos);
  EXPECT_NE(result.status().message().find(needle), std::string::npos)
      << result.status().message();
}

std::string Bucket(std::vector<ContainerSpec> specs) { return SerializeRoaring32(specs); }

TEST(DeletedRowsTest, BadMagic) {
  std::string bytes = SerializeRows({1});
  bytes[3] ^= 1;
  ExpectProtocolError(bytes, "bad magic number");
  std::string native = bytes;
  native.replace(0, 4, std::string("\xd0\xd3\x39\x64", 4));  // 1681511376
  ExpectProtocolError(native, "native");
}

TEST(DeletedRowsTest, EveryTruncationFails) {
  std::vector<ContainerSpec> specs{
      {0, Range(0, 99), true}, {1, Range(0, 4999, 1)}, {2, {1, 2, 3}}, {3, {9}}};
  const std::string bytes =
      SerializeBuckets({{0, Bucket(specs)}, {1, SerializeRoaring32({{0, {5}}})}});
  ASSERT_OK(DeletedRows::Deserialize(bytes).status());
  for (size_t len = 0; len < bytes.size(); ++len) {
    auto result = DeletedRows::Deserialize(std::string_view(bytes).substr(0, len));
    ASSERT_FALSE(result.ok()) << "prefix of " << len << " bytes";
    ASSERT_TRUE(IsKind(result.status(), ErrorKind::kProtocol));
  }
}

TEST(DeletedRowsTest, TrailingBytes) {
  ExpectProtocolError(SerializeRows({1}) + "x", "trailing");
}

TEST(DeletedRowsTest, BucketKeys) {
  const std::string one = SerializeRoaring32({{0, {1}}});
  ExpectProtocolError(SerializeBuckets({{3, one}, {3, one}}), "strictly ascending");
  ExpectProtocolError(SerializeBuckets({{4, one}, {3, one}}), "strictly ascending");
  ExpectProtocolError(SerializeBuckets({{0x80000000u, one}}), "negative");
  // A bucket count no input could hold (and that must not be used to reserve memory).
  std::string huge = SerializeBuckets({{0, one}});
  huge.replace(4, 8, std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  ExpectProtocolError(huge, "buckets but only");
}

TEST(DeletedRowsTest, ContainerHeaders) {
  ExpectProtocolError(SerializeBuckets({{0, Bucket({{2, {1}}, {1, {1}}})}}),
                      "container keys");
  std::string bad_cookie = SerializeRows({1});
  bad_cookie[16] = 0x7F;  // the cookie follows magic (4), count (8) and key (4)
  ExpectProtocolError(bad_cookie, "cookie");
  std::string too_many;
  PutLe(&too_many, 12346, 4);
  PutLe(&too_many, 65537, 4);
  ExpectProtocolError(SerializeBuckets({{0, too_many}}), "> 65536");
}

TEST(DeletedRowsTest, ArrayValuesMustAscend) {
  std::string bytes = SerializeRows({5, 6});
  // Swap the two values of the array (the last 4 bytes).
  std::swap(bytes[bytes.size() - 4], bytes[bytes.size() - 2]);
  ExpectProtocolError(bytes, "not strictly ascending");
}

TEST(DeletedRowsTest, BitmapCardinalityMismatch) {
  std::string bytes = SerializeRows(Rows(0, Range(0, 9998, 2)));
  bytes[bytes.size() - 1] = 0x40;  // one more bit in the last word
  ExpectProtocolError(bytes, "bitmap container holds");
}

TEST(DeletedRowsTest, RunContainerChecks) {
  // Hand-written run container: cookie with runs, flags, header, then the runs.
  auto run_bucket = [](uint16_t card_minus_1,
                       std::vector<std::pair<uint16_t, uint16_t>> runs) {
    std::string b;
    PutLe(&b, 12347, 4);
    b.push_back('\x01');
    PutLe(&b, 0, 2);
    PutLe(&b, card_minus_1, 2);
    PutLe(&b, runs.size(), 2);
    for (auto [start, len] : runs) {
      PutLe(&b, start, 2);
      PutLe(&b, len, 2);
    }
    return SerializeBuckets({{0, b}});
  };
  ASSERT_OK(DeletedRows::Deserialize(run_bucket(5, {{0, 4}, {6, 0}})).status());
  ExpectProtocolError(run_bucket(6, {{0, 4}, {6, 0}}), "run container holds 6");
  ExpectProtocolError(run_bucket(9, {{65530, 9}}), "overflows");
  ExpectProtocolError(run_bucket(5, {{0, 4}, {4, 0}}), "overlap");
  ExpectProtocolError(run_bucket(5, {{6, 0}, {0, 4}}), "overlap");
}

// Writes the hand-built bitmaps as fuzz seeds when DELTALINE_WRITE_DV_SEEDS names a
// directory (mode byte 0: raw RoaringBitmapArray; see fuzz/deletion_vector_fuzz.cc).
TEST(DeletedRowsTest, WriteFuzzSeeds) {
  const char* dir = std::getenv("DELTALINE_WRITE_DV_SEEDS");
  if (dir == nullptr) GTEST_SKIP() << "DELTALINE_WRITE_DV_SEEDS not set";
  const int64_t high = int64_t{1} << 32;
  const std::vector<std::pair<std::string, std::string>> seeds{
      {"raw-array", SerializeRows({0, 3, 9, 65535})},
      {"raw-bitmap", SerializeRows(Rows(0, Range(1, 9999, 2)))},
      {"raw-runs", SerializeRows({10, 11, 12, 13, 65536, 65537, 70000}, true)},
      {"raw-buckets", SerializeRows({1, high, high + 65536 + 3, 5 * high + 17})},
      {"raw-mixed", SerializeBuckets({{0, Bucket({{0, Range(0, 300), true},
                                                  {1, {1, 2}},
                                                  {2, Range(0, 9000)},
                                                  {3, {7}}})}})},
  };
  for (const auto& [name, bytes] : seeds) {
    std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
    out.put('\0');
    out << bytes;
  }
}

}  // namespace
}  // namespace deltaline::delta
