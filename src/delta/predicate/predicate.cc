#include "delta/predicate/predicate.h"

#include <algorithm>
#include <optional>

#include <arrow/array/builder_base.h>
#include <arrow/compute/api.h>

#include "delta/base/errors.h"
#include "delta/predicate/predicate_lexer.h"
#include "delta/predicate/predicate_literal.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;
using predicate_internal::Literal;
using predicate_internal::Token;
using predicate_internal::TokenKind;

// Deeper nesting is refused rather than risking the stack on hostile input.
constexpr int kMaxDepth = 200;
// Longer IN lists become one is_in call; shorter ones an OR of equalities, which
// Arrow's guarantee simplification understands (data skipping).
constexpr size_t kMaxInAsOr = 32;

/// One side of a comparison: a column or a literal not yet typed.
struct Operand {
  std::optional<cp::Expression> column;
  std::string column_name;  ///< dotted path, for messages
  std::shared_ptr<arrow::DataType> type;
  Literal literal;
  Token token;
  bool is_column() const { return column.has_value(); }
};

cp::Expression Compare(const std::string& op, cp::Expression lhs, cp::Expression rhs) {
  if (op == "=") return cp::equal(std::move(lhs), std::move(rhs));
  if (op == "!=" || op == "<>") return cp::not_equal(std::move(lhs), std::move(rhs));
  if (op == "<") return cp::less(std::move(lhs), std::move(rhs));
  if (op == "<=") return cp::less_equal(std::move(lhs), std::move(rhs));
  if (op == ">") return cp::greater(std::move(lhs), std::move(rhs));
  return cp::greater_equal(std::move(lhs), std::move(rhs));
}

// `5 < x` is `x > 5`: Arrow recognises guarantees only with the field on the left.
std::string Flip(const std::string& op) {
  if (op == "<") return ">";
  if (op == "<=") return ">=";
  if (op == ">") return "<";
  if (op == ">=") return "<=";
  return op;
}

// Balanced, so that a long list does not make a deep tree.
cp::Expression OrAll(const std::vector<cp::Expression>& terms, size_t begin, size_t end) {
  if (end - begin == 1) return terms[begin];
  size_t mid = begin + (end - begin) / 2;
  return cp::or_(OrAll(terms, begin, mid), OrAll(terms, mid, end));
}

class Parser {
 public:
  Parser(std::string_view sql, const arrow::Schema& schema, std::vector<Token> tokens)
      : sql_(sql), schema_(schema), tokens_(std::move(tokens)) {}

  arrow::Result<cp::Expression> Parse() {
    ARROW_ASSIGN_OR_RAISE(auto expr, ParseOr());
    if (Peek().kind != TokenKind::kEnd) {
      return InvalidInput("predicate: unexpected trailing text " + Where(Peek()));
    }
    return expr;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  const Token& Next() {
    const Token& token = tokens_[pos_];
    if (pos_ + 1 < tokens_.size()) ++pos_;
    return token;
  }
  bool IsKeyword(const Token& token, std::string_view word) const {
    return token.kind == TokenKind::kKeyword && token.text == word;
  }
  bool IsOp(const Token& token, std::string_view op) const {
    return token.kind == TokenKind::kOperator && token.text == op;
  }
  bool AcceptKeyword(std::string_view word) {
    if (!IsKeyword(Peek(), word)) return false;
    Next();
    return true;
  }
  std::string Where(const Token& token) const {
    return predicate_internal::Where(sql_, token);
  }
  arrow::Status Expected(const std::string& what) const {
    return InvalidInput("predicate: expected " + what + " " + Where(Peek()));
  }

  arrow::Result<cp::Expression> ParseOr() {
    ARROW_ASSIGN_OR_RAISE(auto lhs, ParseAnd());
    while (AcceptKeyword("OR")) {
      ARROW_ASSIGN_OR_RAISE(auto rhs, ParseAnd());
      lhs = cp::or_(std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  arrow::Result<cp::Expression> ParseAnd() {
    ARROW_ASSIGN_OR_RAISE(auto lhs, ParseNot());
    while (AcceptKeyword("AND")) {
      ARROW_ASSIGN_OR_RAISE(auto rhs, ParseNot());
      lhs = cp::and_(std::move(lhs), std::move(rhs));
    }
    return lhs;
  }

  arrow::Result<cp::Expression> ParseNot() {
    if (++depth_ > kMaxDepth) {
      return InvalidInput("predicate: nested more than " + std::to_string(kMaxDepth) +
                          " levels " + Where(Peek()));
    }
    arrow::Result<cp::Expression> result;
    if (AcceptKeyword("NOT")) {
      result = ParseNot();
      if (result.ok()) result = cp::not_(*std::move(result));
    } else {
      result = ParseCondition();
    }
    --depth_;
    return result;
  }

  arrow::Result<cp::Expression> ParseCondition() {
    if (IsOp(Peek(), "(")) {
      Next();
      ARROW_ASSIGN_OR_RAISE(auto inner, ParseOr());
      if (!IsOp(Peek(), ")")) return Expected("')'");
      Next();
      return inner;
    }
    ARROW_ASSIGN_OR_RAISE(Operand lhs, ParseOperand());
    const Token& token = Peek();
    if (token.kind == TokenKind::kOperator &&
        (token.text == "=" || token.text == "!=" || token.text == "<>" ||
         token.text == "<" || token.text == "<=" || token.text == ">" ||
         token.text == ">=")) {
      std::string op = Next().text;
      ARROW_ASSIGN_OR_RAISE(Operand rhs, ParseOperand());
      return Comparison(op, lhs, rhs);
    }
    if (AcceptKeyword("IS")) {
      bool negated = AcceptKeyword("NOT");
      if (!AcceptKeyword("NULL")) return Expected("NULL after IS");
      ARROW_ASSIGN_OR_RAISE(auto value, AsValue(lhs));
      return negated ? cp::is_valid(std::move(value)) : cp::is_null(std::move(value));
    }
    bool negated = false;
    if (IsKeyword(token, "NOT") &&
        (IsKeyword(Peek(1), "IN") || IsKeyword(Peek(1), "BETWEEN") ||
         IsKeyword(Peek(1), "LIKE"))) {
      Next();
      negated = true;
    }
    if (AcceptKeyword("IN")) {
      ARROW_ASSIGN_OR_RAISE(auto in, InList(lhs));
      return negated ? cp::not_(std::move(in)) : in;
    }
    if (AcceptKeyword("BETWEEN")) {
      ARROW_ASSIGN_OR_RAISE(Operand low, ParseOperand());
      if (!AcceptKeyword("AND")) return Expected("AND in BETWEEN");
      ARROW_ASSIGN_OR_RAISE(Operand high, ParseOperand());
      ARROW_ASSIGN_OR_RAISE(auto lower, Comparison(">=", lhs, low));
      ARROW_ASSIGN_OR_RAISE(auto upper, Comparison("<=", lhs, high));
      auto between = cp::and_(std::move(lower), std::move(upper));
      return negated ? cp::not_(std::move(between)) : between;
    }
    if (IsKeyword(Peek(), "LIKE")) {
      return UnsupportedFeature("LIKE",
                                "predicate: LIKE is not supported " + Where(Peek()));
    }
    if (negated) return Expected("IN, BETWEEN or LIKE after NOT");
    // A lone operand is a condition only when it is boolean (`active`, `TRUE`).
    ARROW_ASSIGN_OR_RAISE(auto value, AsValue(lhs));
    auto type = lhs.is_column() ? lhs.type : arrow::boolean();
    if (!lhs.is_column() && lhs.literal.kind != Literal::Kind::kBool &&
        lhs.literal.kind != Literal::Kind::kNull) {
      type = nullptr;
    }
    if (!type || type->id() != arrow::Type::BOOL) {
      return SchemaMismatch(
          "predicate: " + lhs.token.raw +
          " is not a boolean condition (expected a comparison after it) " +
          Where(lhs.token));
    }
    return value;
  }

  arrow::Result<Operand> ParseOperand() {
    Operand operand;
    operand.token = Peek();
    const Token& token = Next();
    switch (token.kind) {
      case TokenKind::kIdentifier:
      case TokenKind::kQuotedIdentifier:
        return Column(token);
      case TokenKind::kString:
        operand.literal = {Literal::Kind::kString, token.text};
        return operand;
      case TokenKind::kNumber:
        operand.literal = {Literal::Kind::kNumber, token.text};
        return operand;
      case TokenKind::kOperator:
        if ((token.text == "-" || token.text == "+") &&
            Peek().kind == TokenKind::kNumber) {
          operand.literal = {Literal::Kind::kNumber, token.text + Next().text};
          operand.token.raw = operand.literal.text;
          return operand;
        }
        break;
      case TokenKind::kKeyword:
        if (token.text == "NULL") return operand;
        if (token.text == "TRUE" || token.text == "FALSE") {
          operand.literal = {Literal::Kind::kBool, token.text};
          return operand;
        }
        if (token.text == "DATE" || token.text == "TIMESTAMP" ||
            token.text == "TIMESTAMP_NTZ") {
          if (Peek().kind != TokenKind::kString) {
            return Expected("a quoted value after " + token.text);
          }
          // Errors about the value point at the quoted text.
          operand.token = Peek();
          operand.literal = {
              token.text == "DATE" ? Literal::Kind::kDate : Literal::Kind::kTimestamp,
              Next().text};
          return operand;
        }
        break;
      case TokenKind::kEnd:
        break;
    }
    pos_ -= token.kind == TokenKind::kEnd ? 0 : 1;
    return Expected("a column or a literal");
  }

  arrow::Result<Operand> Column(const Token& first) {
    Operand operand;
    operand.token = first;
    std::vector<std::string> path{first.text};
    auto field = schema_.GetFieldByName(first.text);
    if (!field) return UnknownColumn(first.text, first);
    while (IsOp(Peek(), ".")) {
      Next();
      const Token& part = Peek();
      if (part.kind != TokenKind::kIdentifier &&
          part.kind != TokenKind::kQuotedIdentifier) {
        return Expected("a field name after '.'");
      }
      Next();
      if (field->type()->id() != arrow::Type::STRUCT) {
        return SchemaMismatch("predicate: column '" + Join(path) + "' is " +
                              field->type()->ToString() + ", not a struct with field '" +
                              part.text + "' " + Where(part));
      }
      auto child =
          static_cast<const arrow::StructType&>(*field->type()).GetFieldByName(part.text);
      path.push_back(part.text);
      if (!child) return UnknownColumn(Join(path), part);
      field = child;
    }
    operand.column_name = Join(path);
    operand.type = field->type();
    std::vector<arrow::FieldRef> refs(path.begin(), path.end());
    operand.column = cp::field_ref(arrow::FieldRef(std::move(refs)));
    return operand;
  }

  static std::string Join(const std::vector<std::string>& path) {
    std::string out;
    for (const auto& part : path) out += (out.empty() ? "" : ".") + part;
    return out;
  }

  arrow::Status UnknownColumn(const std::string& name, const Token& token) const {
    std::string columns;
    for (const auto& field : schema_.fields()) {
      columns += (columns.empty() ? "" : ", ") + field->name();
    }
    return InvalidInput("predicate: unknown column '" + name + "' " + Where(token) +
                        "; columns are: " + columns);
  }

  // An operand standing alone (IS NULL, a boolean condition): literals take their
  // natural type.
  arrow::Result<cp::Expression> AsValue(const Operand& operand) const {
    if (operand.is_column()) return *operand.column;
    ARROW_ASSIGN_OR_RAISE(auto scalar, predicate_internal::NaturalLiteral(
                                           operand.literal, Where(operand.token)));
    return cp::literal(std::move(scalar));
  }

  arrow::Result<cp::Expression> Typed(const Operand& operand,
                                      const Operand& against) const {
    if (operand.is_column()) return *operand.column;
    ARROW_ASSIGN_OR_RAISE(auto scalar, predicate_internal::TypeLiteral(
                                           operand.literal, against.type,
                                           against.column_name, Where(operand.token)));
    return cp::literal(std::move(scalar));
  }

  arrow::Result<cp::Expression> Comparison(const std::string& op, const Operand& lhs,
                                           const Operand& rhs) const {
    if (lhs.is_column() && rhs.is_column()) {
      bool comparable =
          lhs.type->Equals(*rhs.type) ||
          (arrow::is_numeric(lhs.type->id()) && arrow::is_numeric(rhs.type->id()));
      if (!comparable) {
        return SchemaMismatch("predicate: cannot compare column '" + lhs.column_name +
                              "' (" + lhs.type->ToString() + ") with column '" +
                              rhs.column_name + "' (" + rhs.type->ToString() + ") " +
                              Where(rhs.token));
      }
      return Compare(op, *lhs.column, *rhs.column);
    }
    if (lhs.is_column()) {
      ARROW_ASSIGN_OR_RAISE(auto value, Typed(rhs, lhs));
      return Compare(op, *lhs.column, std::move(value));
    }
    if (rhs.is_column()) {
      ARROW_ASSIGN_OR_RAISE(auto value, Typed(lhs, rhs));
      return Compare(Flip(op), *rhs.column, std::move(value));
    }
    // Two literals: type the second like the first when the first has a type.
    ARROW_ASSIGN_OR_RAISE(
        auto left, predicate_internal::NaturalLiteral(lhs.literal, Where(lhs.token)));
    std::shared_ptr<arrow::Scalar> right;
    if (lhs.literal.kind == Literal::Kind::kNull) {
      ARROW_ASSIGN_OR_RAISE(
          right, predicate_internal::NaturalLiteral(rhs.literal, Where(rhs.token)));
      left = arrow::MakeNullScalar(right->type);
    } else {
      ARROW_ASSIGN_OR_RAISE(
          right, predicate_internal::TypeLiteral(rhs.literal, left->type, lhs.token.raw,
                                                 Where(rhs.token)));
    }
    return Compare(op, cp::literal(std::move(left)), cp::literal(std::move(right)));
  }

  arrow::Result<cp::Expression> InList(const Operand& lhs) {
    if (!IsOp(Peek(), "(")) return Expected("'(' after IN");
    Next();
    std::vector<Operand> items;
    while (true) {
      ARROW_ASSIGN_OR_RAISE(Operand item, ParseOperand());
      if (item.is_column()) {
        return InvalidInput("predicate: IN lists hold literals only " +
                            Where(item.token));
      }
      items.push_back(std::move(item));
      if (IsOp(Peek(), ",")) {
        Next();
        continue;
      }
      if (IsOp(Peek(), ")")) {
        Next();
        break;
      }
      return Expected("',' or ')' in the IN list");
    }
    std::vector<cp::Expression> equalities;
    for (const auto& item : items) {
      ARROW_ASSIGN_OR_RAISE(auto equality, Comparison("=", lhs, item));
      equalities.push_back(std::move(equality));
    }
    if (!lhs.is_column() || items.size() <= kMaxInAsOr) {
      return OrAll(equalities, 0, equalities.size());
    }
    // SQL semantics: INCONCLUSIVE gives null, not false, when x is null or the list
    // holds a null and nothing matched.
    std::unique_ptr<arrow::ArrayBuilder> builder;
    ARROW_ASSIGN_OR_RAISE(builder, arrow::MakeBuilder(lhs.type));
    for (const auto& equality : equalities) {
      ARROW_RETURN_NOT_OK(
          builder->AppendScalar(*equality.call()->arguments[1].literal()->scalar()));
    }
    ARROW_ASSIGN_OR_RAISE(auto value_set, builder->Finish());
    return cp::call("is_in", {*lhs.column},
                    cp::SetLookupOptions(value_set, cp::SetLookupOptions::INCONCLUSIVE));
  }

  std::string_view sql_;
  const arrow::Schema& schema_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
  int depth_ = 0;
};

void CollectTopLevel(const cp::Expression& expr, const arrow::Schema& schema,
                     std::vector<std::string>* names) {
  for (const auto& ref : cp::FieldsInExpression(expr)) {
    std::string name;
    if (const auto* nested = ref.nested_refs()) {
      if (!nested->empty() && (*nested)[0].name()) name = *(*nested)[0].name();
    } else if (ref.name()) {
      name = *ref.name();
    } else if (const auto* path = ref.field_path(); path && !path->indices().empty()) {
      int index = path->indices()[0];
      if (index < schema.num_fields()) name = schema.field(index)->name();
    }
    if (!name.empty() && std::find(names->begin(), names->end(), name) == names->end()) {
      names->push_back(name);
    }
  }
}

}  // namespace

arrow::Result<cp::Expression> ParsePredicate(std::string_view sql,
                                             const arrow::Schema& schema) {
  // Binding and literal casts need the compute kernels registered.
  ARROW_RETURN_NOT_OK(cp::Initialize());
  ARROW_ASSIGN_OR_RAISE(auto tokens, predicate_internal::Tokenize(sql));
  if (tokens.size() == 1) return InvalidInput("predicate: empty predicate");
  Parser parser(sql, schema, std::move(tokens));
  ARROW_ASSIGN_OR_RAISE(auto expr, parser.Parse());
  auto bound = expr.Bind(schema);
  if (!bound.ok()) {
    return SchemaMismatch(
        "predicate: '" + std::string(sql) +
        "' does not type-check against the table schema: " + bound.status().message());
  }
  return bound;
}

std::vector<std::string> PredicateColumns(const cp::Expression& predicate,
                                          const arrow::Schema& schema) {
  std::vector<std::string> found;
  CollectTopLevel(predicate, schema, &found);
  std::vector<std::string> ordered;
  for (const auto& field : schema.fields()) {
    if (std::find(found.begin(), found.end(), field->name()) != found.end()) {
      ordered.push_back(field->name());
    }
  }
  return ordered;
}

}  // namespace deltaline::delta
