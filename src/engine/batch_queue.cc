#include "engine/batch_queue.h"

#include <arrow/util/byte_size.h>

namespace deltaline::engine {
namespace {

// Slices of one big array share its buffers: count only the bytes a batch references.
int64_t BatchBytes(const arrow::RecordBatch& batch) {
  auto referenced = arrow::util::ReferencedBufferSize(batch);
  return referenced.ok() ? *referenced : arrow::util::TotalBufferSize(batch);
}

}  // namespace

BatchQueue::BatchQueue(std::shared_ptr<arrow::Schema> schema, int64_t max_bytes,
                       Signal on_pause, Signal on_resume)
    : schema_(std::move(schema)),
      max_bytes_(max_bytes),
      on_pause_(std::move(on_pause)),
      on_resume_(std::move(on_resume)) {}

arrow::Status BatchQueue::Push(std::shared_ptr<arrow::RecordBatch> batch) {
  const int64_t bytes = BatchBytes(*batch);
  std::unique_lock<std::mutex> lock(mutex_);
  if (!reading_) return consumer_;
  stats_.batches += 1;
  stats_.rows += batch->num_rows();
  batches_.emplace_back(std::move(batch), bytes);
  queued_bytes_ += bytes;
  stats_.peak_queued_bytes = std::max(stats_.peak_queued_bytes, queued_bytes_);
  const bool pause = !paused_ && queued_bytes_ > max_bytes_;
  int32_t counter = 0;
  if (pause) {
    paused_ = true;
    stats_.pauses += 1;
    counter = ++counter_;
  }
  lock.unlock();
  ready_.notify_one();
  if (pause && on_pause_) on_pause_(counter);
  return arrow::Status::OK();
}

void BatchQueue::Finish() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  ready_.notify_all();
}

void BatchQueue::Abort(arrow::Status status) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (abort_.ok()) abort_ = std::move(status);
  ResumeLocked(lock);
  ready_.notify_all();
}

arrow::Status BatchQueue::Pop(std::shared_ptr<arrow::RecordBatch>* out) {
  std::unique_lock<std::mutex> lock(mutex_);
  ready_.wait(lock, [this] { return !abort_.ok() || !batches_.empty() || finished_; });
  if (!abort_.ok()) return abort_;
  if (batches_.empty()) {
    *out = nullptr;  // finished
    return arrow::Status::OK();
  }
  *out = std::move(batches_.front().first);
  queued_bytes_ -= batches_.front().second;
  batches_.pop_front();
  if (paused_ && queued_bytes_ <= max_bytes_ / 2) ResumeLocked(lock);
  return arrow::Status::OK();
}

void BatchQueue::StopReading(const arrow::Status& final) {
  std::unique_lock<std::mutex> lock(mutex_);
  reading_ = false;
  consumer_ = final;
  batches_.clear();
  queued_bytes_ = 0;
  ResumeLocked(lock);
}

// Resumes a paused producer; unlocks `lock` to call out.
void BatchQueue::ResumeLocked(std::unique_lock<std::mutex>& lock) {
  if (!paused_) return;
  paused_ = false;
  const int32_t counter = ++counter_;
  lock.unlock();
  if (on_resume_) on_resume_(counter);
}

BatchQueueStats BatchQueue::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

}  // namespace deltaline::engine
