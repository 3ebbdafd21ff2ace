#include "anatomy/incremental_plan.h"

#include <utility>

#include <arrow/util/parallel.h>

#include "anatomy/source_tree.h"
#include "delta/base/errors.h"

namespace deltaline::anatomy {

arrow::Result<IncrementalInputs> PlanInputs(const ChangeSet& changes,
                                            const std::vector<FileState>& previous) {
  IncrementalInputs inputs;
  std::map<Id, const FileState*> previous_by_id;
  for (const auto& state : previous) previous_by_id[state.file_id] = &state;
  for (const auto& file : changes.added) inputs.to_parse.push_back(file);
  for (const auto& file : changes.changed) {
    inputs.to_parse.push_back(file);
    auto it = previous_by_id.find(file.file_id);
    if (it != previous_by_id.end()) inputs.changed_old[file.file_id] = *it->second;
  }
  for (const auto& renamed : changes.renamed) {
    inputs.removed.push_back(renamed.first);
    inputs.to_parse.push_back(renamed.second);
  }
  for (const auto& state : changes.deleted) inputs.removed.push_back(state);
  // The unchanged files' stored summaries are the bulk of an incremental run's fixed
  // cost (one JSON document per file): parse them on all cores, index them in order.
  std::vector<const SourceFile*> kept;
  std::vector<const FileState*> kept_state;
  for (const auto& file : changes.unchanged) {
    inputs.unchanged[file.file_id] = file;
    auto it = previous_by_id.find(file.file_id);
    if (it == previous_by_id.end()) {
      return delta::ProtocolError("change set: unchanged file " + file.path +
                                  " has no stored state");
    }
    if (it->second->size != file.size || it->second->mtime_ns != file.mtime_ns) {
      FileState touched = *it->second;
      touched.size = file.size;
      touched.mtime_ns = file.mtime_ns;
      inputs.touched.push_back(std::move(touched));
    }
    kept.push_back(&file);
    kept_state.push_back(it->second);
  }
  std::vector<arrow::Result<ModuleSummary>> parsed(
      kept.size(), arrow::Status::UnknownError("unparsed"));
  ARROW_RETURN_NOT_OK(
      arrow::internal::ParallelFor(static_cast<int>(kept.size()), [&](int i) {
        parsed[i] = SummaryFromJson(kept_state[i]->summary_json);
        return arrow::Status::OK();
      }));
  for (size_t i = 0; i < kept.size(); ++i) {
    if (!parsed[i].ok()) {
      return delta::ProtocolError("state table: the stored summary of " + kept[i]->path +
                                  " does not parse (" + parsed[i].status().message() +
                                  "); run with --full to rebuild it");
    }
    inputs.index.Put(std::move(*parsed[i]));
  }
  for (const auto& removed : inputs.removed) {
    auto summary = SummaryFromJson(removed.summary_json);
    if (summary.ok()) inputs.old_summaries.push_back(std::move(*summary));
  }
  for (const auto& entry : inputs.changed_old) {
    auto summary = SummaryFromJson(entry.second.summary_json);
    if (summary.ok()) inputs.old_summaries.push_back(std::move(*summary));
  }
  inputs.added = static_cast<int64_t>(changes.added.size());
  inputs.changed = static_cast<int64_t>(changes.changed.size());
  inputs.deleted = static_cast<int64_t>(changes.deleted.size());
  inputs.renamed = static_cast<int64_t>(changes.renamed.size());
  return inputs;
}

std::set<std::string> ChangedModules(const IncrementalInputs& inputs,
                                     const std::map<Id, ModuleSummary>& summaries) {
  std::set<std::string> modules;
  for (const auto& state : inputs.removed) modules.insert(ModuleNameOfPath(state.path));
  for (const auto& file : inputs.to_parse) {
    auto old = inputs.changed_old.find(file.file_id);
    auto summary = summaries.find(file.file_id);
    const bool same_exports = old != inputs.changed_old.end() &&
                              summary != summaries.end() &&
                              SummaryHash(summary->second) == old->second.exports_hash;
    if (!same_exports) modules.insert(file.module);
  }
  return modules;
}

std::set<Id> ReplacedFiles(const IncrementalInputs& inputs,
                           const std::vector<Id>& reparsed) {
  std::set<Id> ids(reparsed.begin(), reparsed.end());
  for (const auto& state : inputs.removed) ids.insert(state.file_id);
  for (const auto& file : inputs.to_parse) ids.insert(file.file_id);
  return ids;
}

std::set<Id> ReplacedStates(const IncrementalInputs& inputs) {
  std::set<Id> ids = ReplacedFiles(inputs, {});
  for (const auto& state : inputs.touched) ids.insert(state.file_id);
  return ids;
}

FileState StateOf(const SourceFile& file, const ModuleSummary& summary) {
  FileState state = FileStateOf(file);
  state.exports_hash = SummaryHash(summary);
  state.summary_json = SummaryToJson(summary);
  return state;
}

}  // namespace deltaline::anatomy
