// Pairs the rows of two results: sorted together by Arrow, then matched run by run.
#include "engine/row_pairing_internal.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include <arrow/array.h>
#include <arrow/chunked_array.h>
#include <arrow/compare.h>
#include <arrow/compute/api_vector.h>
#include <arrow/datum.h>
#include <arrow/scalar.h>

namespace deltaline::engine {
namespace {

using nlohmann::json;

// Exactly compared types Arrow's table sort orders; other types (nested, dictionary,
// views, intervals, half floats) are compared inside runs instead of sorted on.
bool IsSortableExact(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::UINT8:
    case arrow::Type::UINT16:
    case arrow::Type::UINT32:
    case arrow::Type::UINT64:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::BINARY:
    case arrow::Type::LARGE_BINARY:
    case arrow::Type::FIXED_SIZE_BINARY:
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
    case arrow::Type::TIME32:
    case arrow::Type::TIME64:
    case arrow::Type::TIMESTAMP:
    case arrow::Type::DURATION:
      return true;
    default:
      return false;
  }
}

bool IsFloat(const arrow::DataType& type) {
  return type.id() == arrow::Type::FLOAT || type.id() == arrow::Type::DOUBLE;
}

json FloatJson(double value) {
  // JSON has no NaN/Infinity; name them rather than lose the row.
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  return value;
}

// A cell as JSON: numbers, booleans and strings natively, everything else in Arrow's
// own text form (the report is for people; Arrow's ToString is exact for them).
json CellJson(const arrow::Array& array, int64_t row) {
  if (array.IsNull(row)) return nullptr;
  auto scalar = array.GetScalar(row);
  if (!scalar.ok()) return "<" + scalar.status().ToString() + ">";
  const auto& s = **scalar;
  switch (s.type->id()) {
    case arrow::Type::BOOL:
      return static_cast<const arrow::BooleanScalar&>(s).value;
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64: {
      auto wide = s.CastTo(arrow::int64());
      if (wide.ok()) return static_cast<const arrow::Int64Scalar&>(**wide).value;
      break;
    }
    case arrow::Type::UINT8:
    case arrow::Type::UINT16:
    case arrow::Type::UINT32:
    case arrow::Type::UINT64: {
      auto wide = s.CastTo(arrow::uint64());
      if (wide.ok()) return static_cast<const arrow::UInt64Scalar&>(**wide).value;
      break;
    }
    case arrow::Type::FLOAT:
      return FloatJson(static_cast<const arrow::FloatScalar&>(s).value);
    case arrow::Type::DOUBLE:
      return FloatJson(static_cast<const arrow::DoubleScalar&>(s).value);
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
      return static_cast<const arrow::BaseBinaryScalar&>(s).ToString();
    default:
      break;
  }
  return s.ToString();
}

// Both sides in one table, every field nullable and metadata-free (so the chunks
// share a schema), plus a trailing uint8 side column: 0 left, 1 right.
arrow::Result<std::shared_ptr<arrow::Table>> Combine(const arrow::Table& left,
                                                     const arrow::Table& right) {
  arrow::FieldVector fields;
  arrow::ChunkedArrayVector columns;
  for (int i = 0; i < left.num_columns(); ++i) {
    const auto& type = left.schema()->field(i)->type();
    arrow::ArrayVector chunks = left.column(i)->chunks();
    for (const auto& chunk : right.column(i)->chunks()) chunks.push_back(chunk);
    fields.push_back(arrow::field(left.schema()->field(i)->name(), type));
    ARROW_ASSIGN_OR_RAISE(auto column, arrow::ChunkedArray::Make(chunks, type));
    columns.push_back(std::move(column));
  }
  ARROW_ASSIGN_OR_RAISE(
      auto zeros, arrow::MakeArrayFromScalar(arrow::UInt8Scalar(0), left.num_rows()));
  ARROW_ASSIGN_OR_RAISE(
      auto ones, arrow::MakeArrayFromScalar(arrow::UInt8Scalar(1), right.num_rows()));
  fields.push_back(arrow::field("side", arrow::uint8()));
  columns.push_back(std::make_shared<arrow::ChunkedArray>(arrow::ArrayVector{zeros, ones},
                                                          arrow::uint8()));
  return arrow::Table::Make(arrow::schema(fields), columns,
                            left.num_rows() + right.num_rows());
}

// The combined rows in sort order, one chunk per column, and where each came from.
struct SortedRows {
  std::vector<std::shared_ptr<arrow::Array>> columns;  ///< the data columns only
  std::vector<int> exact_keys, floats, others;         ///< column indexes by role
  std::shared_ptr<arrow::UInt64Array> origin;          ///< position in the combined table
  int64_t left_rows = 0;
};

arrow::Result<SortedRows> SortTogether(const arrow::Table& left,
                                       const arrow::Table& right) {
  SortedRows sorted;
  sorted.left_rows = left.num_rows();
  ARROW_ASSIGN_OR_RAISE(auto combined, Combine(left, right));
  std::vector<arrow::compute::SortKey> keys;
  const int data_columns = left.num_columns();
  for (int i = 0; i < data_columns; ++i) {
    const auto& type = *left.schema()->field(i)->type();
    if (IsSortableExact(type)) {
      sorted.exact_keys.push_back(i);
    } else if (IsFloat(type)) {
      sorted.floats.push_back(i);
    } else {
      sorted.others.push_back(i);
    }
  }
  // Exact columns first: a float that differs slightly can then only reorder rows
  // inside a run of equal exact values, never across runs.
  for (int i : sorted.exact_keys) keys.emplace_back(arrow::FieldRef(i));
  for (int i : sorted.floats) keys.emplace_back(arrow::FieldRef(i));
  keys.emplace_back(arrow::FieldRef(data_columns));
  ARROW_ASSIGN_OR_RAISE(auto indices,
                        arrow::compute::SortIndices(arrow::Datum(combined),
                                                    arrow::compute::SortOptions(keys)));
  ARROW_ASSIGN_OR_RAISE(
      auto taken, arrow::compute::Take(arrow::Datum(combined), arrow::Datum(indices)));
  ARROW_ASSIGN_OR_RAISE(auto flat, taken.table()->CombineChunks());
  for (int i = 0; i <= data_columns; ++i) {
    const auto& column = flat->column(i);
    if (column->num_chunks() != 1) {
      return arrow::Status::Invalid("result compare: column ", i, " has ",
                                    column->num_chunks(), " chunks after combining");
    }
    sorted.columns.push_back(column->chunk(0));
  }
  sorted.origin = std::static_pointer_cast<arrow::UInt64Array>(indices);
  return sorted;
}

bool FloatsClose(double a, double b, const CompareOptions& options) {
  if (a == b) return true;
  if (std::isnan(a) || std::isnan(b)) {
    return options.nans_equal && std::isnan(a) && std::isnan(b);
  }
  if (std::isinf(a) || std::isinf(b)) return false;
  const double limit =
      std::max(options.absolute_tolerance,
               options.relative_tolerance * std::max(std::fabs(a), std::fabs(b)));
  return std::fabs(a - b) <= limit;
}

double FloatAt(const arrow::Array& array, int64_t row) {
  if (array.type_id() == arrow::Type::FLOAT) {
    return static_cast<const arrow::FloatArray&>(array).Value(row);
  }
  return static_cast<const arrow::DoubleArray&>(array).Value(row);
}

// Walks runs of rows equal on the exact columns and pairs left with right rows.
class RunMatcher {
 public:
  RunMatcher(const SortedRows& sorted, const std::vector<std::string>& names,
             const CompareOptions& options, CompareResult& result)
      : sorted_(sorted), names_(names), options_(options), result_(result) {}

  void MatchAll() {
    const int64_t n = sorted_.origin->length();
    int64_t start = 0;
    for (int64_t p = 1; p <= n; ++p) {
      if (p < n && SameRun(p - 1, p)) continue;
      MatchRun(start, p);
      start = p;
    }
  }

 private:
  bool SameRun(int64_t a, int64_t b) const {
    for (int i : sorted_.exact_keys) {
      const auto& column = *sorted_.columns[i];
      if (!arrow::ArrayRangeEquals(column, column, a, a + 1, b)) return false;
    }
    return true;
  }

  bool RowsMatch(int64_t a, int64_t b) const {
    for (int i : sorted_.floats) {
      const auto& column = *sorted_.columns[i];
      const bool a_null = column.IsNull(a), b_null = column.IsNull(b);
      if (a_null || b_null) {
        if (a_null != b_null) return false;
        continue;
      }
      if (!FloatsClose(FloatAt(column, a), FloatAt(column, b), options_)) return false;
    }
    const auto equal = arrow::EqualOptions::Defaults()
                           .nans_equal(options_.nans_equal)
                           .atol(options_.absolute_tolerance);
    for (int i : sorted_.others) {
      const auto& column = *sorted_.columns[i];
      if (!arrow::ArrayRangeApproxEquals(column, column, a, a + 1, b, equal)) {
        return false;
      }
    }
    return true;
  }

  void MatchRun(int64_t begin, int64_t end) {
    const auto& side = static_cast<const arrow::UInt8Array&>(*sorted_.columns.back());
    std::vector<int64_t> left, right;
    for (int64_t p = begin; p < end; ++p)
      (side.Value(p) == 0 ? left : right).push_back(p);
    std::vector<bool> left_matched(left.size(), false),
        right_matched(right.size(), false);
    if (sorted_.floats.empty() && sorted_.others.empty()) {
      // Every row of the run is the same row: pair as many as both sides have.
      const size_t pairs = std::min(left.size(), right.size());
      std::fill_n(left_matched.begin(), pairs, true);
      std::fill_n(right_matched.begin(), pairs, true);
    } else if (!PairInOrder(left, right, left_matched, right_matched)) {
      if (static_cast<double>(left.size()) * static_cast<double>(right.size()) <=
          static_cast<double>(options_.max_pairing_work)) {
        MatchExhaustively(left, right, left_matched, right_matched);
      } else {
        result_.pairing_exhaustive = false;
      }
    }
    Record(left, left_matched, result_.unmatched_left, result_.only_left);
    Record(right, right_matched, result_.unmatched_right, result_.only_right);
  }

  // Pairs the i-th left with the i-th right row; true when that pairs every row.
  bool PairInOrder(const std::vector<int64_t>& left, const std::vector<int64_t>& right,
                   std::vector<bool>& left_matched, std::vector<bool>& right_matched) {
    bool all = left.size() == right.size();
    for (size_t i = 0; i < std::min(left.size(), right.size()); ++i) {
      const bool match = RowsMatch(left[i], right[i]);
      left_matched[i] = right_matched[i] = match;
      all = all && match;
    }
    return all;
  }

  // A maximum bipartite matching (augmenting paths): the rows are equal as multisets
  // within the tolerance exactly when it pairs every row.
  void MatchExhaustively(const std::vector<int64_t>& left,
                         const std::vector<int64_t>& right,
                         std::vector<bool>& left_matched,
                         std::vector<bool>& right_matched) {
    std::vector<std::vector<size_t>> partners(left.size());
    for (size_t i = 0; i < left.size(); ++i) {
      for (size_t j = 0; j < right.size(); ++j) {
        if (RowsMatch(left[i], right[j])) partners[i].push_back(j);
      }
    }
    std::vector<int64_t> owner(right.size(), -1);
    std::vector<bool> seen;
    std::function<bool(size_t)> augment = [&](size_t i) {
      for (size_t j : partners[i]) {
        if (seen[j]) continue;
        seen[j] = true;
        if (owner[j] < 0 || augment(static_cast<size_t>(owner[j]))) {
          owner[j] = static_cast<int64_t>(i);
          return true;
        }
      }
      return false;
    };
    std::fill(left_matched.begin(), left_matched.end(), false);
    for (size_t i = 0; i < left.size(); ++i) {
      seen.assign(right.size(), false);
      left_matched[i] = augment(i);
    }
    for (size_t j = 0; j < right.size(); ++j) right_matched[j] = owner[j] >= 0;
  }

  void Record(const std::vector<int64_t>& rows, const std::vector<bool>& matched,
              int64_t& count, std::vector<DifferingRow>& out) {
    for (size_t i = 0; i < rows.size(); ++i) {
      if (matched[i]) continue;
      ++count;
      if (static_cast<int64_t>(out.size()) >= options_.max_reported_rows) continue;
      DifferingRow row;
      const auto origin = static_cast<int64_t>(sorted_.origin->Value(rows[i]));
      row.row = origin < sorted_.left_rows ? origin : origin - sorted_.left_rows;
      row.values = json::object();
      for (size_t c = 0; c + 1 < sorted_.columns.size(); ++c) {
        row.values[names_[c]] = CellJson(*sorted_.columns[c], rows[i]);
      }
      out.push_back(std::move(row));
    }
  }

  const SortedRows& sorted_;
  const std::vector<std::string>& names_;
  const CompareOptions& options_;
  CompareResult& result_;
};

}  // namespace

arrow::Status PairRows(const arrow::Table& left, const arrow::Table& right,
                       const CompareOptions& options, CompareResult& result) {
  if (left.num_rows() + right.num_rows() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto sorted, SortTogether(left, right));
  const auto names = left.schema()->field_names();
  RunMatcher(sorted, names, options, result).MatchAll();
  return arrow::Status::OK();
}

}  // namespace deltaline::engine
