#pragma once

#include <cstdint>

#include <arrow/array.h>
#include <arrow/result.h>
#include <nlohmann/json.hpp>

namespace deltaline::cli {

/// \brief The JSON value of row `row` of `array`, as JSON-lines output shows it:
/// numbers as numbers, decimals as strings (exact), dates `YYYY-MM-DD`, timestamps
/// ISO-8601 (`Z` for UTC), binary as base64, structs as objects, lists as arrays and
/// maps as arrays of {key, value}.
arrow::Result<nlohmann::json> ArrayValueToJson(const arrow::Array& array, int64_t row);

}  // namespace deltaline::cli
