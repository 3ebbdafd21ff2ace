// Definitions: the module, classes, functions, methods and lambdas, with Python's
// __qualname__ rules, their parameters and their "def"/"param" bindings.

#include <algorithm>
#include <string>
#include <utility>

#include "anatomy/extract_internal.h"
#include "anatomy/ids.h"

namespace deltaline::anatomy::internal {
namespace {

std::string LastComponent(const SourceFile& file) {
  if (!file.module.empty()) {
    const size_t dot = file.module.rfind('.');
    return dot == std::string::npos ? file.module : file.module.substr(dot + 1);
  }
  std::string stem = file.path.substr(file.path.rfind('/') + 1);
  const size_t dot = stem.rfind('.');
  return dot == std::string::npos || dot == 0 ? stem : stem.substr(0, dot);
}

Id DefId(WalkState* state, const std::string& kind, const std::string& qualname) {
  // The ordinal tells apart redefinitions of one qualname (an if/else, a property's
  // getter and setter).
  static constexpr char kSep = '\0';
  const std::string key = kind + kSep + qualname;
  const int ordinal = state->def_ordinals[key]++;
  return StableId(
      {"def", state->facts->file.path, kind, qualname, std::to_string(ordinal)});
}

// The parameter's name node: `x`, `x: T`, `x=1`, `x: T = 1`, `*a`, `**k`.
TSNode ParameterName(const Grammar& g, TSNode param, TSSymbol symbol) {
  if (symbol == g.identifier) return param;
  if (symbol == g.default_parameter || symbol == g.typed_default_parameter) {
    return ts_node_child_by_field_id(param, g.f_name);
  }
  if (symbol == g.list_splat_pattern || symbol == g.dictionary_splat_pattern) {
    return FirstNamedChild(g, param);
  }
  return TSNode{};
}

// Fills the parameter fields and adds one "param" binding per name (param_index: the
// position among all named parameters in source order, *args and **kwargs included,
// the bare `*` and `/` markers not).
void ReadParameters(WalkState* state, TSNode params, Definition* def) {
  const Grammar& g = state->g;
  bool keyword_only = false;
  int32_t index = 0;
  ForEachNamedChild(params, [&](TSNode param) {
    TSSymbol symbol = ts_node_symbol(param);
    if (symbol == g.keyword_separator) {
      keyword_only = true;
      return;
    }
    if (symbol == g.typed_parameter) {  // `x: T`, `*a: T`, `**k: T`
      param = FirstNamedChild(g, param);
      if (ts_node_is_null(param)) return;
      symbol = ts_node_symbol(param);
    }
    const TSNode name = ParameterName(g, param, symbol);
    if (ts_node_is_null(name) || ts_node_symbol(name) != g.identifier) return;
    if (symbol == g.list_splat_pattern) {
      def->has_varargs = true;
      keyword_only = true;
    } else if (symbol == g.dictionary_splat_pattern) {
      def->has_kwargs = true;
    } else if (keyword_only) {
      ++def->keyword_only_params;
    } else {
      ++def->positional_params;
      def->params.push_back(state->Str(name));
    }
    Binding binding;
    binding.scope_def_id = def->def_id;
    binding.name = state->Str(name);
    binding.kind = "param";
    binding.param_index = index++;
    binding.start_byte = ts_node_start_byte(name);
    AddBinding(state, std::move(binding));
  });
}

// A string literal statement that Python keeps as __doc__: not an f-string, not bytes.
bool IsDocString(const Grammar& g, const WalkState& state, TSNode expr) {
  const TSSymbol symbol = ts_node_symbol(expr);
  if (symbol == g.concatenated_string) {
    bool doc = true;
    ForEachNamedChild(expr, [&](TSNode part) {
      if (ts_node_symbol(part) == g.string) doc = doc && IsDocString(g, state, part);
    });
    return doc;
  }
  if (symbol != g.string) return false;
  const TSNode start = ts_node_named_child(expr, 0);
  if (ts_node_is_null(start) || ts_node_symbol(start) != g.string_start) return false;
  for (char c : state.Text(start)) {
    if (c == 'f' || c == 'F' || c == 'b' || c == 'B') return false;
  }
  return true;
}

bool HasDocString(WalkState* state, TSNode body) {
  const Grammar& g = state->g;
  if (ts_node_is_null(body) ||
      (ts_node_symbol(body) != g.block && ts_node_symbol(body) != g.module)) {
    return false;
  }
  const TSNode first = FirstNamedChild(g, body);
  if (ts_node_is_null(first) || ts_node_symbol(first) != g.expression_statement) {
    return false;
  }
  if (ts_node_named_child_count(first) != 1) return false;
  return IsDocString(g, *state, ts_node_named_child(first, 0));
}

void ReadDecorators(WalkState* state, TSNode parent, Definition* def) {
  const Grammar& g = state->g;
  ForEachNamedChild(parent, [&](TSNode child) {
    if (ts_node_symbol(child) != g.decorator) return;
    const TSNode expr = FirstNamedChild(g, child);
    if (!ts_node_is_null(expr)) def->decorators.push_back(state->Str(expr));
  });
}

void ReadBases(WalkState* state, TSNode node, Definition* def) {
  const Grammar& g = state->g;
  const TSNode args = ts_node_child_by_field_id(node, g.f_superclasses);
  if (ts_node_is_null(args)) return;
  ForEachNamedChild(args, [&](TSNode base) {
    const TSSymbol symbol = ts_node_symbol(base);
    // Keywords (metaclass=…) and **kwargs are class keywords, not bases; `*bases` is
    // a base, as in ast.ClassDef.bases.
    if (symbol == g.keyword_argument || symbol == g.dictionary_splat) return;
    def->bases.push_back(state->Str(base));
  });
}

bool HasAsyncToken(const Grammar& g, TSNode node) {
  const uint32_t count = ts_node_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    const TSNode child = ts_node_child(node, i);
    if (ts_node_symbol(child) == g.async_token) return true;
    if (ts_node_is_named(child)) return false;  // `async` comes before the name
  }
  return false;
}

}  // namespace

void AddModule(WalkState* state) {
  FileFacts& facts = *state->facts;
  Definition def;
  def.kind = "module";
  def.name = LastComponent(facts.file);
  def.fqn = facts.file.module;
  def.def_id = DefId(state, def.kind, def.qualname);
  const std::string& text = facts.file.text;
  const TSPoint end = state->text.PointOf(static_cast<int64_t>(text.size()));
  def.span =
      state->text.SpanAt(0, static_cast<uint32_t>(text.size()), TSPoint{0, 0}, end);
  facts.definitions.push_back(std::move(def));
  OpenScope(state, 0);
}

void ReadModuleDocString(WalkState* state, TSNode root) {
  state->facts->definitions[0].has_docstring = HasDocString(state, root);
}

void OpenScope(WalkState* state, int def_index) {
  const Definition& def = state->facts->definitions[def_index];
  Scope scope;
  scope.def_index = def_index;
  scope.def_id = def.def_id;
  scope.is_class = def.kind == "class";
  if (def.kind == "module") {
    scope.child_prefix = "";
  } else if (scope.is_class) {
    scope.child_prefix = def.qualname + ".";
  } else {
    scope.child_prefix = def.qualname + ".<locals>.";
  }
  state->scopes.push_back(std::move(scope));
}

int AddDefinition(WalkState* state, TSNode node, TSSymbol symbol, TSNode decorated) {
  const Grammar& g = state->g;
  if (state->scopes.size() > kMaxScopeDepth) {
    if (!state->reported_too_deep) AddTooDeepDefinition(state, node);
    state->reported_too_deep = true;
    return -1;
  }
  const Scope& scope = state->scope();
  Definition def;
  def.parent_def_id = scope.def_id;
  if (symbol == g.lambda) {
    def.kind = "lambda";
    def.name = "<lambda>";
  } else {
    def.kind = symbol == g.class_definition ? "class"
               : scope.is_class             ? "method"
                                            : "function";
    def.name = state->Str(ts_node_child_by_field_id(node, g.f_name));
    def.is_async = symbol == g.function_definition && HasAsyncToken(g, node);
  }
  // `global f` before `def f` in a function or class: Python names it plainly "f" (a
  // global must be declared before its name is bound, so the walk has seen it).
  const bool declared_global =
      symbol != g.lambda && std::find(scope.globals.begin(), scope.globals.end(),
                                      def.name) != scope.globals.end();
  def.qualname = declared_global ? def.name : scope.child_prefix + def.name;
  const std::string& module = state->facts->file.module;
  def.fqn = module.empty() ? def.qualname : module + "." + def.qualname;
  def.def_id = DefId(state, def.kind, def.qualname);
  const TSNode last = LastToken(node);
  def.span = state->text.SpanAt(ts_node_start_byte(node), ts_node_end_byte(last),
                                ts_node_start_point(node), ts_node_end_point(last));
  if (symbol != g.lambda) {
    if (!ts_node_is_null(decorated)) ReadDecorators(state, decorated, &def);
    def.has_docstring = HasDocString(state, ts_node_child_by_field_id(node, g.f_body));
    Binding binding;
    binding.scope_def_id = scope.def_id;
    binding.name = def.name;
    binding.kind = "def";
    binding.def_id = def.def_id;
    binding.start_byte = def.span.start_byte;
    AddBinding(state, std::move(binding));
  }
  if (symbol == g.class_definition) {
    ReadBases(state, node, &def);
  } else {
    const TSNode params = ts_node_child_by_field_id(node, g.f_parameters);
    if (!ts_node_is_null(params)) ReadParameters(state, params, &def);
  }
  state->facts->definitions.push_back(std::move(def));
  return static_cast<int>(state->facts->definitions.size()) - 1;
}

}  // namespace deltaline::anatomy::internal
