#include "delta/log_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <chrono>
#include <filesystem>
#include <random>

#include <arrow/filesystem/localfs.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/uri.h>

#include "delta/errors.h"
#include "delta/filenames.h"

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

arrow::Result<std::vector<LogFileInfo>> FileSystemLogStore::ListLog() {
  arrow::fs::FileSelector selector;
  selector.base_dir = root_ + "/" + std::string(kLogDir);
  selector.allow_not_found = true;
  selector.recursive = false;
  ARROW_ASSIGN_OR_RAISE(auto infos, fs_->GetFileInfo(selector));
  std::vector<LogFileInfo> out;
  out.reserve(infos.size());
  for (const auto& info : infos) {
    if (info.type() != arrow::fs::FileType::File) continue;
    int64_t mtime_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           info.mtime().time_since_epoch())
                           .count();
    out.push_back({info.base_name(), info.size(), mtime_ms});
  }
  // Arrow promises no order; the contract is sorted by name (= by version).
  std::sort(out.begin(), out.end(),
            [](const LogFileInfo& a, const LogFileInfo& b) { return a.name < b.name; });
  return out;
}

arrow::Result<std::shared_ptr<arrow::Buffer>> FileSystemLogStore::ReadLog(
    std::string_view name) {
  ARROW_ASSIGN_OR_RAISE(auto file, fs_->OpenInputFile(LogPath(name)));
  ARROW_ASSIGN_OR_RAISE(int64_t size, file->GetSize());
  return file->ReadAt(0, size);
}

arrow::Result<std::optional<LogFileInfo>> FileSystemLogStore::HeadLog(std::string_view name) {
  ARROW_ASSIGN_OR_RAISE(auto info, fs_->GetFileInfo(LogPath(name)));
  if (info.type() != arrow::fs::FileType::File) return std::nullopt;
  int64_t mtime_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(info.mtime().time_since_epoch())
          .count();
  return LogFileInfo{std::string(name), info.size(), mtime_ms};
}

arrow::Status FileSystemLogStore::PutIfAbsent(std::string_view name, std::string_view content) {
  if (!local_) {
    return arrow::Status::NotImplemented(
        "put-if-absent is only implemented for local filesystems, not '", fs_->type_name(),
        "'");
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

arrow::Status FileSystemLogStore::PutReplace(std::string_view name, std::string_view content) {
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
