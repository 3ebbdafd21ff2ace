#pragma once

// What an incremental run must redo, from the change set and the stored state: which
// files to parse, which unchanged files to re-resolve, which file ids' rows every table
// replaces, and which state rows change. Kept apart from the run so the affected-set
// rule can be read (and tested) on its own.

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "anatomy/change_set.h"
#include "anatomy/facts.h"
#include "anatomy/resolve.h"

namespace deltaline::anatomy {

/// \brief The files of an incremental run, before anything is parsed.
struct IncrementalInputs {
  std::vector<SourceFile> to_parse;     ///< added, changed and renamed (new path)
  std::vector<FileState> removed;       ///< deleted, and renamed (old path)
  std::map<Id, FileState> changed_old;  ///< changed files: their previous state
  std::map<Id, SourceFile> unchanged;   ///< by file_id, as listed
  /// Unchanged files whose size or mtime moved (touched, same content): their stored
  /// state with the new size and mtime, so the next run need not read them again.
  std::vector<FileState> touched;
  /// The index of every file the run does not parse, from the stored summaries.
  ProjectIndex index;
  /// The stored summaries of the changed and removed files (what the last run saw).
  std::vector<ModuleSummary> old_summaries;
  int64_t added = 0, changed = 0, deleted = 0, renamed = 0;
};

/// \brief Splits `changes` and loads the unchanged files' summaries from `previous`.
/// A stored summary that does not parse is kProtocol naming the file (a corrupt state
/// table; a `--full` run rebuilds it).
arrow::Result<IncrementalInputs> PlanInputs(const ChangeSet& changes,
                                            const std::vector<FileState>& previous);

/// \brief The modules whose exports other files may see differently now: added and
/// removed files' modules, and changed files whose exports hash changed (`summaries`:
/// the parsed files' new summaries, by file_id).
std::set<std::string> ChangedModules(const IncrementalInputs& inputs,
                                     const std::map<Id, ModuleSummary>& summaries);

/// \brief The row-level replacement of every anatomy table: the removed files' ids
/// plus those of every file parsed (changed ones and re-resolved dependents).
std::set<Id> ReplacedFiles(const IncrementalInputs& inputs,
                           const std::vector<Id>& reparsed);

/// \brief The state rows replaced: removed, parsed-for-change and touched files (not
/// the dependents, whose stored state is still true).
std::set<Id> ReplacedStates(const IncrementalInputs& inputs);

/// \brief One state row: `file` (listed and read) and its summary.
FileState StateOf(const SourceFile& file, const ModuleSummary& summary);

}  // namespace deltaline::anatomy
