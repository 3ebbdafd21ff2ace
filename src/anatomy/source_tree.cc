#include "anatomy/source_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

#include <arrow/util/utf8.h>

#include "anatomy/ids.h"

namespace deltaline::anatomy {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool EndsWithPy(std::string_view name) {
  return name.size() > 3 && name.substr(name.size() - 3) == ".py";
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

std::string Errno(int err) { return std::strerror(err); }

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "directory";
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "special file";
}

class Walker {
 public:
  Walker(std::string root, const SourceTreeOptions& options)
      : root_(std::move(root)), options_(options) {}

  std::vector<SourceFile> TakeFiles() { return std::move(files_); }
  const arrow::Status& root_status() const { return root_status_; }

  /// `rel` is the directory relative to the root ("" for the root); `st` its stat.
  void WalkDirectory(const std::string& rel, const struct stat& st) {
    const std::pair<dev_t, ino_t> key{st.st_dev, st.st_ino};
    on_path_.insert(key);
    const std::string abs = rel.empty() ? root_ : root_ + "/" + rel;
    DIR* dir = opendir(abs.c_str());
    if (dir == nullptr) {
      if (rel.empty()) {
        root_status_ =
            arrow::Status::IOError("source root '", root_, "': ", Errno(errno));
      } else {
        Add(rel, "unreadable directory: " + Errno(errno), nullptr);
      }
      on_path_.erase(key);
      return;
    }
    // Names are collected first so that no directory handle is held across recursion
    // (a deep tree would otherwise exhaust file descriptors).
    std::vector<std::string> names;
    while (const dirent* entry = readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    closedir(dir);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) VisitEntry(rel, name);
    on_path_.erase(key);
  }

 private:
  void VisitEntry(const std::string& dir_rel, const std::string& name) {
    const std::string rel = JoinPath(dir_rel, name);
    const std::string abs = root_ + "/" + rel;
    struct stat lst {};
    if (lstat(abs.c_str(), &lst) != 0) {
      // Gone between readdir and lstat: a race, reported rather than dropped.
      if (EndsWithPy(name)) Add(rel, "unreadable: " + Errno(errno), nullptr);
      return;
    }
    struct stat st = lst;
    if (S_ISLNK(lst.st_mode)) {
      if (!options_.follow_symlinks) {
        if (EndsWithPy(name)) Add(rel, "symlink (not followed)", &lst);
        return;
      }
      if (stat(abs.c_str(), &st) != 0) {
        const int err = errno;
        // A dangling link could have pointed anywhere; only one named like a Python
        // file is a file of the tree. A link cycle (ELOOP) is recorded whatever its
        // name: it may have been meant as a package directory.
        if (err == ELOOP) {
          Add(rel, "symlink loop", &lst);
        } else if (EndsWithPy(name)) {
          Add(rel, err == ENOENT ? "dangling symlink" : "unreadable: " + Errno(err),
              &lst);
        }
        return;
      }
    }
    if (S_ISDIR(st.st_mode)) {
      if (EndsWithPy(name)) Add(rel, "not a regular file (directory)", &st);
      if (IsExcluded(name)) return;
      if (on_path_.count({st.st_dev, st.st_ino}) != 0) {
        Add(rel, "symlink loop", &lst);
        return;
      }
      WalkDirectory(rel, st);
      return;
    }
    if (!EndsWithPy(name)) return;
    if (!S_ISREG(st.st_mode)) {
      Add(rel, std::string("not a regular file (") + KindOf(st.st_mode) + ")", &st);
      return;
    }
    Add(rel, "", &st);
  }

  bool IsExcluded(const std::string& name) const {
    return std::find(options_.exclude_dirs.begin(), options_.exclude_dirs.end(), name) !=
           options_.exclude_dirs.end();
  }

  void Add(const std::string& rel, std::string skip_reason, const struct stat* st) {
    SourceFile file;
    file.path = rel;
    file.file_id = StableId({"file", rel});
    file.module = ModuleNameOfPath(rel);
    const size_t slash = rel.rfind('/');
    file.is_package_init =
        rel.substr(slash == std::string::npos ? 0 : slash + 1) == "__init__.py";
    if (st != nullptr && S_ISREG(st->st_mode)) file.size = st->st_size;
    if (st != nullptr) file.mtime_ns = MtimeNs(*st);
    file.skip_reason = std::move(skip_reason);
    files_.push_back(std::move(file));
  }

  std::string root_;
  const SourceTreeOptions& options_;
  std::set<std::pair<dev_t, ino_t>> on_path_;
  std::vector<SourceFile> files_;
  arrow::Status root_status_;
};

/// The offset of the first byte where a strict UTF-8 decoder (Python's) fails: the
/// start of the first ill-formed sequence. -1 when `text` is valid.
int64_t FirstInvalidUtf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return static_cast<int64_t>(i);
    }
    if (i + 1 >= n || s[i + 1] < lo || s[i + 1] > hi) return static_cast<int64_t>(i);
    for (size_t k = 2; k < len; ++k) {
      if (i + k >= n || (s[i + k] & 0xC0) != 0x80) return static_cast<int64_t>(i);
    }
    i += len;
  }
  return -1;
}

int64_t PythonLineCount(std::string_view text) {
  if (text.empty()) return 0;
  const int64_t newlines = std::count(text.begin(), text.end(), '\n');
  return newlines + (text.back() == '\n' ? 0 : 1);
}

/// Reads the whole regular file at `abs` into `bytes`, refreshing size and mtime from
/// the open descriptor. Returns a skip reason, "" on success.
std::string ReadRegularFile(const std::string& abs, SourceFile* file,
                            std::string* bytes) {
  // O_NONBLOCK: a path that became a FIFO since the listing must not block the open.
  const int fd = open(abs.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    const int err = errno;
    if (err == ELOOP) return "symlink loop";
    return "unreadable: " + Errno(err);
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    const int err = errno;
    close(fd);
    return "unreadable: " + Errno(err);
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return std::string("not a regular file (") + KindOf(st.st_mode) + ")";
  }
  file->size = st.st_size;
  file->mtime_ns = MtimeNs(st);
  bytes->clear();
  bytes->reserve(static_cast<size_t>(st.st_size));
  char buffer[1 << 16];
  while (true) {
    const ssize_t got = read(fd, buffer, sizeof(buffer));
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      const int err = errno;
      close(fd);
      return "unreadable: " + Errno(err);
    }
    bytes->append(buffer, static_cast<size_t>(got));
  }
  close(fd);
  // What was read is what the hash and the state describe, even if the file grew.
  file->size = static_cast<int64_t>(bytes->size());
  return "";
}

}  // namespace

std::string ModuleNameOfPath(const std::string& relative_path) {
  std::string path = relative_path;
  if (EndsWithPy(path)) path.resize(path.size() - 3);
  if (path == "__init__") return "";
  const std::string init_suffix = "/__init__";
  if (path.size() > init_suffix.size() &&
      path.compare(path.size() - init_suffix.size(), init_suffix.size(), init_suffix) ==
          0) {
    path.resize(path.size() - init_suffix.size());
  }
  std::replace(path.begin(), path.end(), '/', '.');
  return path;
}

arrow::Result<std::vector<SourceFile>> ListSourceTree(const std::string& root,
                                                      const SourceTreeOptions& options) {
  std::string clean = root;
  while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
  struct stat st {};
  if (stat(clean.c_str(), &st) != 0) {
    return arrow::Status::IOError("source root '", root, "': ", Errno(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return arrow::Status::IOError("source root '", root, "' is not a directory");
  }
  Walker walker(clean, options);
  walker.WalkDirectory("", st);
  ARROW_RETURN_NOT_OK(walker.root_status());
  std::vector<SourceFile> files = walker.TakeFiles();
  std::sort(files.begin(), files.end(),
            [](const SourceFile& a, const SourceFile& b) { return a.path < b.path; });
  return files;
}

arrow::Status LoadSourceFile(const std::string& root, SourceFile* file) {
  if (file == nullptr) return arrow::Status::Invalid("LoadSourceFile: null file");
  if (!file->skip_reason.empty()) return arrow::Status::OK();
  file->sha256.clear();
  file->encoding.clear();
  file->first_invalid_byte = -1;
  file->text.clear();
  file->line_count = 0;

  std::string bytes;
  std::string reason = ReadRegularFile(root + "/" + file->path, file, &bytes);
  if (!reason.empty()) {
    file->skip_reason = std::move(reason);
    return arrow::Status::OK();
  }
  file->sha256 = Sha256Hex(bytes);
  const void* nul = std::memchr(bytes.data(), '\0', bytes.size());
  if (nul != nullptr) {
    const auto offset = static_cast<const char*>(nul) - bytes.data();
    file->skip_reason =
        "binary content (NUL byte at offset " + std::to_string(offset) + ")";
    return arrow::Status::OK();
  }
  file->encoding = "utf-8";
  if (std::string_view(bytes).substr(0, kBom.size()) == kBom) {
    file->encoding = "utf-8-sig";
    bytes.erase(0, kBom.size());
  }
  arrow::util::InitializeUTF8();
  if (!arrow::util::ValidateUTF8(bytes)) {
    file->encoding = "invalid-utf-8";
    file->first_invalid_byte = FirstInvalidUtf8(bytes);
  }
  file->line_count = PythonLineCount(bytes);
  file->text = std::move(bytes);
  return arrow::Status::OK();
}

}  // namespace deltaline::anatomy
