#include "engine/result_compare.h"

#include <arrow/compute/initialize.h>

#include "engine/row_pairing_internal.h"

namespace deltaline::engine {
namespace {

using nlohmann::json;

json SchemaJson(const arrow::Schema& schema) {
  json out = json::array();
  for (const auto& field : schema.fields()) {
    out.push_back({{"name", field->name()},
                   {"type", field->type()->ToString()},
                   {"nullable", field->nullable()}});
  }
  return out;
}

// Names and types (and nullability if asked) by position; true when rows can be
// compared (names and types agree).
bool CompareSchemas(const arrow::Schema& left, const arrow::Schema& right,
                    CompareResult& result) {
  result.left_schema = SchemaJson(left);
  result.right_schema = SchemaJson(right);
  auto& diffs = result.schema_differences;
  bool comparable = left.num_fields() == right.num_fields();
  if (left.num_fields() != right.num_fields()) {
    diffs.push_back("field count: " + std::to_string(left.num_fields()) + " vs " +
                    std::to_string(right.num_fields()));
  }
  const int common = std::min(left.num_fields(), right.num_fields());
  for (int i = 0; i < common; ++i) {
    const auto& l = *left.field(i);
    const auto& r = *right.field(i);
    const std::string at = "field " + std::to_string(i) + ": ";
    if (l.name() != r.name()) {
      comparable = false;
      diffs.push_back(at + "name \"" + l.name() + "\" vs \"" + r.name() + "\"");
    }
    if (!l.type()->Equals(*r.type(), /*check_metadata=*/false)) {
      comparable = false;
      diffs.push_back(at + "\"" + l.name() + "\" type " + l.type()->ToString() + " vs " +
                      r.type()->ToString());
    }
    if (l.nullable() != r.nullable()) {
      std::string text = at + "\"" + l.name() + "\" nullable " +
                         (l.nullable() ? "true" : "false") + " vs " +
                         (r.nullable() ? "true" : "false");
      (result.options.compare_nullability ? diffs : result.schema_notes)
          .push_back(std::move(text));
    }
  }
  result.schema_equal = diffs.empty();
  return comparable;  // a nullability difference alone leaves rows comparable
}

json RowsJson(const std::vector<DifferingRow>& rows) {
  json out = json::array();
  for (const auto& row : rows) out.push_back({{"row", row.row}, {"values", row.values}});
  return out;
}

}  // namespace

json CompareResult::ToJson() const {
  return {
      {"equal", equal},
      {"schema",
       {{"equal", schema_equal},
        {"differences", schema_differences},
        {"notes", schema_notes},
        {"left", left_schema},
        {"right", right_schema}}},
      {"rows",
       {{"left", left_rows},
        {"right", right_rows},
        {"compared", rows_compared},
        {"unmatched_left", unmatched_left},
        {"unmatched_right", unmatched_right},
        {"pairing_exhaustive", pairing_exhaustive}}},
      {"first_differences",
       {{"left", RowsJson(only_left)}, {"right", RowsJson(only_right)}}},
      {"tolerance",
       {{"relative", options.relative_tolerance},
        {"absolute", options.absolute_tolerance},
        {"nans_equal", options.nans_equal}}},
  };
}

arrow::Result<CompareResult> CompareTables(const arrow::Table& left,
                                           const arrow::Table& right,
                                           const CompareOptions& options) {
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  CompareResult result;
  result.options = options;
  result.left_rows = left.num_rows();
  result.right_rows = right.num_rows();
  if (!CompareSchemas(*left.schema(), *right.schema(), result)) return result;
  result.rows_compared = true;
  ARROW_RETURN_NOT_OK(PairRows(left, right, options, result));
  result.equal = result.schema_equal && result.unmatched_left == 0 &&
                 result.unmatched_right == 0 && result.left_rows == result.right_rows;
  return result;
}

}  // namespace deltaline::engine
