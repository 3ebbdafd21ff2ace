#pragma once

// The extractor's walk state, shared by the files that turn one kind of construct into
// rows (extract_definitions.cc, extract_imports.cc, extract_calls.cc,
// extract_bindings.cc, extract_diagnostics.cc). extract.cc drives ONE cursor walk
// over the tree and calls them; none of them walks the whole tree again.

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tree_sitter/api.h>

#include "anatomy/facts.h"
#include "anatomy/syntax_walk.h"

namespace deltaline::anatomy::internal {

/// \brief A scope being walked: the module, or the body of a class, function or
/// lambda. Comprehensions are not scopes here: since PEP 709 (3.12) they are inlined
/// and do not appear in __qualname__, and a walrus inside one binds in the enclosing
/// function anyway.
struct Scope {
  int def_index = 0;  ///< into FileFacts::definitions
  Id def_id = 0;
  bool is_class = false;
  std::string child_prefix;  ///< qualname prefix of definitions directly inside
  int comprehensions = 0;    ///< comprehensions open around the cursor in this scope
  /// Names declared `global` here so far: a def or class of such a name has its bare
  /// name as __qualname__ (CPython's compiler_set_qualname).
  std::vector<std::string> globals;
};

struct WalkState {
  WalkState(const Grammar& grammar, FileFacts* facts)
      : g(grammar), facts(facts), text(facts->file.text) {}

  const Grammar& g;
  FileFacts* facts;
  TextIndex text;
  std::vector<Scope> scopes;
  /// Set once a definition nested too deep was reported (see AddDefinition).
  bool reported_too_deep = false;
  /// (kind, qualname) → how many definitions of it were seen (the def_id ordinal).
  std::unordered_map<std::string, int> def_ordinals;
  /// Start byte of the call a parenthesized decorator holds (`@(f(x))`), set when the
  /// walk meets the decorator, before its call: that call is the decorator's.
  uint32_t decorator_call_byte = UINT32_MAX;

  const Scope& scope() const { return scopes.back(); }
  std::string_view Text(TSNode node) const { return text.Of(node); }
  std::string Str(TSNode node) const { return std::string(text.Of(node)); }
  /// \brief StableId(kind, path, start_byte, end_byte[, n]), n counting earlier rows
  /// of the same kind and span (absent for the first).
  Id SpanId(std::string_view kind, int64_t start_byte, int64_t end_byte);

 private:
  std::unordered_map<std::string, int> span_counts_;
};

/// \brief Replaces bytes that do not decode in every text field of the rows (for an
/// invalid-utf-8 file; identifiers could carry such bytes through error recovery).
void ReplaceInvalidText(FileFacts* facts);

/// \brief The first named child that is not a comment, or a null node.
TSNode FirstNamedChild(const Grammar& g, TSNode node);

// extract_definitions.cc
/// \brief Adds the module definition (definitions[0]) and opens its scope.
void AddModule(WalkState* state);
/// \brief Adds the definition of a function_definition, class_definition or lambda
/// node (its decorators read from `decorated`, its decorated_definition parent, or a
/// null node), its "def" binding in the enclosing scope and its "param" bindings.
/// Returns its index, or -1 for a definition nested more than kMaxScopeDepth deep
/// (not recorded: qualnames grow with depth, so 100,000 nested lambdas would need
/// gigabytes; Python's parser refuses far less).
inline constexpr size_t kMaxScopeDepth = 256;
int AddDefinition(WalkState* state, TSNode node, TSSymbol symbol, TSNode decorated);
/// \brief Sets the module's has_docstring from the tree's root.
void ReadModuleDocString(WalkState* state, TSNode root);
/// \brief Opens the scope of definitions[def_index] (when the walk enters its body).
void OpenScope(WalkState* state, int def_index);

// extract_imports.cc
/// \brief Adds the rows of an import_statement, import_from_statement or
/// future_import_statement, and their "import" bindings.
void AddImports(WalkState* state, TSNode node, TSSymbol symbol);

// extract_calls.cc
/// \brief Adds the call site of a `call` node (`parent`: the node's parent's symbol).
void AddCall(WalkState* state, TSNode node, TSSymbol parent);
/// \brief Adds the implicit call of a bare decorator (`@d`, `@a.b`); a decorator that
/// is itself a call is added by AddCall.
void AddBareDecorator(WalkState* state, TSNode decorator);

/// \brief Adds the call `type(…)` of a statement tree-sitter misread as a type alias
/// (`type(obj).attr = v`): `statement` starts at `type`, `arguments` is the
/// parenthesized expression or tuple after it.
void AddMisparsedTypeCall(WalkState* state, TSNode statement, TSNode arguments);

/// \brief Adds the call `type(…)` of a statement tree-sitter misread as a type alias
/// (`type(obj).attr = v`): `statement` starts at `type`, `arguments` is the
/// parenthesized expression or tuple after it.
void AddMisparsedTypeCall(WalkState* state, TSNode statement, TSNode arguments);

// extract_bindings.cc
/// \brief Adds the bindings a node makes in the current scope, if any (assignments,
/// loop/with/except/walrus/match targets, global/nonlocal, type aliases).
void AddBindings(WalkState* state, TSNode node, TSSymbol symbol, TSSymbol parent);
void AddBinding(WalkState* state, Binding binding);

// extract_diagnostics.cc
void AddErrorNode(WalkState* state, TSNode node);
void AddMissingNode(WalkState* state, TSNode node);
/// \brief The "error" diagnostic of the first definition nested past kMaxScopeDepth.
void AddTooDeepDefinition(WalkState* state, TSNode node);
/// \brief The "error" diagnostic of a file not parsed because it nests too deep:
/// `message` names what, at `byte`.
void AddNotParsedDiagnostic(WalkState* state, int64_t byte, const std::string& message);
/// \brief The "decode" diagnostic of an invalid-utf-8 file (first_invalid_byte).
void AddDecodeDiagnostic(WalkState* state);

}  // namespace deltaline::anatomy::internal
