#pragma once

#include <memory>

#include <arrow/array.h>
#include <arrow/result.h>
#include <arrow/type.h>

#include "delta/table/column_mapping.h"

namespace deltaline::delta {

/// \brief One column of a data file as the table reads it. `file_column` is the
/// file's array for `table_field` (found by FindFileField); the result has the type
/// WithoutStorageMetadata(table_field) gives. At every depth, struct fields are found
/// by FindFileField (by physical name or field id under column mapping) and renamed
/// to their logical names; fields the file lacks read as null and fields the table
/// dropped are left out; lists and maps are followed into their elements, keys and
/// values; leaves are cast to the table's type with a safe cast, which widens values
/// written before a type change (byte/short/int → long or double, float → double,
/// decimal precision and scale increases, integers → decimal, date → timestamp_ntz).
///
/// Errors: the cast's or a shape mismatch's arrow::Status (the caller names the file).
arrow::Result<std::shared_ptr<arrow::Array>> ConformFileColumn(
    const std::shared_ptr<arrow::Array>& file_column, const arrow::Field& table_field,
    ColumnMapping mode);

}  // namespace deltaline::delta
