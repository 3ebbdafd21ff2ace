#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>

#include <arrow/record_batch.h>
#include <arrow/status.h>

namespace deltaline::engine {

/// \brief What a BatchQueue saw, for tests and benchmarks that check the memory bound.
struct BatchQueueStats {
  int64_t batches = 0;
  int64_t rows = 0;
  int64_t peak_queued_bytes = 0;  ///< most bytes (referenced buffers) queued at once
  int64_t pauses = 0;             ///< times the producer was asked to pause
};

/// \brief A bounded hand-over of record batches from an Acero node (the producer,
/// on Arrow's CPU threads) to a writer on its own thread (the consumer).
///
/// Push never blocks: blocking a CPU-pool thread while the writer might itself wait
/// on that pool could deadlock a 2-thread pool. Instead the queue asks the producer to
/// pause (`on_pause`) when more than `max_bytes` are queued and to resume
/// (`on_resume`) once the writer drained it to half of that. Pausing is advisory in
/// Acero (batches already in flight still arrive), so the bound is `max_bytes` plus
/// what the plan's threads had in flight. The callbacks get a strictly increasing
/// counter (Acero's PauseProducing/ResumeProducing protocol) and run outside the lock.
class BatchQueue {
 public:
  using Signal = std::function<void(int32_t counter)>;

  BatchQueue(std::shared_ptr<arrow::Schema> schema, int64_t max_bytes, Signal on_pause,
             Signal on_resume);

  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }

  /// Producer: hands over a batch. After the consumer stopped reading, batches are
  /// dropped (the write is done: kIgnore on an existing table) or, if it stopped with
  /// an error, that error is returned so the plan fails.
  arrow::Status Push(std::shared_ptr<arrow::RecordBatch> batch);
  /// Producer: no more batches; the consumer sees the end of the stream.
  void Finish();
  /// Producer side gave up (the plan failed or was stopped): the consumer's next read
  /// returns `status`, so the write aborts without a commit.
  void Abort(arrow::Status status);

  /// Consumer: the next batch, null at the end of the stream; blocks while empty.
  arrow::Status Pop(std::shared_ptr<arrow::RecordBatch>* out);
  /// Consumer: it will read no more (`final` is how its write ended). Queued batches
  /// are released and a paused producer resumed.
  void StopReading(const arrow::Status& final);

  BatchQueueStats stats() const;

 private:
  void ResumeLocked(std::unique_lock<std::mutex>& lock);

  const std::shared_ptr<arrow::Schema> schema_;
  const int64_t max_bytes_;
  const Signal on_pause_, on_resume_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::pair<std::shared_ptr<arrow::RecordBatch>, int64_t>> batches_;
  int64_t queued_bytes_ = 0;
  bool finished_ = false;
  bool paused_ = false;
  bool reading_ = true;
  arrow::Status abort_;     ///< set by Abort
  arrow::Status consumer_;  ///< how the consumer ended, once it stopped reading
  int32_t counter_ = 0;
  BatchQueueStats stats_;
};

/// \brief The consumer end of a BatchQueue as the RecordBatchReader that
/// storage::WriteDatasetDelta reads.
class BatchQueueReader : public arrow::RecordBatchReader {
 public:
  explicit BatchQueueReader(std::shared_ptr<BatchQueue> queue)
      : queue_(std::move(queue)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return queue_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    return queue_->Pop(batch);
  }

 private:
  std::shared_ptr<BatchQueue> queue_;
};

}  // namespace deltaline::engine
