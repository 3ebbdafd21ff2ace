#pragma once

// Shared by the resolver's files: the index entry (a summary with hashed lookups), the
// value an expression resolves to, and small name helpers.

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "anatomy/resolve.h"

namespace deltaline::anatomy {

struct ProjectIndex::Entry {
  ModuleSummary summary;
  /// name → indexes into summary.symbols, in source order (the last binds last).
  std::unordered_map<std::string, std::vector<int>> symbols;
  std::unordered_map<Id, int> class_index;  ///< class def_id → index into classes
  /// Per class: member name → indexes into its members, in source order.
  std::vector<std::unordered_map<std::string, std::vector<int>>> members;
  std::vector<std::string> all;  ///< `__all__` when has_all

  static std::shared_ptr<const Entry> Make(ModuleSummary summary);
  /// The last symbol bound to `name` at module level, or null.
  const ModuleSummary::Symbol* LastSymbol(const std::string& name) const;
  /// Whether `from <this> import *` binds `name`.
  bool StarExports(const std::string& name) const;
};

namespace resolve_internal {

/// \brief What an expression denotes, as far as the resolver can tell.
struct Value {
  enum Kind {
    kNone,      ///< not bound anywhere it could be found
    kUnknown,   ///< bound, but to something the resolver does not follow
    kDef,       ///< a function, method or class in the codebase (def_id, def_kind)
    kModule,    ///< a module of the codebase (name)
    kExternal,  ///< outside the codebase (name: dotted, "os.path")
    kBuiltin,   ///< a builtin (name: "builtins.len")
    kSelf,      ///< an instance of class def_id (the first parameter of a method)
    kCls,       ///< class def_id itself, through `cls` in a classmethod
  };
  Kind kind = kNone;
  Id def_id = 0;
  std::string def_kind;
  std::string name;
  /// Found through a module-level name bound more than once in its module (the last
  /// binding is followed; the call edge gets a lower confidence).
  bool ambiguous = false;

  static Value None() { return {}; }
  static Value Unknown() { return {kUnknown, 0, "", ""}; }
  static Value Def(Id id, std::string kind) { return {kDef, id, std::move(kind), ""}; }
  static Value Named(Kind kind, std::string name) {
    return {kind, 0, "", std::move(name)};
  }
};

/// \brief The absolute module of an import written in `file`: `module_text` with
/// `level` leading dots. nullopt when the dots go beyond the top package.
std::optional<std::string> AbsoluteModule(const SourceFile& file,
                                          const std::string& module_text, int level);

/// \brief The module bound by an `import` statement's name (`a.b` → "a", or "a.b" with
/// an alias), and by `from`; the pair (module, name) of ModuleSummary::Symbol.
void ImportBinding(const SourceFile& file, const Import& import, std::string* module,
                   std::string* name);

bool IsBuiltinName(std::string_view name);
/// \brief Method names too common to guess a callee from (container, string, IO
/// methods, dunders).
bool IsCommonMethodName(std::string_view name);
/// \brief Whether `text` is a dotted name (`a`, `a.b.c`): identifiers and dots only.
bool IsDottedName(std::string_view text);
std::vector<std::string> SplitDots(const std::string& text);
std::string TopLevel(const std::string& module);

}  // namespace resolve_internal
}  // namespace deltaline::anatomy
