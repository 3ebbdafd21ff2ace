#pragma once

#include <string>
#include <string_view>

#include <arrow/result.h>

namespace deltaline::delta {

/// \brief Renders one Variant (the Parquet Variant binary encoding: `metadata` and
/// `value`, as Delta's `variantType` stores them) as JSON text, the way Spark's
/// `to_json` does: objects with their keys in stored (sorted) order, decimals without
/// trailing fractional zeros, dates, timestamps, times and UUIDs as quoted strings, binary as quoted
/// base64, non-finite floats as quoted "NaN"/"Infinity".
///
/// Errors: kProtocol when the bytes break the encoding (bad version, offsets or
/// lengths outside the buffer, unknown type ids, nesting deeper than 256).
arrow::Result<std::string> VariantToJson(std::string_view metadata,
                                         std::string_view value);

}  // namespace deltaline::delta
