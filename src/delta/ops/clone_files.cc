#include <atomic>
#include <mutex>

#include <arrow/buffer.h>
#include <arrow/io/interfaces.h>
#include <arrow/util/crc32.h>
#include <arrow/util/parallel.h>

#include "delta/base/errors.h"
#include "delta/ops/clone_internal.h"

namespace deltaline::delta::clone_internal {
namespace {

constexpr int64_t kChunkBytes = 4 << 20;

struct Digest {
  uint32_t crc = 0;
  int64_t size = 0;
  bool operator==(const Digest&) const = default;
};

std::string Describe(const Digest& digest) {
  return std::to_string(digest.size) + " bytes, CRC-32 " + std::to_string(digest.crc);
}

// Reads `path` once, hashing it and, with `copy_to`, writing it there as it goes.
arrow::Result<Digest> StreamDigest(arrow::fs::FileSystem& fs, const std::string& path,
                                   arrow::io::OutputStream* copy_to,
                                   const std::function<void(int64_t)>& on_bytes) {
  ARROW_ASSIGN_OR_RAISE(auto in, fs.OpenInputStream(path));
  Digest digest;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto buffer, in->Read(kChunkBytes));
    if (buffer->size() == 0) break;
    digest.crc = arrow::internal::crc32(digest.crc, buffer->data(),
                                        static_cast<size_t>(buffer->size()));
    digest.size += buffer->size();
    if (copy_to != nullptr) ARROW_RETURN_NOT_OK(copy_to->Write(buffer));
    if (on_bytes) on_bytes(buffer->size());
  }
  ARROW_RETURN_NOT_OK(in->Close());
  return digest;
}

std::string ParentOf(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

class Copier {
 public:
  Copier(LogStore& source, LogStore& target,
         const std::function<void(const CloneProgress&)>& progress, int64_t files_total,
         int64_t bytes_total, CopyOutcome& outcome)
      : source_(source), target_(target), progress_(progress), outcome_(outcome) {
    state_.files_total = files_total;
    state_.bytes_total = bytes_total;
  }

  arrow::Status Copy(const CopyJob& job) {
    // After a failure the clone is abandoned: copying more would only be deleted.
    if (failed_.load()) return arrow::Status::OK();
    arrow::Status st = CopyOrReuse(job);
    if (!st.ok()) failed_.store(true);
    return st;
  }

 private:
  arrow::Status CopyOrReuse(const CopyJob& job) {
    auto& target_fs = *target_.filesystem();
    ARROW_ASSIGN_OR_RAISE(auto info, target_fs.GetFileInfo(job.target_path));
    if (info.type() == arrow::fs::FileType::File) return Reuse(job);
    if (info.type() != arrow::fs::FileType::NotFound) {
      return InvalidInput("cannot clone '" + job.name + "' into '" + target_.uri() +
                          "': something other than a file is in the way");
    }
    ARROW_RETURN_NOT_OK(target_fs.CreateDir(ParentOf(job.target_path), true));
    ARROW_ASSIGN_OR_RAISE(auto out, target_fs.OpenOutputStream(job.target_path));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      outcome_.written.push_back(job.target_path);
    }
    auto copied = StreamDigest(*source_.filesystem(), job.source_path, out.get(),
                               [this](int64_t bytes) { Advance(0, bytes); });
    arrow::Status closed = out->Close();
    ARROW_RETURN_NOT_OK(copied.status());
    ARROW_RETURN_NOT_OK(closed);
    if (copied->size != job.expected_size) {
      return ProtocolError("file '" + job.source_path + "' of '" + source_.uri() +
                           "' has " + std::to_string(copied->size) +
                           " bytes but the log says " +
                           std::to_string(job.expected_size));
    }
    // Read back what landed: a short or torn write shows in the size or the CRC.
    ARROW_ASSIGN_OR_RAISE(Digest back,
                          StreamDigest(target_fs, job.target_path, nullptr, {}));
    if (!(back == *copied)) {
      return arrow::Status::IOError("the copy of '", job.name, "' in '", target_.uri(),
                                    "' reads back as ", Describe(back),
                                    " instead of the source's ", Describe(*copied));
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (job.deletion_vector) {
      ++outcome_.copied_dv_files;
    } else {
      ++outcome_.copied_files;
      outcome_.copied_bytes += copied->size;
    }
    AdvanceLocked(1, 0);
    return arrow::Status::OK();
  }

  // A file is already where the copy would go (a re-clone into an earlier clone):
  // only an identical one may stand in for the copy; nothing is ever overwritten.
  arrow::Status Reuse(const CopyJob& job) {
    ARROW_ASSIGN_OR_RAISE(
        Digest theirs, StreamDigest(*target_.filesystem(), job.target_path, nullptr, {}));
    ARROW_ASSIGN_OR_RAISE(
        Digest ours, StreamDigest(*source_.filesystem(), job.source_path, nullptr, {}));
    if (!(theirs == ours) || ours.size != job.expected_size) {
      return InvalidInput("file '" + job.name + "' already exists in '" + target_.uri() +
                          "' (" + Describe(theirs) + ") and differs from the source's (" +
                          Describe(ours) + "): a clone never overwrites a file");
    }
    std::lock_guard<std::mutex> lock(mutex_);
    ++outcome_.reused_files;
    AdvanceLocked(1, ours.size);
    return arrow::Status::OK();
  }

  void Advance(int64_t files, int64_t bytes) {
    std::lock_guard<std::mutex> lock(mutex_);
    AdvanceLocked(files, bytes);
  }

  void AdvanceLocked(int64_t files, int64_t bytes) {
    state_.files_done += files;
    state_.bytes_done += bytes;
    if (progress_) progress_(state_);
  }

  LogStore& source_;
  LogStore& target_;
  const std::function<void(const CloneProgress&)>& progress_;
  CopyOutcome& outcome_;
  std::mutex mutex_;  // guards state_, outcome_ and the progress calls
  CloneProgress state_;
  std::atomic<bool> failed_{false};
};

}  // namespace

arrow::Status CopyVerified(LogStore& source, LogStore& target,
                           const std::vector<CopyJob>& jobs,
                           const std::function<void(const CloneProgress&)>& progress,
                           CopyOutcome& outcome) {
  int64_t bytes_total = 0;
  for (const auto& job : jobs) bytes_total += job.expected_size;
  Copier copier(source, target, progress, static_cast<int64_t>(jobs.size()), bytes_total,
                outcome);
  // The IO pool: the tasks block on reads and writes, which is what it is sized for.
  return arrow::internal::ParallelFor(
      static_cast<int>(jobs.size()),
      [&](int job_idx) { return copier.Copy(jobs[static_cast<size_t>(job_idx)]); },
      arrow::io::default_io_context().executor());
}

void DeleteWritten(LogStore& target, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    (void)target.filesystem()->DeleteFile(path);
  }
}

}  // namespace deltaline::delta::clone_internal
