#include "engine/delta_write_node.h"

#include <thread>

#include <arrow/acero/accumulation_queue.h>
#include <arrow/acero/exec_plan.h>
#include <arrow/acero/query_context.h>
#include <arrow/util/future.h>

#include "delta/base/errors.h"

namespace deltaline::engine {

std::optional<arrow::Result<storage::WriteResult>> DeltaWriteResultSlot::result() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return result_;
}

BatchQueueStats DeltaWriteResultSlot::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return stats_;
}

bool DeltaWriteResultSlot::aborted_by_plan() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return aborted_by_plan_;
}

void DeltaWriteResultSlot::Set(arrow::Result<storage::WriteResult> result,
                               BatchQueueStats stats, bool aborted_by_plan) {
  std::lock_guard<std::mutex> lock(mutex_);
  result_ = std::move(result);
  stats_ = stats;
  aborted_by_plan_ = aborted_by_plan;
}

namespace {

using arrow::acero::ExecNode;
using arrow::compute::ExecBatch;

class DeltaWriteNode : public ExecNode,
                       public arrow::acero::util::SerialSequencingQueue::Processor {
 public:
  DeltaWriteNode(arrow::acero::ExecPlan* plan, std::vector<ExecNode*> inputs,
                 std::shared_ptr<arrow::Schema> schema,
                 const DeltaWriteNodeOptions& options)
      : ExecNode(plan, std::move(inputs), {"to_write"}, schema),
        uri_(options.uri),
        storage_(options.storage),
        slot_(options.result ? options.result : std::make_shared<DeltaWriteResultSlot>()),
        queue_(std::make_shared<BatchQueue>(
            std::move(schema), options.max_queued_bytes,
            [this](int32_t counter) { inputs_[0]->PauseProducing(this, counter); },
            [this](int32_t counter) { inputs_[0]->ResumeProducing(this, counter); })) {
    if (!inputs_[0]->ordering().is_unordered()) {
      sequencer_ = arrow::acero::util::SerialSequencingQueue::Make(this);
    }
  }

  ~DeltaWriteNode() override {
    // The writer thread may drop the last reference to the plan (a future callback),
    // and a thread cannot join itself.
    if (writer_.joinable()) {
      if (writer_.get_id() == std::this_thread::get_id()) {
        writer_.detach();
      } else {
        writer_.join();
      }
    }
  }

  static arrow::Result<ExecNode*> Make(arrow::acero::ExecPlan* plan,
                                       std::vector<ExecNode*> inputs,
                                       const arrow::acero::ExecNodeOptions& options) {
    ARROW_RETURN_NOT_OK(
        arrow::acero::ValidateExecNodeInputs(plan, inputs, 1, kDeltaWriteNodeName));
    const auto* write = dynamic_cast<const DeltaWriteNodeOptions*>(&options);
    if (write == nullptr) {
      return delta::InvalidInput("the delta_write node needs DeltaWriteNodeOptions");
    }
    if (write->uri.empty()) return delta::InvalidInput("delta_write: no table uri");
    if (write->max_queued_bytes <= 0) {
      return delta::InvalidInput("delta_write: max_queued_bytes must be positive");
    }
    std::shared_ptr<arrow::Schema> schema = inputs[0]->output_schema();
    if (!write->column_names.empty()) {
      if (static_cast<int>(write->column_names.size()) != schema->num_fields()) {
        return delta::InvalidInput(
            "delta_write to '" + write->uri +
            "': " + std::to_string(write->column_names.size()) + " column names for " +
            std::to_string(schema->num_fields()) + " input columns");
      }
      ARROW_ASSIGN_OR_RAISE(schema, schema->WithNames(write->column_names));
    }
    return plan->EmplaceNode<DeltaWriteNode>(plan, std::move(inputs), std::move(schema),
                                             *write);
  }

  const char* kind_name() const override { return "DeltaWriteNode"; }

  arrow::Status StartProducing() override {
    ARROW_ASSIGN_OR_RAISE(
        auto done, plan_->query_context()->BeginExternalTask("DeltaWriteNode::Write"));
    if (!done.is_valid()) return arrow::Status::OK();  // the plan is already ending
    writer_ = std::thread([this, done]() mutable { RunWriter(std::move(done)); });
    return arrow::Status::OK();
  }

  arrow::Status InputReceived(ExecNode*, ExecBatch batch) override {
    if (sequencer_) return sequencer_->InsertBatch(std::move(batch));
    return Process(std::move(batch));
  }

  arrow::Status Process(ExecBatch batch) override {
    ARROW_ASSIGN_OR_RAISE(
        auto record_batch,
        batch.ToRecordBatch(queue_->schema(), plan_->query_context()->memory_pool()));
    ARROW_RETURN_NOT_OK(queue_->Push(std::move(record_batch)));
    std::lock_guard<std::mutex> lock(count_mutex_);
    ++received_;
    FinishIfComplete();
    return arrow::Status::OK();
  }

  arrow::Status InputFinished(ExecNode*, int total_batches) override {
    std::lock_guard<std::mutex> lock(count_mutex_);
    total_ = total_batches;
    FinishIfComplete();
    return arrow::Status::OK();
  }

  // No rows flow downstream, so there is nothing for an output to pause.
  void PauseProducing(ExecNode*, int32_t) override {}
  void ResumeProducing(ExecNode*, int32_t) override {}

  arrow::Status StopProducingImpl() override {
    stopped_by_plan_ = true;
    queue_->Abort(arrow::Status::Cancelled("the plan writing to '", uri_,
                                           "' stopped before its input ended; "
                                           "nothing was committed"));
    return arrow::Status::OK();
  }

 private:
  void FinishIfComplete() {
    if (total_ >= 0 && received_ == total_ && !input_done_) {
      input_done_ = true;
      queue_->Finish();
    }
  }

  void RunWriter(arrow::Future<> done) {
    BatchQueueReader reader(queue_);
    auto written = storage::WriteDatasetDelta(reader, uri_, storage_);
    queue_->StopReading(written.status());
    arrow::Status status = written.status();
    slot_->Set(std::move(written), queue_->stats(), stopped_by_plan_.load());
    if (status.ok() && output_ != nullptr) status = output_->InputFinished(this, 0);
    // Last touch of the node: once marked, the plan may finish and free it.
    done.MarkFinished(std::move(status));
  }

  const std::string uri_;
  const storage::StorageWriteOptions storage_;
  const std::shared_ptr<DeltaWriteResultSlot> slot_;
  const std::shared_ptr<BatchQueue> queue_;
  std::unique_ptr<arrow::acero::util::SerialSequencingQueue> sequencer_;
  std::thread writer_;
  std::atomic<bool> stopped_by_plan_{false};
  std::mutex count_mutex_;
  int received_ = 0;
  int total_ = -1;
  bool input_done_ = false;
};

}  // namespace

arrow::Status RegisterDeltaWriteNode() {
  static const arrow::Status registered =
      arrow::acero::default_exec_factory_registry()->AddFactory(kDeltaWriteNodeName,
                                                                DeltaWriteNode::Make);
  return registered;
}

}  // namespace deltaline::engine
