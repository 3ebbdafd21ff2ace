#include "pipeline/scheduler.h"
#include "pipeline/checked_output.h"

#include <algorithm>
#include <chrono>
#include <exception>
#include <thread>

#include "pipeline/node_values.h"
#include "storage/policy_error.h"

namespace deltaline::pipeline {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Scheduler::Scheduler(const Pipeline& pipeline, const Dag& dag,
                     const RunSettings& settings, const std::vector<bool>& pending,
                     RunResult* result)
    : pipeline_(pipeline),
      dag_(dag),
      settings_(settings),
      result_(result),
      plan_options_(PlanOptions(settings.storage)),
      pending_(pending) {
  const size_t n = pipeline.nodes.size();
  needed_.assign(n, false);
  // Walk against the flow from each pending output: exactly the nodes it needs.
  std::vector<size_t> stack;
  for (size_t o = 0; o < pipeline.outputs.size(); ++o) {
    if (pending_[o]) stack.push_back(dag.index.at(pipeline.outputs[o].node));
  }
  while (!stack.empty()) {
    const size_t at = stack.back();
    stack.pop_back();
    if (needed_[at]) continue;
    needed_[at] = true;
    for (const auto& input : pipeline.nodes[at].inputs) {
      auto found = dag.index.find(input);
      if (found != dag.index.end()) stack.push_back(found->second);
    }
  }
  waiting_ = dag.dependencies;
  uses_.assign(n, 0);
  values_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    if (!needed_[i]) {
      result_->nodes[i].status = TaskStatus::kSkipped;
      continue;
    }
    ++nodes_total_;
    for (size_t consumer : dag.consumers[i]) uses_[i] += needed_[consumer] ? 1 : 0;
    for (size_t o : dag.outputs[i]) uses_[i] += pending_[o] ? 1 : 0;
  }
  for (size_t i : dag.order) {
    if (needed_[i] && waiting_[i] == 0) ready_.push_back({false, i});
  }
}

void Scheduler::Run() {
  int threads = settings_.parallelism > 0
                    ? settings_.parallelism
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  const size_t tasks =
      static_cast<size_t>(nodes_total_) +
      static_cast<size_t>(std::count(pending_.begin(), pending_.end(), true));
  threads = static_cast<int>(
      std::min(static_cast<size_t>(threads), std::max<size_t>(tasks, 1)));
  std::vector<std::thread> workers;
  for (int i = 0; i < threads; ++i) workers.emplace_back([this] { Worker(); });
  for (auto& worker : workers) worker.join();
}

void Scheduler::Worker() {
  std::unique_lock lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return failed_ || !ready_.empty() || running_ == 0; });
    if (failed_ || ready_.empty()) return;
    const Task task = ready_.front();
    ready_.pop_front();
    ++running_;
    lock.unlock();
    if (task.output) {
      RunOutput(task.index);
    } else {
      RunNode(task.index);
    }
    lock.lock();
    --running_;
    changed_.notify_all();
  }
}

NodeValue Scheduler::TakeValue(size_t node) {
  if (--uses_[node] == 0) {
    NodeValue value = std::move(*values_[node]);
    values_[node].reset();
    return value;
  }
  return *values_[node];
}

void Scheduler::Fail(const arrow::Status& status) {
  if (!failed_) result_->status = status;
  failed_ = true;
  result_->outcome = RunOutcome::kFailed;
  result_->errors.push_back(status.ToString());
  changed_.notify_all();
}

void Scheduler::Report(ProgressEvent event) {
  if (!settings_.progress) return;
  std::lock_guard guard(progress_mu_);
  settings_.progress(event);
}

namespace {

// A node function is user code: an exception must fail the run, not the process.
arrow::Result<NodeValue> CallNode(const Node& node, NodeInputs inputs) {
  try {
    return node.run(std::move(inputs));
  } catch (const std::exception& e) {
    return arrow::Status::UnknownError("node threw: ", e.what());
  }
}

}  // namespace

void Scheduler::RunNode(size_t i) {
  const Node& node = pipeline_.nodes[i];
  NodeRun& record = result_->nodes[i];
  NodeInputs inputs;
  ProgressEvent started{
      ProgressKind::kNodeStarted, node.name, "run", -1, 0, nodes_total_, 0};
  {
    std::lock_guard guard(mu_);
    for (const auto& input : node.inputs) {
      auto found = dag_.index.find(input);
      if (found != dag_.index.end()) inputs.emplace(input, TakeValue(found->second));
    }
    started.nodes_done = nodes_done_;
    started.rows_written = rows_written_;
  }
  record.start_ms = NowMs();
  Report(std::move(started));
  arrow::Status status;
  for (const auto& input : node.inputs) {
    if (inputs.count(input) > 0) continue;
    // A pipeline input: a fresh source for each consumer, never materialised.
    auto source = pipeline_.inputs->Source(input);
    if (!source.ok()) {
      status = source.status();
      break;
    }
    inputs.emplace(input, std::move(*source));
  }
  std::optional<NodeValue> value;
  std::vector<Refusal> refusals;
  if (status.ok()) {
    auto ran = CallNode(node, std::move(inputs));
    status = ran.status();
    if (ran.ok()) value = std::move(*ran);
  }
  if (status.ok()) status = GateValue(*value, node.name, plan_options_, &refusals);
  if (status.ok() && uses_[i] > 1) {
    auto table = Materialise(std::move(*value), plan_options_);
    status = table.status();
    if (table.ok()) value = NodeValue(std::move(*table));
    record.materialised = true;
  }
  record.end_ms = NowMs();
  if (value) record.rows = RowsOf(*value);
  std::unique_lock lock(mu_);
  for (auto& refusal : refusals) result_->refusals.push_back(std::move(refusal));
  if (!status.ok()) {
    record.status = TaskStatus::kFailed;
    record.error = status.ToString();
    Fail(status.WithMessage("node '", node.name, "': ", status.message()));
    return;
  }
  record.status = TaskStatus::kSucceeded;
  values_[i] = std::move(*value);
  for (size_t consumer : dag_.consumers[i]) {
    if (needed_[consumer] && --waiting_[consumer] == 0)
      ready_.push_back({false, consumer});
  }
  for (size_t o : dag_.outputs[i]) {
    if (pending_[o]) ready_.push_back({true, o});
  }
  ++nodes_done_;
  ProgressEvent event{ProgressKind::kNodeFinished,
                      node.name,
                      "run",
                      record.rows,
                      nodes_done_,
                      nodes_total_,
                      rows_written_};
  changed_.notify_all();
  lock.unlock();
  Report(std::move(event));
}

void Scheduler::RunOutput(size_t o) {
  const Output& output = pipeline_.outputs[o];
  OutputRun& record = result_->outputs[o];
  NodeValue value;
  ProgressEvent started{
      ProgressKind::kOutputStarted, output.spec.name, "write", -1, 0, nodes_total_, 0};
  {
    std::lock_guard guard(mu_);
    value = TakeValue(dag_.index.at(output.node));
    started.nodes_done = nodes_done_;
    started.rows_written = rows_written_;
  }
  record.start_ms = NowMs();
  Report(std::move(started));
  auto options = OutputWriteOptions(pipeline_, output, settings_);
  const OutputWriter& writer = settings_.write_output;
  auto written =
      writer ? writer(output, std::move(value), settings_.lake, options)
             : WriteOutputChecked(output, std::move(value), settings_.lake, options);
  record.end_ms = NowMs();
  std::unique_lock lock(mu_);
  if (!written.ok()) {
    record.status = TaskStatus::kFailed;
    record.error = written.status().ToString();
    if (storage::IsPolicyViolation(written.status())) {
      result_->refusals.push_back({output.node, "", "", "", written.status().message()});
    }
    Fail(written.status().WithMessage("output '", output.spec.name,
                                      "': ", written.status().message()));
    return;
  }
  record.result = std::move(*written);
  record.status = TaskStatus::kSucceeded;
  rows_written_ += record.result.write.delta.rows_added;
  ProgressEvent event{ProgressKind::kOutputFinished,
                      output.spec.name,
                      "write",
                      record.result.write.delta.rows_added,
                      nodes_done_,
                      nodes_total_,
                      rows_written_};
  lock.unlock();
  Report(std::move(event));
}

}  // namespace deltaline::pipeline
