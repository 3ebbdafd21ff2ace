#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <arrow/result.h>
#include <arrow/type.h>

namespace deltaline::delta {

/// \brief Conversions a write may make. All are off by default: an Arrow type with
/// no exact Delta counterpart is refused unless the caller opts in here.
struct SchemaConversionOptions {
  /// Write second/millisecond/nanosecond timestamps as microseconds (Delta's only
  /// unit). Nanosecond values that are not whole microseconds fail the cast. Default off.
  bool coerce_timestamps = false;
  /// Write uint8/16/32 as the next wider signed type; uint64 as long when every
  /// value fits. Default off.
  bool widen_unsigned = false;
};

/// \brief Delta schema JSON (`{"type":"struct","fields":[...]}`) for an Arrow schema.
///
/// large_string/string_view map to string, large_binary to binary, large_list to
/// array; field metadata becomes the field's `metadata` object. An unsupported type
/// fails with ErrorKind::kUnsupportedFeature naming the column path and the option
/// that would convert it.
arrow::Result<std::string> ArrowToDeltaSchemaJson(
    const arrow::Schema& schema, const SchemaConversionOptions& options = {});

/// \brief Arrow schema for a Delta schema JSON. Canonical mapping: string → utf8,
/// timestamp → timestamp[us, UTC], timestamp_ntz → timestamp[us], decimal → decimal128,
/// array → list<element>, map → map<key, value>. Fails with ErrorKind::kProtocol on
/// malformed JSON and kUnsupportedFeature on a type we do not know (e.g. variant).
arrow::Result<std::shared_ptr<arrow::Schema>> DeltaSchemaJsonToArrow(
    std::string_view json);

/// \brief The Arrow schema deltaline writes for `input`: the round trip through Delta,
/// so that batches can be cast to it before they reach Parquet.
arrow::Result<std::shared_ptr<arrow::Schema>> CanonicalArrowSchema(
    const arrow::Schema& input, const SchemaConversionOptions& options = {});

/// \brief True when `schema` (Delta JSON) uses timestamp_ntz anywhere, which needs
/// the `timestampNtz` table feature.
arrow::Result<bool> UsesTimestampNtz(std::string_view delta_schema_json);

}  // namespace deltaline::delta
