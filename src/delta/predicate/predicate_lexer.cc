#include "delta/predicate/predicate_lexer.h"

#include <array>
#include <cctype>

#include "delta/base/errors.h"

namespace deltaline::delta::predicate_internal {
namespace {

constexpr std::array<std::string_view, 13> kKeywords = {
    "AND",  "OR",        "NOT",           "IN",  "IS", "NULL", "BETWEEN", "TRUE", "FALSE",
    "DATE", "TIMESTAMP", "TIMESTAMP_NTZ", "LIKE"};

std::string Upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool IsIdentStart(unsigned char c) { return std::isalpha(c) || c == '_' || c >= 0x80; }
bool IsIdentChar(unsigned char c) { return IsIdentStart(c) || std::isdigit(c); }

std::string Quote(std::string_view text) {
  // Error messages quote the token; keep them one line and short.
  std::string out(text.substr(0, 40));
  if (text.size() > 40) out += "…";
  for (char& c : out) {
    if (c == '\n' || c == '\r' || c == '\0') c = ' ';
  }
  return "'" + out + "'";
}

}  // namespace

size_t PositionOf(std::string_view sql, size_t offset) {
  size_t position = 1;
  for (size_t byte_idx = 0; byte_idx < offset && byte_idx < sql.size(); ++byte_idx) {
    // Continuation bytes (10xxxxxx) belong to the previous character.
    if ((static_cast<unsigned char>(sql[byte_idx]) & 0xC0) != 0x80) ++position;
  }
  return position;
}

std::string Where(std::string_view sql, const Token& token) {
  std::string near = token.kind == TokenKind::kEnd ? "end of input" : Quote(token.raw);
  return "at position " + std::to_string(PositionOf(sql, token.offset)) + " (near " +
         near + ")";
}

namespace {

arrow::Status LexError(std::string_view sql, size_t at, std::string_view what,
                       std::string_view raw) {
  Token bad{TokenKind::kOperator, "", at,
            std::string(raw)};  // kOperator: Where quotes it
  return InvalidInput("predicate: " + std::string(what) + " " + Where(sql, bad));
}

bool IsDigit(std::string_view sql, size_t pos) {
  return pos < sql.size() && std::isdigit(static_cast<unsigned char>(sql[pos]));
}

// A string ('…') or quoted identifier ("…", `…`) starting at `pos`; returns its end.
arrow::Result<size_t> LexQuoted(std::string_view sql, size_t pos, Token& token) {
  // SQL escapes a quote inside quotes by doubling it.
  const char quote = sql[pos];
  size_t end = pos + 1;
  std::string value;
  bool closed = false;
  while (end < sql.size()) {
    if (sql[end] == quote) {
      if (end + 1 < sql.size() && sql[end + 1] == quote) {
        value += quote;
        end += 2;
        continue;
      }
      closed = true;
      break;
    }
    value += sql[end++];
  }
  if (!closed) {
    return LexError(sql, pos,
                    quote == '\'' ? "unterminated string" : "unterminated identifier",
                    sql.substr(pos));
  }
  token.kind = quote == '\'' ? TokenKind::kString : TokenKind::kQuotedIdentifier;
  token.text = std::move(value);
  token.raw = std::string(sql.substr(pos, end + 1 - pos));
  return end + 1;
}

arrow::Result<size_t> LexNumber(std::string_view sql, size_t pos, Token& token) {
  size_t end = pos;
  while (IsDigit(sql, end)) ++end;
  if (end < sql.size() && sql[end] == '.') {
    ++end;
    while (IsDigit(sql, end)) ++end;
  }
  if (end < sql.size() && (sql[end] == 'e' || sql[end] == 'E')) {
    size_t exp = end + 1;
    if (exp < sql.size() && (sql[exp] == '+' || sql[exp] == '-')) ++exp;
    if (IsDigit(sql, exp)) {
      end = exp;
      while (IsDigit(sql, end)) ++end;
    }
  }
  // "12abc" is one bad token, not a number followed by a name.
  if (end < sql.size() && IsIdentChar(static_cast<unsigned char>(sql[end]))) {
    size_t bad_end = end;
    while (bad_end < sql.size() &&
           IsIdentChar(static_cast<unsigned char>(sql[bad_end]))) {
      ++bad_end;
    }
    return LexError(sql, pos, "malformed number", sql.substr(pos, bad_end - pos));
  }
  token.kind = TokenKind::kNumber;
  token.text = std::string(sql.substr(pos, end - pos));
  token.raw = token.text;
  return end;
}

// An identifier or keyword.
size_t LexWord(std::string_view sql, size_t pos, Token& token) {
  size_t end = pos;
  while (end < sql.size() && IsIdentChar(static_cast<unsigned char>(sql[end]))) ++end;
  token.raw = std::string(sql.substr(pos, end - pos));
  std::string upper = Upper(token.raw);
  token.kind = TokenKind::kIdentifier;
  token.text = token.raw;
  for (auto keyword : kKeywords) {
    if (upper == keyword) {
      token.kind = TokenKind::kKeyword;
      token.text = upper;
    }
  }
  return end;
}

arrow::Result<size_t> LexOperator(std::string_view sql, size_t pos, Token& token) {
  static constexpr std::array<std::string_view, 13> kOperators = {
      "<=", ">=", "<>", "!=", "=", "<", ">", "(", ")", ",", ".", "-", "+"};
  for (auto op : kOperators) {
    if (sql.substr(pos, op.size()) == op) {
      token.kind = TokenKind::kOperator;
      token.text = std::string(op);
      token.raw = token.text;
      return pos + op.size();
    }
  }
  return LexError(sql, pos, "unexpected character", sql.substr(pos, 1));
}

}  // namespace

arrow::Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> tokens;
  size_t pos = 0;
  while (pos < sql.size()) {
    const unsigned char c = static_cast<unsigned char>(sql[pos]);
    if (std::isspace(c)) {
      ++pos;
      continue;
    }
    Token token;
    token.offset = pos;
    if (c == '\'' || c == '"' || c == '`') {
      ARROW_ASSIGN_OR_RAISE(pos, LexQuoted(sql, pos, token));
    } else if (std::isdigit(c) || (c == '.' && IsDigit(sql, pos + 1))) {
      ARROW_ASSIGN_OR_RAISE(pos, LexNumber(sql, pos, token));
    } else if (IsIdentStart(c)) {
      pos = LexWord(sql, pos, token);
    } else {
      ARROW_ASSIGN_OR_RAISE(pos, LexOperator(sql, pos, token));
    }
    tokens.push_back(std::move(token));
  }
  tokens.push_back(Token{TokenKind::kEnd, "", sql.size(), ""});
  return tokens;
}

}  // namespace deltaline::delta::predicate_internal
