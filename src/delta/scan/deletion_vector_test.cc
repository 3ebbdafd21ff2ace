// Deletion vectors as the log refers to them: Z85 (the protocol's and ZeroMQ's own
// vectors), `u` paths with and without a random prefix, the DV file format (version,
// size, CRC-32, offset), inline and absolute-path DVs, and the real DVs Spark wrote in
// shared/delta-tables, whose deleted rows are compared with what delta-rs reports.

#include "delta/scan/deletion_vector.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/scan/roaring_test_util.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

namespace fs = std::filesystem;
const std::string kTables = DELTALINE_SOURCE_DIR "/../shared/delta-tables/";
// table-with-dv-small, version 1: one file of 10 rows, a DV deleting 2 of them.
const char* kSmallDvFile = "deletion_vector_61d16c75-6994-46b7-a15b-8b538852e50e.bin";

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

DeletionVectorDescriptor SmallDv() { return {"u", "vBn[lx{q8@P<9BNH/isA", 1, 36, 2}; }

void ExpectProtocolError(const arrow::Status& st, const std::string& needle) {
  ASSERT_FALSE(st.ok()) << needle;
  EXPECT_TRUE(IsKind(st, ErrorKind::kProtocol)) << st.ToString();
  EXPECT_NE(st.message().find(needle), std::string::npos) << st.message();
}

TEST(Z85Test, ZeroMqSpecVector) {
  const std::string bytes("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8);
  ASSERT_OK_AND_ASSIGN(auto encoded, Z85Encode(bytes));
  EXPECT_EQ(encoded, "HelloWorld");
  ASSERT_OK_AND_ASSIGN(auto decoded, Z85Decode("HelloWorld"));
  EXPECT_EQ(decoded, bytes);
}

TEST(Z85Test, RoundTripsEveryByte) {
  std::string bytes;
  for (int value = 0; value < 256; ++value) bytes.push_back(static_cast<char>(value));
  ASSERT_OK_AND_ASSIGN(auto encoded, Z85Encode(bytes));
  ASSERT_OK_AND_ASSIGN(auto decoded, Z85Decode(encoded));
  EXPECT_EQ(decoded, bytes);
  EXPECT_FALSE(Z85Encode("abc").ok());
}

TEST(Z85Test, CorruptText) {
  ASSERT_OK(Z85Decode("Hello").status());
  ExpectProtocolError(Z85Decode("Hell\"").status(), "bad Z85 character");
  ExpectProtocolError(Z85Decode("Hell").status(), "multiple of 5");
  ExpectProtocolError(Z85Decode("#####").status(), "exceeds 32 bits");
  ExpectProtocolError(Z85Decode(std::string("ab\0de", 5)).status(), "position 2");
}

TEST(DeletionVectorPathTest, ProtocolExampleWithPrefix) {
  ASSERT_OK_AND_ASSIGN(auto path, RelativeDeletionVectorPath("ab^-aqEH.-t@S}K{vb[*k^"));
  EXPECT_EQ(path, "ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
  // And back: the UUID's 16 bytes encode to the id's last 20 characters.
  const std::string uuid(
      "\xd2\xc6\x39\xaa\x88\x16\x43\x1a\xaa\xf6\xd3\xfe\x25\x12\xff\x61", 16);
  ASSERT_OK_AND_ASSIGN(auto encoded, Z85Encode(uuid));
  EXPECT_EQ(encoded, "^-aqEH.-t@S}K{vb[*k^");
}

TEST(DeletionVectorPathTest, MoreUuidVectors) {
  // UUID/id pairs that delta-kernel-rs checks its writer against.
  ASSERT_OK_AND_ASSIGN(auto with_prefix,
                       RelativeDeletionVectorPath("dvrsTVZ&*Sl-RXRWjryu/!"));
  EXPECT_EQ(with_prefix, "dv/deletion_vector_550e8400-e29b-41d4-a716-446655440000.bin");
  ASSERT_OK_AND_ASSIGN(auto bare, RelativeDeletionVectorPath("5<w-%>:JjlQ/G/]6C<1m"));
  EXPECT_EQ(bare, "deletion_vector_123e4567-e89b-12d3-a456-426614174000.bin");
}

TEST(DeletionVectorPathTest, NoPrefixAndErrors) {
  ASSERT_OK_AND_ASSIGN(auto path, RelativeDeletionVectorPath("vBn[lx{q8@P<9BNH/isA"));
  EXPECT_EQ(path, kSmallDvFile);
  ExpectProtocolError(RelativeDeletionVectorPath("vBn[lx{q8@P<9BNH/is").status(),
                      "takes 20");
  ExpectProtocolError(RelativeDeletionVectorPath("vBn[lx{q8@P<9BNH/is\"").status(),
                      "bad Z85 character");
}

TEST(DeletionVectorPathTest, StorageTypes) {
  ASSERT_OK_AND_ASSIGN(auto store,
                       FileSystemLogStore::Open(kTables + "table-with-dv-small"));
  ASSERT_OK_AND_ASSIGN(auto path, DeletionVectorFilePath(*store, SmallDv()));
  EXPECT_TRUE(fs::exists(path)) << path;
  ASSERT_OK_AND_ASSIGN(
      auto absolute,
      DeletionVectorFilePath(*store, {"p", "file:///tmp/a%20b.bin", 1, 1, 1}));
  EXPECT_EQ(absolute, "/tmp/a b.bin");
  ExpectProtocolError(DeletionVectorFilePath(*store, {"i", "abcde", {}, 4, 1}).status(),
                      "inline");
  ExpectProtocolError(DeletionVectorFilePath(*store, {"x", "abcde", {}, 4, 1}).status(),
                      "unknown storageType");
}

// PROTOCOL.md's inline example ("wi5b=0000…", 40 bytes) is known to be wrong: it holds
// the native format with a big-endian magic (delta-io/delta#1905, #3063, #3933). The
// corrected example (from delta-io/delta#3063, used by delta-kernel-rs) is portable.
TEST(DeletionVectorTest, ProtocolInlineExample) {
  DeletionVectorDescriptor dv{
      "i", "^Bg9^0rr910000000000iXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", {}, 44, 6};
  ASSERT_OK_AND_ASSIGN(auto rows, DecodeInlineDeletionVector(dv));
  EXPECT_EQ(rows.ToVector(), (std::vector<int64_t>{3, 4, 7, 11, 18, 29}));
  dv.cardinality = 7;
  ExpectProtocolError(DecodeInlineDeletionVector(dv).status(), "cardinality 7");
  dv.cardinality = 6;
  dv.size_in_bytes = 48;
  ExpectProtocolError(DecodeInlineDeletionVector(dv).status(), "sizeInBytes says 48");
  dv.size_in_bytes = 44;
  dv.path_or_inline_dv[3] = '"';
  ExpectProtocolError(DecodeInlineDeletionVector(dv).status(), "bad Z85 character");

  DeletionVectorDescriptor wrong{
      "i", "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L", {}, 40, 6};
  ExpectProtocolError(DecodeInlineDeletionVector(wrong).status(), "bad magic number");
}

TEST(DeletionVectorTest, InlineWithPadding) {
  // 4 + 8 + 4 + 4 + 4 + 4 + 2 * 3 = 34 bytes: Delta pads to 36 before encoding.
  std::string bytes = roaring_test::SerializeRows({1, 5, 70000}, false);
  const auto size = static_cast<int32_t>(bytes.size());
  bytes.append((4 - bytes.size() % 4) % 4, '\0');
  ASSERT_OK_AND_ASSIGN(auto text, Z85Encode(bytes));
  DeletionVectorDescriptor dv{"i", text, {}, size, 3};
  ASSERT_OK_AND_ASSIGN(auto store,
                       FileSystemLogStore::Open(kTables + "table-with-dv-small"));
  ASSERT_OK_AND_ASSIGN(auto rows, LoadDeletionVector(*store, dv));
  EXPECT_EQ(rows.ToVector(), (std::vector<int64_t>{1, 5, 70000}));
}

TEST(DeletionVectorFileTest, RealFileAndCorruptions) {
  const std::string file = ReadBytes(kTables + "table-with-dv-small/" + kSmallDvFile);
  ASSERT_EQ(file.size(), 45u);
  ASSERT_OK_AND_ASSIGN(auto rows, DecodeDeletionVectorFile(file, SmallDv()));
  EXPECT_EQ(rows.ToVector(), (std::vector<int64_t>{0, 9}));

  std::string bad = file;
  bad[0] = 2;
  ExpectProtocolError(DecodeDeletionVectorFile(bad, SmallDv()).status(),
                      "format version 2");
  bad = file;
  bad[20] ^= 0x10;  // inside the bitmap: the checksum no longer matches
  ExpectProtocolError(DecodeDeletionVectorFile(bad, SmallDv()).status(),
                      "checksum mismatch");
  bad = file;
  bad[44] ^= 1;  // the checksum itself
  ExpectProtocolError(DecodeDeletionVectorFile(bad, SmallDv()).status(),
                      "checksum mismatch");
  for (size_t len = 0; len < file.size(); ++len) {
    auto st = DecodeDeletionVectorFile(file.substr(0, len), SmallDv()).status();
    ASSERT_FALSE(st.ok()) << len;
    ASSERT_TRUE(IsKind(st, ErrorKind::kProtocol)) << st.ToString();
  }
  auto dv = SmallDv();
  dv.size_in_bytes = 35;
  ExpectProtocolError(DecodeDeletionVectorFile(file, dv).status(), "sizeInBytes 35");
  dv = SmallDv();
  dv.cardinality = 3;
  ExpectProtocolError(DecodeDeletionVectorFile(file, dv).status(),
                      "decodes to 2 rows, the log says cardinality 3");
  dv = SmallDv();
  dv.offset = 46;
  ExpectProtocolError(DecodeDeletionVectorFile(file, dv).status(), "past the end");
  dv.offset = 0;
  ExpectProtocolError(DecodeDeletionVectorFile(file, dv).status(), "version byte");
  dv = SmallDv();
  dv.offset.reset();  // absent: the first DV, right after the version byte
  ASSERT_OK(DecodeDeletionVectorFile(file, dv).status());
  dv.size_in_bytes = -1;
  ExpectProtocolError(DecodeDeletionVectorFile(file, dv).status(),
                      "negative sizeInBytes");
}

TEST(DeletionVectorFileTest, ErrorsNameTheDv) {
  auto dv = SmallDv();
  dv.cardinality = 3;
  auto st = DecodeDeletionVectorFile(
                ReadBytes(kTables + "table-with-dv-small/" + kSmallDvFile), dv)
                .status();
  EXPECT_NE(st.message().find("'uvBn[lx{q8@P<9BNH/isA@1'"), std::string::npos)
      << st.message();
}

TEST(DeletionVectorFileTest, AbsolutePathAndMissingFile) {
  deltaline::testing::TempDir dir;
  fs::copy_file(kTables + "table-with-dv-small/" + kSmallDvFile,
                dir.path() / "my dv.bin");
  ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(dir.str()));
  DeletionVectorDescriptor dv{"p", "file://" + dir.str() + "/my%20dv.bin", 1, 36, 2};
  ASSERT_OK_AND_ASSIGN(auto rows, LoadDeletionVector(*store, dv));
  EXPECT_EQ(rows.ToVector(), (std::vector<int64_t>{0, 9}));

  auto missing = LoadDeletionVector(*store, SmallDv()).status();
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.IsIOError()) << missing.ToString();
  EXPECT_NE(missing.message().find("vBn[lx{q8@P<9BNH/isA"), std::string::npos);

  // A corrupt descriptor must not make the ranged read allocate what it claims.
  dv.size_in_bytes = 0x7FFFFFFF;
  ExpectProtocolError(LoadDeletionVector(*store, dv).status(),
                      "the file gives the DV size 36");
  dv.size_in_bytes = 36;
  dv.offset = 4096;
  ExpectProtocolError(LoadDeletionVector(*store, dv).status(), "past the end");
  dv.offset = 1;

  // A file cut short after the size: LoadDeletionVector's ranged read sees it.
  std::ofstream(dir.path() / "short.bin", std::ios::binary)
      << ReadBytes(kTables + "table-with-dv-small/" + kSmallDvFile).substr(0, 30);
  dv.path_or_inline_dv = "file://" + dir.str() + "/short.bin";
  ExpectProtocolError(LoadDeletionVector(*store, dv).status(), "truncated");
}

struct LoggedDv {
  std::string data_path;
  DeletionVectorDescriptor dv;
};

std::vector<LoggedDv> DvsInLog(const std::string& table) {
  std::vector<LoggedDv> out;
  for (const auto& entry : fs::directory_iterator(kTables + table + "/_delta_log")) {
    if (entry.path().extension() != ".json") continue;
    auto actions = ParseCommitFile(ReadBytes(entry.path()), entry.path().string());
    EXPECT_TRUE(actions.ok()) << actions.status().ToString();
    if (!actions.ok()) continue;
    for (const auto& action : *actions) {
      if (const auto* add = std::get_if<Add>(&action); add && add->deletion_vector) {
        out.push_back({add->path, *add->deletion_vector});
      }
      if (const auto* rm = std::get_if<Remove>(&action); rm && rm->deletion_vector) {
        out.push_back({rm->path, *rm->deletion_vector});
      }
    }
  }
  return out;
}

// Every DV that Spark wrote into these tables (adds and removes, several DVs sharing
// one file at offsets 1 and 43, a run container) loads, with the log's cardinality.
TEST(RealDeletionVectorTest, EveryDvInTheSharedTablesLoads) {
  for (const std::string table : {"table-with-dv-small", "cdf-table-with-cdc-and-dvs"}) {
    ASSERT_OK_AND_ASSIGN(auto store, FileSystemLogStore::Open(kTables + table));
    const auto dvs = DvsInLog(table);
    EXPECT_GE(dvs.size(), table == "table-with-dv-small" ? 1u : 19u);
    for (const auto& logged : dvs) {
      ASSERT_OK_AND_ASSIGN(auto rows, LoadDeletionVector(*store, logged.dv));
      EXPECT_EQ(rows.cardinality(), logged.dv.cardinality) << logged.dv.UniqueId();
      ASSERT_OK_AND_ASSIGN(auto path, DeletionVectorFilePath(*store, logged.dv));
      ASSERT_OK_AND_ASSIGN(auto again,
                           DecodeDeletionVectorFile(ReadBytes(path), logged.dv));
      EXPECT_EQ(again.ToVector(), rows.ToVector());
    }
  }
}

// The deleted rows agree with delta-rs 1.x: DeltaTable(t).deletion_vectors() gives
// table-with-dv-small's file the selection [F,T,T,T,T,T,T,T,T,F] (rows 0 and 9 deleted;
// a QueryBuilder read returns values 1..8), and cdf-table-with-cdc-and-dvs's live file
// part-00000-92f71a43… the selection [F,F,F,F,F,T,F,T] (a run container).
TEST(RealDeletionVectorTest, RowsMatchDeltaRs) {
  ASSERT_OK_AND_ASSIGN(auto small,
                       FileSystemLogStore::Open(kTables + "table-with-dv-small"));
  ASSERT_OK_AND_ASSIGN(auto rows, LoadDeletionVector(*small, SmallDv()));
  ASSERT_OK_AND_ASSIGN(auto mask, rows.KeepMask(0, 10));
  EXPECT_EQ(mask->ToString(),
            "[\n  false,\n  true,\n  true,\n  true,\n  true,\n  true,\n"
            "  true,\n  true,\n  true,\n  false\n]");
  EXPECT_EQ(rows.Max(), 9);

  ASSERT_OK_AND_ASSIGN(auto cdf,
                       FileSystemLogStore::Open(kTables + "cdf-table-with-cdc-and-dvs"));
  DeletionVectorDescriptor dv{"u", "Xq<G^UbT+TGkmx<+7Y=5", 1, 35, 6};
  ASSERT_OK_AND_ASSIGN(auto path, DeletionVectorFilePath(*cdf, dv));
  EXPECT_EQ(fs::path(path).filename(),
            "deletion_vector_b88e5353-aeaa-40f2-836b-a7b2ca85fcb7.bin");
  ASSERT_OK_AND_ASSIGN(auto cdf_rows, LoadDeletionVector(*cdf, dv));
  EXPECT_EQ(cdf_rows.ToVector(), (std::vector<int64_t>{0, 1, 2, 3, 4, 6}));
  EXPECT_EQ(cdf_rows.CountInRange(0, 8), 6);
}

}  // namespace
}  // namespace deltaline::delta
