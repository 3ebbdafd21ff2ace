#include "anatomy/source_tree.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "anatomy/ids.h"
#include "anatomy/source_tree_test_util.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

namespace fs = std::filesystem;
using deltaline::testing::TempDir;

std::map<std::string, SourceFile> ByPath(std::vector<SourceFile> files) {
  std::map<std::string, SourceFile> out;
  for (auto& f : files) out[f.path] = std::move(f);
  return out;
}

TEST(SourceTreeTest, ModuleNameOfPath) {
  EXPECT_EQ(ModuleNameOfPath("a/b.py"), "a.b");
  EXPECT_EQ(ModuleNameOfPath("a/__init__.py"), "a");
  EXPECT_EQ(ModuleNameOfPath("__init__.py"), "");
  EXPECT_EQ(ModuleNameOfPath("top.py"), "top");
  EXPECT_EQ(ModuleNameOfPath("a/b/c/__init__.py"), "a.b.c");
  EXPECT_EQ(ModuleNameOfPath("a/my__init__.py"), "a.my__init__");
}

TEST(SourceTreeTest, ListsSortedWithModulesPackagesAndExclusions) {
  TempDir dir;
  const fs::path& root = dir.path();
  WriteFile(root / "top.py", "x = 1\n");
  WriteFile(root / "pkg/__init__.py", "");
  WriteFile(root / "pkg/mod.py", "def f():\n    pass\n");
  WriteFile(root / "pkg/sub/__init__.py", "");
  WriteFile(root / "pkg/sub/deep.py", "import os\n");
  WriteFile(root / "pkg/README.md", "not python\n");
  WriteFile(root / "pkg/mod.pyc", "nope");
  WriteFile(root / "pkg/__pycache__/mod.cpython-311.py", "excluded\n");
  WriteFile(root / "env/lib/site-packages/third.py", "excluded\n");
  WriteFile(root / "env/lib/dist-packages/third.py", "excluded\n");
  WriteFile(root / ".git/hooks/hook.py", "excluded\n");
  WriteFile(root / "node_modules/x/y.py", "excluded\n");
  WriteFile(root / "A.py", "upper sorts first\n");

  ASSERT_OK_AND_ASSIGN(auto files, ListSourceTree(dir.str()));
  std::vector<std::string> paths;
  for (const auto& f : files) paths.push_back(f.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"A.py", "pkg/__init__.py", "pkg/mod.py",
                                             "pkg/sub/__init__.py", "pkg/sub/deep.py",
                                             "top.py"}));
  const auto by = ByPath(files);
  EXPECT_EQ(by.at("pkg/__init__.py").module, "pkg");
  EXPECT_TRUE(by.at("pkg/__init__.py").is_package_init);
  EXPECT_EQ(by.at("pkg/sub/deep.py").module, "pkg.sub.deep");
  EXPECT_FALSE(by.at("pkg/sub/deep.py").is_package_init);
  EXPECT_EQ(by.at("top.py").module, "top");
  for (const auto& f : files) {
    SCOPED_TRACE(f.path);
    EXPECT_EQ(f.file_id, StableId({"file", f.path}));
    EXPECT_EQ(f.skip_reason, "");
    EXPECT_EQ(f.size, static_cast<int64_t>(fs::file_size(root / f.path)));
    struct stat st {};
    ASSERT_EQ(stat((root / f.path).c_str(), &st), 0);
    EXPECT_EQ(f.mtime_ns, st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
    // Listing does not read.
    EXPECT_EQ(f.sha256, "");
    EXPECT_EQ(f.text, "");
  }
  EXPECT_EQ(by.at("pkg/mod.py").size, 18);

  // Exclusions are configurable.
  SourceTreeOptions options;
  options.exclude_dirs = {"__pycache__"};
  ASSERT_OK_AND_ASSIGN(auto all, ListSourceTree(dir.str() + "/", options));
  const auto by_all = ByPath(all);
  EXPECT_EQ(by_all.count("env/lib/site-packages/third.py"), 1u);
  EXPECT_EQ(by_all.count(".git/hooks/hook.py"), 1u);
  EXPECT_EQ(by_all.count("pkg/__pycache__/mod.cpython-311.py"), 0u);
}

TEST(SourceTreeTest, MissingRootIsAnIOErrorNamingIt) {
  TempDir dir;
  auto result = ListSourceTree(dir.str() + "/nope");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsIOError());
  EXPECT_NE(result.status().message().find("nope"), std::string::npos);
  WriteFile(dir.path() / "file.py", "");
  result = ListSourceTree(dir.str() + "/file.py");
  ASSERT_FALSE(result.ok());
  EXPECT_TRUE(result.status().IsIOError());
}

TEST(SourceTreeTest, BadInputIsAccountedForPerPath) {
  TempDir dir;
  const fs::path root = dir.path();
  const auto expected = MakeBadTree(root);

  ASSERT_OK_AND_ASSIGN(auto files, ListSourceTree(dir.str()));
  std::vector<std::string> listed;
  for (const auto& f : files) listed.push_back(f.path);
  std::vector<std::string> want;
  for (const auto& [path, reason] : expected) want.push_back(path);
  EXPECT_EQ(listed, want);  // sorted, each once: the loop was not followed

  for (auto& f : files) ASSERT_OK(LoadSourceFile(dir.str(), &f));
  for (const auto& f : files) {
    SCOPED_TRACE(f.path);
    EXPECT_EQ(f.skip_reason, expected.at(f.path));
    if (!f.skip_reason.empty()) {
      EXPECT_EQ(f.text, "");
    }
  }
  const auto by = ByPath(std::move(files));

  const SourceFile& bad = by.at("undecodable.py");
  EXPECT_EQ(bad.encoding, "invalid-utf-8");
  EXPECT_EQ(bad.first_invalid_byte, 6);
  EXPECT_EQ(bad.text, "x = 1\n\xff\xfe = 2\ny = '\xc3\xa9'\n");  // kept: still parsed
  EXPECT_EQ(bad.line_count, 3);

  const SourceFile& empty = by.at("empty.py");
  EXPECT_EQ(empty.encoding, "utf-8");
  EXPECT_EQ(empty.size, 0);
  EXPECT_EQ(empty.line_count, 0);
  EXPECT_EQ(empty.sha256, Sha256Hex(""));

  EXPECT_EQ(by.at("crlf.py").line_count, 3);
  EXPECT_EQ(by.at("crlf.py").text, "a = 1\r\nb = 2\r\nc = 3");
  EXPECT_EQ(by.at("crlf.py").encoding, "utf-8");

  const SourceFile& bom = by.at("bom.py");
  EXPECT_EQ(bom.encoding, "utf-8-sig");
  EXPECT_EQ(bom.text, "x = 1\n");
  EXPECT_EQ(bom.size, 9);  // on disk, BOM included
  EXPECT_EQ(bom.sha256, Sha256Hex("\xEF\xBB\xBFx = 1\n"));
  EXPECT_EQ(bom.first_invalid_byte, -1);

  const SourceFile& multi = by.at("multibyte.py");
  EXPECT_EQ(multi.encoding, "utf-8");
  EXPECT_EQ(multi.text, kMultibyteSource);
  EXPECT_EQ(multi.line_count, 3);

  const SourceFile& big = by.at("big.py");
  EXPECT_GE(big.size, 50 << 20);
  EXPECT_EQ(big.sha256, Sha256Hex(ReadAll(root / "big.py")));
  EXPECT_EQ(big.line_count, CountLines(ReadAll(root / "big.py")));
  EXPECT_EQ(big.encoding, "utf-8");

  // A file link is read through; its path is the link's.
  EXPECT_EQ(by.at("pkg/link.py").text, "def f():\n    return 1\n");
  EXPECT_EQ(by.at("pkg/link.py").module, "pkg.link");
  EXPECT_EQ(by.at("y.py/inner.py").text, "z = 3\n");
  EXPECT_EQ(by.at("z.py").sha256, Sha256Hex(ReadAll(root / "z.py")));
}

TEST(SourceTreeTest, LoadNeverOpensAFifoBlocking) {
  // The path became a FIFO after the listing: the load reports it, without blocking.
  TempDir dir;
  ASSERT_EQ(mkfifo((dir.path() / "late.py").c_str(), 0644), 0);
  SourceFile file;
  file.path = "late.py";
  ASSERT_OK(LoadSourceFile(dir.str(), &file));
  EXPECT_EQ(file.skip_reason, "not a regular file (FIFO)");
  SourceFile gone;
  gone.path = "gone.py";
  ASSERT_OK(LoadSourceFile(dir.str(), &gone));
  EXPECT_EQ(gone.skip_reason, "unreadable: No such file or directory");
  EXPECT_FALSE(LoadSourceFile(dir.str(), nullptr).ok());
}

TEST(SourceTreeTest, UnreadableFileAndDirectoryUnderChmod) {
  if (geteuid() == 0) {
    GTEST_SKIP() << "running as root: permissions do not deny reads (unreadability is "
                    "covered by the FIFO, directory and dangling-link cases)";
  }
  TempDir dir;
  WriteFile(dir.path() / "secret.py", "x = 1\n");
  WriteFile(dir.path() / "closed/inner.py", "x = 1\n");
  fs::permissions(dir.path() / "secret.py", fs::perms::none);
  fs::permissions(dir.path() / "closed", fs::perms::none);
  ASSERT_OK_AND_ASSIGN(auto files, ListSourceTree(dir.str()));
  fs::permissions(dir.path() / "closed", fs::perms::owner_all);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "closed");
  EXPECT_EQ(files[0].skip_reason, "unreadable directory: Permission denied");
  ASSERT_OK(LoadSourceFile(dir.str(), &files[1]));
  EXPECT_EQ(files[1].skip_reason, "unreadable: Permission denied");
}

TEST(SourceTreeTest, SymlinksNotFollowedWhenAsked) {
  TempDir dir;
  WriteFile(dir.path() / "real/a.py", "a = 1\n");
  fs::create_directory_symlink("real", dir.path() / "alias");
  fs::create_symlink("real/a.py", dir.path() / "b.py");
  SourceTreeOptions options;
  options.follow_symlinks = false;
  ASSERT_OK_AND_ASSIGN(auto files, ListSourceTree(dir.str(), options));
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "b.py");
  EXPECT_EQ(files[0].skip_reason, "symlink (not followed)");
  EXPECT_EQ(files[1].path, "real/a.py");
  // Followed (the default), the directory link lists its files under its own path.
  ASSERT_OK_AND_ASSIGN(files, ListSourceTree(dir.str()));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "alias/a.py");
  EXPECT_EQ(files[0].module, "alias.a");
  EXPECT_EQ(files[1].path, "b.py");
  EXPECT_EQ(files[1].skip_reason, "");
}

}  // namespace
}  // namespace deltaline::anatomy
