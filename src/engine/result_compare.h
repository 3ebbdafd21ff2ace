#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>

namespace deltaline::engine {

/// \brief How two query results are compared (README, "deltaline validate").
///
/// Floats (float32, float64) are close when `a == b`, or both are NaN and
/// `nans_equal`, or `|a - b| <= max(absolute_tolerance, relative_tolerance *
/// max(|a|, |b|))` (Python's math.isclose). Infinities equal only themselves. Floats
/// nested inside lists, structs or maps are compared with the absolute tolerance only
/// (Arrow's ArrayRangeApproxEquals). Every other type is compared exactly.
struct CompareOptions {
  double relative_tolerance = 1e-9;
  double absolute_tolerance = 1e-12;
  bool nans_equal = true;
  /// Off by default: engines disagree about declared nullability (a Delta scan, a
  /// Parquet file and inferred JSON lines declare the same column differently), so a
  /// difference is only listed as a note. On: it is a schema difference.
  bool compare_nullability = false;
  /// How many rows found only on one side are reported, per side.
  int64_t max_reported_rows = 10;
  /// Rows are first paired exactly on their non-float columns; inside one such group a
  /// group of l left and r right rows whose sorted order does not pair them is matched
  /// exhaustively (a maximum bipartite matching) when l * r is at most this, else only
  /// in sorted order, which may report a mismatch that a different pairing would avoid
  /// (never an equality that does not hold); CompareResult::pairing_exhaustive says so.
  int64_t max_pairing_work = int64_t{1} << 22;
};

/// \brief One row found on one side with no partner on the other.
struct DifferingRow {
  int64_t row = 0;        ///< its position in that side's result
  nlohmann::json values;  ///< column name → value (JSON numbers, strings, null…)
};

/// \brief The outcome of CompareTables: equal, or what differs.
struct CompareResult {
  /// True only when the schemas agree and the rows can be paired one to one, each pair
  /// equal column by column (floats within the tolerance).
  bool equal = false;
  bool schema_equal = false;
  /// One line per difference: field count, `field 2: name "a" vs "b"`, types, and
  /// nullability when CompareOptions::compare_nullability is set.
  std::vector<std::string> schema_differences;
  /// Differences that do not count (nullability when not compared).
  std::vector<std::string> schema_notes;
  nlohmann::json left_schema, right_schema;  ///< [{name, type, nullable}]
  int64_t left_rows = 0, right_rows = 0;
  /// Rows without a partner: counts, and the first max_reported_rows of each side in
  /// sort order. Zero when the schemas differ (rows are not compared then).
  int64_t unmatched_left = 0, unmatched_right = 0;
  std::vector<DifferingRow> only_left, only_right;
  /// False when a group was too large to match exhaustively and had unmatched rows.
  bool pairing_exhaustive = true;
  bool rows_compared = false;
  CompareOptions options;

  /// \brief The report: {equal, schema{equal, differences, notes, left, right},
  /// rows{left, right, compared, unmatched_left, unmatched_right, pairing_exhaustive},
  /// first_differences{left[{row, values}], right[...]}, tolerance{relative, absolute,
  /// nans_equal}}.
  nlohmann::json ToJson() const;
};

/// \brief Compares two results ignoring row order (a multiset comparison of rows).
///
/// Schemas are compared field by field in order: names, types (DataType::Equals,
/// metadata ignored) and, if asked, nullability. When names or types differ the rows
/// are not compared. Otherwise both sides are concatenated, sorted together with Arrow's
/// SortIndices on the exactly compared columns first, then the float columns, then the
/// side, and taken into that order; rows then pair up inside runs that agree exactly on
/// the non-float columns (so a small float difference cannot shift the pairing of
/// other rows). Columns Arrow cannot sort (nested types) are compared inside runs.
arrow::Result<CompareResult> CompareTables(const arrow::Table& left,
                                           const arrow::Table& right,
                                           const CompareOptions& options = {});

}  // namespace deltaline::engine
