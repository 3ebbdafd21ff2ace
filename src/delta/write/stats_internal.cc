#include "delta/write/stats_internal.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace deltaline::delta {
namespace {

constexpr char32_t kTieBreaker = 0xFFFD;
constexpr std::string_view kTieBreakerUtf8 = "\xEF\xBF\xBD";

// Byte length of the UTF-8 sequence starting with `lead`. Callers pass validated
// text; a stray byte still advances by one so that nothing loops.
size_t SequenceLength(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

char32_t DecodeAt(std::string_view text, size_t pos, size_t* length) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  *length = std::min(SequenceLength(lead), text.size() - pos);
  if (*length == 1) return lead;
  char32_t code = lead & (0x7F >> *length);
  for (size_t byte_idx = 1; byte_idx < *length; ++byte_idx) {
    code = (code << 6) | (static_cast<unsigned char>(text[pos + byte_idx]) & 0x3F);
  }
  return code;
}

// Byte offset just past the first `max_chars` code points.
size_t PrefixEnd(std::string_view text, int max_chars) {
  size_t pos = 0;
  for (int char_idx = 0; char_idx < max_chars && pos < text.size(); ++char_idx) {
    pos += std::min(SequenceLength(static_cast<unsigned char>(text[pos])),
                    text.size() - pos);
  }
  return pos;
}

struct CivilDate {
  int64_t year;
  unsigned month;
  unsigned day;
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
CivilDate CivilFromDays(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned shifted_month = (5 * day_of_year + 2) / 153;
  CivilDate date;
  date.day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
  date.month = shifted_month < 10 ? shifted_month + 3 : shifted_month - 9;
  date.year = static_cast<int64_t>(year_of_era) + era * 400 + (date.month <= 2 ? 1 : 0);
  return date;
}

}  // namespace

std::string TruncateStringMin(std::string_view value, int max_chars) {
  return std::string(value.substr(0, PrefixEnd(value, max_chars)));
}

std::string TruncateStringMax(std::string_view value, int max_chars) {
  size_t pos = PrefixEnd(value, max_chars);
  if (pos >= value.size()) return std::string(value);
  while (pos < value.size()) {
    size_t length = 0;
    if (DecodeAt(value, pos, &length) < kTieBreaker) break;
    pos += length;
  }
  std::string bound(value.substr(0, pos));
  bound.append(kTieBreakerUtf8);
  return bound;
}

int64_t FloorDiv(int64_t value, int64_t divisor) {
  int64_t quotient = value / divisor;
  if (value % divisor != 0 && value < 0) --quotient;
  return quotient;
}

std::optional<std::string> FormatDate(int64_t days) {
  const CivilDate date = CivilFromDays(days);
  // Spark writes other years with a sign or more digits; leaving them out is safe.
  if (date.year < 1 || date.year > 9999) return std::nullopt;
  char buffer[48];
  std::snprintf(buffer, sizeof(buffer), "%04d-%02u-%02u", static_cast<int>(date.year),
                date.month, date.day);
  return std::string(buffer);
}

std::optional<std::string> FormatTimestampMillis(int64_t millis, bool utc) {
  constexpr int64_t kMillisPerDay = 86400000;
  const int64_t days = FloorDiv(millis, kMillisPerDay);
  std::optional<std::string> date = FormatDate(days);
  if (!date) return std::nullopt;
  const int64_t in_day = millis - days * kMillisPerDay;
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "T%02d:%02d:%02d.%03d%s",
                static_cast<int>(in_day / 3600000), static_cast<int>(in_day / 60000 % 60),
                static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000),
                utc ? "Z" : "");
  return *date + buffer;
}

std::string QuoteJson(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::vector<std::string> ParseColumnPath(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  std::vector<std::string> parts;
  std::string current;
  bool quoted = false;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    const char c = text[pos];
    if (quoted) {
      if (c != '`') {
        current.push_back(c);
      } else if (pos + 1 < text.size() && text[pos + 1] == '`') {
        current.push_back('`');
        ++pos;
      } else {
        quoted = false;
      }
    } else if (c == '`') {
      quoted = true;
    } else if (c == '.') {
      parts.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  parts.push_back(std::move(current));
  return parts;
}

std::string AsciiLower(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return lower;
}

void JsonObject::AddRaw(const std::string& key, std::string raw_json) {
  entries_.emplace_back(key, std::move(raw_json));
}

JsonObject* JsonObject::AddChild(const std::string& key) {
  entries_.emplace_back(key, std::make_unique<JsonObject>());
  return std::get<std::unique_ptr<JsonObject>>(entries_.back().second).get();
}

bool JsonObject::empty() const {
  for (const auto& [key, value] : entries_) {
    const auto* child = std::get_if<std::unique_ptr<JsonObject>>(&value);
    if (child == nullptr || !(*child)->empty()) return false;
  }
  return true;
}

void JsonObject::AppendTo(std::string* out) const {
  out->push_back('{');
  bool first = true;
  for (const auto& [key, value] : entries_) {
    const auto* child = std::get_if<std::unique_ptr<JsonObject>>(&value);
    if (child != nullptr && (*child)->empty()) continue;
    if (!first) out->push_back(',');
    first = false;
    out->append(QuoteJson(key));
    out->push_back(':');
    if (child != nullptr) {
      (*child)->AppendTo(out);
    } else {
      out->append(std::get<std::string>(value));
    }
  }
  out->push_back('}');
}

StatsColumnSelector::StatsColumnSelector(const StatsOptions& options)
    : remaining_(options.num_indexed_cols) {
  for (const auto& column : options.stats_columns) {
    std::vector<std::string> parts = ParseColumnPath(column);
    for (auto& part : parts) part = AsciiLower(part);
    paths_.push_back(std::move(parts));
  }
}

bool StatsColumnSelector::Take(const std::vector<std::string>& path) {
  if (!paths_.empty()) {
    for (const auto& spec : paths_) {
      if (spec.size() > path.size()) continue;
      bool prefix = true;
      for (size_t part_idx = 0; part_idx < spec.size() && prefix; ++part_idx) {
        prefix = spec[part_idx] == AsciiLower(path[part_idx]);
      }
      if (prefix) return true;
    }
    return false;
  }
  if (remaining_ < 0) return true;  // negative: no limit
  if (remaining_ == 0) return false;
  --remaining_;
  return true;
}

}  // namespace deltaline::delta
