#pragma once

// Runs a checked pipeline: nodes in parallel as their inputs become ready, values
// streamed to a single consumer and materialised once for several, outputs written as
// Delta commits carrying the run's `txn` so a re-run with the same sequence commits
// each output at most once.
//
// Streaming: a node value read by exactly one consumer (a node or an output) is handed
// on as it is; a Declaration output goes straight into its table through
// engine::InsertInto, a reader through storage::WriteDatasetDelta. A value read by
// several consumers is materialised once into a Table (a reader read to its end, a
// Declaration run through engine::RunToTable) and the Table is shared.
//
// Exactly-once: before anything runs, each output's table is read; if its
// `AppTransactionVersion(pipeline.id)` is already >= the sequence the output is
// skipped, and nodes needed by no pending output do not run at all (a node feeding no
// output never runs: nodes have no effects besides their value). The Delta writer
// checks the `txn` again at commit, so a concurrent run of the same sequence cannot
// apply it twice either.
//
// Failure: the first failing node or output fails the run. Nothing new starts after
// it; nodes and writes already running finish (a node function cannot be interrupted),
// and whatever committed stays committed.
//
// Sinks: nodes have no write API; the one file sink a NodeValue can reach is an
// engine plan with a file-writing node. Every Declaration a node returns is passed
// through engine::GateSinks as soon as it is returned, and runs only through
// engine/execute.h or InsertInto (which gate again). A refused sink is recorded in
// RunResult::refusals; in production mode it also fails the run.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

#include "delta/write/write.h"
#include "pipeline/output_write.h"
#include "pipeline/pipeline.h"
#include "storage/storage_writer.h"

namespace deltaline::pipeline {

enum class ProgressKind {
  kPhase,           ///< `phase` changed: "validate", "check outputs", "run", "done"
  kNodeStarted,     ///< `name` is a node
  kNodeFinished,    ///< `name` is a node; `rows` when its value was a table, else -1
  kOutputStarted,   ///< `name` is a dataset
  kOutputFinished,  ///< `name` is a dataset; `rows` added (0 when skipped)
};

struct ProgressEvent {
  ProgressKind kind = ProgressKind::kPhase;
  std::string name;
  std::string phase;
  int64_t rows = -1;
  int nodes_done = 0;        ///< nodes finished so far
  int nodes_total = 0;       ///< nodes this run runs (skipped outputs' nodes excluded)
  int64_t rows_written = 0;  ///< rows added to outputs so far
};

struct RunSettings {
  std::string lake;      ///< outputs are `<lake>/<spec.name>`
  int64_t sequence = 0;  ///< the `txn` version of every output commit
  std::string run_id;
  /// Policies, run context and reporter of every write and plan. Its `delta.mode` is
  /// replaced by `mode`, `app_transaction` by the run's txn, and the spec's fields
  /// (partition_by, dataset, ordering keys, checks, write policy) are filled per output.
  storage::StorageWriteOptions storage;
  delta::SaveMode mode = delta::SaveMode::kAppend;
  /// Tasks (nodes and output writes) running at once; 0 = the machine's cores.
  int parallelism = 0;
  /// How outputs are written; empty = WriteOutputChecked (checked against the spec).
  OutputWriter write_output;
  /// Called from worker threads, one call at a time. Empty: no progress.
  std::function<void(const ProgressEvent&)> progress;
};

enum class TaskStatus { kNotRun, kSucceeded, kFailed, kSkipped };
const char* TaskStatusName(TaskStatus status);

struct NodeRun {
  std::string name;
  TaskStatus status = TaskStatus::kNotRun;  ///< kSkipped: needed by no pending output
  int64_t start_ms = 0;                     ///< Unix epoch ms; 0 when it did not run
  int64_t end_ms = 0;
  int64_t rows = -1;          ///< rows of its value when it was (or became) a table
  bool materialised = false;  ///< several consumers: the value was made a Table
  std::string error;
};

struct OutputRun {
  std::string node;
  TaskStatus status = TaskStatus::kNotRun;  ///< kSkipped: the txn was already there
  OutputWriteResult result;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string error;
};

/// \brief A file sink the gate refused in a node's plan.
struct Refusal {
  std::string node;
  std::string factory;  ///< "write", "tee"… (empty when only the message is known)
  std::string format;
  std::string path;
  std::string message;
};

enum class RunOutcome { kSucceeded, kFailed };

struct RunResult {
  std::string run_id;
  std::string pipeline_id;
  int64_t sequence = 0;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  RunOutcome outcome = RunOutcome::kSucceeded;
  arrow::Status status;             ///< the first failure (typed), OK when succeeded
  std::vector<std::string> errors;  ///< every failure, in the order seen
  std::vector<NodeRun> nodes;       ///< Pipeline::nodes order
  std::vector<OutputRun> outputs;   ///< Pipeline::outputs order
  std::vector<Refusal> refusals;

  bool ok() const { return outcome == RunOutcome::kSucceeded; }
};

/// \brief Validates `pipeline` (dag.h; its errors are returned and nothing runs), then
/// runs it. A run that started returns a RunResult even when it failed: check
/// `outcome`/`status` (the manifest records failed runs too). An empty lake is
/// kInvalidInput.
arrow::Result<RunResult> RunPipeline(const Pipeline& pipeline,
                                     const RunSettings& settings);

/// \brief The options an output's write gets (see RunSettings::storage).
storage::StorageWriteOptions OutputWriteOptions(const Pipeline& pipeline,
                                                const Output& output,
                                                const RunSettings& settings);

}  // namespace deltaline::pipeline
