// `add.stats_parsed` -> `add.stats`: checkpoints written with
// delta.checkpoint.writeStatsAsJson=false carry statistics only as a struct, while the
// rest of deltaline reads the JSON form. The JSON is written by hand rather than
// through nlohmann::json so that decimals keep every digit: a double would round a
// decimal(38, x) min/max and could make data skipping drop a matching file.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include <arrow/array.h>
#include <arrow/util/checked_cast.h>
#include <nlohmann/json.hpp>

#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta::checkpoint_internal {
namespace {

using arrow::internal::checked_cast;

// Years outside 0000..9999 have no plain ISO-8601 form; such a stat is left out.
constexpr int64_t kMinDay = -719528;  // 0000-01-01
constexpr int64_t kMaxDay = 2932896;  // 9999-12-31

int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  if (value % divisor != 0 && value < 0) --quotient;
  return quotient;
}

// Civil date from days since 1970-01-01 (proleptic Gregorian), after H. Hinnant's
// public-domain days_from_civil inverse. Callers keep `days` within kMinDay..kMaxDay.
void CivilFromDays(int64_t days, int64_t* year, int* month, int* day) {
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *year = yoe + era * 400 + (*month <= 2 ? 1 : 0);
}

bool AppendDate(int64_t days, std::string* out) {
  if (days < kMinDay || days > kMaxDay) return false;
  int64_t year = 0;
  int month = 0;
  int day = 0;
  CivilFromDays(days, &year, &month, &day);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02d", static_cast<int>(year), month, day);
  out->append(buf);
  return true;
}

// ISO-8601 UTC, as Spark writes stats ("2022-10-24T22:59:32.846Z"): milliseconds,
// widened to micro/nanoseconds only when the value has them, so nothing is lost.
bool AppendTimestamp(int64_t value, arrow::TimeUnit::type unit, std::string* out) {
  int64_t per_second = 1;
  switch (unit) {
    case arrow::TimeUnit::SECOND:
      per_second = 1;
      break;
    case arrow::TimeUnit::MILLI:
      per_second = 1000;
      break;
    case arrow::TimeUnit::MICRO:
      per_second = 1000000;
      break;
    case arrow::TimeUnit::NANO:
      per_second = 1000000000;
      break;
  }
  const int64_t seconds = FloorDiv(value, per_second);
  const int64_t nanos = (value - seconds * per_second) * (1000000000 / per_second);
  const int64_t days = FloorDiv(seconds, 86400);
  const int64_t second_of_day = seconds - days * 86400;
  out->push_back('"');
  if (!AppendDate(days, out)) return false;
  char buf[48];
  int len = std::snprintf(
      buf, sizeof(buf), "T%02d:%02d:%02d", static_cast<int>(second_of_day / 3600),
      static_cast<int>(second_of_day / 60 % 60), static_cast<int>(second_of_day % 60));
  if (nanos % 1000000 == 0) {
    len += std::snprintf(buf + len, sizeof(buf) - len, ".%03d",
                         static_cast<int>(nanos / 1000000));
  } else if (nanos % 1000 == 0) {
    len += std::snprintf(buf + len, sizeof(buf) - len, ".%06d",
                         static_cast<int>(nanos / 1000));
  } else {
    len += std::snprintf(buf + len, sizeof(buf) - len, ".%09d", static_cast<int>(nanos));
  }
  out->append(buf, static_cast<size_t>(len));
  out->append("Z\"");
  return true;
}

template <typename T>
bool AppendFloat(T value, std::string* out) {
  if (!std::isfinite(value)) return false;  // JSON has no NaN or infinity
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  if (ec != std::errc()) return false;
  out->append(buf, end);
  return true;
}

void AppendJsonString(std::string_view text, std::string* out) {
  // Statistics may hold cut strings whose UTF-8 is broken; replace, never throw.
  out->append(nlohmann::json(std::string(text))
                  .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

template <typename ArrayType>
void AppendInt(const arrow::Array& array, int64_t row, std::string* out) {
  out->append(std::to_string(checked_cast<const ArrayType&>(array).Value(row)));
}

template <typename ArrayType>
void AppendStringCell(const arrow::Array& array, int64_t row, std::string* out) {
  AppendJsonString(checked_cast<const ArrayType&>(array).GetView(row), out);
}

bool AppendValue(const arrow::Array& array, int64_t row, std::string* out);

bool AppendObject(const arrow::StructArray& array, int64_t row, std::string* out) {
  out->push_back('{');
  bool first = true;
  std::string value;
  for (int field_idx = 0; field_idx < array.num_fields(); ++field_idx) {
    const std::shared_ptr<arrow::Array>& child = array.field(field_idx);
    if (child->IsNull(row)) continue;
    value.clear();
    if (!AppendValue(*child, row, &value)) continue;
    if (!first) out->push_back(',');
    first = false;
    AppendJsonString(array.struct_type()->field(field_idx)->name(), out);
    out->push_back(':');
    out->append(value);
  }
  out->push_back('}');
  return true;
}

// Appends the JSON form of a non-null cell; false when JSON cannot carry it (the
// caller then leaves the field out, which readers take as "unknown").
// Longer than our usual function: one flat case per Arrow type, which reads best as
// one table; splitting it would only scatter that table.
bool AppendValue(const arrow::Array& array, int64_t row, std::string* out) {
  switch (array.type_id()) {
    case arrow::Type::BOOL:
      out->append(checked_cast<const arrow::BooleanArray&>(array).Value(row) ? "true"
                                                                             : "false");
      return true;
    case arrow::Type::INT8:
      AppendInt<arrow::Int8Array>(array, row, out);
      return true;
    case arrow::Type::INT16:
      AppendInt<arrow::Int16Array>(array, row, out);
      return true;
    case arrow::Type::INT32:
      AppendInt<arrow::Int32Array>(array, row, out);
      return true;
    case arrow::Type::INT64:
      AppendInt<arrow::Int64Array>(array, row, out);
      return true;
    case arrow::Type::UINT8:
      AppendInt<arrow::UInt8Array>(array, row, out);
      return true;
    case arrow::Type::UINT16:
      AppendInt<arrow::UInt16Array>(array, row, out);
      return true;
    case arrow::Type::UINT32:
      AppendInt<arrow::UInt32Array>(array, row, out);
      return true;
    case arrow::Type::UINT64:
      AppendInt<arrow::UInt64Array>(array, row, out);
      return true;
    case arrow::Type::FLOAT:
      return AppendFloat(checked_cast<const arrow::FloatArray&>(array).Value(row), out);
    case arrow::Type::DOUBLE:
      return AppendFloat(checked_cast<const arrow::DoubleArray&>(array).Value(row), out);
    case arrow::Type::DECIMAL32:
      out->append(checked_cast<const arrow::Decimal32Array&>(array).FormatValue(row));
      return true;
    case arrow::Type::DECIMAL64:
      out->append(checked_cast<const arrow::Decimal64Array&>(array).FormatValue(row));
      return true;
    case arrow::Type::DECIMAL128:
      out->append(checked_cast<const arrow::Decimal128Array&>(array).FormatValue(row));
      return true;
    case arrow::Type::DECIMAL256:
      out->append(checked_cast<const arrow::Decimal256Array&>(array).FormatValue(row));
      return true;
    case arrow::Type::STRING:
      AppendStringCell<arrow::StringArray>(array, row, out);
      return true;
    case arrow::Type::LARGE_STRING:
      AppendStringCell<arrow::LargeStringArray>(array, row, out);
      return true;
    case arrow::Type::STRING_VIEW:
      AppendStringCell<arrow::StringViewArray>(array, row, out);
      return true;
    case arrow::Type::DATE32: {
      out->push_back('"');
      if (!AppendDate(checked_cast<const arrow::Date32Array&>(array).Value(row), out)) {
        return false;
      }
      out->push_back('"');
      return true;
    }
    case arrow::Type::DATE64: {
      const int64_t millis = checked_cast<const arrow::Date64Array&>(array).Value(row);
      out->push_back('"');
      if (!AppendDate(FloorDiv(millis, 86400000), out)) return false;
      out->push_back('"');
      return true;
    }
    case arrow::Type::TIMESTAMP: {
      const auto& ts = checked_cast<const arrow::TimestampArray&>(array);
      const auto& type = checked_cast<const arrow::TimestampType&>(*array.type());
      return AppendTimestamp(ts.Value(row), type.unit(), out);
    }
    case arrow::Type::STRUCT:
      return AppendObject(checked_cast<const arrow::StructArray&>(array), row, out);
    case arrow::Type::DICTIONARY: {
      const auto& dict = checked_cast<const arrow::DictionaryArray&>(array);
      const int64_t index = dict.GetValueIndex(row);
      if (dict.dictionary()->IsNull(index)) return false;
      return AppendValue(*dict.dictionary(), index, out);
    }
    default:
      // Binary, lists, maps, intervals…: Delta collects no JSON stats for them.
      return false;
  }
}

}  // namespace

arrow::Result<std::optional<std::string>> StatsStructToJson(const ColumnRef& col,
                                                            int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  if (col.array->type_id() != arrow::Type::STRUCT) {
    return arrow::Status::Invalid(col.name, " has type ", col.array->type()->ToString(),
                                  ", expected a struct");
  }
  std::string out;
  AppendObject(checked_cast<const arrow::StructArray&>(*col.array), row, &out);
  return out;
}

}  // namespace deltaline::delta::checkpoint_internal
