#pragma once

// The resolver of one file (internal to resolve_*.cc): name lookup through the file's
// scope chain, module attributes through the index's summaries (following re-exports,
// bounded), classes' method resolution order, with per-file memos.

#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "anatomy/resolve_internal.h"

namespace deltaline::anatomy::resolve_internal {

/// \brief One way a name or dotted expression resolves: the value, how its first name
/// was found (local, enclosing, global, import, builtin) and a confidence.
struct Found {
  Value value;
  std::string method;
  double confidence = 1.0;
};

class Resolver {
 public:
  Resolver(const FileFacts& facts, const ProjectIndex& index);

  const FileFacts& facts() const { return facts_; }
  const Definition* Def(Id def_id) const;

  /// The bindings of `name` seen from `scope` (Python's LEGB, class scopes visible only
  /// from their own body), the module's star imports, then builtins.
  std::vector<Found> LookupName(const std::string& name, Id scope, int depth = 0);
  /// A dotted name evaluated in `scope`.
  std::vector<Found> EvalDotted(const std::string& text, Id scope, int depth = 0);

  /// `module.name` as other code sees it (re-exports and star imports followed);
  /// `builtins`: fall back to builtins (a name used inside that module).
  Value ModuleAttr(const std::string& module, const std::string& name, bool builtins,
                   int depth = 0);
  Value Attr(const Value& value, const std::string& name, int depth = 0);
  /// A module by name: kModule inside the codebase, kExternal outside, kNone missing.
  Value ModuleValue(const std::string& module);
  Value ImportValue(int import_index);
  /// The module a dotted module name denotes: itself when it is a file or package of
  /// the codebase, else through attributes (`os.path` → "posixpath"); "" when none.
  std::string CanonicalModule(const std::string& module, int depth = 0);

  /// The value of member `name` of a class through its MRO (from the second class
  /// when `skip_self`), and whether it was found in the class itself.
  Value FindMember(Id class_id, const std::string& name, bool skip_self,
                   bool* in_class_itself = nullptr);
  const std::vector<Id>& Mro(Id class_id);
  /// The class whose method encloses `scope` (for super()); 0 when none.
  Id EnclosingMethodClass(Id scope) const;
  /// The best resolution of base `index` of own class `class_id`.
  std::vector<Found> OwnBase(const Definition& cls, size_t index);

  const ProjectIndex::Entry* Entry(const std::string& module) const;
  bool HasTopLevel(const std::string& top) const;

 private:
  std::vector<Found> FromBindings(const std::vector<const Binding*>& bindings,
                                  const std::string& method, int depth);
  std::vector<Found> BindingValues(const Binding& b, const std::string& method,
                                   int depth);
  Value ParamValue(const Binding& b) const;
  Value SymbolValue(const ProjectIndex::Entry& entry, const ModuleSummary::Symbol& symbol,
                    int depth);
  Value AttrOf(const Value& value, const std::string& name, int depth);
  Value EvalInModule(const std::string& module, const std::string& text, int depth);
  std::vector<Id> BaseClasses(Id class_id);
  const ProjectIndex::Entry* ClassEntry(Id class_id) const;
  std::vector<Id> Linearize(Id class_id);

  const FileFacts& facts_;
  const ProjectIndex& index_;
  std::shared_ptr<const ProjectIndex::Entry> local_;
  Id module_id_ = 0;
  std::unordered_map<Id, const Definition*> defs_;
  std::unordered_map<Id, std::unordered_map<std::string, std::vector<const Binding*>>>
      scopes_;
  std::unordered_map<std::string, Value> module_attr_memo_;
  std::unordered_set<std::string> module_attr_active_;
  std::unordered_map<int, Value> import_memo_;
  std::unordered_map<Id, std::vector<Id>> mro_memo_;
  std::unordered_set<Id> mro_active_;
  std::unordered_set<const Binding*> active_aliases_;
  std::unordered_map<const Binding*, std::vector<Found>> alias_memo_;
};

/// Dotted text of a base expression without a subscript (`Generic[T]` → `Generic`).
std::string BaseName(const std::string& text);

}  // namespace deltaline::anatomy::resolve_internal
