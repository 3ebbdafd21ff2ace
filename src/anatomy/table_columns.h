#pragma once

// Rows into Arrow columns, one value at a time in schema order. Each append checks the
// column's type and EndRow() checks the count, so a row that does not match its schema
// is an error naming the table and column, never a misaligned table.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/table.h>
#include <arrow/table_builder.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

/// \brief The schema of one anatomy table (kInvalidInput for an unknown name).
arrow::Result<std::shared_ptr<arrow::Schema>> AnatomySchema(const std::string& table);

class RowWriter {
 public:
  static arrow::Result<std::unique_ptr<RowWriter>> Make(const std::string& table);

  RowWriter& I64(int64_t value);
  RowWriter& I32(int32_t value);
  RowWriter& F64(double value);
  RowWriter& Bool(bool value);
  RowWriter& Str(std::string_view value);
  /// An empty string is stored as null (optional text: alias, receiver…).
  RowWriter& OptStr(std::string_view value);
  RowWriter& OptI64(std::optional<int64_t> value);
  RowWriter& OptI32(std::optional<int32_t> value);
  RowWriter& OptF64(std::optional<double> value);
  RowWriter& OptBool(std::optional<bool> value);
  RowWriter& Strs(const std::vector<std::string>& values);
  /// The eight span columns (start_byte … end_char_col).
  RowWriter& SpanColumns(const Span& span);
  /// Ends the row: every column must have had exactly one value.
  arrow::Status EndRow();

  arrow::Result<std::shared_ptr<arrow::Table>> Finish();

 private:
  RowWriter(std::string table, std::unique_ptr<arrow::RecordBatchBuilder> builder);
  /// The next column's builder when its type is `type`, else null (and an error).
  arrow::ArrayBuilder* Next(arrow::Type::type type);
  void Keep(const arrow::Status& status);

  std::string table_;
  std::unique_ptr<arrow::RecordBatchBuilder> builder_;
  int column_ = 0;
  arrow::Status status_;
};

}  // namespace deltaline::anatomy
