#pragma once

// Test helpers shared by the source-tree, extract-all and change-set tests: files on
// disk, and the tree of bad input the issue lists (each path with the skip reason it
// must end with after listing and loading, "" when it is parsed).

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace deltaline::anatomy {

inline void WriteFile(const std::filesystem::path& path, const std::string& bytes) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  ASSERT_TRUE(out.good()) << path;
}

inline std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline int64_t CountLines(const std::string& text) {
  if (text.empty()) return 0;
  return std::count(text.begin(), text.end(), '\n') + (text.back() == '\n' ? 0 : 1);
}

/// A Unix socket bound at `path` (closed again: the socket file stays).
inline void MakeSocketFile(const std::filesystem::path& path) {
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  const std::string p = path.string();
  ASSERT_LT(p.size(), sizeof(addr.sun_path)) << "temp path too long for a socket";
  std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0)
      << std::strerror(errno);
  close(fd);
}

inline constexpr const char* kMultibyteSource =
    "caf\xc3\xa9 = 1\ndef na\xc3\xafve(\xce\xbb):\n    return \xce\xbb + caf\xc3\xa9\n";

/// A generated module of at least 50 MiB: many functions, then one huge data literal
/// (a realistic generated table; all of it real syntax).
inline std::string BigSource() {
  std::string text;
  text.reserve((50 << 20) + (1 << 20));
  for (int i = 0; i < 2000; ++i) {
    text += "def f_" + std::to_string(i) + "(x):\n    return g(x, " + std::to_string(i) +
            ")\n";
  }
  text += "DATA = \"\"\"\n";
  const std::string line(99, 'a');
  while (text.size() < (50u << 20)) text += line + "\n";
  text += "\"\"\"\n";
  return text;
}

/// The bad input under `root`; returns every path the listing must give (sorted,
/// as a map) with the skip reason it has after LoadSourceFile.
inline std::map<std::string, std::string> MakeBadTree(const std::filesystem::path& root) {
  namespace fs = std::filesystem;
  WriteFile(root / "undecodable.py", "x = 1\n\xff\xfe = 2\ny = '\xc3\xa9'\n");
  WriteFile(root / "empty.py", "");
  WriteFile(root / "big.py", BigSource());
  WriteFile(root / "crlf.py", "a = 1\r\nb = 2\r\nc = 3");
  WriteFile(root / "bom.py", "\xEF\xBB\xBFx = 1\n");
  WriteFile(root / "multibyte.py", kMultibyteSource);
  WriteFile(root / "pkg/__init__.py", "");
  WriteFile(root / "pkg/a.py", "def f():\n    return 1\n");
  // A directory link to its parent: the loop is recorded, never followed.
  fs::create_directory_symlink("..", root / "pkg/up");
  fs::create_symlink("a.py", root / "pkg/link.py");
  fs::create_symlink("does-not-exist.py", root / "dangling.py");
  fs::create_symlink("selfloop.py", root / "selfloop.py");
  EXPECT_EQ(mkfifo((root / "x.py").c_str(), 0644), 0);
  WriteFile(root / "y.py/inner.py", "z = 3\n");
  WriteFile(root / "z.py", std::string("\x7f"
                                       "ELF\x02\x01\x00\x00 binary",
                                       16));
  MakeSocketFile(root / "s.py");
  return {
      {"big.py", ""},
      {"bom.py", ""},
      {"crlf.py", ""},
      {"dangling.py", "dangling symlink"},
      {"empty.py", ""},
      {"multibyte.py", ""},
      {"pkg/__init__.py", ""},
      {"pkg/a.py", ""},
      {"pkg/link.py", ""},
      {"pkg/up", "symlink loop"},
      {"s.py", "not a regular file (socket)"},
      {"selfloop.py", "symlink loop"},
      {"undecodable.py", ""},
      {"x.py", "not a regular file (FIFO)"},
      {"y.py", "not a regular file (directory)"},
      {"y.py/inner.py", ""},
      {"z.py", "binary content (NUL byte at offset 6)"},
  };
}

}  // namespace deltaline::anatomy
