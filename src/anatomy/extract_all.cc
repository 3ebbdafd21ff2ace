#include "anatomy/extract_all.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <utility>

#include <arrow/util/parallel.h>
#include <arrow/util/thread_pool.h>

#include "anatomy/extract.h"
#include "anatomy/source_tree.h"

namespace deltaline::anatomy {
namespace {

/// What the workers share: the next file to take, the results by index, and the
/// progress (under its mutex, which also serialises the callback).
struct SharedRun {
  const std::string& root;
  std::vector<SourceFile>& files;
  const ExtractAllOptions& options;
  std::vector<FileFacts> results;
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex progress_mutex;
  ExtractProgress progress;
};

arrow::Status ExtractOne(SharedRun* run, Extractor* extractor, size_t index) {
  SourceFile file = std::move(run->files[index]);
  const int64_t listed_size = file.size;
  if (file.skip_reason.empty() && file.text.empty()) {
    ARROW_RETURN_NOT_OK(LoadSourceFile(run->root, &file));
  }
  const std::string path = file.path;
  arrow::Result<FileFacts> extracted = extractor->Extract(std::move(file));
  if (!extracted.ok()) {
    return extracted.status().WithMessage("extracting '", path,
                                          "': ", extracted.status().message());
  }
  FileFacts facts = std::move(extracted).ValueUnsafe();
  if (!run->options.keep_text) {
    // Swap, not clear: clear keeps the capacity, and memory is the point.
    std::string().swap(facts.file.text);
  }
  run->results[index] = std::move(facts);
  std::lock_guard<std::mutex> lock(run->progress_mutex);
  ++run->progress.files_done;
  run->progress.bytes_done += listed_size;
  if (run->options.progress) run->options.progress(run->progress);
  return arrow::Status::OK();
}

/// One worker: its own extractor, files taken one at a time until none is left or
/// another worker failed.
arrow::Status Work(SharedRun* run) {
  ARROW_ASSIGN_OR_RAISE(std::unique_ptr<Extractor> extractor, Extractor::Make());
  while (!run->failed.load()) {
    const size_t index = run->next.fetch_add(1);
    if (index >= run->files.size()) break;
    arrow::Status st = ExtractOne(run, extractor.get(), index);
    if (!st.ok()) {
      run->failed.store(true);
      return st;
    }
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<std::vector<FileFacts>> LoadAndExtract(const std::string& root,
                                                     std::vector<SourceFile> files,
                                                     const ExtractAllOptions& options) {
  if (files.empty()) return std::vector<FileFacts>{};
  SharedRun run{root, files, options, {}, {}, {}, {}, {}};
  run.results.resize(files.size());
  run.progress.files_total = static_cast<int64_t>(files.size());
  for (const SourceFile& f : files) run.progress.bytes_total += f.size;

  const int capacity =
      options.threads > 0 ? options.threads : arrow::GetCpuThreadPoolCapacity();
  const int workers =
      static_cast<int>(std::min<size_t>(std::max(capacity, 1), files.size()));
  // A pool of our own rather than the shared CPU pool: the caller may itself be a task
  // of that pool, and blocking one of its threads on tasks queued behind it could stall.
  ARROW_ASSIGN_OR_RAISE(auto pool, arrow::internal::ThreadPool::Make(workers));
  ARROW_RETURN_NOT_OK(arrow::internal::ParallelFor(
      workers, [&run](int) { return Work(&run); }, pool.get()));
  return std::move(run.results);
}

}  // namespace deltaline::anatomy
