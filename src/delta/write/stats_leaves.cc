#include "delta/write/stats.h"

#include <cmath>

#include <arrow/array.h>
#include <arrow/extension_type.h>
#include <arrow/util/checked_cast.h>

namespace deltaline::delta {
namespace {

using arrow::internal::checked_cast;

template <typename ArrayType>
bool HasNan(const arrow::Array& array) {
  const auto& typed = checked_cast<const ArrayType&>(array);
  const auto* values = typed.raw_values();
  for (int64_t row = 0; row < typed.length(); ++row) {
    if (std::isnan(values[row]) && typed.IsValid(row)) return true;
  }
  return false;
}

void MarkArray(const arrow::Array& array, int* leaf, std::vector<bool>* leaf_has_nan) {
  switch (array.type_id()) {
    case arrow::Type::EXTENSION:
      MarkArray(*checked_cast<const arrow::ExtensionArray&>(array).storage(), leaf,
                leaf_has_nan);
      return;
    case arrow::Type::STRUCT: {
      const auto& struct_array = checked_cast<const arrow::StructArray&>(array);
      for (int field_idx = 0; field_idx < struct_array.num_fields(); ++field_idx) {
        MarkArray(*struct_array.field(field_idx), leaf, leaf_has_nan);
      }
      return;
    }
    case arrow::Type::FLOAT:
      if (HasNan<arrow::FloatArray>(array)) (*leaf_has_nan)[*leaf] = true;
      ++*leaf;
      return;
    case arrow::Type::DOUBLE:
      if (HasNan<arrow::DoubleArray>(array)) (*leaf_has_nan)[*leaf] = true;
      ++*leaf;
      return;
    case arrow::Type::DICTIONARY: {
      // Conservative: a NaN anywhere in the dictionary counts, referenced or not.
      const auto& dictionary =
          *checked_cast<const arrow::DictionaryArray&>(array).dictionary();
      if ((dictionary.type_id() == arrow::Type::FLOAT &&
           HasNan<arrow::FloatArray>(dictionary)) ||
          (dictionary.type_id() == arrow::Type::DOUBLE &&
           HasNan<arrow::DoubleArray>(dictionary))) {
        (*leaf_has_nan)[*leaf] = true;
      }
      ++*leaf;
      return;
    }
    default:
      *leaf += CountParquetLeaves(*array.type());
      return;
  }
}

}  // namespace

int CountParquetLeaves(const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::EXTENSION:
      return CountParquetLeaves(
          *checked_cast<const arrow::ExtensionType&>(type).storage_type());
    case arrow::Type::DICTIONARY:
      return 1;
    default:
      break;
  }
  // Struct children, or the single element (for maps, key/value struct) of a list.
  if (type.num_fields() == 0) return 1;
  int leaves = 0;
  for (const auto& child : type.fields()) leaves += CountParquetLeaves(*child->type());
  return leaves;
}

arrow::Status MarkNanLeaves(const arrow::RecordBatch& batch,
                            std::vector<bool>* leaf_has_nan) {
  int leaves = 0;
  for (const auto& field : batch.schema()->fields()) {
    leaves += CountParquetLeaves(*field->type());
  }
  if (static_cast<int>(leaf_has_nan->size()) < leaves)
    leaf_has_nan->resize(leaves, false);
  int leaf = 0;
  for (const auto& column : batch.columns()) MarkArray(*column, &leaf, leaf_has_nan);
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
