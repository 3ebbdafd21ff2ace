// Scope bindings: the names a statement or expression binds in the current scope
// (defs, imports and parameters are added where those are read). The resolver is
// flow-insensitive, so each binding records only where it happens.

#include <string>
#include <string_view>
#include <utility>

#include "anatomy/extract_internal.h"

namespace deltaline::anatomy::internal {
namespace {

// Target patterns nest only as deep as the source's brackets; past this depth the
// rest of a pathological target is ignored rather than recursed into.
constexpr int kMaxTargetDepth = 64;

void Bind(WalkState* state, TSNode name, std::string kind, std::string value_text = "") {
  Binding binding;
  binding.scope_def_id = state->scope().def_id;
  binding.name = state->Str(name);
  binding.kind = std::move(kind);
  binding.value_text = std::move(value_text);
  binding.start_byte = ts_node_start_byte(name);
  AddBinding(state, std::move(binding));
}

// Binds every name of an assignment target: `x`, `a, (b, *c)`, `[x, y]`; attributes
// and subscripts bind nothing in the scope.
void BindTargets(WalkState* state, TSNode target, int depth) {
  const Grammar& g = state->g;
  if (ts_node_is_null(target) || depth > kMaxTargetDepth) return;
  const TSSymbol symbol = ts_node_symbol(target);
  if (symbol == g.identifier) {
    Bind(state, target, "other");
    return;
  }
  if (symbol == g.pattern_list || symbol == g.tuple_pattern || symbol == g.list_pattern ||
      symbol == g.tuple || symbol == g.list || symbol == g.list_splat_pattern ||
      symbol == g.list_splat || symbol == g.parenthesized_expression ||
      symbol == g.as_pattern_target) {
    ForEachNamedChild(target,
                      [&](TSNode child) { BindTargets(state, child, depth + 1); });
  }
}

// `x = <dotted name>` is an alias the resolver can follow (`g = f`, `obj = self`,
// `h = mod.f`); anything else binds x to an unknown value.
bool IsDottedName(const Grammar& g, TSNode value) {
  for (int depth = 0; depth < kMaxTargetDepth; ++depth) {
    const TSSymbol symbol = ts_node_symbol(value);
    if (symbol == g.identifier) return true;
    if (symbol != g.attribute) return false;
    value = ts_node_child_by_field_id(value, g.f_object);
    if (ts_node_is_null(value)) return false;
  }
  return false;
}

void BindAssignment(WalkState* state, TSNode node) {
  const Grammar& g = state->g;
  TSNode value = ts_node_child_by_field_id(node, g.f_right);
  if (ts_node_is_null(value)) return;  // `x: int` declares, binds nothing
  // A chained `a = b = f`: the inner assignment binds b itself; a gets f too.
  for (int depth = 0; depth < kMaxTargetDepth && ts_node_symbol(value) == g.assignment;
       ++depth) {
    TSNode next = ts_node_child_by_field_id(value, g.f_right);
    if (ts_node_is_null(next)) break;
    value = next;
  }
  const TSNode left = ts_node_child_by_field_id(node, g.f_left);
  if (!ts_node_is_null(left) && ts_node_symbol(left) == g.identifier &&
      IsDottedName(g, value)) {
    Bind(state, left, "alias", state->Str(value));
    return;
  }
  BindTargets(state, left, 0);
}

// A capture in a match pattern: `case x`, `Point(x=px)`, `{"k": v}` (a one-name
// dotted_name; `Color.RED` is a value, `_` the wildcard).
void BindCapture(WalkState* state, TSNode dotted) {
  if (ts_node_named_child_count(dotted) != 1) return;
  const TSNode name = ts_node_named_child(dotted, 0);
  if (state->Text(name) == "_") return;
  Bind(state, name, "other");
}

void BindDeclarations(WalkState* state, TSNode node, const char* kind) {
  const Grammar& g = state->g;
  const uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode name = ts_node_named_child(node, i);
    if (ts_node_symbol(name) != g.identifier) continue;
    Bind(state, name, kind);
    if (std::string_view(kind) == "global")
      state->scopes.back().globals.push_back(state->Str(name));
  }
}

// The first identifier of a node (the alias's name in `type X[T] = …`).
TSNode FirstIdentifier(const Grammar& g, TSNode node) {
  for (int depth = 0; depth < kMaxTargetDepth && !ts_node_is_null(node); ++depth) {
    if (ts_node_symbol(node) == g.identifier) return node;
    node = ts_node_named_child(node, 0);
  }
  return TSNode{};
}

// `type X = …` and `type X[T] = …` bind X. tree-sitter-python also reads
// `type(obj).attr = v` as a type alias whose name is `(obj).attr`: that is an
// assignment to an attribute (no binding) and a call of `type`.
void BindTypeAlias(WalkState* state, TSNode node) {
  const Grammar& g = state->g;
  const TSNode left = ts_node_child_by_field_id(node, g.f_left);
  const TSNode target = FirstNamedChild(g, left);
  if (ts_node_is_null(target)) return;
  const TSSymbol symbol = ts_node_symbol(target);
  if (symbol != g.attribute && symbol != g.subscript) {
    const TSNode name = FirstIdentifier(g, left);
    if (!ts_node_is_null(name)) Bind(state, name, "other");
    return;
  }
  TSNode leftmost = target;
  for (int depth = 0; depth < kMaxTargetDepth; ++depth) {
    const TSSymbol s = ts_node_symbol(leftmost);
    const TSNode next =
        ts_node_child_by_field_id(leftmost, s == g.attribute ? g.f_object : g.f_value);
    if ((s != g.attribute && s != g.subscript) || ts_node_is_null(next)) break;
    leftmost = next;
  }
  const TSSymbol s = ts_node_symbol(leftmost);
  if (s == g.parenthesized_expression || s == g.tuple) {
    AddMisparsedTypeCall(state, node, leftmost);
  }
}

}  // namespace

void AddBinding(WalkState* state, Binding binding) {
  state->facts->bindings.push_back(std::move(binding));
}

void AddBindings(WalkState* state, TSNode node, TSSymbol symbol, TSSymbol parent) {
  const Grammar& g = state->g;
  if (symbol == g.assignment) {
    BindAssignment(state, node);
  } else if (symbol == g.augmented_assignment || symbol == g.for_statement) {
    // Comprehension targets (for_in_clause) are not here: they stay local to the
    // comprehension even where PEP 709 inlines it.
    BindTargets(state, ts_node_child_by_field_id(node, g.f_left), 0);
  } else if (symbol == g.named_expression) {
    Bind(state, ts_node_child_by_field_id(node, g.f_name), "other");
  } else if (symbol == g.as_pattern) {
    if (parent == g.with_item || parent == g.except_clause ||
        parent == g.except_group_clause) {
      BindTargets(state, ts_node_child_by_field_id(node, g.f_alias), 0);
    } else if (parent == g.case_pattern) {
      // `case P() as name`: the name is the last child, without a field.
      const uint32_t count = ts_node_named_child_count(node);
      const TSNode name = count > 0 ? ts_node_named_child(node, count - 1) : TSNode{};
      if (!ts_node_is_null(name) && ts_node_symbol(name) == g.identifier) {
        Bind(state, name, "other");
      }
    }
  } else if (symbol == g.dotted_name &&
             (parent == g.case_pattern || parent == g.keyword_pattern)) {
    BindCapture(state, node);
  } else if (symbol == g.splat_pattern) {
    const TSNode name = FirstNamedChild(g, node);
    if (!ts_node_is_null(name) && ts_node_symbol(name) == g.identifier &&
        state->Text(name) != "_") {
      Bind(state, name, "other");
    }
  } else if (symbol == g.global_statement) {
    BindDeclarations(state, node, "global");
  } else if (symbol == g.nonlocal_statement) {
    BindDeclarations(state, node, "nonlocal");
  } else if (symbol == g.type_alias_statement) {
    BindTypeAlias(state, node);
  }
}

}  // namespace deltaline::anatomy::internal
