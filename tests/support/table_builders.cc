#include "support/table_builders.h"

#include <arrow/array.h>
#include <arrow/json/from_string.h>

namespace deltaline::testing {

namespace {

std::vector<std::shared_ptr<arrow::Array>> Columns(const arrow::Schema& schema,
                                                   const std::vector<std::string>& json) {
  std::vector<std::shared_ptr<arrow::Array>> arrays;
  for (int col_idx = 0; col_idx < schema.num_fields(); ++col_idx) {
    arrays.push_back(
        arrow::json::ArrayFromJSONString(schema.field(col_idx)->type(), json[col_idx])
            .ValueOrDie());
  }
  return arrays;
}

}  // namespace

std::shared_ptr<arrow::Table> TableFromJson(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& json_columns) {
  return arrow::Table::Make(schema, Columns(*schema, json_columns));
}

std::shared_ptr<arrow::Table> TableFromJson(
    const std::vector<std::shared_ptr<arrow::Field>>& fields,
    const std::vector<std::string>& json_columns) {
  return TableFromJson(arrow::schema(fields), json_columns);
}

std::shared_ptr<arrow::RecordBatch> BatchFromJson(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& json_columns) {
  auto arrays = Columns(*schema, json_columns);
  return arrow::RecordBatch::Make(schema, arrays[0]->length(), arrays);
}

std::shared_ptr<arrow::Table> IdsTable(const std::string& ids) {
  return TableFromJson({arrow::field("id", arrow::int64())}, {ids});
}

std::shared_ptr<arrow::Table> PxTable(const std::string& ids, const std::string& ps,
                                      const std::string& xs) {
  return TableFromJson(
      {arrow::field("id", arrow::int64()), arrow::field("p", arrow::int32()),
       arrow::field("x", arrow::int64())},
      {ids, ps, xs});
}

}  // namespace deltaline::testing
