#pragma once

#include <memory>
#include <string>

#include <arrow/result.h>
#include <arrow/scalar.h>
#include <arrow/type.h>

namespace deltaline::delta::predicate_internal {

/// \brief A literal as written, before it knows the type it is compared with.
struct Literal {
  enum class Kind { kNull, kBool, kNumber, kString, kDate, kTimestamp };
  Kind kind = Kind::kNull;
  std::string text;  ///< number text (sign included), string value, TRUE/FALSE
};

const char* LiteralKindName(Literal::Kind kind);

/// \brief The literal as a scalar of `type` (the column's type). Fails with
/// kSchemaMismatch when the literal's kind cannot be compared with `type`, and with
/// kInvalidInput when its text is not a valid value of `type` (out of range, bad date,
/// more decimal digits than the scale). `where` ends every message.
arrow::Result<std::shared_ptr<arrow::Scalar>> TypeLiteral(
    const Literal& literal, const std::shared_ptr<arrow::DataType>& type,
    const std::string& column, const std::string& where);

/// \brief The literal's own type when nothing else gives one (int64 or double for
/// numbers, utf8, boolean, date32, timestamp[us]).
arrow::Result<std::shared_ptr<arrow::Scalar>> NaturalLiteral(const Literal& literal,
                                                             const std::string& where);

}  // namespace deltaline::delta::predicate_internal
