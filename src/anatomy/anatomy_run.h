#pragma once

// The anatomy run: a Python source tree becomes the anatomy tables (tables.h) under a
// lake, through the pipeline layer (every commit carries the run's `txn`).
//
// Full run (the first one, or `full`): list, parse every file, index every module,
// resolve every file, overwrite every table.
//
// Incremental run: list, compare with the state table (state_table.h) to find the
// added, changed, deleted and renamed files; parse those only; rebuild the index from
// the stored summaries of the others plus the new ones; re-parse and re-resolve the
// unchanged files that depend on a module whose exports changed (or that was added,
// deleted or renamed); then replace, in each table, exactly the rows of the removed
// and re-done files, one targeted replace per table touching only their buckets. The
// tables end equal, as sets of rows, to a full run of the same tree.
//
// Sequence: the state table's last `txn` + 1. The state table is written last, after
// every other table committed, so a run that failed half-way is retried with the same
// change set and the same sequence: the tables it already committed are skipped by the
// runner's txn check, the others are written; nothing is applied twice.

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "anatomy/facts.h"
#include "anatomy/source_tree.h"
#include "pipeline/output_write.h"
#include "pipeline/pipeline.h"
#include "pipeline/runner.h"
#include "storage/storage_writer.h"

namespace deltaline::anatomy {

/// \brief Where a run is. Called from worker threads, one call at a time.
struct AnatomyProgress {
  /// "list", "parse", "resolve", "write", "done".
  std::string phase;
  int64_t files_done = 0;   ///< parse: files parsed so far; resolve: files resolved
  int64_t files_total = 0;  ///< files this phase handles
  std::string table;        ///< write: the table just written ("" otherwise)
  int64_t rows = -1;        ///< write: its rows added
};

struct AnatomyOptions {
  std::string source_root;
  std::string lake;
  /// Force a full run (the first run is full anyway). Default false.
  bool full = false;
  /// Threads parsing and resolving; 0 = the machine's cores.
  int threads = 0;
  SourceTreeOptions source;
  /// Policies, run context and reporter of every commit (the runner fills mode, txn,
  /// partitioning and the specs' options per table).
  storage::StorageWriteOptions storage;
  /// Tables written at once; 0 = the machine's cores.
  int parallelism = 0;
  std::string run_id;
  /// The `txn` app id of every commit. Default "anatomy".
  std::string pipeline_id = "anatomy";
  std::function<void(const AnatomyProgress&)> progress;
  /// Writes each table once the targeted replace is set on its options; empty =
  /// pipeline::WriteOutputChecked. A hook for tests (an output that fails).
  pipeline::OutputWriter write_output;
};

/// \brief What happened to one table.
struct AnatomyTableResult {
  std::string table;
  /// New rows: those of the files this run (re)did (0 when nothing was committed).
  int64_t rows_written = 0;
  /// Rows of the replaced files the commit removed (-1 when unknown).
  int64_t rows_removed = 0;
  /// Rows of other files in the replaced buckets' data files, carried into new files
  /// (a targeted replace rewrites a data file it removes rows from).
  int64_t rows_copied = 0;
  int64_t files_added = 0;  ///< data files
  int64_t files_removed = 0;
  std::optional<int64_t> version_before;  ///< unset: the table did not exist
  std::optional<int64_t> version_after;   ///< unset: nothing committed
  bool skipped = false;  ///< a retried run's commit was already there (txn)
};

struct AnatomyFileCounts {
  int64_t listed = 0;
  int64_t added = 0;
  int64_t changed = 0;
  int64_t deleted = 0;
  int64_t renamed = 0;
  int64_t unchanged = 0;
  /// Unchanged files re-parsed and re-resolved because a module they import changed
  /// its exports (or appeared, vanished or moved).
  int64_t dependents = 0;
  int64_t parsed = 0;  ///< files parsed in all
};

struct AnatomyResult {
  bool incremental = false;
  /// An incremental run that found nothing to do: no commit at all, no pipeline run.
  bool nothing_changed = false;
  int64_t sequence = 0;  ///< the `txn` version of its commits
  AnatomyFileCounts files;
  /// Incremental: the files whose rows every table replaced (removed, changed, added,
  /// renamed, dependents). Empty for a full run (everything was replaced).
  std::set<Id> replaced_files;
  /// AnatomyTableNames() order, then the state table.
  std::vector<AnatomyTableResult> tables;
  /// What the run wrote (outputs and their specs, nodes without values), for the run
  /// manifest (runs/run_record.h).
  pipeline::Pipeline pipeline;
  /// The runner's result: both passes (tables, then the state) in one, outputs in
  /// `pipeline.outputs` order. Check `run.ok()`: a failed run still has a result.
  pipeline::RunResult run;
};

/// \brief Runs the anatomy of `options.source_root` into `options.lake` (see the file
/// comment). A failure before anything is written (an unreadable root, a state table
/// that cannot be read) is an error; once the pipeline started, the result says how
/// it ended (`run.status`) so the run can be recorded.
arrow::Result<AnatomyResult> RunAnatomy(const AnatomyOptions& options);

/// \brief The run manifest's `anatomy` section: `incremental`, `nothingChanged` and
/// `files` (the counts, camelCase keys).
nlohmann::json AnatomyManifestJson(const AnatomyResult& result);

}  // namespace deltaline::anatomy
