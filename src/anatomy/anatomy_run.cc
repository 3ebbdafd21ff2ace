#include "anatomy/anatomy_run.h"

#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <utility>

#include <arrow/builder.h>
#include <arrow/compute/api.h>

#include "anatomy/anatomy_outputs.h"
#include "anatomy/change_set.h"
#include "anatomy/extract_all.h"
#include "anatomy/incremental_plan.h"
#include "anatomy/resolve.h"
#include "anatomy/state_table.h"
#include "anatomy/tables.h"
#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "pipeline/output_write.h"

namespace deltaline::anatomy {
namespace {

// What the write phase gets: the rows of every table, the state rows, and which file
// ids they replace (unset: everything, a full run).
struct RunWork {
  std::vector<ResolvedFile> resolved;
  std::vector<FileState> states;
  std::optional<std::set<Id>> replaced_files;
  std::optional<std::set<Id>> replaced_states;
};

void Report(const AnatomyOptions& options, std::string phase, int64_t done,
            int64_t total) {
  if (!options.progress) return;
  AnatomyProgress event;
  event.phase = std::move(phase);
  event.files_done = done;
  event.files_total = total;
  options.progress(event);
}

arrow::Result<std::vector<FileFacts>> Parse(const AnatomyOptions& options,
                                            std::vector<SourceFile> files) {
  const auto total = static_cast<int64_t>(files.size());
  Report(options, "parse", 0, total);
  ExtractAllOptions extract;
  extract.threads = options.threads;
  // Summarize reads the text (a literal `__all__`); a tree's text fits in memory.
  extract.keep_text = true;
  if (options.progress) {
    extract.progress = [&options](const ExtractProgress& progress) {
      Report(options, "parse", progress.files_done, progress.files_total);
    };
  }
  return LoadAndExtract(options.source_root, std::move(files), extract);
}

arrow::Result<std::vector<ResolvedFile>> ResolveFiles(const AnatomyOptions& options,
                                                      std::vector<FileFacts> facts,
                                                      const ProjectIndex& index) {
  const auto total = static_cast<int64_t>(facts.size());
  Report(options, "resolve", 0, total);
  ARROW_ASSIGN_OR_RAISE(auto resolved, ResolveAll(std::move(facts), index));
  Report(options, "resolve", total, total);
  return resolved;
}

// The files with an attribute call of one of `names` (call_sites.attribute_name).
arrow::Result<std::set<Id>> FilesCallingAttributes(const std::string& lake,
                                                   const std::set<std::string>& names) {
  std::set<Id> files;
  if (names.empty()) return files;
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(
                                        pipeline::OutputUri(lake, "call_sites")));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  arrow::StringBuilder builder;
  for (const auto& name : names) ARROW_RETURN_NOT_OK(builder.Append(name));
  ARROW_ASSIGN_OR_RAISE(auto values, builder.Finish());
  namespace cp = arrow::compute;
  delta::ScanOptions scan;
  scan.columns = {"file_id"};
  ARROW_ASSIGN_OR_RAISE(scan.filter, cp::call("is_in", {cp::field_ref("attribute_name")},
                                              cp::SetLookupOptions(arrow::Datum(values)))
                                         .Bind(*snapshot->schema()));
  ARROW_ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(*store, snapshot, scan));
  for (const auto& chunk : table->GetColumnByName("file_id")->chunks()) {
    const auto& ids = static_cast<const arrow::Int64Array&>(*chunk);
    for (int64_t i = 0; i < ids.length(); ++i) files.insert(ids.Value(i));
  }
  return files;
}

arrow::Result<RunWork> FullWork(const AnatomyOptions& options,
                                std::vector<SourceFile> listed,
                                AnatomyFileCounts* counts) {
  counts->added = static_cast<int64_t>(listed.size());
  ARROW_ASSIGN_OR_RAISE(auto facts, Parse(options, std::move(listed)));
  counts->parsed = static_cast<int64_t>(facts.size());
  RunWork work;
  ProjectIndex index;
  for (const auto& file : facts) {
    ModuleSummary summary = Summarize(file);
    work.states.push_back(StateOf(file.file, summary));
    index.Put(std::move(summary));
  }
  ARROW_ASSIGN_OR_RAISE(work.resolved, ResolveFiles(options, std::move(facts), index));
  return work;
}

// Nothing to do is a value: no work, `*nothing` set.
arrow::Result<RunWork> IncrementalWork(const AnatomyOptions& options,
                                       std::vector<SourceFile> listed,
                                       const StoredState& state,
                                       AnatomyFileCounts* counts, bool* nothing) {
  ARROW_ASSIGN_OR_RAISE(auto changes, ComputeChangeSet(options.source_root,
                                                       std::move(listed), state.files));
  ARROW_ASSIGN_OR_RAISE(auto inputs, PlanInputs(changes, state.files));
  counts->added = inputs.added;
  counts->changed = inputs.changed;
  counts->deleted = inputs.deleted;
  counts->renamed = inputs.renamed;
  counts->unchanged = static_cast<int64_t>(inputs.unchanged.size());
  RunWork work;
  if (inputs.to_parse.empty() && inputs.removed.empty()) {
    *nothing = true;
    return work;
  }
  ARROW_ASSIGN_OR_RAISE(auto facts, Parse(options, inputs.to_parse));
  ProjectIndex before = inputs.index;
  for (const auto& summary : inputs.old_summaries) before.Put(summary);
  std::vector<ModuleSummary> touched = inputs.old_summaries;
  std::map<Id, ModuleSummary> summaries;
  for (const auto& file : facts) {
    ModuleSummary summary = Summarize(file);
    work.states.push_back(StateOf(file.file, summary));
    summaries[file.file.file_id] = summary;
    touched.push_back(summary);
    inputs.index.Put(std::move(summary));
  }
  // Unchanged files importing a module whose exports changed: their own facts are the
  // same, their resolution may not be. They are parsed again (nothing of them but
  // their summary is stored).
  std::set<Id> affected = inputs.index.Dependents(ChangedModules(inputs, summaries));
  // A name-only guess (`x.m()` → the one method `m` of the codebase) imports nothing:
  // the files calling a method name whose set of definitions changed are found in the
  // call_sites table.
  const auto names = NameOnlyChanges(before, inputs.index, touched);
  ARROW_ASSIGN_OR_RAISE(auto callers, FilesCallingAttributes(options.lake, names));
  affected.insert(callers.begin(), callers.end());
  std::vector<SourceFile> dependents;
  for (Id id : affected) {
    auto it = inputs.unchanged.find(id);
    if (it != inputs.unchanged.end()) dependents.push_back(it->second);
  }
  counts->dependents = static_cast<int64_t>(dependents.size());
  std::vector<Id> reparsed;
  for (const auto& file : dependents) reparsed.push_back(file.file_id);
  if (!dependents.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto again, Parse(options, std::move(dependents)));
    for (auto& file : again) facts.push_back(std::move(file));
  }
  counts->parsed = static_cast<int64_t>(facts.size());
  for (const auto& state : inputs.touched) work.states.push_back(state);
  work.replaced_files = ReplacedFiles(inputs, reparsed);
  work.replaced_states = ReplacedStates(inputs);
  ARROW_ASSIGN_OR_RAISE(work.resolved,
                        ResolveFiles(options, std::move(facts), inputs.index));
  return work;
}

arrow::Result<std::vector<TableOutput>> BuildTables(const RunWork& work) {
  std::vector<const ResolvedFile*> files;
  files.reserve(work.resolved.size());
  for (const auto& file : work.resolved) files.push_back(&file);
  std::vector<TableOutput> tables;
  for (const auto& name : AnatomyTableNames()) {
    TableOutput table;
    ARROW_ASSIGN_OR_RAISE(table.spec, AnatomySpec(name));
    ARROW_ASSIGN_OR_RAISE(table.rows, BuildAnatomyTable(name, files));
    tables.push_back(std::move(table));
  }
  return tables;
}

pipeline::RunSettings SettingsFor(const AnatomyOptions& options, int64_t sequence,
                                  std::optional<std::set<Id>> replaced) {
  pipeline::RunSettings settings;
  settings.lake = options.lake;
  settings.sequence = sequence;
  settings.run_id = options.run_id;
  settings.storage = options.storage;
  settings.mode = delta::SaveMode::kOverwrite;
  settings.parallelism = options.parallelism;
  settings.write_output = TargetedWriter(std::move(replaced), options.write_output);
  if (options.progress) {
    settings.progress = [&options](const pipeline::ProgressEvent& event) {
      if (event.kind != pipeline::ProgressKind::kOutputFinished) return;
      AnatomyProgress progress;
      progress.phase = "write";
      progress.table = event.name;
      progress.rows = event.rows;
      options.progress(progress);
    };
  }
  return settings;
}

// The second pass (the state table) joins the first in one result, as one run.
void Append(pipeline::RunResult* run, pipeline::RunResult more) {
  run->end_ms = more.end_ms;
  for (auto& node : more.nodes) run->nodes.push_back(std::move(node));
  for (auto& output : more.outputs) run->outputs.push_back(std::move(output));
  for (auto& error : more.errors) run->errors.push_back(std::move(error));
  for (auto& refusal : more.refusals) run->refusals.push_back(std::move(refusal));
  if (!more.ok() && run->ok()) {
    run->outcome = more.outcome;
    run->status = more.status;
  }
}

AnatomyTableResult TableResult(const pipeline::OutputRun& output,
                               const std::string& table) {
  AnatomyTableResult result;
  result.table = table;
  result.skipped = output.status == pipeline::TaskStatus::kSkipped;
  result.version_before = output.result.version_before;
  const auto& write = output.result.write.delta;
  if (output.status == pipeline::TaskStatus::kSucceeded && write.committed) {
    result.version_after = write.version;
    result.rows_copied = write.rows_copied;
    result.rows_written = write.rows_added - write.rows_copied;
    result.rows_removed =
        write.rows_removed < 0 ? -1 : write.rows_removed - write.rows_copied;
    result.files_added = write.files_added;
    result.files_removed = write.files_removed;
  }
  return result;
}

// Runs the tables' pipeline, then (when it succeeded) the state's, and records both.
arrow::Status Write(const AnatomyOptions& options, RunWork work, AnatomyResult* result) {
  Report(options, "write", 0, static_cast<int64_t>(AnatomyTableNames().size()) + 1);
  ARROW_ASSIGN_OR_RAISE(auto tables, BuildTables(work));
  work.resolved.clear();
  TableOutput state{StateSpec(), nullptr};
  ARROW_ASSIGN_OR_RAISE(state.rows, BuildStateTable(work.states));
  auto tables_pipe = OutputsPipeline(options.pipeline_id, tables);
  auto state_pipe = OutputsPipeline(options.pipeline_id, {state});
  ARROW_ASSIGN_OR_RAISE(
      result->run,
      pipeline::RunPipeline(tables_pipe,
                            SettingsFor(options, result->sequence, work.replaced_files)));
  if (result->run.ok()) {
    ARROW_ASSIGN_OR_RAISE(
        auto state_run,
        pipeline::RunPipeline(
            state_pipe, SettingsFor(options, result->sequence, work.replaced_states)));
    Append(&result->run, std::move(state_run));
  } else {
    pipeline::OutputRun not_run;
    not_run.node = state.spec.name;
    result->run.outputs.push_back(std::move(not_run));
  }
  result->pipeline.id = options.pipeline_id;
  for (const auto* pipe : {&tables_pipe, &state_pipe}) {
    for (const auto& node : pipe->nodes)
      result->pipeline.nodes.push_back({node.name, {}, {}});
    for (const auto& output : pipe->outputs) result->pipeline.outputs.push_back(output);
  }
  for (size_t i = 0; i < result->pipeline.outputs.size(); ++i) {
    result->tables.push_back(
        TableResult(result->run.outputs[i], result->pipeline.outputs[i].spec.name));
  }
  Report(options, "done", 0, 0);
  return arrow::Status::OK();
}

// What the tables beside the state say: a table missing (deleted by hand, or one this
// build added) cannot be patched, and a txn newer than the state's next sequence means
// the state is not the one these tables were written with (a state table removed by
// hand): either way the run must be full, and in the second case with a sequence the
// tables have not seen, or the runner would skip them all.
struct LakeTables {
  bool all_exist = true;
  int64_t max_sequence = 0;
};

arrow::Result<LakeTables> InspectTables(const std::string& lake,
                                        const std::string& app_id) {
  LakeTables tables;
  for (const auto& name : AnatomyTableNames()) {
    ARROW_ASSIGN_OR_RAISE(
        auto store, delta::FileSystemLogStore::Open(pipeline::OutputUri(lake, name)));
    auto snapshot = delta::Snapshot::Load(*store);
    if (!snapshot.ok()) {
      if (!delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) {
        return snapshot.status();
      }
      tables.all_exist = false;
      continue;
    }
    tables.max_sequence = std::max(
        tables.max_sequence, (*snapshot)->AppTransactionVersion(app_id).value_or(0));
  }
  return tables;
}

}  // namespace

arrow::Result<AnatomyResult> RunAnatomy(const AnatomyOptions& given) {
  if (given.lake.empty()) return delta::InvalidInput("anatomy run has no lake");
  // Progress comes from parsing threads and the runner's workers: one call at a time.
  AnatomyOptions options = given;
  if (given.progress) {
    auto mutex = std::make_shared<std::mutex>();
    options.progress = [mutex, inner = given.progress](const AnatomyProgress& event) {
      std::lock_guard<std::mutex> lock(*mutex);
      inner(event);
    };
  }
  const int64_t start_ms = delta::NowMs();
  Report(options, "list", 0, 0);
  ARROW_ASSIGN_OR_RAISE(auto listed, ListSourceTree(options.source_root, options.source));
  AnatomyResult result;
  result.files.listed = static_cast<int64_t>(listed.size());
  Report(options, "list", result.files.listed, result.files.listed);
  ARROW_ASSIGN_OR_RAISE(auto state, ReadState(options.lake, options.pipeline_id));
  result.sequence = state.sequence.value_or(0) + 1;
  ARROW_ASSIGN_OR_RAISE(auto tables, InspectTables(options.lake, options.pipeline_id));
  const bool foreign = tables.max_sequence > result.sequence;
  if (foreign) result.sequence = tables.max_sequence + 1;
  const bool incremental = state.exists && !options.full && tables.all_exist && !foreign;
  result.incremental = incremental;
  RunWork work;
  if (incremental) {
    ARROW_ASSIGN_OR_RAISE(work, IncrementalWork(options, std::move(listed), state,
                                                &result.files, &result.nothing_changed));
    if (result.nothing_changed) {
      result.sequence = state.sequence.value_or(0);
      result.run.run_id = options.run_id;
      result.run.pipeline_id = options.pipeline_id;
      result.run.sequence = result.sequence;
      result.run.start_ms = start_ms;
      result.run.end_ms = delta::NowMs();
      Report(options, "done", 0, 0);
      return result;
    }
  } else {
    ARROW_ASSIGN_OR_RAISE(work, FullWork(options, std::move(listed), &result.files));
  }
  if (work.replaced_files) result.replaced_files = *work.replaced_files;
  ARROW_RETURN_NOT_OK(Write(options, std::move(work), &result));
  result.run.start_ms = start_ms;  // the run began with the listing, not the writes
  return result;
}

nlohmann::json AnatomyManifestJson(const AnatomyResult& result) {
  const AnatomyFileCounts& files = result.files;
  return {{"incremental", result.incremental},
          {"nothingChanged", result.nothing_changed},
          {"files",
           {{"listed", files.listed},
            {"added", files.added},
            {"changed", files.changed},
            {"deleted", files.deleted},
            {"renamed", files.renamed},
            {"unchanged", files.unchanged},
            {"dependents", files.dependents},
            {"parsed", files.parsed}}}};
}

}  // namespace deltaline::anatomy
