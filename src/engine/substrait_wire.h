#pragma once

// Comparing a binary protobuf message with Arrow's re-encoding of it, without its
// schema: no Substrait .proto descriptors ship with the wheel, so the wire format is
// all that can be read on this side.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <arrow/result.h>

namespace deltaline::engine {

/// \brief Arrow's round trip of a binary plan (binary → JSON → binary through its
/// Substrait descriptors): what its consumer would see of the plan.
using WireReencode = std::function<arrow::Result<std::string>(std::string_view)>;

/// \brief What `original` holds that `reencoded` (its round trip through `reencode`)
/// does not keep, or nullopt when both encode the same message. Differences of
/// encoding alone are not losses: field order, packed or unpacked repeated scalars,
/// varint widths, and scalars written out with their default value (when `reencode`
/// shows that the field is one Arrow knows: it keeps the field once it holds another
/// value). The answer names the field by number and its place by the numbers of the
/// enclosing fields, e.g. "field 99 (varint) at Plan.3[1].2".
arrow::Result<std::optional<std::string>> FindLostField(std::string_view original,
                                                        std::string_view reencoded,
                                                        const WireReencode& reencode);

}  // namespace deltaline::engine
