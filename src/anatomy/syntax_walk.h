#pragma once

// Small tree-sitter helpers for the extractor: owning handles, the grammar's symbol and
// field ids (looked up once, so the walk compares integers, not type strings), node
// text and spans with both byte and code-point columns.

#include <cstdint>
#include <memory>
#include <string_view>

#include <tree_sitter/api.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy::internal {

struct TreeDeleter {
  void operator()(TSTree* tree) const { ts_tree_delete(tree); }
};
using TreePtr = std::unique_ptr<TSTree, TreeDeleter>;

/// \brief A TSTreeCursor released on scope exit.
class Cursor {
 public:
  explicit Cursor(TSNode root) : cursor_(ts_tree_cursor_new(root)) {}
  ~Cursor() { ts_tree_cursor_delete(&cursor_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  TSTreeCursor* get() { return &cursor_; }

 private:
  TSTreeCursor cursor_;
};

/// \brief Calls `f(child)` for each named child of `node` that is not an extra
/// (comments, line continuations), in order. Uses a cursor: ts_node_named_child(node, i)
/// rescans from the first child, which is quadratic on long argument lists.
template <typename F>
void ForEachNamedChild(TSNode node, F&& f) {
  Cursor cursor(node);
  TSTreeCursor* c = cursor.get();
  if (!ts_tree_cursor_goto_first_child(c)) return;
  do {
    const TSNode child = ts_tree_cursor_current_node(c);
    if (ts_node_is_named(child) && !ts_node_is_extra(child)) f(child);
  } while (ts_tree_cursor_goto_next_sibling(c));
}

/// \brief The Python grammar's symbol and field ids the extractor dispatches on.
struct Grammar {
  TSSymbol module, function_definition, class_definition, decorated_definition, decorator,
      lambda, call, argument_list, generator_expression, keyword_argument, list_splat,
      dictionary_splat, identifier, attribute, subscript, dotted_name, aliased_import,
      import_statement, import_from_statement, future_import_statement, relative_import,
      import_prefix, wildcard_import, parameters, lambda_parameters, typed_parameter,
      default_parameter, typed_default_parameter, list_splat_pattern,
      dictionary_splat_pattern, keyword_separator, block, expression_statement, string,
      concatenated_string, string_start, interpolation, comment, assignment,
      augmented_assignment, for_statement, with_item, except_clause, except_group_clause,
      as_pattern, as_pattern_target, named_expression, global_statement,
      nonlocal_statement, pattern_list, tuple_pattern, list_pattern, tuple, list,
      parenthesized_expression, case_pattern, keyword_pattern, splat_pattern,
      type_alias_statement, list_comprehension, set_comprehension,
      dictionary_comprehension, async_token;
  TSFieldId f_body, f_name, f_function, f_arguments, f_object, f_attribute, f_left,
      f_right, f_value, f_alias, f_parameters, f_superclasses, f_module_name,
      f_definition;
  /// ERROR nodes' symbol (ts_builtin_sym_error); 0.20.7 has no ts_node_is_error.
  static constexpr TSSymbol kError = static_cast<TSSymbol>(-1);

  static Grammar Load(const TSLanguage* language);
};

/// \brief The last token of `node` that is not an extra (a comment or a line
/// continuation): where Python's `ast` ends a definition whose block tree-sitter ends
/// after trailing comments.
TSNode LastToken(TSNode node);

/// \brief Byte and code-point positions in one file's text.
class TextIndex {
 public:
  explicit TextIndex(std::string_view text);
  std::string_view text() const { return text_; }
  std::string_view Of(TSNode node) const;
  Span SpanOf(TSNode node) const;
  /// \brief The span of [start, end) given tree-sitter points (row, byte column).
  Span SpanAt(uint32_t start_byte, uint32_t end_byte, TSPoint start, TSPoint end) const;
  /// \brief The (row, byte column) of a byte offset, by scanning the text (slow; for
  /// the rare positions tree-sitter does not give, such as a decode error).
  TSPoint PointOf(int64_t byte) const;
  /// \brief At most `max_bytes` of the line from `byte` on, never splitting a
  /// multibyte character, with bytes that do not decode replaced by '?'.
  std::string Snippet(int64_t byte, size_t max_bytes) const;

 private:
  int32_t CharColumn(uint32_t byte, uint32_t byte_column) const;
  std::string_view text_;
  bool ascii_ = true;
};

/// \brief The deepest bracket nesting of Python source (brackets in comments and in
/// string literals other than f-strings are not counted) and the offset of the first
/// bracket that goes deeper than `limit` (-1 when none does).
struct BracketDepth {
  int64_t max_depth = 0;
  int64_t first_byte = -1;
  /// The most right-nesting tokens (`if`, `else`, `lambda`, a single `=`) in one
  /// logical line: chains of them (`a if b else a if b else …`, `x = x = …`) nest the
  /// tree as deep as brackets do.
  int64_t max_chain = 0;
  int64_t chain_byte = -1;  ///< where the line with the most starts
};
BracketDepth MaxBracketDepth(std::string_view text, int64_t limit);

/// \brief Whether `bytes` is valid UTF-8.
bool IsValidUtf8(std::string_view bytes);

/// \brief `bytes` with every byte that does not decode replaced by '?'.
std::string ReplaceInvalidUtf8(std::string_view bytes);

}  // namespace deltaline::anatomy::internal
