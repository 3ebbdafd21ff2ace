#pragma once

#include <cstdint>
#include <string>

#include <arrow/result.h>

namespace deltaline::delta {

/// \brief Milliseconds since the epoch of an RFC 3339 time (`2024-05-01T12:00:00Z`,
/// any fraction, any offset), floored to the millisecond so that "at or before" a
/// commit stays exact. kInvalidInput naming `what` (a flag, a binding) and the text.
arrow::Result<int64_t> ParseTimestampMs(const std::string& text,
                                        const std::string& what = "--timestamp");

}  // namespace deltaline::delta
