// Damaged, foreign and missing logs: every case must give a typed error (never a
// crash) and leave the directory exactly as it was, also when a write is attempted.

#include <arrow/api.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/write.h"
#include "test_util.h"

namespace deltaline::delta {
namespace {

using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;
namespace fs = std::filesystem;

/// Every regular file under `root`: relative path → (size, contents).
std::map<std::string, std::string> DirContents(const fs::path& root) {
  std::map<std::string, std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    out[fs::relative(entry.path(), root).string()] = bytes.str();
  }
  return out;
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::shared_ptr<arrow::Table> Rows(int64_t first, int64_t count) {
  arrow::Int64Builder ids;
  for (int64_t row = first; row < first + count; ++row) EXPECT_TRUE(ids.Append(row).ok());
  return arrow::Table::Make(arrow::schema({arrow::field("id", arrow::int64())}),
                            {ids.Finish().ValueOrDie()});
}

fs::path LogPath(const fs::path& root, int64_t version) {
  return root / "_delta_log" / CommitFileName(version);
}

class BadLogTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(dir_.path() / "table"); }

  void Open(const fs::path& root) {
    root_ = root;
    store_ = FileSystemLogStore::Open(root_.string()).ValueOrDie();
  }

  /// Commits versions 0..latest, one row each.
  void MakeTable(int64_t latest, StringMap properties = {}) {
    for (int64_t version = 0; version <= latest; ++version) {
      WriteOptions options;
      options.mode = SaveMode::kAppend;
      options.table_properties = properties;
      ASSERT_OK(WriteTable(*store_, *Rows(version, 1), options));
    }
  }

  arrow::Status Append() {
    WriteOptions options;
    options.mode = SaveMode::kAppend;
    return WriteTable(*store_, *Rows(1000, 1), options).status();
  }

  arrow::Status Overwrite() {
    WriteOptions options;
    options.mode = SaveMode::kOverwrite;
    return WriteTable(*store_, *Rows(1000, 1), options).status();
  }

  /// Loading and writing both fail with `kind`; nothing under the root changes.
  void ExpectRefused(ErrorKind kind, const std::string& message_part,
                     const std::string& feature = "") {
    auto before = DirContents(root_);
    auto loaded = Snapshot::Load(*store_);
    ASSERT_FALSE(loaded.ok());
    for (const arrow::Status& st : {loaded.status(), Append(), Overwrite()}) {
      ASSERT_FALSE(st.ok());
      EXPECT_TRUE(IsKind(st, kind))
          << ErrorKindName(kind) << " expected: " << st.ToString();
      EXPECT_NE(st.message().find(message_part), std::string::npos) << st.message();
      if (!feature.empty()) {
        ASSERT_NE(GetDeltaDetail(st), nullptr) << st.ToString();
        EXPECT_EQ(GetDeltaDetail(st)->feature(), feature);
      }
    }
    EXPECT_EQ(DirContents(root_), before);
  }

  TempDir dir_;
  fs::path root_;
  std::unique_ptr<FileSystemLogStore> store_;
};

TEST_F(BadLogTest, MalformedJsonLineNamesFileAndLine) {
  MakeTable(2);
  fs::path commit = LogPath(root_, 1);
  std::string text = ReadText(commit);
  size_t first_line_end = text.find('\n');
  ASSERT_NE(first_line_end, std::string::npos);
  text.insert(first_line_end + 1, "{\"add\": {\"path\": \"x.parquet\", oops\n");
  WriteText(commit, text);
  ExpectRefused(ErrorKind::kProtocol, CommitFileName(1) + ":2");
  // Versions before the damage still load.
  SnapshotRequest v0;
  v0.version = 0;
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_, v0));
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store_, snapshot));
  EXPECT_TRUE(TablesEqualUnordered(*Rows(0, 1), *rows));
}

TEST_F(BadLogTest, TruncatedAndNonObjectLines) {
  MakeTable(1);
  fs::path commit = LogPath(root_, 1);
  std::string original = ReadText(commit);
  // The last line cut in half, as a crash mid-write on a non-atomic store leaves it.
  std::string cut = original.substr(0, original.size() - 20);
  size_t lines = static_cast<size_t>(std::count(cut.begin(), cut.end(), '\n')) + 1;
  WriteText(commit, cut);
  ExpectRefused(ErrorKind::kProtocol, CommitFileName(1) + ":" + std::to_string(lines));
  WriteText(commit, original + "[1, 2, 3]\n");
  lines = static_cast<size_t>(std::count(original.begin(), original.end(), '\n')) + 1;
  ExpectRefused(ErrorKind::kProtocol, CommitFileName(1) + ":" + std::to_string(lines));
}

TEST_F(BadLogTest, MissingVersionIsAProtocolError) {
  MakeTable(4);
  ASSERT_TRUE(fs::remove(LogPath(root_, 2)));
  ExpectRefused(ErrorKind::kProtocol, CommitFileName(2));
  SnapshotRequest request;
  request.version = 1;
  ASSERT_OK_AND_ASSIGN(auto v1, Snapshot::Load(*store_, request));
  EXPECT_EQ(v1->version(), 1);
  request.version = 3;
  auto v3 = Snapshot::Load(*store_, request);
  EXPECT_TRUE(IsKind(v3.status(), ErrorKind::kProtocol)) << v3.status().ToString();
}

TEST_F(BadLogTest, TruncatedCheckpointIsAProtocolError) {
  MakeTable(2, {{"delta.checkpointInterval", "2"}});
  fs::path checkpoint = root_ / "_delta_log" / CheckpointFileName(2);
  ASSERT_TRUE(fs::exists(checkpoint));
  const std::string original = ReadText(checkpoint);
  for (size_t keep : {original.size() / 2, original.size() - 1, size_t{8}, size_t{0}}) {
    SCOPED_TRACE("kept " + std::to_string(keep) + " bytes");
    WriteText(checkpoint, original.substr(0, keep));
    ExpectRefused(ErrorKind::kProtocol, CheckpointFileName(2));
  }
}

TEST_F(BadLogTest, UnknownReaderFeatureIsRefusedByName) {
  Protocol protocol;
  protocol.min_reader_version = 3;
  protocol.min_writer_version = 7;
  protocol.reader_features = std::vector<std::string>{"futureFeature"};
  protocol.writer_features = std::vector<std::string>{"futureFeature"};
  Metadata metadata;
  metadata.id = "hand-written";
  metadata.schema_string =
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}}]})";
  CommitInfo info;
  info.timestamp = 1700000000000;
  info.operation = "CREATE TABLE";
  ASSERT_OK(store_->PutIfAbsent(CommitFileName(0),
                                SerializeCommitFile({info, protocol, metadata})));
  ExpectRefused(ErrorKind::kUnsupportedFeature, "futureFeature", "futureFeature");
  // Inspection tools may still open it.
  SnapshotRequest inspect;
  inspect.check_read_support = false;
  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_, inspect));
  EXPECT_EQ(snapshot->protocol(), protocol);
}

TEST_F(BadLogTest, UnknownWriterFeatureReadsButRefusesWrites) {
  MakeTable(1);
  Protocol protocol;
  protocol.min_reader_version = 1;
  protocol.min_writer_version = 7;
  protocol.writer_features =
      std::vector<std::string>{"appendOnly", "futureWriterFeature"};
  CommitInfo info;
  info.timestamp = 1700000000000;
  info.operation = "UPGRADE PROTOCOL";
  ASSERT_OK(
      store_->PutIfAbsent(CommitFileName(2), SerializeCommitFile({info, protocol})));

  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->protocol(), protocol);
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store_, snapshot));
  EXPECT_TRUE(TablesEqualUnordered(*Rows(0, 2), *rows));

  auto before = DirContents(root_);
  for (const arrow::Status& st : {Append(), Overwrite()}) {
    EXPECT_TRUE(IsKind(st, ErrorKind::kUnsupportedFeature)) << st.ToString();
    ASSERT_NE(GetDeltaDetail(st), nullptr);
    EXPECT_EQ(GetDeltaDetail(st)->feature(), "futureWriterFeature");
    EXPECT_NE(st.message().find("futureWriterFeature"), std::string::npos)
        << st.message();
  }
  EXPECT_EQ(DirContents(root_), before);
}

TEST_F(BadLogTest, DanglingLastCheckpointIsOnlyAHint) {
  MakeTable(4);
  LastCheckpointHint hint;
  hint.version = 3;
  hint.size = 4;
  ASSERT_OK(store_->PutReplace(kLastCheckpointName, SerializeLastCheckpoint(hint)));
  auto before = DirContents(root_);

  ASSERT_OK_AND_ASSIGN(auto snapshot, Snapshot::Load(*store_));
  EXPECT_EQ(snapshot->version(), 4);
  EXPECT_FALSE(snapshot->checkpoint_version().has_value());
  ASSERT_OK_AND_ASSIGN(auto rows, ReadSnapshot(*store_, snapshot));
  EXPECT_TRUE(TablesEqualUnordered(*Rows(0, 5), *rows));
  EXPECT_EQ(DirContents(root_), before);

  // With the commits it would have replaced gone, the table cannot be rebuilt.
  for (int64_t version = 0; version <= 2; ++version)
    ASSERT_TRUE(fs::remove(LogPath(root_, version)));
  before = DirContents(root_);
  auto loaded = Snapshot::Load(*store_);
  ASSERT_FALSE(loaded.ok());
  const arrow::Status& st = loaded.status();
  EXPECT_TRUE(IsKind(st, ErrorKind::kProtocol) || IsKind(st, ErrorKind::kVersionNotFound))
      << st.ToString();
  EXPECT_NE(st.message().find("_last_checkpoint"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("version 3"), std::string::npos) << st.message();
  EXPECT_FALSE(Append().ok());
  EXPECT_EQ(DirContents(root_), before);
}

TEST_F(BadLogTest, NoTableIsTableNotFound) {
  for (const fs::path& root :
       {dir_.path() / "missing", dir_.path() / "empty", dir_.path() / "empty-log"}) {
    SCOPED_TRACE(root.string());
    if (root.filename() == "empty") fs::create_directories(root);
    if (root.filename() == "empty-log") fs::create_directories(root / "_delta_log");
    Open(root);
    auto before = DirContents(dir_.path());
    bool existed = fs::exists(root);
    auto loaded = Snapshot::Load(*store_);
    EXPECT_TRUE(IsKind(loaded.status(), ErrorKind::kTableNotFound))
        << loaded.status().ToString();
    auto history = ReadHistory(*store_);
    EXPECT_TRUE(IsKind(history.status(), ErrorKind::kTableNotFound))
        << history.status().ToString();
    EXPECT_EQ(DirContents(dir_.path()), before);
    EXPECT_EQ(fs::exists(root), existed);
  }
}

/// A table from the shared corpus, copied so that the test can never write into it.
class ForeignTableTest
    : public BadLogTest,
      public ::testing::WithParamInterface<std::tuple<const char*, const char*, const char*>> {};

TEST_P(ForeignTableTest, UnsupportedReaderFeatureIsRefusedByName) {
  const auto& [table, feature, message_part] = GetParam();
  fs::path source =
      fs::path(DELTALINE_SOURCE_DIR) / ".." / "shared" / "delta-tables" / table;
  if (!fs::exists(source)) GTEST_SKIP() << "no " << source;
  fs::copy(source, dir_.path() / table, fs::copy_options::recursive);
  Open(dir_.path() / table);
  ExpectRefused(ErrorKind::kUnsupportedFeature, message_part, feature);
}

// Every other shared table reads now; this one asks for a reader version that does not
// exist (and an unknown reader feature).
INSTANTIATE_TEST_SUITE_P(SharedTables, ForeignTableTest,
                         ::testing::Values(std::make_tuple("simple_table_features",
                                                           "readerVersion:5",
                                                           "reader version 5")));

}  // namespace
}  // namespace deltaline::delta
