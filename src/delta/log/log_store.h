#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/buffer.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/result.h>

namespace deltaline::delta {

/// \brief One entry of `_delta_log/`.
struct LogFileInfo {
  std::string name;  ///< file name inside `_delta_log/`, e.g. "00000000000000000003.json"
  int64_t size = 0;
  int64_t modification_time_ms = 0;
};

/// \brief The only door through which the protocol core touches storage.
///
/// Contracts every implementation must keep:
/// - ListLogFrom(start_at) returns the entries of `_delta_log/` (files only, no
///   sub-folders) whose names are >= `start_at` (byte-wise), sorted by name
///   ascending, whatever order the storage lists them in. A missing `_delta_log/`
///   lists as empty. Listing from a version's zero-padded name skips the older log
///   without touching it, so an implementation should not fetch the metadata (size,
///   mtime) of entries below `start_at`: on local disk that is one stat per file.
/// - PutIfAbsent() creates a file atomically and only if no file of that name
///   exists. If one does, it fails with arrow::StatusCode::AlreadyExists and leaves
///   the existing file untouched: it never replaces. Readers never observe a
///   partially written file under the target name.
/// - PutReplace() is only for hints that may be rewritten (`_last_checkpoint`).
/// - Delete() is idempotent: deleting a missing file succeeds.
/// - ReadLog() of a missing file fails (arrow's IOError); callers that expect
///   absence ask HeadLog() first, which returns nullopt for a missing file.
class LogStore {
 public:
  virtual ~LogStore() = default;

  virtual arrow::Result<std::vector<LogFileInfo>> ListLogFrom(
      std::string_view start_at) = 0;
  /// \brief The whole of `_delta_log/`, sorted by name (ListLogFrom("")).
  arrow::Result<std::vector<LogFileInfo>> ListLog() { return ListLogFrom({}); }
  virtual arrow::Result<std::shared_ptr<arrow::Buffer>> ReadLog(
      std::string_view name) = 0;
  virtual arrow::Result<std::optional<LogFileInfo>> HeadLog(std::string_view name) = 0;
  virtual arrow::Status PutIfAbsent(std::string_view name, std::string_view content) = 0;
  virtual arrow::Status PutReplace(std::string_view name, std::string_view content) = 0;
  virtual arrow::Status DeleteLog(std::string_view name) = 0;

  /// Data files are read and written through this filesystem, under root().
  virtual const std::shared_ptr<arrow::fs::FileSystem>& filesystem() const = 0;
  /// Table root as a path of filesystem(), without a trailing '/'.
  virtual const std::string& root() const = 0;
  /// The table location as the user gave it (for messages).
  virtual const std::string& uri() const = 0;
};

/// \brief LogStore over an arrow::fs::FileSystem. On a local filesystem,
/// PutIfAbsent writes a temporary file, fsyncs it and link()s it to the target
/// (link fails with EEXIST instead of replacing). Other filesystems have no
/// put-if-absent primitive in Arrow yet: PutIfAbsent returns NotImplemented there.
/// ReadLog buffers come from arrow::system_memory_pool(): they are short-lived, and
/// Arrow's default pool (mimalloc in the pyarrow wheels) would keep its arenas
/// resident for the rest of the process.
class FileSystemLogStore : public LogStore {
 public:
  /// \brief `uri` is a local path or a URI Arrow understands (`file://…`).
  static arrow::Result<std::unique_ptr<FileSystemLogStore>> Open(const std::string& uri);
  static std::unique_ptr<FileSystemLogStore> Make(
      std::shared_ptr<arrow::fs::FileSystem> fs, std::string root, std::string uri);

  /// On local disk: readdir for the names, then one stat per entry >= start_at.
  arrow::Result<std::vector<LogFileInfo>> ListLogFrom(std::string_view start_at) override;
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadLog(std::string_view name) override;
  arrow::Result<std::optional<LogFileInfo>> HeadLog(std::string_view name) override;
  arrow::Status PutIfAbsent(std::string_view name, std::string_view content) override;
  arrow::Status PutReplace(std::string_view name, std::string_view content) override;
  arrow::Status DeleteLog(std::string_view name) override;

  const std::shared_ptr<arrow::fs::FileSystem>& filesystem() const override {
    return fs_;
  }
  const std::string& root() const override { return root_; }
  const std::string& uri() const override { return uri_; }

 private:
  FileSystemLogStore(std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
                     std::string uri);
  std::string LogPath(std::string_view name) const;

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string root_;
  std::string uri_;
  bool local_;
};

}  // namespace deltaline::delta
