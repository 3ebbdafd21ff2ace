#pragma once

// Cross-file resolution. Each file contributes a ModuleSummary (what it binds at module
// level and what its classes define: the exports other files resolve against); the
// ProjectIndex holds every file's summary; Resolve() resolves one file's imports, call
// sites and base classes against it. Resolution of a file depends only on its own facts
// and the summaries of the modules it imports (transitively through re-exports), which
// is what lets the incremental run re-resolve only the dependents of changed exports.
//
// Call targets carry a method (facts.h) and a confidence:
//   1.0  the name has one binding in the scope that finds it, and it leads to a def (or
//        a builtin, or an external name through an import); also ClassName.m() when m
//        is defined in ClassName itself.
//   0.9  self.m(), cls.m(), super().m() through the class and its bases (a subclass
//        may override m), and ClassName.m() found in a base.
//   0.6 / 0.4  the name has several bindings in that scope (if/else, try/except, a
//        rebinding): one target per binding that leads somewhere, the binding latest
//        in the source first (0.6), the others 0.4. Multiplied through aliases
//        (`g = f`) and receivers (`a.f()` where `a` has several bindings).
//   ×0.6 when the target is reached through a name bound more than once in another
//        module (`if nt: from x import f / else: def f`): only its last binding in the
//        source is followed there.
//   0.2  name_only: an attribute call on a receiver of unknown type whose attribute is
//        the name of exactly one method in the whole codebase and not a common
//        container/IO method name (get, items, append, read, join…). Never above 0.3.
// When unsure there is no edge: an unknown receiver with a common or ambiguous method
// name, a receiver that is a parameter, attributes of instances (`self.x.f()`).
//
// Method resolution order: C3 linearisation (as Python computes it) over the bases
// that resolve to classes in the codebase; when C3 fails (an inconsistent hierarchy)
// left-to-right depth-first order with duplicates removed.
//
// Limits (flow-insensitive): module-level names are looked up in the module's
// bindings first, then in its star imports (the latest star import that exports the
// name wins), then builtins, whatever their order in the source; `__all__` is read
// when it is one literal list or tuple of strings assigned once.

#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
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
    std::string kind;      ///< "def", "import", "alias", "other"
    Id def_id = 0;         ///< kind "def"
    std::string def_kind;  ///< "class", "function"… for kind "def"
    /// kind "import": the absolute module the name is bound from, "" when a relative
    /// import goes beyond the top. `import a.b` binds the module "a", `import a.b as
    /// ab` the module "a.b" (import_name ""); `from m import n` is ("m", "n").
    std::string import_module;
    std::string import_name;  ///< kind "import": the name imported ("" = the module)
    std::string value_text;   ///< kind "alias"
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
  std::vector<Class> classes;  ///< every class in the file
  /// Absolute modules any import anywhere in the file names (with their parent
  /// packages, and `m.n` for `from m import n`), sorted. Not part of SummaryHash: a
  /// new import inside a body changes what this file depends on, not its exports.
  std::vector<std::string> imported_modules;
};

/// \brief The summary of one file's facts (imports are made absolute here).
ModuleSummary Summarize(const FileFacts& facts);

/// \brief Canonical JSON of a summary (keys sorted, arrays in a fixed order, no byte
/// positions), and the SHA-256 of the JSON of its exports (every field but
/// imported_modules): the state table's exports hash. It changes when a module-level
/// name, a class, member or base, or a def_id changes, never for an edit inside a body.
std::string SummaryToJson(const ModuleSummary& summary);
arrow::Result<ModuleSummary> SummaryFromJson(const std::string& json);
std::string SummaryHash(const ModuleSummary& summary);

/// \brief Every file's summary, by module name and by file id, with the hashed views
/// resolution needs (symbols by name, classes by def id, methods by name).
class ProjectIndex {
 public:
  /// Defined in resolve_internal.h: a summary plus its lookup maps (immutable).
  struct Entry;

  void Put(ModuleSummary summary);
  void Erase(Id file_id);
  const ModuleSummary* FindModule(const std::string& module) const;
  const ModuleSummary* FindFile(Id file_id) const;
  /// \brief The files whose resolution may change when the exports of `modules`
  /// change: files importing any of them, transitively through modules that re-export
  /// (import at module level) from them.
  std::set<Id> Dependents(const std::set<std::string>& modules) const;
  size_t size() const;

  // Lookups for the resolver (resolve_*.cc).
  const Entry* FindEntry(const std::string& module) const;
  /// The entry of the file defining class `class_def_id`.
  const Entry* FindClassEntry(Id class_def_id) const;
  /// Whether some module of the codebase is `top` or under it (`top.x`).
  bool HasTopLevel(const std::string& top) const;
  /// Whether some module of the codebase is under `module` (a namespace package).
  bool HasModulesUnder(const std::string& module) const;
  /// The methods (def kind "method") named `name` in the whole codebase.
  const std::set<Id>* MethodsNamed(const std::string& name) const;

 private:
  std::unordered_map<std::string, std::shared_ptr<const Entry>> by_module_;
  std::unordered_map<Id, std::string> module_of_file_;
  std::unordered_map<Id, std::string> module_of_class_;
  std::unordered_map<std::string, std::set<Id>> methods_by_name_;
  std::unordered_map<std::string, int> package_counts_;  ///< every proper prefix
};

/// \brief The method names whose name_only targets may differ between `before` and
/// `after` (the indexes of two runs): among the methods of the `touched` summaries
/// (old and new summaries of the changed, added and deleted files), the names that had
/// exactly one method in either index and whose set of methods differs. Dependents()
/// cannot see these (a name-only guess imports nothing): the files with an attribute
/// call of such a name (call_sites.attribute_name) must be re-resolved as well.
std::set<std::string> NameOnlyChanges(const ProjectIndex& before,
                                      const ProjectIndex& after,
                                      const std::vector<ModuleSummary>& touched);

/// \brief The index of every file's summary.
ProjectIndex BuildProjectIndex(const std::vector<FileFacts>& files);

/// \brief Resolves `facts` against `index`: fills each import's target and status, and
/// returns the call targets and base classes found. Never guesses with high confidence:
/// a name-only match is at most 0.3, and an ambiguous receiver gives no edge.
ResolvedFile Resolve(FileFacts facts, const ProjectIndex& index);

/// \brief Resolve() of every file, in parallel on the CPU thread pool; results in the
/// order of `files`.
arrow::Result<std::vector<ResolvedFile>> ResolveAll(std::vector<FileFacts> files,
                                                    const ProjectIndex& index);

}  // namespace deltaline::anatomy
