// Syntax diagnostics: ERROR and MISSING nodes of the tree, and the first byte of an
// invalid-utf-8 file.

#include <cstdio>
#include <string>
#include <utility>

#include "anatomy/extract_internal.h"

namespace deltaline::anatomy::internal {
namespace {

constexpr size_t kSnippetBytes = 80;

void Add(WalkState* state, SyntaxDiagnostic diagnostic) {
  diagnostic.diagnostic_id =
      state->SpanId("diagnostic", diagnostic.span.start_byte, diagnostic.span.end_byte);
  diagnostic.snippet = state->text.Snippet(diagnostic.span.start_byte, kSnippetBytes);
  state->facts->diagnostics.push_back(std::move(diagnostic));
}

std::string Where(const Span& span) {
  return "line " + std::to_string(span.start_line) + ", column " +
         std::to_string(span.start_char_col + 1);
}

}  // namespace

void AddErrorNode(WalkState* state, TSNode node) {
  SyntaxDiagnostic diagnostic;
  diagnostic.kind = "error";
  diagnostic.span = state->text.SpanOf(node);
  diagnostic.message = "invalid syntax at " + Where(diagnostic.span);
  Add(state, std::move(diagnostic));
}

void AddMissingNode(WalkState* state, TSNode node) {
  SyntaxDiagnostic diagnostic;
  diagnostic.kind = "missing";
  diagnostic.span = state->text.SpanOf(node);
  diagnostic.expected = ts_node_type(node);
  diagnostic.message =
      "missing '" + diagnostic.expected + "' at " + Where(diagnostic.span);
  Add(state, std::move(diagnostic));
}

void AddNotParsedDiagnostic(WalkState* state, int64_t byte, const std::string& message) {
  const TSPoint point = state->text.PointOf(byte);
  SyntaxDiagnostic diagnostic;
  diagnostic.kind = "error";
  diagnostic.span =
      state->text.SpanAt(static_cast<uint32_t>(byte), static_cast<uint32_t>(byte + 1),
                         point, TSPoint{point.row, point.column + 1});
  diagnostic.message =
      message + " at " + Where(diagnostic.span) + ": the file is not parsed";
  Add(state, std::move(diagnostic));
}

void AddTooDeepDefinition(WalkState* state, TSNode node) {
  SyntaxDiagnostic diagnostic;
  diagnostic.kind = "error";
  diagnostic.span = state->text.SpanOf(node);
  diagnostic.message = "definitions nested more than " + std::to_string(kMaxScopeDepth) +
                       " deep at " + Where(diagnostic.span) +
                       ": this one and those inside it are not recorded";
  Add(state, std::move(diagnostic));
}

void AddDecodeDiagnostic(WalkState* state) {
  const int64_t byte = state->facts->file.first_invalid_byte;
  const std::string_view text = state->text.text();
  if (byte < 0 || byte > static_cast<int64_t>(text.size())) return;
  const TSPoint point = state->text.PointOf(byte);
  const auto end =
      static_cast<uint32_t>(byte < static_cast<int64_t>(text.size()) ? byte + 1 : byte);
  const TSPoint end_point{point.row, point.column + (end - static_cast<uint32_t>(byte))};
  SyntaxDiagnostic diagnostic;
  diagnostic.kind = "decode";
  diagnostic.span =
      state->text.SpanAt(static_cast<uint32_t>(byte), end, point, end_point);
  char hex[8] = "";
  if (byte < static_cast<int64_t>(text.size())) {
    std::snprintf(hex, sizeof(hex), "0x%02x", static_cast<unsigned char>(text[byte]));
  }
  diagnostic.message =
      std::string("invalid UTF-8 byte ") + hex + " at " + Where(diagnostic.span);
  Add(state, std::move(diagnostic));
}

}  // namespace deltaline::anatomy::internal
