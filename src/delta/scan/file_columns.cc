#include "delta/scan/file_columns.h"

#include <arrow/array/util.h>
#include <arrow/compute/api.h>

namespace deltaline::delta {
namespace {

using ArrayDataPtr = std::shared_ptr<arrow::ArrayData>;

arrow::Result<ArrayDataPtr> Conform(const ArrayDataPtr& file, const arrow::Field& table,
                                    const std::shared_ptr<arrow::DataType>& out,
                                    ColumnMapping mode);

arrow::Status ShapeMismatch(const arrow::DataType& file, const arrow::Field& table) {
  return arrow::Status::TypeError("the file holds ", file.ToString(),
                                  " where the table has ", table.type()->ToString());
}

// The struct's own validity and offset are kept; each child is the file child the
// table field maps to, conformed, or nulls. Children are used unsliced, so the
// parent's offset still applies to them.
arrow::Result<ArrayDataPtr> ConformStruct(const ArrayDataPtr& file,
                                          const arrow::Field& table,
                                          const std::shared_ptr<arrow::DataType>& out,
                                          ColumnMapping mode) {
  if (file->type->id() != arrow::Type::STRUCT) return ShapeMismatch(*file->type, table);
  const arrow::FieldVector& file_fields = file->type->fields();
  const arrow::FieldVector& table_fields = table.type()->fields();
  std::vector<ArrayDataPtr> children;
  for (size_t idx = 0; idx < table_fields.size(); ++idx) {
    const auto& out_type = out->field(static_cast<int>(idx))->type();
    int found = FindFileField(file_fields, *table_fields[idx], table_fields, mode);
    if (found < 0) {
      ARROW_ASSIGN_OR_RAISE(
          auto nulls, arrow::MakeArrayOfNull(out_type, file->offset + file->length));
      children.push_back(nulls->data());
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(
        auto child, Conform(file->child_data[found], *table_fields[idx], out_type, mode));
    children.push_back(std::move(child));
  }
  return arrow::ArrayData::Make(out, file->length, {file->buffers[0]}, children,
                                file->null_count, file->offset);
}

// Lists and maps keep their validity and offsets; only the values are conformed.
arrow::Result<ArrayDataPtr> ConformNested(const ArrayDataPtr& file,
                                          const arrow::Field& table,
                                          const std::shared_ptr<arrow::DataType>& out,
                                          ColumnMapping mode) {
  if (file->type->id() != table.type()->id()) return ShapeMismatch(*file->type, table);
  ArrayDataPtr values;
  if (table.type()->id() == arrow::Type::MAP) {
    const auto& table_map = static_cast<const arrow::MapType&>(*table.type());
    const auto& out_map = static_cast<const arrow::MapType&>(*out);
    const ArrayDataPtr& entries = file->child_data[0];
    ARROW_ASSIGN_OR_RAISE(auto keys,
                          Conform(entries->child_data[0], *table_map.key_field(),
                                  out_map.key_type(), mode));
    ARROW_ASSIGN_OR_RAISE(auto items,
                          Conform(entries->child_data[1], *table_map.item_field(),
                                  out_map.item_type(), mode));
    values = arrow::ArrayData::Make(out_map.value_type(), entries->length,
                                    {entries->buffers[0]}, {keys, items},
                                    entries->null_count, entries->offset);
  } else {
    ARROW_ASSIGN_OR_RAISE(values, Conform(file->child_data[0], *table.type()->field(0),
                                          out->field(0)->type(), mode));
  }
  return arrow::ArrayData::Make(out, file->length, {file->buffers[0], file->buffers[1]},
                                {values}, file->null_count, file->offset);
}

arrow::Result<ArrayDataPtr> Conform(const ArrayDataPtr& file, const arrow::Field& table,
                                    const std::shared_ptr<arrow::DataType>& out,
                                    ColumnMapping mode) {
  switch (table.type()->id()) {
    case arrow::Type::STRUCT:
      return ConformStruct(file, table, out, mode);
    case arrow::Type::LIST:
    case arrow::Type::LARGE_LIST:
    case arrow::Type::MAP:
      return ConformNested(file, table, out, mode);
    default:
      break;
  }
  if (file->type->Equals(*out, /*check_metadata=*/false)) return file;
  // Safe: a value that does not fit the table's type fails instead of wrapping.
  ARROW_ASSIGN_OR_RAISE(auto cast,
                        arrow::compute::Cast(arrow::MakeArray(file), out,
                                             arrow::compute::CastOptions::Safe()));
  return cast.array();
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Array>> ConformFileColumn(
    const std::shared_ptr<arrow::Array>& file_column, const arrow::Field& table_field,
    ColumnMapping mode) {
  auto out = WithoutStorageMetadata(table_field.type());
  ARROW_ASSIGN_OR_RAISE(auto data, Conform(file_column->data(), table_field, out, mode));
  return arrow::MakeArray(data);
}

}  // namespace deltaline::delta
