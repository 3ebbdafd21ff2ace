#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>

namespace deltaline::delta::predicate_internal {

enum class TokenKind {
  kIdentifier,  ///< bare word that is not a keyword
  kQuotedIdentifier,
  kKeyword,  ///< `text` holds the keyword upper-cased
  kString,   ///< `text` holds the unescaped value
  kNumber,
  kOperator,  ///< = != <> < <= > >= ( ) , . - +
  kEnd,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;
  /// Byte offset of the token in the input; PositionOf turns it into a column.
  size_t offset = 0;
  /// The token as written, for error messages.
  std::string raw;
};

/// \brief Splits `sql` into tokens, ending with a kEnd token. Fails with
/// kInvalidInput on an unterminated string/identifier or a stray character.
arrow::Result<std::vector<Token>> Tokenize(std::string_view sql);

/// \brief 1-based character (UTF-8 code point) position of byte `offset` in `sql`.
size_t PositionOf(std::string_view sql, size_t offset);

/// \brief "at position N (near 'tok')", the suffix every parser error carries.
std::string Where(std::string_view sql, const Token& token);

}  // namespace deltaline::delta::predicate_internal
