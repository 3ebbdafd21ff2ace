#pragma once

#include <string>
#include <string_view>

#include <arrow/status.h>

namespace deltaline::delta {

/// \brief True when the protocol's type widening allows reading values written as
/// `from_type` as `to_type` (Delta type names: `integer`, `decimal(10,2)`…):
/// byte → short → integer → long, float → double, byte/short/integer → double,
/// date → timestamp_ntz, decimal(p,s) → decimal(p+k1,s+k2) with k1 >= k2 >= 0, and
/// byte/short/integer (long) → decimal(10+k1,k2) (decimal(20+k1,k2)) with k1 >= k2 >= 0.
bool IsSupportedTypeChange(std::string_view from_type, std::string_view to_type);

/// \brief Checks every `delta.typeChanges` entry of a Delta schema (JSON): each must
/// be a supported change (PROTOCOL.md, "Reader Requirements for Type Widening").
/// Fails with kUnsupportedFeature ("typeWidening") naming the column and the change,
/// or kProtocol when the schema or an entry is malformed.
arrow::Status CheckTypeChanges(std::string_view delta_schema_json);

}  // namespace deltaline::delta
