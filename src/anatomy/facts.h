#pragma once

// The code-anatomy data model: what one Python source file yields (FileFacts, a pure
// function of its relative path and bytes) and what resolution across files adds
// (ResolvedFile). The tables (tables.h) are these structs laid out as Arrow columns.
//
// Ids are stable: StableId (ids.h) of the relative path plus what names the thing in
// its file, never of a run, an order of discovery or a thread. A full run and an
// incremental run of the same tree give the same ids.
//
//   file_id  = StableId("file", path)
//   def_id   = StableId("def", path, kind, qualname, ordinal)  (ordinal: 0 for the
//              first definition of that kind and qualname in the file, 1 for the
//              second…, so a redefinition in an if/else gets its own id)
//   call_id, import_id, diagnostic_id = StableId(kind, path, start_byte, end_byte[, n])
//
// A def_id does not depend on the definition's span on purpose: an edit that moves a
// function down a few lines changes no id, so callers in other files need no
// re-resolution (see incremental runs in anatomy_run.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace deltaline::anatomy {

using Id = int64_t;

/// \brief Where something is in its file. Bytes count from the start of the file as
/// stored (after a UTF-8 BOM, which is not part of the text). Lines are 1-based as in
/// Python's `ast`; `*_col` are 0-based UTF-8 byte offsets in the line, as `ast`'s
/// `col_offset`; `*_char_col` are 0-based code-point offsets (they differ on lines
/// with multibyte characters before the position).
struct Span {
  int64_t start_byte = 0;
  int64_t end_byte = 0;
  int32_t start_line = 0;
  int32_t start_col = 0;
  int32_t end_line = 0;
  int32_t end_col = 0;
  int32_t start_char_col = 0;
  int32_t end_char_col = 0;
};

/// \brief One file found under the source root (source_tree.h).
struct SourceFile {
  std::string path;  ///< relative to the source root, '/'-separated
  Id file_id = 0;
  /// Dotted module name: `pkg/mod.py` → "pkg.mod", `pkg/__init__.py` → "pkg".
  std::string module;
  bool is_package_init = false;
  int64_t size = 0;      ///< bytes on disk
  int64_t mtime_ns = 0;  ///< modification time, for the incremental run's quick check
  std::string sha256;    ///< hex, of the bytes on disk
  /// "utf-8", "utf-8-sig" (a BOM), or "invalid-utf-8" (some bytes do not decode; the
  /// text is still parsed and the first bad offset is a diagnostic).
  std::string encoding;
  /// "invalid-utf-8": the offset (after the BOM) of the first byte that does not
  /// decode; the extractor reports it as a "decode" diagnostic. -1 otherwise.
  int64_t first_invalid_byte = -1;
  /// Why the file was not parsed ("" when it was): "unreadable: …", "symlink loop",
  /// "not a regular file", "binary content (NUL byte at offset N)"…
  std::string skip_reason;
  std::string text;  ///< the bytes after the BOM; empty when skipped
  int64_t line_count = 0;
};

/// \brief A module, class, function, method or lambda.
struct Definition {
  Id def_id = 0;
  std::optional<Id> parent_def_id;  ///< unset for the module itself
  /// "module", "class", "function", "method" (a function directly in a class body),
  /// "lambda".
  std::string kind;
  bool is_async = false;
  std::string name;      ///< "<lambda>" for lambdas; the module's last component
  std::string qualname;  ///< Python's __qualname__ ("A.m.<locals>.f"); "" for a module
  std::string fqn;       ///< "pkg.mod.A.m"; the module name for a module
  /// The whole definition, decorators excluded; `span.start_line` is the line of the
  /// `def`/`class` keyword (what `ast` reports), of `lambda` for a lambda, 1 for a
  /// module.
  Span span;
  std::vector<std::string> decorators;  ///< source text without '@', outermost first
  std::vector<std::string> bases;       ///< classes: base expressions' text (no keywords)
  std::vector<std::string> params;      ///< positional parameter names, in order
  int32_t positional_params = 0;        ///< positional-only + positional-or-keyword
  int32_t keyword_only_params = 0;
  bool has_varargs = false;  ///< *args
  bool has_kwargs = false;   ///< **kwargs
  bool has_docstring = false;
};

/// \brief One imported name (`import a, b` is two rows, `from x import *` one).
struct Import {
  Id import_id = 0;
  Id enclosing_def_id = 0;  ///< the module's def_id at module level
  std::string kind;         ///< "import", "from", "future"
  std::string module;  ///< as written, without leading dots ("" for `from . import a`)
  int32_t level = 0;   ///< leading dots of a relative import
  std::string name;    ///< `import a.b` → "a.b"; `from x import y` → "y"; "*"
  std::string alias;   ///< the `as` name, "" when none
  /// The name bound in the enclosing scope: `import a.b` → "a", `import a.b as ab` →
  /// "ab", `from x import y as z` → "z"; "" for a star import.
  std::string bound_name;
  bool is_star = false;
  Span span;  ///< the imported name (the whole statement for a star import)

  // Resolution (resolve.h); empty/unset until resolved.
  std::string target_module;         ///< absolute dotted module the name comes from
  std::optional<Id> target_file_id;  ///< that module's file, inside the codebase
  std::optional<Id> target_def_id;   ///< the imported def (or module def), inside
  std::string status;                ///< "resolved", "external", "unresolved"
};

/// \brief One call expression (decorator calls included).
struct CallSite {
  Id call_id = 0;
  Id caller_def_id = 0;        ///< the innermost enclosing definition (the module at top)
  Span span;                   ///< the whole call
  std::string callee_text;     ///< the function expression's source text
  std::string callee_shape;    ///< "name", "attribute", "subscript", "other"
  std::string receiver_text;   ///< attribute calls: the object's text (`a.b` in a.b.c())
  std::string attribute_name;  ///< attribute calls: the last name (`c`)
  int32_t positional_args = 0;
  int32_t keyword_args = 0;
  int32_t star_args = 0;         ///< `*x` arguments
  int32_t double_star_args = 0;  ///< `**x` arguments
  bool in_comprehension = false;
  bool is_decorator = false;  ///< a decorator's call (`@d(x)`)
};

/// \brief How a name is bound in a scope; what the resolver follows.
struct Binding {
  Id scope_def_id = 0;  ///< the definition whose scope binds it (module, class, function)
  std::string name;
  /// "def" (def_id), "import" (import_index), "alias" (value_text: a dotted name, as in
  /// `g = f`, `obj = self`, `h = mod.f`), "param" (param_index), "global"/"nonlocal" (a
  /// declaration: the name lives in the module / an enclosing scope), "other" (bound to
  /// anything else: a call result, a literal, a loop target…).
  std::string kind;
  Id def_id = 0;
  int32_t import_index = -1;  ///< index into FileFacts::imports
  std::string value_text;
  int32_t param_index = -1;
  int64_t start_byte = 0;  ///< where it is bound (the resolver is flow-insensitive)
};

/// \brief An ERROR or MISSING node, or a decoding problem.
struct SyntaxDiagnostic {
  Id diagnostic_id = 0;
  std::string kind;  ///< "error", "missing", "decode"
  Span span;
  std::string expected;  ///< MISSING: the node type that was expected; else ""
  std::string snippet;   ///< at most 80 bytes of the source around it, one line
  std::string message;
};

/// \brief Everything one file yields before cross-file resolution. Vectors are in
/// source order. definitions[0] is the module.
struct FileFacts {
  SourceFile file;
  bool has_error = false;  ///< an ERROR or MISSING node anywhere
  std::vector<Definition> definitions;
  std::vector<Import> imports;
  std::vector<CallSite> call_sites;
  std::vector<Binding> bindings;
  std::vector<SyntaxDiagnostic> diagnostics;
};

/// \brief One candidate callee of a call site.
struct CallTarget {
  Id call_id = 0;
  int32_t rank = 0;                 ///< 0 = best
  std::optional<Id> callee_def_id;  ///< inside the codebase
  std::string external_name;        ///< "os.path.join", "len"… when outside
  /// "local", "enclosing", "global", "import", "self", "cls", "super",
  /// "class_attribute", "module_attribute", "builtin", "name_only".
  std::string method;
  /// 0..1. A name-only guess is never above 0.3; certain resolutions are 1.0.
  double confidence = 0;
};

/// \brief A resolved base class: `class B(A)` → INHERITS B → A.
struct Inheritance {
  Id class_def_id = 0;
  int32_t index = 0;  ///< position in the bases list
  std::optional<Id> base_def_id;
  std::string external_name;  ///< when the base is outside the codebase
  std::string method;
  double confidence = 0;
};

/// \brief A file after cross-file resolution: its facts with imports resolved, plus the
/// call targets and base classes found.
struct ResolvedFile {
  FileFacts facts;
  std::vector<CallTarget> call_targets;
  std::vector<Inheritance> inheritance;
};

}  // namespace deltaline::anatomy
