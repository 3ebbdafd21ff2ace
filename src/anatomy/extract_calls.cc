// Call sites: every `call` node and every decorator (a bare `@d` calls `d` when the
// definition runs).

#include <algorithm>
#include <string>
#include <utility>

#include "anatomy/extract_internal.h"

namespace deltaline::anatomy::internal {
namespace {

// tree-sitter-python sometimes parses `*f(x)` as a call whose function is the splat
// `*f` (also under attributes: `*a.f(x).g()`). Returns the splat found at the start of
// the call's leftmost chain, or a null node.
TSNode LeadingSplat(const Grammar& g, TSNode node) {
  for (int depth = 0; depth < 256 && !ts_node_is_null(node); ++depth) {
    const TSSymbol symbol = ts_node_symbol(node);
    if (symbol == g.list_splat || symbol == g.dictionary_splat) return node;
    if (symbol == g.call) {
      node = ts_node_child_by_field_id(node, g.f_function);
    } else if (symbol == g.attribute) {
      node = ts_node_child_by_field_id(node, g.f_object);
    } else if (symbol == g.subscript) {
      node = ts_node_child_by_field_id(node, g.f_value);
    } else {
      break;
    }
  }
  return TSNode{};
}

// The text of `node` from `start` on (past a leading splat's `*`).
std::string TextFrom(WalkState* state, TSNode node, uint32_t start) {
  const std::string_view text = state->Text(node);
  const uint32_t node_start = ts_node_start_byte(node);
  const size_t skip = start > node_start ? start - node_start : 0;
  return std::string(text.substr(std::min(skip, text.size())));
}

// Callee shape, receiver and attribute from the function expression.
void ReadCallee(WalkState* state, TSNode callee, uint32_t start, CallSite* site) {
  const Grammar& g = state->g;
  TSSymbol symbol = ts_node_symbol(callee);
  if (symbol == g.list_splat || symbol == g.dictionary_splat) {
    callee = FirstNamedChild(g, callee);
    symbol = ts_node_symbol(callee);
  }
  site->callee_text = TextFrom(state, callee, start);
  if (symbol == g.identifier) {
    site->callee_shape = "name";
  } else if (symbol == g.attribute) {
    site->callee_shape = "attribute";
    site->receiver_text =
        TextFrom(state, ts_node_child_by_field_id(callee, g.f_object), start);
    site->attribute_name = state->Str(ts_node_child_by_field_id(callee, g.f_attribute));
  } else if (symbol == g.subscript) {
    site->callee_shape = "subscript";
  } else {
    site->callee_shape = "other";
  }
}

void CountArguments(WalkState* state, TSNode args, CallSite* site) {
  const Grammar& g = state->g;
  if (ts_node_is_null(args)) return;
  if (ts_node_symbol(args) == g.generator_expression) {  // f(x for x in y)
    site->positional_args = 1;
    return;
  }
  ForEachNamedChild(args, [&](TSNode arg) {
    TSSymbol symbol = ts_node_symbol(arg);
    if (symbol == g.call) {
      const TSNode splat = LeadingSplat(g, arg);
      if (!ts_node_is_null(splat)) symbol = ts_node_symbol(splat);
    }
    if (symbol == g.keyword_argument) {
      ++site->keyword_args;
    } else if (symbol == g.list_splat) {
      ++site->star_args;
    } else if (symbol == g.dictionary_splat) {
      ++site->double_star_args;
    } else if (symbol != Grammar::kError) {
      ++site->positional_args;
    }
  });
}

void Finish(WalkState* state, CallSite site) {
  site.call_id = state->SpanId("call", site.span.start_byte, site.span.end_byte);
  site.caller_def_id = state->scope().def_id;
  // Comprehensions count in the scope that runs them: a lambda inside one starts a
  // scope of its own, whose calls are not "in" the comprehension.
  site.in_comprehension = state->scope().comprehensions > 0;
  state->facts->call_sites.push_back(std::move(site));
}

TSNode UnwrapParentheses(const Grammar& g, TSNode expr) {
  while (!ts_node_is_null(expr) && ts_node_symbol(expr) == g.parenthesized_expression) {
    expr = FirstNamedChild(g, expr);
  }
  return expr;
}

}  // namespace

void AddCall(WalkState* state, TSNode node, TSSymbol parent) {
  const Grammar& g = state->g;
  CallSite site;
  const TSNode splat = LeadingSplat(g, node);
  if (ts_node_is_null(splat)) {
    site.span = state->text.SpanOf(node);
  } else {
    const TSNode inner = FirstNamedChild(g, splat);
    const TSNode from = ts_node_is_null(inner) ? splat : inner;
    site.span = state->text.SpanAt(ts_node_start_byte(from), ts_node_end_byte(node),
                                   ts_node_start_point(from), ts_node_end_point(node));
  }
  ReadCallee(state, ts_node_child_by_field_id(node, g.f_function),
             static_cast<uint32_t>(site.span.start_byte), &site);
  CountArguments(state, ts_node_child_by_field_id(node, g.f_arguments), &site);
  site.is_decorator =
      parent == g.decorator || (parent == g.parenthesized_expression &&
                                ts_node_start_byte(node) == state->decorator_call_byte);
  Finish(state, std::move(site));
}

void AddMisparsedTypeCall(WalkState* state, TSNode statement, TSNode arguments) {
  CallSite site;
  site.span =
      state->text.SpanAt(ts_node_start_byte(statement), ts_node_end_byte(arguments),
                         ts_node_start_point(statement), ts_node_end_point(arguments));
  site.callee_text = "type";
  site.callee_shape = "name";
  CountArguments(state, arguments, &site);
  Finish(state, std::move(site));
}

void AddBareDecorator(WalkState* state, TSNode decorator) {
  const Grammar& g = state->g;
  // `@(f)` and `@(f(x))` (PEP 614): the parentheses are not the expression, as in ast.
  const TSNode expr = UnwrapParentheses(g, FirstNamedChild(g, decorator));
  if (ts_node_is_null(expr)) return;
  if (ts_node_symbol(expr) == g.call) {
    state->decorator_call_byte = ts_node_start_byte(expr);
    return;
  }
  CallSite site;
  site.span = state->text.SpanOf(expr);
  ReadCallee(state, expr, ts_node_start_byte(expr), &site);
  site.is_decorator = true;
  Finish(state, std::move(site));
}

}  // namespace deltaline::anatomy::internal
