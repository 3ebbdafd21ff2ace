#include "anatomy/syntax_walk.h"

#include <algorithm>
#include <cstring>
#include <string>

namespace deltaline::anatomy::internal {
namespace {

TSSymbol Named(const TSLanguage* language, const char* name) {
  return ts_language_symbol_for_name(language, name, static_cast<uint32_t>(strlen(name)),
                                     true);
}

TSSymbol Anonymous(const TSLanguage* language, const char* name) {
  return ts_language_symbol_for_name(language, name, static_cast<uint32_t>(strlen(name)),
                                     false);
}

TSFieldId Field(const TSLanguage* language, const char* name) {
  return ts_language_field_id_for_name(language, name,
                                       static_cast<uint32_t>(strlen(name)));
}

// The length of the UTF-8 sequence at `p` (1..4), or 0 when it does not decode.
size_t SequenceLength(const unsigned char* p, size_t left) {
  const unsigned char b = p[0];
  if (b < 0x80) return 1;
  size_t n = 0;
  uint32_t min = 0;
  if ((b & 0xe0) == 0xc0) {
    n = 2, min = 0x80;
  } else if ((b & 0xf0) == 0xe0) {
    n = 3, min = 0x800;
  } else if ((b & 0xf8) == 0xf0) {
    n = 4, min = 0x10000;
  } else {
    return 0;
  }
  if (n > left) return 0;
  uint32_t cp = b & (0xff >> (n + 1));
  for (size_t i = 1; i < n; ++i) {
    if ((p[i] & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

}  // namespace

Grammar Grammar::Load(const TSLanguage* l) {
  Grammar g;
  g.module = Named(l, "module");
  g.function_definition = Named(l, "function_definition");
  g.class_definition = Named(l, "class_definition");
  g.decorated_definition = Named(l, "decorated_definition");
  g.decorator = Named(l, "decorator");
  g.lambda = Named(l, "lambda");
  g.call = Named(l, "call");
  g.argument_list = Named(l, "argument_list");
  g.generator_expression = Named(l, "generator_expression");
  g.keyword_argument = Named(l, "keyword_argument");
  g.list_splat = Named(l, "list_splat");
  g.dictionary_splat = Named(l, "dictionary_splat");
  g.identifier = Named(l, "identifier");
  g.attribute = Named(l, "attribute");
  g.subscript = Named(l, "subscript");
  g.dotted_name = Named(l, "dotted_name");
  g.aliased_import = Named(l, "aliased_import");
  g.import_statement = Named(l, "import_statement");
  g.import_from_statement = Named(l, "import_from_statement");
  g.future_import_statement = Named(l, "future_import_statement");
  g.relative_import = Named(l, "relative_import");
  g.import_prefix = Named(l, "import_prefix");
  g.wildcard_import = Named(l, "wildcard_import");
  g.parameters = Named(l, "parameters");
  g.lambda_parameters = Named(l, "lambda_parameters");
  g.typed_parameter = Named(l, "typed_parameter");
  g.default_parameter = Named(l, "default_parameter");
  g.typed_default_parameter = Named(l, "typed_default_parameter");
  g.list_splat_pattern = Named(l, "list_splat_pattern");
  g.dictionary_splat_pattern = Named(l, "dictionary_splat_pattern");
  g.keyword_separator = Named(l, "keyword_separator");
  g.block = Named(l, "block");
  g.expression_statement = Named(l, "expression_statement");
  g.string = Named(l, "string");
  g.concatenated_string = Named(l, "concatenated_string");
  g.string_start = Named(l, "string_start");
  g.interpolation = Named(l, "interpolation");
  g.comment = Named(l, "comment");
  g.assignment = Named(l, "assignment");
  g.augmented_assignment = Named(l, "augmented_assignment");
  g.for_statement = Named(l, "for_statement");
  g.with_item = Named(l, "with_item");
  g.except_clause = Named(l, "except_clause");
  g.except_group_clause = Named(l, "except_group_clause");
  g.as_pattern = Named(l, "as_pattern");
  g.as_pattern_target = Named(l, "as_pattern_target");
  g.named_expression = Named(l, "named_expression");
  g.global_statement = Named(l, "global_statement");
  g.nonlocal_statement = Named(l, "nonlocal_statement");
  g.pattern_list = Named(l, "pattern_list");
  g.tuple_pattern = Named(l, "tuple_pattern");
  g.list_pattern = Named(l, "list_pattern");
  g.tuple = Named(l, "tuple");
  g.list = Named(l, "list");
  g.parenthesized_expression = Named(l, "parenthesized_expression");
  g.case_pattern = Named(l, "case_pattern");
  g.keyword_pattern = Named(l, "keyword_pattern");
  g.splat_pattern = Named(l, "splat_pattern");
  g.type_alias_statement = Named(l, "type_alias_statement");
  g.list_comprehension = Named(l, "list_comprehension");
  g.set_comprehension = Named(l, "set_comprehension");
  g.dictionary_comprehension = Named(l, "dictionary_comprehension");
  g.async_token = Anonymous(l, "async");
  g.f_body = Field(l, "body");
  g.f_name = Field(l, "name");
  g.f_function = Field(l, "function");
  g.f_arguments = Field(l, "arguments");
  g.f_object = Field(l, "object");
  g.f_attribute = Field(l, "attribute");
  g.f_left = Field(l, "left");
  g.f_right = Field(l, "right");
  g.f_value = Field(l, "value");
  g.f_alias = Field(l, "alias");
  g.f_parameters = Field(l, "parameters");
  g.f_superclasses = Field(l, "superclasses");
  g.f_module_name = Field(l, "module_name");
  g.f_definition = Field(l, "definition");
  return g;
}

TSNode LastToken(TSNode node) {
  for (;;) {
    uint32_t i = ts_node_child_count(node);
    while (i > 0 && ts_node_is_extra(ts_node_child(node, i - 1))) --i;
    if (i == 0) return node;
    node = ts_node_child(node, i - 1);
  }
}

TextIndex::TextIndex(std::string_view text) : text_(text) {
  ascii_ = std::none_of(text.begin(), text.end(),
                        [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
}

std::string_view TextIndex::Of(TSNode node) const {
  const uint32_t start = std::min<size_t>(ts_node_start_byte(node), text_.size());
  const uint32_t end = std::min<size_t>(ts_node_end_byte(node), text_.size());
  return text_.substr(start, end > start ? end - start : 0);
}

int32_t TextIndex::CharColumn(uint32_t byte, uint32_t byte_column) const {
  if (ascii_) return static_cast<int32_t>(byte_column);
  // Code points = bytes that are not UTF-8 continuation bytes (an invalid byte counts
  // as one, as Python's "replace" decoding would).
  int32_t chars = 0;
  const size_t end = std::min<size_t>(byte, text_.size());
  for (size_t i = end - std::min<size_t>(byte_column, end); i < end; ++i) {
    chars += (static_cast<unsigned char>(text_[i]) & 0xc0) != 0x80;
  }
  return chars;
}

Span TextIndex::SpanAt(uint32_t start_byte, uint32_t end_byte, TSPoint start,
                       TSPoint end) const {
  Span span;
  span.start_byte = start_byte;
  span.end_byte = end_byte;
  span.start_line = static_cast<int32_t>(start.row) + 1;
  span.start_col = static_cast<int32_t>(start.column);
  span.end_line = static_cast<int32_t>(end.row) + 1;
  span.end_col = static_cast<int32_t>(end.column);
  span.start_char_col = CharColumn(start_byte, start.column);
  span.end_char_col = CharColumn(end_byte, end.column);
  return span;
}

Span TextIndex::SpanOf(TSNode node) const {
  return SpanAt(ts_node_start_byte(node), ts_node_end_byte(node),
                ts_node_start_point(node), ts_node_end_point(node));
}

TSPoint TextIndex::PointOf(int64_t byte) const {
  const size_t end =
      std::min<size_t>(static_cast<size_t>(std::max<int64_t>(byte, 0)), text_.size());
  TSPoint point{0, 0};
  for (size_t i = 0; i < end; ++i) {
    if (text_[i] == '\n') {
      ++point.row;
      point.column = 0;
    } else {
      ++point.column;
    }
  }
  return point;
}

std::string TextIndex::Snippet(int64_t byte, size_t max_bytes) const {
  size_t start =
      std::min<size_t>(static_cast<size_t>(std::max<int64_t>(byte, 0)), text_.size());
  size_t end = start;
  while (end < text_.size() && end - start < max_bytes && text_[end] != '\n' &&
         text_[end] != '\r') {
    ++end;
  }
  // Do not cut a multibyte character: back off to its first byte.
  if (end < text_.size() && end - start == max_bytes) {
    while (end > start && (static_cast<unsigned char>(text_[end]) & 0xc0) == 0x80) --end;
  }
  return ReplaceInvalidUtf8(text_.substr(start, end - start));
}

namespace {

bool IsFStringPrefix(std::string_view text, size_t quote) {
  // Up to two prefix letters (rf"", Fr'') directly before the quote.
  for (size_t k = 1; k <= 2 && k <= quote; ++k) {
    const char c = text[quote - k];
    if (c == 'f' || c == 'F') return true;
    if (c != 'r' && c != 'R' && c != 'b' && c != 'B') return false;
  }
  return false;
}

}  // namespace

BracketDepth MaxBracketDepth(std::string_view text, int64_t limit) {
  BracketDepth result;
  int64_t depth = 0;
  auto open = [&](size_t i) {
    result.max_depth = std::max(result.max_depth, ++depth);
    if (depth > limit && result.first_byte < 0)
      result.first_byte = static_cast<int64_t>(i);
  };
  auto close = [&] { depth -= depth > 0; };
  const size_t n = text.size();
  int64_t chain = 0;
  size_t line_start = 0;
  auto chain_token = [&] {
    if (++chain > result.max_chain) {
      result.max_chain = chain;
      result.chain_byte = static_cast<int64_t>(line_start);
    }
  };
  auto is_word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || static_cast<unsigned char>(c) >= 0x80;
  };
  for (size_t i = 0; i < n; ++i) {
    const char c = text[i];
    if (c == '\n' && depth == 0 && (i == 0 || text[i - 1] != '\\')) {
      chain = 0;  // a logical line ends
      line_start = i + 1;
    } else if (is_word(c)) {
      size_t end = i;
      while (end < n && is_word(text[end])) ++end;
      const std::string_view word = text.substr(i, end - i);
      if (word == "if" || word == "else" || word == "lambda") chain_token();
      i = end - 1;  // a string prefix (f"…") is followed by its quote: read next
    } else if (c == '=' && i + 1 < n && text[i + 1] != '=' &&
               (i == 0 || std::string_view("=!<>:+-*/%&|^@").find(text[i - 1]) ==
                              std::string_view::npos)) {
      chain_token();
    } else if (c == '#') {
      while (i + 1 < n && text[i + 1] != '\n') ++i;
    } else if (c == '\'' || c == '"') {
      const bool counted = IsFStringPrefix(text, i);
      const bool triple = i + 2 < n && text[i + 1] == c && text[i + 2] == c;
      i += triple ? 3 : 1;
      for (; i < n; ++i) {
        const char d = text[i];
        if (d == '\\') {
          ++i;
        } else if (d == c &&
                   (!triple || (i + 2 < n && text[i + 1] == c && text[i + 2] == c))) {
          i += triple ? 2 : 0;
          break;
        } else if (d == '\n' && !triple) {
          break;
        } else if (counted && (d == '(' || d == '[' || d == '{')) {
          open(i);
        } else if (counted && (d == ')' || d == ']' || d == '}')) {
          close();
        }
      }
    } else if (c == '(' || c == '[' || c == '{') {
      open(i);
    } else if (c == ')' || c == ']' || c == '}') {
      close();
    }
  }
  return result;
}

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size();) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const size_t n = SequenceLength(p + i, bytes.size() - i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string ReplaceInvalidUtf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  for (size_t i = 0; i < bytes.size();) {
    const size_t n = SequenceLength(p + i, bytes.size() - i);
    if (n == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(bytes.substr(i, n));
      i += n;
    }
  }
  return out;
}

}  // namespace deltaline::anatomy::internal
