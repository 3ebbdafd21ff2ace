#pragma once

// Cross-file resolution. Each file contributes a ModuleSummary (what it binds at module
// level and what its classes define: the exports other files resolve against); the
// ProjectIndex holds every file's summary; Resolve() resolves one file's imports, call
// sites and base classes against it. Resolution of a file depends only on its own facts
// and the summaries of the modules it imports (transitively through re-exports), which
// is what lets the incremental run re-resolve only the dependents of changed exports.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

/// \brief What a file exports (see the file comment). Plain data, serialised to JSON in
/// the incremental state table.
struct ModuleSummary {
  Id file_id = 0;
  std::string path;
  std::string module;
  bool is_package_init = false;
  Id module_def_id = 0;
  struct Symbol {
    std::string name;
    std::string kind;           ///< "def", "import", "alias", "other"
    Id def_id = 0;              ///< kind "def"
    std::string def_kind;       ///< "class", "function"… for kind "def"
    std::string import_module;  ///< kind "import": absolute module imported from
    std::string import_name;    ///< kind "import": the name imported ("" = the module)
    std::string value_text;     ///< kind "alias"
  };
  std::vector<Symbol> symbols;            ///< module-level bindings, by name
  std::vector<std::string> star_imports;  ///< absolute modules of `from m import *`
  std::vector<std::string> all;           ///< `__all__` when a literal list, else empty
  bool has_all = false;
  struct Class {
    Id def_id = 0;
    std::string qualname;
    std::vector<std::string> bases;  ///< base expressions' text
    std::vector<Symbol> members;     ///< methods and class-level bindings
  };
  std::vector<Class> classes;                 ///< every class in the file
  std::vector<std::string> imported_modules;  ///< absolute modules any import names
};

/// \brief The summary of one file's facts (imports are made absolute here).
ModuleSummary Summarize(const FileFacts& facts);

/// \brief Canonical JSON of a summary, and its SHA-256 (the state table's exports
/// hash: equal summaries give equal hashes).
std::string SummaryToJson(const ModuleSummary& summary);
arrow::Result<ModuleSummary> SummaryFromJson(const std::string& json);
std::string SummaryHash(const ModuleSummary& summary);

/// \brief Every file's summary, by module name and by file id.
class ProjectIndex {
 public:
  void Put(ModuleSummary summary);
  void Erase(Id file_id);
  const ModuleSummary* FindModule(const std::string& module) const;
  const ModuleSummary* FindFile(Id file_id) const;
  /// \brief The files whose resolution may change when the exports of `modules`
  /// change: files importing any of them, transitively through modules that re-export
  /// (import at module level) from them.
  std::set<Id> Dependents(const std::set<std::string>& modules) const;
  size_t size() const;

 private:
  std::map<std::string, ModuleSummary> by_module_;
  std::map<Id, std::string> module_of_file_;
};

/// \brief Resolves `facts` against `index`: fills each import's target and status, and
/// returns the call targets and base classes found. Never guesses with high confidence:
/// a name-only match is at most 0.3, and an ambiguous receiver gives no edge.
ResolvedFile Resolve(FileFacts facts, const ProjectIndex& index);

}  // namespace deltaline::anatomy
