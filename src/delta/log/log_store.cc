#include "delta/log/log_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include <arrow/filesystem/localfs.h>
#include <arrow/io/interfaces.h>
#include <arrow/memory_pool.h>
#include <arrow/util/uri.h>

#include "delta/base/errors.h"
#include "delta/base/filenames.h"

namespace deltaline::delta {
namespace {

arrow::Status ErrnoStatus(const std::string& what, const std::string& path) {
  return arrow::Status::IOError(what, " '", path, "': ", std::strerror(errno));
}

// Writes `content` to `path` with O_EXCL and fsyncs it, so that the later link()
// publishes a complete, durable file.
arrow::Status WriteDurable(const std::string& path, std::string_view content) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("cannot create", path);
  size_t written = 0;
  while (written < content.size()) {
    ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      auto st = ErrnoStatus("cannot write", path);
      ::close(fd);
      ::unlink(path.c_str());
      return st;
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    auto st = ErrnoStatus("cannot sync", path);
    ::unlink(path.c_str());
    return st;
  }
  return arrow::Status::OK();
}

std::string TempSuffix() {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          static_cast<uint64_t>(::getpid()) << 32);
  return ".tmp." + std::to_string(::getpid()) + "." + std::to_string(rng());
}

void FsyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

int64_t MtimeMs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1'000'000;
}

// Lists `dir` with readdir, which yields names (and usually the entry type) without
// touching the inodes, and stats only the entries at or after `start_at`: a long log
// listed from a recent version costs a few getdents calls, not one stat per commit.
arrow::Result<std::vector<LogFileInfo>> ListLocalDir(const std::string& dir,
                                                     std::string_view start_at) {
  std::vector<LogFileInfo> out;
  std::unique_ptr<DIR, int (*)(DIR*)> handle(::opendir(dir.c_str()), &::closedir);
  if (handle == nullptr) {
    if (errno == ENOENT) return out;  // no `_delta_log/`: lists as empty
    return ErrnoStatus("cannot list", dir);
  }
  std::vector<std::string> names;
  while (true) {
    errno = 0;
    const dirent* entry = ::readdir(handle.get());
    if (entry == nullptr) {
      if (errno != 0) return ErrnoStatus("cannot list", dir);
      break;
    }
    std::string_view name(entry->d_name);
    if (name == "." || name == ".." || name < start_at) continue;
    if (entry->d_type == DT_DIR) continue;  // sub-folders are not log files
    names.emplace_back(name);
  }
  out.reserve(names.size());
  const int dir_fd = ::dirfd(handle.get());
  for (auto& name : names) {
    struct stat st;
    if (::fstatat(dir_fd, name.c_str(), &st, 0) != 0) {
      // Deleted since readdir (log cleanup, a temporary file renamed away): a listing
      // taken a moment later would not have shown it either.
      if (errno == ENOENT) continue;
      return ErrnoStatus("cannot stat", dir + "/" + name);
    }
    if (!S_ISREG(st.st_mode)) continue;
    out.push_back({std::move(name), static_cast<int64_t>(st.st_size), MtimeMs(st)});
  }
  return out;
}

// A snapshot load reads a hundred small commits and a checkpoint: plain open/pread
// is all it needs, without Arrow's file objects around them.
arrow::Result<std::shared_ptr<arrow::Buffer>> ReadLocalFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("cannot open", path);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st;
  if (::fstat(fd, &st) != 0) return ErrnoStatus("cannot stat", path);
  std::unique_ptr<arrow::Buffer> buffer;
  ARROW_ASSIGN_OR_RAISE(buffer, arrow::AllocateBuffer(static_cast<int64_t>(st.st_size),
                                                      arrow::system_memory_pool()));
  int64_t done = 0;
  while (done < buffer->size()) {
    ssize_t n = ::pread(fd, buffer->mutable_data() + done,
                        static_cast<size_t>(buffer->size() - done), done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoStatus("cannot read", path);
    if (n == 0) {
      return arrow::Status::IOError("short read of '", path, "': ", done, " of ",
                                    buffer->size(), " bytes");
    }
    done += n;
  }
  return std::shared_ptr<arrow::Buffer>(std::move(buffer));
}

}  // namespace

FileSystemLogStore::FileSystemLogStore(std::shared_ptr<arrow::fs::FileSystem> fs,
                                       std::string root, std::string uri)
    : fs_(std::move(fs)), root_(std::move(root)), uri_(std::move(uri)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  local_ = fs_->type_name() == "local";
}

arrow::Result<std::unique_ptr<FileSystemLogStore>> FileSystemLogStore::Open(
    const std::string& uri) {
  if (uri.empty()) return InvalidInput("table location is empty");
  std::string root;
  std::shared_ptr<arrow::fs::FileSystem> fs;
  if (uri.find("://") == std::string::npos) {
    // A plain path: make it absolute so that messages and data paths are stable.
    std::error_code ec;
    auto abs = std::filesystem::absolute(uri, ec);
    if (ec) return InvalidInput("cannot resolve path '" + uri + "': " + ec.message());
    fs = std::make_shared<arrow::fs::LocalFileSystem>();
    root = abs.lexically_normal().string();
  } else {
    auto made = arrow::fs::FileSystemFromUri(uri, &root);
    if (!made.ok()) {
      return InvalidInput("cannot open table location '" + uri +
                          "': " + made.status().message());
    }
    fs = *made;
  }
  return Make(std::move(fs), std::move(root), uri);
}

std::unique_ptr<FileSystemLogStore> FileSystemLogStore::Make(
    std::shared_ptr<arrow::fs::FileSystem> fs, std::string root, std::string uri) {
  return std::unique_ptr<FileSystemLogStore>(
      new FileSystemLogStore(std::move(fs), std::move(root), std::move(uri)));
}

std::string FileSystemLogStore::LogPath(std::string_view name) const {
  return root_ + "/" + std::string(kLogDir) + "/" + std::string(name);
}

arrow::Result<std::vector<LogFileInfo>> FileSystemLogStore::ListLogFrom(
    std::string_view start_at) {
  const std::string dir = root_ + "/" + std::string(kLogDir);
  std::vector<LogFileInfo> out;
  if (local_) {
    ARROW_ASSIGN_OR_RAISE(out, ListLocalDir(dir, start_at));
  } else {
    arrow::fs::FileSelector selector;
    selector.base_dir = dir;
    selector.allow_not_found = true;
    selector.recursive = false;
    ARROW_ASSIGN_OR_RAISE(auto infos, fs_->GetFileInfo(selector));
    for (const auto& info : infos) {
      if (info.type() != arrow::fs::FileType::File) continue;
      std::string name = info.base_name();
      if (name < start_at) continue;
      int64_t mtime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             info.mtime().time_since_epoch())
                             .count();
      out.push_back({std::move(name), info.size(), mtime_ms});
    }
  }
  // Neither readdir nor Arrow promises an order; the contract is sorted by name
  // (= by version).
  std::sort(out.begin(), out.end(),
            [](const LogFileInfo& a, const LogFileInfo& b) { return a.name < b.name; });
  return out;
}

arrow::Result<std::shared_ptr<arrow::Buffer>> FileSystemLogStore::ReadLog(
    std::string_view name) {
  if (local_) return ReadLocalFile(LogPath(name));
  ARROW_ASSIGN_OR_RAISE(auto file, fs_->OpenInputFile(LogPath(name)));
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->GetSize());
  std::unique_ptr<arrow::Buffer> buffer;
  ARROW_ASSIGN_OR_RAISE(buffer, arrow::AllocateBuffer(size, arrow::system_memory_pool()));
  ARROW_ASSIGN_OR_RAISE(int64_t read, file->ReadAt(0, size, buffer->mutable_data()));
  if (read != size) {
    return arrow::Status::IOError("short read of '", LogPath(name), "': ", read, " of ",
                                  size, " bytes");
  }
  ARROW_RETURN_NOT_OK(file->Close());
  return std::shared_ptr<arrow::Buffer>(std::move(buffer));
}

arrow::Result<std::optional<LogFileInfo>> FileSystemLogStore::HeadLog(
    std::string_view name) {
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(LogPath(name)));
  if (info.type() != arrow::fs::FileType::File) return std::nullopt;
  int64_t mtime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         info.mtime().time_since_epoch())
                         .count();
  return LogFileInfo{std::string(name), info.size(), mtime_ms};
}

arrow::Status FileSystemLogStore::PutIfAbsent(std::string_view name,
                                              std::string_view content) {
  if (!local_) {
    return arrow::Status::NotImplemented(
        "put-if-absent is only implemented for local filesystems, not '",
        fs_->type_name(), "'");
  }
  const std::string dir = root_ + "/" + std::string(kLogDir);
  ARROW_RETURN_NOT_OK(fs_->CreateDir(dir, /*recursive=*/true));
  const std::string target = LogPath(name);
  const std::string temp = dir + "/." + std::string(name) + TempSuffix();
  ARROW_RETURN_NOT_OK(WriteDurable(temp, content));
  // link() never replaces: EEXIST is the lost race, the existing file stays as is.
  int rc = ::link(temp.c_str(), target.c_str());
  int link_errno = errno;
  ::unlink(temp.c_str());
  if (rc != 0) {
    if (link_errno == EEXIST) {
      return arrow::Status::AlreadyExists("log file already exists: '", target, "'");
    }
    errno = link_errno;
    return ErrnoStatus("cannot publish", target);
  }
  FsyncDir(dir);
  return arrow::Status::OK();
}

arrow::Status FileSystemLogStore::PutReplace(std::string_view name,
                                             std::string_view content) {
  const std::string dir = root_ + "/" + std::string(kLogDir);
  ARROW_RETURN_NOT_OK(fs_->CreateDir(dir, /*recursive=*/true));
  if (!local_) {
    ARROW_ASSIGN_OR_RAISE(auto out, fs_->OpenOutputStream(LogPath(name)));
    ARROW_RETURN_NOT_OK(out->Write(content.data(), static_cast<int64_t>(content.size())));
    return out->Close();
  }
  // Temp + rename: readers see the old or the new hint, never a torn one.
  const std::string temp = dir + "/." + std::string(name) + TempSuffix();
  ARROW_RETURN_NOT_OK(WriteDurable(temp, content));
  if (::rename(temp.c_str(), LogPath(name).c_str()) != 0) {
    auto st = ErrnoStatus("cannot replace", LogPath(name));
    ::unlink(temp.c_str());
    return st;
  }
  return arrow::Status::OK();
}

arrow::Status FileSystemLogStore::DeleteLog(std::string_view name) {
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(LogPath(name)));
  if (info.type() == arrow::fs::FileType::NotFound) return arrow::Status::OK();
  return fs_->DeleteFile(LogPath(name));
}

}  // namespace deltaline::delta
