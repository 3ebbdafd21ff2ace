#pragma once

#include <memory>
#include <string>

#include <arrow/array.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

namespace deltaline::delta {

/// \brief The Arrow type of a Delta `variant`: Arrow's Parquet variant extension type
/// (`arrow.parquet.variant`) over struct<value: binary, metadata: binary>, the
/// unshredded layout Spark writes (in its field order).
std::shared_ptr<arrow::DataType> VariantType();

/// \brief True for the type VariantType returns (any variant extension type).
bool IsVariantType(const arrow::DataType& type);

/// \brief True when `type` is or contains (in structs, lists, maps) a variant.
bool ContainsVariant(const arrow::DataType& type);

/// \brief `array` with every variant in it (at any depth) replaced by its JSON text
/// (utf8, see VariantToJson); arrays without variants are returned as they are.
/// Errors: kProtocol for a malformed variant value.
arrow::Result<std::shared_ptr<arrow::Array>> VariantsToJsonText(
    const std::shared_ptr<arrow::Array>& array);

/// \brief The same over every column of a batch.
arrow::Result<std::shared_ptr<arrow::RecordBatch>> VariantsToJsonText(
    const arrow::RecordBatch& batch);

/// \brief The schema VariantsToJsonText gives a batch of `schema`.
std::shared_ptr<arrow::Schema> VariantsAsTextSchema(
    const std::shared_ptr<arrow::Schema>& schema);

/// \brief kUnsupportedFeature("variantShredding-preview") when `file_type` holds a
/// shredded variant (a `typed_value` field, or any field besides `value` and
/// `metadata`) where `table_type` has a variant; `column` and `file` name it in the
/// message. deltaline reads unshredded variants only.
arrow::Status CheckUnshreddedVariants(const arrow::DataType& table_type,
                                      const arrow::DataType& file_type,
                                      const std::string& column, const std::string& file);

}  // namespace deltaline::delta
