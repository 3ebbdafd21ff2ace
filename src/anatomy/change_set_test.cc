#include "anatomy/change_set.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "anatomy/ids.h"
#include "anatomy/source_tree.h"
#include "anatomy/source_tree_test_util.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

namespace fs = std::filesystem;
using deltaline::testing::TempDir;

constexpr int64_t kSecond = 1000000000LL;

void SetMtime(const fs::path& path, int64_t ns) {
  const timespec times[2] = {{ns / kSecond, ns % kSecond}, {ns / kSecond, ns % kSecond}};
  ASSERT_EQ(utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

/// The state a full run leaves: every listed file read.
std::vector<FileState> FullRunState(const std::string& root) {
  auto files = ListSourceTree(root).ValueOrDie();
  std::vector<FileState> state;
  for (auto& f : files) {
    EXPECT_TRUE(LoadSourceFile(root, &f).ok());
    state.push_back(FileStateOf(f));
  }
  return state;
}

std::vector<std::string> Paths(const std::vector<SourceFile>& files) {
  std::vector<std::string> out;
  for (const auto& f : files) out.push_back(f.path);
  return out;
}

std::vector<std::string> Paths(const std::vector<FileState>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.path);
  return out;
}

using Strings = std::vector<std::string>;

TEST(ChangeSetTest, FirstRunAddsEverythingWithoutReading) {
  TempDir dir;
  WriteFile(dir.path() / "a.py", "a = 1\n");
  WriteFile(dir.path() / "pkg/__init__.py", "");
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ASSERT_OK_AND_ASSIGN(auto changes, ComputeChangeSet(dir.str(), listed, {}));
  EXPECT_EQ(Paths(changes.added), (Strings{"a.py", "pkg/__init__.py"}));
  EXPECT_TRUE(changes.changed.empty() && changes.unchanged.empty() &&
              changes.deleted.empty() && changes.renamed.empty());
  EXPECT_EQ(changes.read_count, 0u);
  EXPECT_EQ(changes.added[0].sha256, "");
}

TEST(ChangeSetTest, ClassifiesEveryKindOfChange) {
  TempDir dir;
  const fs::path root = dir.path();
  const int64_t t0 = 1700000000 * kSecond;
  WriteFile(root / "a.py", "a = 1\n");
  WriteFile(root / "b.py", "x = 1\n");
  WriteFile(root / "c.py", "c = 1\n");
  WriteFile(root / "d.py", "d = 1\n");
  WriteFile(root / "e.py", "e = 1\n");
  WriteFile(root / "mv.py", "def moved():\n    pass\n");
  WriteFile(root / "sneaky.py", "s = 1\n");
  WriteFile(root / "bin.py", std::string("\x00\x01", 2));
  WriteFile(root / "pkg/__init__.py", "");
  ASSERT_EQ(mkfifo((root / "fifo.py").c_str(), 0644), 0);
  for (const char* p : {"a.py", "b.py", "c.py", "d.py", "e.py", "mv.py", "sneaky.py",
                        "bin.py", "pkg/__init__.py"}) {
    SetMtime(root / p, t0);
  }
  const std::vector<FileState> previous = FullRunState(dir.str());
  ASSERT_EQ(previous.size(), 10u);

  WriteFile(root / "b.py", "x = 2\n");  // same size, new content
  SetMtime(root / "b.py", t0 + kSecond);
  WriteFile(root / "c.py", "c = 100\n");
  SetMtime(root / "e.py", t0 + kSecond);  // touched, identical
  fs::remove(root / "d.py");
  fs::create_directories(root / "sub");
  fs::rename(root / "mv.py", root / "sub/mv.py");
  WriteFile(root / "new.py", "n = 1\n");
  fs::remove(root / "fifo.py");
  WriteFile(root / "fifo.py", "now = 'readable'\n");  // skipped → readable
  // Edited behind the quick check's back (same size, mtime restored): git would miss it
  // too; only verify_hashes sees it.
  WriteFile(root / "sneaky.py", "s = 2\n");
  SetMtime(root / "sneaky.py", t0);

  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ASSERT_OK_AND_ASSIGN(auto changes, ComputeChangeSet(dir.str(), listed, previous));
  EXPECT_EQ(Paths(changes.added), (Strings{"new.py"}));
  EXPECT_EQ(Paths(changes.changed), (Strings{"b.py", "c.py", "fifo.py"}));
  EXPECT_EQ(Paths(changes.unchanged),
            (Strings{"a.py", "bin.py", "e.py", "pkg/__init__.py", "sneaky.py"}));
  EXPECT_EQ(Paths(changes.deleted), (Strings{"d.py"}));
  ASSERT_EQ(changes.renamed.size(), 1u);
  EXPECT_EQ(changes.renamed[0].first.path, "mv.py");
  EXPECT_EQ(changes.renamed[0].second.path, "sub/mv.py");
  EXPECT_EQ(changes.renamed[0].second.module, "sub.mv");
  EXPECT_EQ(changes.renamed[0].second.file_id, StableId({"file", "sub/mv.py"}));
  EXPECT_EQ(changes.renamed[0].second.sha256, changes.renamed[0].first.sha256);
  // Read: b, c, e and fifo (stat differs), new and sub/mv (hashed for moves).
  EXPECT_EQ(changes.read_count, 6u);

  // Changed files carry their text for extraction; the unchanged carry their hash.
  EXPECT_EQ(changes.changed[0].text, "x = 2\n");
  EXPECT_EQ(changes.changed[0].sha256, Sha256Hex("x = 2\n"));
  EXPECT_EQ(changes.changed[2].skip_reason, "");
  EXPECT_EQ(changes.changed[2].text, "now = 'readable'\n");
  for (const auto& f : changes.unchanged) {
    SCOPED_TRACE(f.path);
    EXPECT_EQ(f.text, "");
    EXPECT_FALSE(f.sha256.empty());
  }
  EXPECT_EQ(changes.unchanged[1].skip_reason, "binary content (NUL byte at offset 0)");
  EXPECT_EQ(changes.unchanged[2].mtime_ns, t0 + kSecond);  // the new state's mtime

  ChangeSetOptions verify;
  verify.verify_hashes = true;
  verify.keep_text = false;
  ASSERT_OK_AND_ASSIGN(auto verified,
                       ComputeChangeSet(dir.str(), listed, previous, verify));
  EXPECT_EQ(Paths(verified.changed), (Strings{"b.py", "c.py", "fifo.py", "sneaky.py"}));
  EXPECT_EQ(Paths(verified.unchanged),
            (Strings{"a.py", "bin.py", "e.py", "pkg/__init__.py"}));
  EXPECT_EQ(verified.read_count, 10u);
  for (const auto& f : verified.changed) {
    EXPECT_EQ(f.text, "");
    EXPECT_FALSE(f.sha256.empty());
  }
}

TEST(ChangeSetTest, ReadableBecomesSkippedAndSkippedComparesByReason) {
  TempDir dir;
  const fs::path root = dir.path();
  WriteFile(root / "gone_dir.py", "x = 1\n");
  fs::create_symlink("nowhere.py", root / "dangling.py");
  WriteFile(root / "bin.py", std::string("ab\x00", 3));
  const auto previous = FullRunState(dir.str());
  fs::remove(root / "gone_dir.py");
  fs::create_directories(root / "gone_dir.py");           // now a directory named .py
  WriteFile(root / "bin.py", std::string("abc\x00", 4));  // still binary, new bytes
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ASSERT_OK_AND_ASSIGN(auto changes, ComputeChangeSet(dir.str(), listed, previous));
  EXPECT_EQ(Paths(changes.changed), (Strings{"bin.py", "gone_dir.py"}));
  EXPECT_EQ(changes.changed[0].skip_reason, "binary content (NUL byte at offset 3)");
  EXPECT_EQ(changes.changed[1].skip_reason, "not a regular file (directory)");
  EXPECT_EQ(Paths(changes.unchanged), (Strings{"dangling.py"}));  // same reason
  EXPECT_TRUE(changes.added.empty() && changes.deleted.empty());
}

TEST(ChangeSetTest, RenamesPreferTheSameBaseNameAndIgnoreEmptyFiles) {
  TempDir dir;
  const fs::path root = dir.path();
  const std::string same = "def helper():\n    return 42\n";
  WriteFile(root / "a/util.py", same);
  WriteFile(root / "b/other.py", same);
  WriteFile(root / "a/__init__.py", "");
  const auto previous = FullRunState(dir.str());
  fs::remove_all(root / "a");
  fs::remove_all(root / "b");
  WriteFile(root / "c/other.py", same);
  WriteFile(root / "c/util.py", same);
  WriteFile(root / "c/__init__.py", "");
  ASSERT_OK_AND_ASSIGN(auto listed, ListSourceTree(dir.str()));
  ASSERT_OK_AND_ASSIGN(auto changes, ComputeChangeSet(dir.str(), listed, previous));
  ASSERT_EQ(changes.renamed.size(), 2u);
  EXPECT_EQ(changes.renamed[0].first.path, "b/other.py");
  EXPECT_EQ(changes.renamed[0].second.path, "c/other.py");
  EXPECT_EQ(changes.renamed[1].first.path, "a/util.py");
  EXPECT_EQ(changes.renamed[1].second.path, "c/util.py");
  EXPECT_EQ(Paths(changes.added), (Strings{"c/__init__.py"}));
  EXPECT_EQ(Paths(changes.deleted), (Strings{"a/__init__.py"}));
}

TEST(ChangeSetTest, DuplicateStatePathIsInvalid) {
  TempDir dir;
  FileState row;
  row.path = "a.py";
  auto result = ComputeChangeSet(dir.str(), {}, {row, row});
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsInvalid());
}

}  // namespace
}  // namespace deltaline::anatomy
