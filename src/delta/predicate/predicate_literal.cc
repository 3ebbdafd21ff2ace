#include "delta/predicate/predicate_literal.h"

#include <arrow/compute/api.h>
#include <arrow/util/decimal.h>

#include "delta/base/errors.h"

namespace deltaline::delta::predicate_internal {
namespace {

using Kind = Literal::Kind;

arrow::Status Mismatch(const Literal& literal, const arrow::DataType& type,
                       const std::string& column, const std::string& where) {
  return SchemaMismatch("predicate: column '" + column + "' is " + type.ToString() +
                        " and cannot be compared with the " +
                        LiteralKindName(literal.kind) + " literal " + where);
}

arrow::Status BadLiteral(const Literal& literal, const arrow::DataType& type,
                         const std::string& detail, const std::string& where) {
  return InvalidInput("predicate: '" + literal.text + "' is not a valid " +
                      type.ToString() + " literal" +
                      (detail.empty() ? "" : " (" + detail + ")") + " " + where);
}

bool IsIntegralText(const std::string& text) {
  return text.find_first_of(".eE") == std::string::npos;
}

bool HasZone(const std::string& text) {
  // A zone is 'Z' or a sign after the time part ("…T10:00:00+02:00").
  if (!text.empty() && (text.back() == 'Z' || text.back() == 'z')) return true;
  size_t time_start = text.find_first_of("T ", 10);
  if (time_start == std::string::npos) return false;
  return text.find_first_of("+-", time_start) != std::string::npos;
}

arrow::Result<std::shared_ptr<arrow::Scalar>> ParseTimestamp(
    const Literal& literal, const std::shared_ptr<arrow::DataType>& type,
    const std::string& where) {
  const auto& ts_type = static_cast<const arrow::TimestampType&>(*type);
  std::string text = literal.text;
  if (literal.kind == Kind::kDate) text += "T00:00:00";
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  // A zoned column compares instants: a literal without a zone is read as UTC.
  if (!ts_type.timezone().empty() && !HasZone(text)) text += "Z";
  auto cast = arrow::compute::Cast(
      arrow::Datum(std::make_shared<arrow::StringScalar>(text)), type);
  if (!cast.ok()) return BadLiteral(literal, *type, cast.status().message(), where);
  return cast->scalar();
}

arrow::Result<std::shared_ptr<arrow::Scalar>> ParseDecimal(
    const Literal& literal, const std::shared_ptr<arrow::DataType>& type,
    const std::string& where) {
  const auto& dec_type = static_cast<const arrow::DecimalType&>(*type);
  arrow::Decimal128 value;
  int32_t precision = 0, scale = 0;
  if (!arrow::Decimal128::FromString(literal.text, &value, &precision, &scale).ok()) {
    return BadLiteral(literal, *type, "", where);
  }
  if (scale < dec_type.scale()) {
    ARROW_ASSIGN_OR_RAISE(value, value.Rescale(scale, dec_type.scale()));
  } else if (scale > dec_type.scale()) {
    auto rescaled = value.Rescale(scale, dec_type.scale());
    if (!rescaled.ok()) {
      return BadLiteral(literal, *type, "more digits than the column's scale", where);
    }
    value = *rescaled;
  }
  if (!value.FitsInPrecision(dec_type.precision())) {
    return BadLiteral(literal, *type, "too many digits", where);
  }
  if (type->id() == arrow::Type::DECIMAL256) {
    return std::make_shared<arrow::Decimal256Scalar>(arrow::Decimal256(value), type);
  }
  return std::make_shared<arrow::Decimal128Scalar>(value, type);
}

}  // namespace

const char* LiteralKindName(Literal::Kind kind) {
  switch (kind) {
    case Kind::kNull:
      return "NULL";
    case Kind::kBool:
      return "boolean";
    case Kind::kNumber:
      return "number";
    case Kind::kString:
      return "string";
    case Kind::kDate:
      return "DATE";
    case Kind::kTimestamp:
      return "TIMESTAMP";
  }
  return "?";
}

arrow::Result<std::shared_ptr<arrow::Scalar>> TypeLiteral(
    const Literal& literal, const std::shared_ptr<arrow::DataType>& type,
    const std::string& column, const std::string& where) {
  if (literal.kind == Kind::kNull) return arrow::MakeNullScalar(type);
  const auto id = type->id();
  if (arrow::is_integer(id)) {
    if (literal.kind != Kind::kNumber) return Mismatch(literal, *type, column, where);
    if (!IsIntegralText(literal.text)) {
      return SchemaMismatch("predicate: column '" + column + "' is " + type->ToString() +
                            " and cannot be compared with the non-integer number " +
                            literal.text + " " + where);
    }
    std::string text = literal.text;
    if (!text.empty() && text.front() == '+') text.erase(0, 1);
    auto parsed = arrow::Scalar::Parse(type, text);
    if (!parsed.ok()) return BadLiteral(literal, *type, "out of range", where);
    return parsed;
  }
  if (arrow::is_floating(id)) {
    if (literal.kind != Kind::kNumber) return Mismatch(literal, *type, column, where);
    auto parsed = arrow::Scalar::Parse(type, literal.text);
    if (!parsed.ok()) return BadLiteral(literal, *type, "", where);
    return parsed;
  }
  if (id == arrow::Type::DECIMAL128 || id == arrow::Type::DECIMAL256) {
    if (literal.kind != Kind::kNumber) return Mismatch(literal, *type, column, where);
    return ParseDecimal(literal, type, where);
  }
  if (id == arrow::Type::DATE32 || id == arrow::Type::DATE64) {
    if (literal.kind != Kind::kDate && literal.kind != Kind::kString) {
      return Mismatch(literal, *type, column, where);
    }
    auto parsed = arrow::Scalar::Parse(type, literal.text);
    if (!parsed.ok()) return BadLiteral(literal, *type, "expected YYYY-MM-DD", where);
    return parsed;
  }
  if (id == arrow::Type::TIMESTAMP) {
    if (literal.kind != Kind::kTimestamp && literal.kind != Kind::kString &&
        literal.kind != Kind::kDate) {
      return Mismatch(literal, *type, column, where);
    }
    return ParseTimestamp(literal, type, where);
  }
  if (arrow::is_string(id) || arrow::is_binary(id) || id == arrow::Type::STRING_VIEW ||
      id == arrow::Type::BINARY_VIEW) {
    if (literal.kind != Kind::kString) return Mismatch(literal, *type, column, where);
    return arrow::Scalar::Parse(type, literal.text);
  }
  if (id == arrow::Type::BOOL) {
    if (literal.kind != Kind::kBool) return Mismatch(literal, *type, column, where);
    return std::make_shared<arrow::BooleanScalar>(literal.text == "TRUE");
  }
  return SchemaMismatch("predicate: column '" + column + "' of type " + type->ToString() +
                        " cannot be compared " + where);
}

arrow::Result<std::shared_ptr<arrow::Scalar>> NaturalLiteral(const Literal& literal,
                                                             const std::string& where) {
  switch (literal.kind) {
    case Kind::kNull:
      return arrow::MakeNullScalar(arrow::boolean());
    case Kind::kBool:
      return TypeLiteral(literal, arrow::boolean(), "", where);
    case Kind::kNumber:
      return TypeLiteral(literal,
                         IsIntegralText(literal.text) ? arrow::int64() : arrow::float64(),
                         "", where);
    case Kind::kString:
      return TypeLiteral(literal, arrow::utf8(), "", where);
    case Kind::kDate:
      return TypeLiteral(literal, arrow::date32(), "", where);
    case Kind::kTimestamp:
      return TypeLiteral(literal, arrow::timestamp(arrow::TimeUnit::MICRO), "", where);
  }
  return arrow::Status::Invalid("unreachable");
}

}  // namespace deltaline::delta::predicate_internal
