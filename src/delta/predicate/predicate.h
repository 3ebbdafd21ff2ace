#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/type.h>

namespace deltaline::delta {

/// \brief Parses a SQL boolean expression (a WHERE clause without the WHERE) into an
/// Arrow expression bound to `schema`.
///
/// Grammar: comparisons `= != <> < <= > >=`, `[NOT] IN (…)`, `IS [NOT] NULL`,
/// `[NOT] BETWEEN a AND b`, `AND`/`OR`/`NOT`, parentheses; literals are strings
/// ('it''s'), numbers, TRUE/FALSE/NULL, `DATE '2024-01-31'` and
/// `TIMESTAMP '2024-01-31 10:00:00[.ffffff][Z|±hh:mm]'`. Identifiers are bare,
/// `backticked` or "double-quoted"; `a.b` names field b of struct column a.
/// Keywords are case-insensitive, column names are not. A boolean column may stand
/// alone as a condition.
///
/// Literals take the type of the column they are compared with (the column's integer
/// width, decimal scale, timestamp unit and time zone); a timestamp literal without a
/// zone is read as UTC for a zoned column. SQL three-valued logic holds: AND/OR are
/// Kleene, a comparison with NULL is NULL, `x IN (1, NULL)` is NULL when x ≠ 1.
///
/// Errors (no exception escapes): kInvalidInput for a syntax error, trailing text,
/// a malformed or out-of-range literal, an unknown column; kSchemaMismatch when a
/// literal or column cannot be compared with the other side. The message gives the
/// 1-based character position and the offending token, e.g.
/// "predicate: unknown column 'x' at position 7 (near 'x')".
arrow::Result<arrow::compute::Expression> ParsePredicate(std::string_view sql,
                                                         const arrow::Schema& schema);

/// \brief Top-level column names referenced by `predicate` (a struct column once when
/// any of its fields is used), in schema order when `schema` is given, without
/// duplicates.
std::vector<std::string> PredicateColumns(const arrow::compute::Expression& predicate,
                                          const arrow::Schema& schema);

}  // namespace deltaline::delta
