#include "delta/table/partition_path.h"

#include <charconv>
#include <chrono>
#include <cstdio>

#include <arrow/compute/api.h>
#include <arrow/scalar.h>
#include <arrow/type.h>
#include <arrow/util/uri.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

bool NeedsEscaping(unsigned char c) {
  if (c < 0x20 || c == 0x7F) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

// Civil date of a day count since the epoch (proleptic Gregorian, as Delta).
std::string FormatDate(int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string FormatMicros(int64_t micros, bool utc) {
  constexpr int64_t kPerDay = 86400LL * 1000000;
  int64_t days = micros / kPerDay;
  int64_t rest = micros % kPerDay;
  if (rest < 0) {
    rest += kPerDay;
    days -= 1;
  }
  const int64_t seconds = rest / 1000000;
  char buf[48];
  std::snprintf(
      buf, sizeof(buf), "%s%c%02lld:%02lld:%02lld.%06lld%s", FormatDate(days).c_str(),
      utc ? 'T' : ' ', static_cast<long long>(seconds / 3600),
      static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60),
      static_cast<long long>(rest % 1000000), utc ? "Z" : "");
  return buf;
}

int64_t ToMicros(int64_t value, arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::SECOND:
      return value * 1000000;
    case arrow::TimeUnit::MILLI:
      return value * 1000;
    case arrow::TimeUnit::MICRO:
      return value;
    case arrow::TimeUnit::NANO:
      return value / 1000 - (value % 1000 < 0 ? 1 : 0);
  }
  return value;
}

}  // namespace

std::string EscapePartitionPathName(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (NeedsEscaping(c)) {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

arrow::Status CheckPartitionColumnType(const std::string& column,
                                       const arrow::DataType& type) {
  switch (type.id()) {
    case arrow::Type::BOOL:
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
    case arrow::Type::DATE32:
    case arrow::Type::TIMESTAMP:
      return arrow::Status::OK();
    default:
      return UnsupportedFeature(
          type.ToString(), "partition column '" + column + "' is " + type.ToString() +
                               ", which cannot be a partition column");
  }
}

arrow::Result<std::optional<std::string>> SerializePartitionValue(
    const arrow::Scalar& value) {
  if (!value.is_valid) return std::nullopt;
  switch (value.type->id()) {
    case arrow::Type::DATE32:
      return FormatDate(static_cast<const arrow::Date32Scalar&>(value).value);
    case arrow::Type::TIMESTAMP: {
      const auto& type = static_cast<const arrow::TimestampType&>(*value.type);
      int64_t micros =
          ToMicros(static_cast<const arrow::TimestampScalar&>(value).value, type.unit());
      return FormatMicros(micros, !type.timezone().empty());
    }
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW: {
      std::string text = value.ToString();
      if (text.empty()) return std::nullopt;
      return text;
    }
    default:
      ARROW_RETURN_NOT_OK(CheckPartitionColumnType("?", *value.type));
      return value.ToString();
  }
}

arrow::Status CheckPathStaysInside(const std::string& relative) {
  if (relative.empty()) return arrow::Status::OK();
  if (relative.front() == '/') {
    return InvalidInput("partition directory '" + relative + "' is an absolute path");
  }
  size_t begin = 0;
  while (begin <= relative.size()) {
    size_t end = relative.find('/', begin);
    if (end == std::string::npos) end = relative.size();
    std::string_view segment(relative.data() + begin, end - begin);
    if (segment.empty() || segment == "." || segment == ".." ||
        segment.find('\0') != std::string_view::npos ||
        segment.find('\\') != std::string_view::npos) {
      return InvalidInput("partition directory '" + relative +
                          "' would leave the table root or is not a plain name");
    }
    begin = end + 1;
  }
  return arrow::Status::OK();
}

arrow::Result<PartitionKey> MakePartitionKey(const std::vector<std::string>& columns,
                                             const PartitionValues& values) {
  PartitionKey key;
  for (const auto& column : columns) {
    auto it = values.find(column);
    std::optional<std::string> value;
    if (it != values.end()) value = it->second;
    if (value && value->empty()) value.reset();
    key.values[column] = value;
    if (!key.directory.empty()) key.directory += '/';
    key.directory += EscapePartitionPathName(column) + "=" +
                     (value ? EscapePartitionPathName(*value) : kHiveDefaultPartition);
  }
  ARROW_RETURN_NOT_OK(CheckPathStaysInside(key.directory));
  nlohmann::json id = nlohmann::json::object();
  for (const auto& [column, value] : key.values) {
    id[column] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
  }
  key.id = id.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return key;
}

namespace {

// Arrow's UriEscape also escapes the sub-delimiters and ':' '@' that RFC 3986 allows
// in a path segment. Spark (Hadoop's Path.toUri) leaves them as they are, so
// `col=value` stays `col=value` in add.path; undo those escapes to write the same
// bytes. A '%' of the input was escaped to "%25", so a "%XX" here is always ours.
std::string UriEscapeSegment(std::string_view segment) {
  const std::string escaped = arrow::util::UriEscape(segment);
  static constexpr std::string_view kKept = "!$&'()*+,;=:@";
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] == '%' && i + 2 < escaped.size()) {
      int value = 0;
      std::from_chars(escaped.data() + i + 1, escaped.data() + i + 3, value, 16);
      if (value != 0 && kKept.find(static_cast<char>(value)) != std::string_view::npos) {
        out += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    out += escaped[i];
  }
  return out;
}

}  // namespace

std::string EncodeDataFilePath(const std::string& directory,
                               const std::string& file_name) {
  std::string out;
  size_t begin = 0;
  while (!directory.empty() && begin <= directory.size()) {
    size_t end = directory.find('/', begin);
    if (end == std::string::npos) end = directory.size();
    out += UriEscapeSegment(std::string_view(directory).substr(begin, end - begin));
    out += '/';
    begin = end + 1;
  }
  return out + UriEscapeSegment(file_name);
}

arrow::Result<std::shared_ptr<arrow::Scalar>> ParsePartitionValue(
    const std::optional<std::string>& value, const std::shared_ptr<arrow::DataType>& type,
    const std::string& column) {
  // The protocol: an empty string is null for every type, strings included.
  if (!value || value->empty()) return arrow::MakeNullScalar(type);
  std::string text = *value;
  if (type->id() == arrow::Type::TIMESTAMP) {
    // "2021-01-01 10:00:00.123456" (legacy) and ISO-8601 with 'Z' both occur.
    if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
    if (!text.empty() && text.back() == 'Z') text.pop_back();
  }
  auto parsed = arrow::Scalar::Parse(type, text);
  if (!parsed.ok() && is_decimal(type->id())) {
    // Scalar::Parse has no decimal support; the string-to-decimal cast does.
    auto cast = arrow::compute::Cast(
        arrow::Datum(std::make_shared<arrow::StringScalar>(text)), type);
    if (cast.ok()) return cast->scalar();
  }
  if (!parsed.ok()) {
    return ProtocolError("partition value '" + *value + "' of column '" + column +
                         "' is not a valid " + type->ToString() + ": " +
                         parsed.status().message());
  }
  return parsed;
}

DecodedDataFilePath DecodeDataFilePath(const std::string& path) {
  using Kind = DecodedDataFilePath::Kind;
  if (path.rfind("file:", 0) == 0) {
    std::string rest = path.substr(5);
    if (rest.rfind("//", 0) == 0) rest = rest.substr(2);
    return {Kind::kLocalAbsolute, arrow::util::UriUnescape(rest)};
  }
  if (path.find("://") != std::string::npos) return {Kind::kForeignUri, path};
  if (!path.empty() && path[0] == '/') {
    return {Kind::kLocalAbsolute, arrow::util::UriUnescape(path)};
  }
  return {Kind::kRelative, arrow::util::UriUnescape(path)};
}

arrow::Result<std::shared_ptr<arrow::Scalar>> PartitionValueOf(
    const PartitionValues& values, const std::string& column,
    const std::shared_ptr<arrow::DataType>& type) {
  auto it = values.find(column);
  return ParsePartitionValue(it == values.end() ? std::nullopt : it->second, type,
                             column);
}

}  // namespace deltaline::delta
