#include "anatomy/extract.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "anatomy/extract_internal.h"
#include "anatomy/ids.h"
#include "anatomy/python_grammar.h"
#include "anatomy/syntax_walk.h"

namespace deltaline::anatomy {
namespace {
constexpr int64_t kMaxBracketDepth = 1000;
constexpr int64_t kMaxChain = 20000;
}  // namespace

namespace internal {
namespace {

// What the walk must undo when it leaves a node: close a scope or a comprehension.
struct Exit {
  uint32_t depth;
  bool closes_scope;
};

// One entry per depth of the cursor: the node's symbol and, for a definition, its
// index (so that its body, a child with field "body", opens its scope).
struct Frame {
  TSNode node;
  TSSymbol symbol;
  int def_index;
};

bool IsComprehension(const Grammar& g, TSSymbol s) {
  return s == g.list_comprehension || s == g.set_comprehension ||
         s == g.dictionary_comprehension || s == g.generator_expression;
}

// Dispatches one node; returns false when its children need no visit.
bool Visit(WalkState* state, TSNode node, TSSymbol symbol, const Frame* parent_frame,
           int* def_index) {
  const TSSymbol parent = parent_frame != nullptr ? parent_frame->symbol : 0;
  const Grammar& g = state->g;
  if (symbol == g.function_definition || symbol == g.class_definition ||
      symbol == g.lambda) {
    // A decorated definition's decorators are its parent's children (the cursor's frame
    // holds the parent: ts_node_parent would rescan from the root).
    const TSNode decorated =
        parent == g.decorated_definition ? parent_frame->node : TSNode{};
    *def_index = AddDefinition(state, node, symbol, decorated);
  } else if (symbol == g.call) {
    AddCall(state, node, parent);
  } else if (symbol == g.decorator) {
    AddBareDecorator(state, node);
  } else if (symbol == g.import_statement || symbol == g.import_from_statement ||
             symbol == g.future_import_statement) {
    AddImports(state, node, symbol);
    // Nothing below an import is a call or a binding; only errors could be.
    return ts_node_has_error(node);
  } else if (symbol == Grammar::kError) {
    AddErrorNode(state, node);
  } else {
    AddBindings(state, node, symbol, parent);
  }
  if (ts_node_is_missing(node)) AddMissingNode(state, node);
  return true;
}

// The single pre-order walk. A definition's scope covers only its body: decorators,
// default values, annotations and base classes belong to the enclosing scope, as in
// Python.
void Walk(WalkState* state, TSNode root) {
  const Grammar& g = state->g;
  Cursor cursor(root);
  TSTreeCursor* c = cursor.get();
  std::vector<Frame> frames;
  std::vector<Exit> exits;
  uint32_t depth = 0;
  for (;;) {
    while (!exits.empty() && exits.back().depth >= depth) {
      if (exits.back().closes_scope) {
        state->scopes.pop_back();
      } else {
        --state->scopes.back().comprehensions;
      }
      exits.pop_back();
    }
    const TSNode node = ts_tree_cursor_current_node(c);
    const TSSymbol symbol = ts_node_symbol(node);
    const Frame* parent = depth > 0 ? &frames[depth - 1] : nullptr;
    if (depth > 0 && frames[depth - 1].def_index >= 0 &&
        ts_tree_cursor_current_field_id(c) == g.f_body) {
      OpenScope(state, frames[depth - 1].def_index);
      exits.push_back({depth, true});
    }
    if (IsComprehension(g, symbol)) {
      ++state->scopes.back().comprehensions;
      exits.push_back({depth, false});
    }
    int def_index = -1;
    const bool descend = Visit(state, node, symbol, parent, &def_index);
    if (frames.size() <= depth) frames.resize(depth + 1);
    frames[depth] = {node, symbol, def_index};
    if (descend && ts_tree_cursor_goto_first_child(c)) {
      ++depth;
      continue;
    }
    while (!ts_tree_cursor_goto_next_sibling(c)) {
      if (!ts_tree_cursor_goto_parent(c)) return;
      --depth;
    }
  }
}

}  // namespace
}  // namespace internal

Extractor::Extractor(TSParser* parser) : parser_(parser) {}

Extractor::~Extractor() { ts_parser_delete(parser_); }

arrow::Result<std::unique_ptr<Extractor>> Extractor::Make() {
  ARROW_ASSIGN_OR_RAISE(const TSLanguage* language, PythonLanguage());
  TSParser* parser = ts_parser_new();
  if (parser == nullptr) return arrow::Status::OutOfMemory("tree-sitter parser");
  if (!ts_parser_set_language(parser, language)) {
    ts_parser_delete(parser);
    return arrow::Status::Invalid("tree-sitter refused the Python grammar");
  }
  return std::unique_ptr<Extractor>(new Extractor(parser));
}

arrow::Result<FileFacts> Extractor::Extract(SourceFile file) {
  static const internal::Grammar grammar =
      internal::Grammar::Load(ts_parser_language(parser_));
  FileFacts facts;
  facts.file = std::move(file);
  internal::WalkState state(grammar, &facts);
  internal::AddModule(&state);
  if (!facts.file.skip_reason.empty()) return facts;
  const std::string& text = facts.file.text;
  if (text.size() > std::numeric_limits<uint32_t>::max()) {
    return arrow::Status::Invalid(facts.file.path, ": ", text.size(),
                                  " bytes, more than tree-sitter parses (4 GiB)");
  }
  // tree-sitter 0.20.7 corrupts its heap (a double free inside ts_parser_parse, seen
  // under ASan) on brackets nested some 50,000 deep. Python refuses more than 200, so
  // a file past kMaxBracketDepth is not Python: it is reported, not parsed.
  const internal::BracketDepth depth = internal::MaxBracketDepth(text, kMaxBracketDepth);
  if (depth.max_depth > kMaxBracketDepth) {
    internal::AddNotParsedDiagnostic(
        &state, depth.first_byte,
        "brackets nested " + std::to_string(depth.max_depth) + " deep (more than " +
            std::to_string(kMaxBracketDepth) + "; Python allows 200)");
    facts.has_error = true;
    return facts;
  }
  // The same corruption follows from long right-nested chains (40,000 conditional
  // expressions, 100,000 chained assignments); CPython's parser refuses those too.
  if (depth.max_chain > kMaxChain) {
    internal::AddNotParsedDiagnostic(
        &state, depth.chain_byte,
        "a statement chains " + std::to_string(depth.max_chain) +
            " 'if'/'else'/'lambda'/'=' (more than " + std::to_string(kMaxChain) + ")");
    facts.has_error = true;
    return facts;
  }
  internal::TreePtr tree(ts_parser_parse_string_encoding(
      parser_, nullptr, text.data(), static_cast<uint32_t>(text.size()),
      TSInputEncodingUTF8));
  if (tree == nullptr) {
    ts_parser_reset(parser_);
    return arrow::Status::IOError(facts.file.path,
                                  ": tree-sitter returned no tree (timeout or "
                                  "cancellation)");
  }
  const TSNode root = ts_tree_root_node(tree.get());
  internal::ReadModuleDocString(&state, root);
  internal::Walk(&state, root);
  if (facts.file.encoding == "invalid-utf-8") {
    internal::AddDecodeDiagnostic(&state);
    internal::ReplaceInvalidText(&facts);
    // Rows are in source order: the decode diagnostic joins the tree's.
    std::stable_sort(facts.diagnostics.begin(), facts.diagnostics.end(),
                     [](const SyntaxDiagnostic& a, const SyntaxDiagnostic& b) {
                       return a.span.start_byte < b.span.start_byte;
                     });
  }
  facts.has_error = ts_node_has_error(root) || state.reported_too_deep;
  return facts;
}

namespace internal {

Id WalkState::SpanId(std::string_view kind, int64_t start_byte, int64_t end_byte) {
  const std::string start = std::to_string(start_byte);
  const std::string end = std::to_string(end_byte);
  std::string key(kind);
  key.append(1, '\0').append(start).append(1, '\0').append(end);
  const int n = span_counts_[key]++;
  if (n == 0) return StableId({kind, facts->file.path, start, end});
  return StableId({kind, facts->file.path, start, end, std::to_string(n)});
}

void ReplaceInvalidText(FileFacts* facts) {
  // Rows become Arrow utf8 columns, which must hold valid UTF-8.
  auto fix = [](std::string* s) {
    if (!IsValidUtf8(*s)) *s = ReplaceInvalidUtf8(*s);
  };
  for (Definition& d : facts->definitions) {
    fix(&d.name), fix(&d.qualname), fix(&d.fqn);
    for (auto* list : {&d.decorators, &d.bases, &d.params}) {
      for (std::string& s : *list) fix(&s);
    }
  }
  for (Import& i : facts->imports) {
    fix(&i.module), fix(&i.name), fix(&i.alias), fix(&i.bound_name);
  }
  for (CallSite& c : facts->call_sites) {
    fix(&c.callee_text), fix(&c.receiver_text), fix(&c.attribute_name);
  }
  for (Binding& b : facts->bindings) fix(&b.name), fix(&b.value_text);
}

TSNode FirstNamedChild(const Grammar& g, TSNode node) {
  const uint32_t count = ts_node_named_child_count(node);
  for (uint32_t i = 0; i < count; ++i) {
    TSNode child = ts_node_named_child(node, i);
    if (!ts_node_is_extra(child)) return child;  // comments, line continuations
  }
  return TSNode{};
}

}  // namespace internal
}  // namespace deltaline::anatomy
