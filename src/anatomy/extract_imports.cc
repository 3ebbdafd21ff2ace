// Imports: one row per imported name, unresolved (resolve.cc fills the targets), and
// the "import" binding of each bound name.

#include <string>
#include <utility>

#include "anatomy/extract_internal.h"

namespace deltaline::anatomy::internal {
namespace {

void AddImport(WalkState* state, Import row, TSNode span_node) {
  row.span = state->text.SpanOf(span_node);
  row.import_id = state->SpanId("import", row.span.start_byte, row.span.end_byte);
  row.enclosing_def_id = state->scope().def_id;
  if (!row.bound_name.empty()) {
    Binding binding;
    binding.scope_def_id = row.enclosing_def_id;
    binding.name = row.bound_name;
    binding.kind = "import";
    binding.import_index = static_cast<int32_t>(state->facts->imports.size());
    binding.start_byte = row.span.start_byte;
    AddBinding(state, std::move(binding));
  }
  state->facts->imports.push_back(std::move(row));
}

// One imported name: a dotted_name or an aliased_import (`name as alias`).
void AddName(WalkState* state, const Import& base, TSNode name_node, bool is_from) {
  const Grammar& g = state->g;
  Import row = base;
  TSNode name = name_node;
  if (ts_node_symbol(name_node) == g.aliased_import) {
    name = ts_node_child_by_field_id(name_node, g.f_name);
    row.alias = state->Str(ts_node_child_by_field_id(name_node, g.f_alias));
  }
  row.name = state->Str(name);
  if (!row.alias.empty()) {
    row.bound_name = row.alias;
  } else if (is_from) {
    row.bound_name = row.name;
  } else {
    // `import a.b` binds `a`.
    row.bound_name = row.name.substr(0, row.name.find('.'));
  }
  AddImport(state, std::move(row), name_node);
}

// `from <module_name> import …`: the dotted module and the relative level (the dots
// of import_prefix).
void ReadFromModule(WalkState* state, TSNode module_name, Import* row) {
  const Grammar& g = state->g;
  if (ts_node_is_null(module_name)) return;
  if (ts_node_symbol(module_name) == g.dotted_name) {
    row->module = state->Str(module_name);
    return;
  }
  const uint32_t count = ts_node_named_child_count(module_name);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_named_child(module_name, i);
    const TSSymbol symbol = ts_node_symbol(child);
    if (symbol == g.import_prefix) {
      for (char c : state->Text(child)) row->level += c == '.';
    } else if (symbol == g.dotted_name) {
      row->module = state->Str(child);
    }
  }
}

}  // namespace

void AddImports(WalkState* state, TSNode node, TSSymbol symbol) {
  const Grammar& g = state->g;
  Import base;
  const bool is_from = symbol != g.import_statement;
  if (symbol == g.import_statement) {
    base.kind = "import";
  } else if (symbol == g.future_import_statement) {
    base.kind = "future";
    base.module = "__future__";
  } else {
    base.kind = "from";
    ReadFromModule(state, ts_node_child_by_field_id(node, g.f_module_name), &base);
  }
  // ts_node_field_name_for_child is unreliable in 0.20.7 (it skips later fields), so
  // a cursor reads the children's field ids.
  Cursor cursor(node);
  TSTreeCursor* c = cursor.get();
  if (!ts_tree_cursor_goto_first_child(c)) return;
  do {
    const TSNode child = ts_tree_cursor_current_node(c);
    if (ts_node_symbol(child) == g.wildcard_import) {
      Import row = base;
      row.name = "*";
      row.is_star = true;
      AddImport(state, std::move(row), node);
    } else if (ts_tree_cursor_current_field_id(c) == g.f_name) {
      AddName(state, base, child, is_from);
    }
  } while (ts_tree_cursor_goto_next_sibling(c));
}

}  // namespace deltaline::anatomy::internal
