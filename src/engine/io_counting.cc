#include "engine/io_counting.h"

#include <arrow/filesystem/filesystem.h>
#include <arrow/io/interfaces.h>

namespace deltaline::engine {
namespace {

using Counter = std::shared_ptr<std::atomic<int64_t>>;

// Every Read/ReadAt overload is forwarded so that none falls back to the base class's
// Seek+Read emulation (which would count twice or lose the inner file's fast path).
class CountingFile : public arrow::io::RandomAccessFile {
 public:
  CountingFile(std::shared_ptr<arrow::io::RandomAccessFile> inner, Counter bytes)
      : inner_(std::move(inner)), bytes_(std::move(bytes)) {}

  arrow::Status Close() override { return inner_->Close(); }
  bool closed() const override { return inner_->closed(); }
  arrow::Result<int64_t> Tell() const override { return inner_->Tell(); }
  arrow::Status Seek(int64_t position) override { return inner_->Seek(position); }
  arrow::Result<int64_t> GetSize() override { return inner_->GetSize(); }
  bool supports_zero_copy() const override { return inner_->supports_zero_copy(); }

  arrow::Result<int64_t> Read(int64_t nbytes, void* out) override {
    return Count(inner_->Read(nbytes, out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Read(int64_t nbytes) override {
    return Count(inner_->Read(nbytes));
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, bool allow_short_read,
                                void* out) override {
    return Count(inner_->ReadAt(position, nbytes, allow_short_read, out));
  }
  arrow::Result<int64_t> ReadAt(int64_t position, int64_t nbytes, void* out) override {
    return Count(inner_->ReadAt(position, nbytes, out));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position, int64_t nbytes,
                                                       bool allow_short_read) override {
    return Count(inner_->ReadAt(position, nbytes, allow_short_read));
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadAt(int64_t position,
                                                       int64_t nbytes) override {
    return Count(inner_->ReadAt(position, nbytes));
  }

 private:
  arrow::Result<int64_t> Count(arrow::Result<int64_t> n) {
    if (n.ok()) *bytes_ += *n;
    return n;
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> Count(
      arrow::Result<std::shared_ptr<arrow::Buffer>> buffer) {
    if (buffer.ok() && *buffer) *bytes_ += (*buffer)->size();
    return buffer;
  }

  std::shared_ptr<arrow::io::RandomAccessFile> inner_;
  Counter bytes_;
};

// Delegates everything; only random-access opens (how Parquet and DVs are read) are
// wrapped.
class CountingFileSystem : public arrow::fs::FileSystem {
 public:
  CountingFileSystem(std::shared_ptr<arrow::fs::FileSystem> inner, Counter bytes)
      : arrow::fs::FileSystem(inner->io_context()),
        inner_(std::move(inner)),
        bytes_(std::move(bytes)) {}

  std::string type_name() const override { return inner_->type_name(); }
  bool Equals(const arrow::fs::FileSystem& other) const override {
    return this == &other;
  }
  arrow::Result<std::string> NormalizePath(std::string path) override {
    return inner_->NormalizePath(std::move(path));
  }
  arrow::Result<std::string> PathFromUri(const std::string& uri) const override {
    return inner_->PathFromUri(uri);
  }
  arrow::Result<std::string> MakeUri(std::string path) const override {
    return inner_->MakeUri(std::move(path));
  }
  arrow::Result<arrow::fs::FileInfo> GetFileInfo(const std::string& path) override {
    return inner_->GetFileInfo(path);
  }
  arrow::Result<arrow::fs::FileInfoVector> GetFileInfo(
      const arrow::fs::FileSelector& select) override {
    return inner_->GetFileInfo(select);
  }
  arrow::Status CreateDir(const std::string& path, bool recursive) override {
    return inner_->CreateDir(path, recursive);
  }
  arrow::Status DeleteDir(const std::string& path) override {
    return inner_->DeleteDir(path);
  }
  arrow::Status DeleteDirContents(const std::string& path, bool missing_dir_ok) override {
    return inner_->DeleteDirContents(path, missing_dir_ok);
  }
  arrow::Status DeleteRootDirContents() override {
    return inner_->DeleteRootDirContents();
  }
  arrow::Status DeleteFile(const std::string& path) override {
    return inner_->DeleteFile(path);
  }
  arrow::Status Move(const std::string& src, const std::string& dest) override {
    return inner_->Move(src, dest);
  }
  arrow::Status CopyFile(const std::string& src, const std::string& dest) override {
    return inner_->CopyFile(src, dest);
  }
  arrow::Result<std::shared_ptr<arrow::io::InputStream>> OpenInputStream(
      const std::string& path) override {
    return inner_->OpenInputStream(path);
  }
  arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const std::string& path) override {
    ARROW_ASSIGN_OR_RAISE(auto file, inner_->OpenInputFile(path));
    return std::make_shared<CountingFile>(std::move(file), bytes_);
  }
  arrow::Result<std::shared_ptr<arrow::io::RandomAccessFile>> OpenInputFile(
      const arrow::fs::FileInfo& info) override {
    ARROW_ASSIGN_OR_RAISE(auto file, inner_->OpenInputFile(info));
    return std::make_shared<CountingFile>(std::move(file), bytes_);
  }
  arrow::Result<std::shared_ptr<arrow::io::OutputStream>> OpenOutputStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override {
    return inner_->OpenOutputStream(path, metadata);
  }
  arrow::Result<std::shared_ptr<arrow::io::OutputStream>> OpenAppendStream(
      const std::string& path,
      const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) override {
    return inner_->OpenAppendStream(path, metadata);
  }

 private:
  std::shared_ptr<arrow::fs::FileSystem> inner_;
  Counter bytes_;
};

class CountingStore : public delta::LogStore {
 public:
  CountingStore(std::shared_ptr<delta::LogStore> inner, Counter bytes)
      : inner_(std::move(inner)),
        fs_(std::make_shared<CountingFileSystem>(inner_->filesystem(),
                                                 std::move(bytes))) {}

  arrow::Result<std::vector<delta::LogFileInfo>> ListLogFrom(
      std::string_view start_at) override {
    return inner_->ListLogFrom(start_at);
  }
  arrow::Result<std::shared_ptr<arrow::Buffer>> ReadLog(std::string_view name) override {
    return inner_->ReadLog(name);
  }
  arrow::Result<std::optional<delta::LogFileInfo>> HeadLog(
      std::string_view name) override {
    return inner_->HeadLog(name);
  }
  arrow::Status PutIfAbsent(std::string_view name, std::string_view content) override {
    return inner_->PutIfAbsent(name, content);
  }
  arrow::Status PutReplace(std::string_view name, std::string_view content) override {
    return inner_->PutReplace(name, content);
  }
  arrow::Status DeleteLog(std::string_view name) override {
    return inner_->DeleteLog(name);
  }
  const std::shared_ptr<arrow::fs::FileSystem>& filesystem() const override {
    return fs_;
  }
  const std::string& root() const override { return inner_->root(); }
  const std::string& uri() const override { return inner_->uri(); }

 private:
  std::shared_ptr<delta::LogStore> inner_;
  std::shared_ptr<arrow::fs::FileSystem> fs_;
};

}  // namespace

std::unique_ptr<delta::LogStore> MakeIoCountingStore(
    std::shared_ptr<delta::LogStore> inner,
    std::shared_ptr<std::atomic<int64_t>> bytes_read) {
  return std::make_unique<CountingStore>(std::move(inner), std::move(bytes_read));
}

}  // namespace deltaline::engine
