#pragma once

// The runner's scheduler: a bounded set of worker threads taking ready tasks (a node
// whose inputs are done, an output whose node is done) from one queue. Internal to
// runner.cc; see runner.h for the behaviour it implements.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <vector>

#include "engine/run_options.h"
#include "pipeline/dag.h"
#include "pipeline/runner.h"

namespace deltaline::pipeline {

class Scheduler {
 public:
  /// `pending[o]`: output o is to be written (not skipped). `result` has its nodes and
  /// outputs sized and named; the scheduler fills in what ran.
  Scheduler(const Pipeline& pipeline, const Dag& dag, const RunSettings& settings,
            const std::vector<bool>& pending, RunResult* result);

  /// Runs every needed node and pending output; returns when all are done or, after a
  /// failure, when the tasks already running have finished.
  void Run();

 private:
  struct Task {
    bool output = false;
    size_t index = 0;
  };

  void Worker();
  void RunNode(size_t node);
  void RunOutput(size_t output);
  /// Under mu_: the node's value for one consumer (moved out at its last use).
  NodeValue TakeValue(size_t node);
  /// Under mu_: the run fails with `status`; nothing new starts.
  void Fail(const arrow::Status& status);
  void Report(ProgressEvent event);

  const Pipeline& pipeline_;
  const Dag& dag_;
  const RunSettings& settings_;
  RunResult* result_;
  engine::RunOptions plan_options_;

  std::mutex mu_;
  std::condition_variable changed_;
  std::deque<Task> ready_;
  int running_ = 0;
  bool failed_ = false;
  std::vector<bool> needed_;
  std::vector<bool> pending_;
  std::vector<int> waiting_;  ///< per node: node inputs not done yet
  std::vector<int> uses_;     ///< per node: consumers that have not taken its value
  std::vector<std::optional<NodeValue>> values_;
  int nodes_done_ = 0;
  int nodes_total_ = 0;
  int64_t rows_written_ = 0;

  std::mutex progress_mu_;
};

/// Unix epoch milliseconds, as manifests record times.
int64_t NowMs();

}  // namespace deltaline::pipeline
