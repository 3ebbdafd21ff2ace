#include "anatomy/table_columns.h"

#include <arrow/array/builder_binary.h>
#include <arrow/array/builder_nested.h>
#include <arrow/array/builder_primitive.h>
#include <arrow/memory_pool.h>

namespace deltaline::anatomy {

arrow::Result<std::unique_ptr<RowWriter>> RowWriter::Make(const std::string& table) {
  ARROW_ASSIGN_OR_RAISE(auto schema, AnatomySchema(table));
  ARROW_ASSIGN_OR_RAISE(auto builder, arrow::RecordBatchBuilder::Make(
                                          schema, arrow::default_memory_pool()));
  return std::unique_ptr<RowWriter>(new RowWriter(table, std::move(builder)));
}

RowWriter::RowWriter(std::string table,
                     std::unique_ptr<arrow::RecordBatchBuilder> builder)
    : table_(std::move(table)), builder_(std::move(builder)) {}

void RowWriter::Keep(const arrow::Status& status) {
  if (status_.ok() && !status.ok()) status_ = status;
}

arrow::ArrayBuilder* RowWriter::Next(arrow::Type::type type) {
  const int index = column_++;
  if (!status_.ok()) return nullptr;
  if (index >= builder_->num_fields()) {
    Keep(arrow::Status::Invalid(table_, ": a row has more than ", builder_->num_fields(),
                                " values"));
    return nullptr;
  }
  arrow::ArrayBuilder* column = builder_->GetField(index);
  if (column->type()->id() != type) {
    Keep(arrow::Status::Invalid(table_, ".", builder_->schema()->field(index)->name(),
                                ": a value of the wrong type for ",
                                column->type()->ToString()));
    return nullptr;
  }
  return column;
}

RowWriter& RowWriter::I64(int64_t value) {
  if (auto* b = Next(arrow::Type::INT64)) {
    Keep(static_cast<arrow::Int64Builder*>(b)->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::I32(int32_t value) {
  if (auto* b = Next(arrow::Type::INT32)) {
    Keep(static_cast<arrow::Int32Builder*>(b)->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::F64(double value) {
  if (auto* b = Next(arrow::Type::DOUBLE)) {
    Keep(static_cast<arrow::DoubleBuilder*>(b)->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::Bool(bool value) {
  if (auto* b = Next(arrow::Type::BOOL)) {
    Keep(static_cast<arrow::BooleanBuilder*>(b)->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::Str(std::string_view value) {
  if (auto* b = Next(arrow::Type::STRING)) {
    Keep(static_cast<arrow::StringBuilder*>(b)->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::OptStr(std::string_view value) {
  if (auto* b = Next(arrow::Type::STRING)) {
    auto* strings = static_cast<arrow::StringBuilder*>(b);
    Keep(value.empty() ? strings->AppendNull() : strings->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::OptI64(std::optional<int64_t> value) {
  if (auto* b = Next(arrow::Type::INT64)) {
    auto* ints = static_cast<arrow::Int64Builder*>(b);
    Keep(value ? ints->Append(*value) : ints->AppendNull());
  }
  return *this;
}

RowWriter& RowWriter::OptI32(std::optional<int32_t> value) {
  if (auto* b = Next(arrow::Type::INT32)) {
    auto* ints = static_cast<arrow::Int32Builder*>(b);
    Keep(value ? ints->Append(*value) : ints->AppendNull());
  }
  return *this;
}

RowWriter& RowWriter::OptF64(std::optional<double> value) {
  if (auto* b = Next(arrow::Type::DOUBLE)) {
    auto* doubles = static_cast<arrow::DoubleBuilder*>(b);
    Keep(value ? doubles->Append(*value) : doubles->AppendNull());
  }
  return *this;
}

RowWriter& RowWriter::OptBool(std::optional<bool> value) {
  if (auto* b = Next(arrow::Type::BOOL)) {
    auto* bools = static_cast<arrow::BooleanBuilder*>(b);
    Keep(value ? bools->Append(*value) : bools->AppendNull());
  }
  return *this;
}

RowWriter& RowWriter::Strs(const std::vector<std::string>& values) {
  if (auto* b = Next(arrow::Type::LIST)) {
    auto* list = static_cast<arrow::ListBuilder*>(b);
    Keep(list->Append());
    auto* strings = static_cast<arrow::StringBuilder*>(list->value_builder());
    for (const auto& value : values) Keep(strings->Append(value));
  }
  return *this;
}

RowWriter& RowWriter::SpanColumns(const Span& span) {
  return I64(span.start_byte)
      .I64(span.end_byte)
      .I32(span.start_line)
      .I32(span.start_col)
      .I32(span.end_line)
      .I32(span.end_col)
      .I32(span.start_char_col)
      .I32(span.end_char_col);
}

arrow::Status RowWriter::EndRow() {
  if (status_.ok() && column_ != builder_->num_fields()) {
    status_ =
        arrow::Status::Invalid(table_, ": a row has ", column_, " values, the schema ",
                               builder_->num_fields(), " columns");
  }
  column_ = 0;
  return status_;
}

arrow::Result<std::shared_ptr<arrow::Table>> RowWriter::Finish() {
  ARROW_RETURN_NOT_OK(status_);
  ARROW_ASSIGN_OR_RAISE(auto batch, builder_->Flush());
  return arrow::Table::FromRecordBatches(batch->schema(), {batch});
}

}  // namespace deltaline::anatomy
