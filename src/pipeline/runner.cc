#include "pipeline/runner.h"

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "pipeline/dag.h"
#include "pipeline/scheduler.h"

namespace deltaline::pipeline {

const char* TaskStatusName(TaskStatus status) {
  switch (status) {
    case TaskStatus::kNotRun:
      return "not_run";
    case TaskStatus::kSucceeded:
      return "succeeded";
    case TaskStatus::kFailed:
      return "failed";
    case TaskStatus::kSkipped:
      return "skipped";
  }
  return "unknown";
}

storage::StorageWriteOptions OutputWriteOptions(const Pipeline& pipeline,
                                                const Output& output,
                                                const RunSettings& settings) {
  storage::StorageWriteOptions options = settings.storage;
  options.delta.mode = settings.mode;
  options.delta.app_transaction =
      delta::Txn{pipeline.id, settings.sequence, std::nullopt};
  options.delta.partition_by = output.spec.partition_by;
  options.dataset = output.spec.name;
  options.ordering_keys = output.spec.ordering_keys;
  for (const auto& check : output.spec.checks) {
    options.constraints[check.name] = check.expression;
  }
  if (output.spec.write_policy) options.write = *output.spec.write_policy;
  return options;
}

namespace {

// The exactly-once check, before anything runs: an output whose table already holds
// this pipeline's txn at this sequence or later is skipped, recorded at its current
// version with nothing committed.
arrow::Status CheckCommitted(const Pipeline& pipeline, const RunSettings& settings,
                             OutputRun* record, bool* pending) {
  *pending = true;
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(record->result.uri));
  auto snapshot = delta::Snapshot::Load(*store);
  if (!snapshot.ok()) {
    if (delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) {
      return arrow::Status::OK();
    }
    return snapshot.status();
  }
  const auto done = (*snapshot)->AppTransactionVersion(pipeline.id);
  if (!done || *done < settings.sequence) return arrow::Status::OK();
  *pending = false;
  record->status = TaskStatus::kSkipped;
  record->result.skipped = true;
  record->result.version_before = (*snapshot)->version();
  record->result.write.delta.uri = record->result.uri;
  record->result.write.delta.version = (*snapshot)->version();
  record->result.write.delta.committed = false;
  return arrow::Status::OK();
}

void Phase(const RunSettings& settings, const std::string& phase) {
  if (!settings.progress) return;
  ProgressEvent event;
  event.phase = phase;
  settings.progress(event);
}

}  // namespace

arrow::Result<RunResult> RunPipeline(const Pipeline& pipeline,
                                     const RunSettings& settings) {
  if (settings.lake.empty()) return delta::InvalidInput("pipeline run has no lake URI");
  Phase(settings, "validate");
  ARROW_ASSIGN_OR_RAISE(const Dag dag, ValidatePipeline(pipeline));
  RunResult result;
  result.run_id = settings.run_id;
  result.pipeline_id = pipeline.id;
  result.sequence = settings.sequence;
  result.start_ms = NowMs();
  for (const auto& node : pipeline.nodes) {
    NodeRun record;
    record.name = node.name;
    result.nodes.push_back(std::move(record));
  }
  Phase(settings, "check outputs");
  std::vector<bool> pending(pipeline.outputs.size(), true);
  for (size_t o = 0; o < pipeline.outputs.size(); ++o) {
    OutputRun record;
    record.node = pipeline.outputs[o].node;
    record.result.dataset = pipeline.outputs[o].spec.name;
    record.result.uri = OutputUri(settings.lake, record.result.dataset);
    bool is_pending = true;
    ARROW_RETURN_NOT_OK(CheckCommitted(pipeline, settings, &record, &is_pending));
    pending[o] = is_pending;
    result.outputs.push_back(std::move(record));
  }
  Phase(settings, "run");
  Scheduler scheduler(pipeline, dag, settings, pending, &result);
  scheduler.Run();
  result.end_ms = NowMs();
  Phase(settings, "done");
  return result;
}

}  // namespace deltaline::pipeline
