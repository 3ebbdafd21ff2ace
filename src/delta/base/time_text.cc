#include "delta/base/time_text.h"

#include <arrow/scalar.h>

#include "delta/base/errors.h"

namespace deltaline::delta {

arrow::Result<int64_t> ParseTimestampMs(const std::string& text,
                                        const std::string& what) {
  auto parsed =
      arrow::Scalar::Parse(arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"), text);
  if (parsed.ok()) return static_cast<const arrow::TimestampScalar&>(**parsed).value;
  // The millisecond parser rejects RFC 3339 fractions of more than three digits
  // ("…:05.123456Z"); retry at nanoseconds. Commits are stamped in whole ms, so
  // flooring keeps "at or before" exact.
  auto precise =
      arrow::Scalar::Parse(arrow::timestamp(arrow::TimeUnit::NANO, "UTC"), text);
  if (!precise.ok()) {
    return InvalidInput(what + " '" + text + "' is not an RFC 3339 time (e.g. " +
                        "2024-05-01T12:00:00Z): " + parsed.status().message());
  }
  const int64_t ns = static_cast<const arrow::TimestampScalar&>(**precise).value;
  return ns / 1000000 - (ns % 1000000 < 0 ? 1 : 0);
}

}  // namespace deltaline::delta
