#pragma once

// The pieces of `add.stats` apart from the footer walk in stats.cc: value formatting,
// the JSON object and column selection, so that their edge cases (string cuts,
// pre-1970 instants, quoted paths) can be tested one by one.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "delta/write/stats.h"

namespace deltaline::delta {

/// \brief The first `max_chars` code points of UTF-8 `value` (a lower bound for it).
std::string TruncateStringMin(std::string_view value, int max_chars);

/// \brief An upper bound for UTF-8 `value` of about `max_chars` code points: `value`
/// itself when short enough, else a prefix plus U+FFFD as a tie-breaker. As in Spark,
/// the prefix first takes in every following character ≥ U+FFFD, because the
/// tie-breaker only wins against a smaller character. Comparison is by code point
/// (= UTF-8 byte order), so characters beyond the BMP are handled too.
std::string TruncateStringMax(std::string_view value, int max_chars);

/// \brief "YYYY-MM-DD" for days since 1970-01-01; nullopt outside years 0001–9999.
std::optional<std::string> FormatDate(int64_t days);

/// \brief "YYYY-MM-DDTHH:MM:SS.mmm" plus "Z" when `utc`, for milliseconds since the
/// epoch; nullopt outside years 0001–9999.
std::optional<std::string> FormatTimestampMillis(int64_t millis, bool utc);

/// \brief Division rounding toward negative infinity (`divisor` > 0), so that
/// truncating a pre-1970 timestamp still goes down.
int64_t FloorDiv(int64_t value, int64_t divisor);

/// \brief `text` as a JSON string literal (invalid UTF-8 is replaced, never thrown).
std::string QuoteJson(std::string_view text);

/// \brief Splits a `delta.dataSkippingStatsColumns` entry such as "a.b" or "`x.y`.z"
/// into its parts (backticks quote dots; a doubled backtick is a literal one).
std::vector<std::string> ParseColumnPath(std::string_view text);

/// \brief ASCII lower case, for Spark's case-insensitive column matching.
std::string AsciiLower(std::string_view text);

/// \brief A JSON object that keeps schema order and holds raw literals, which nlohmann
/// cannot: decimals must reach the log digit for digit, never through a double.
class JsonObject {
 public:
  void AddRaw(const std::string& key, std::string raw_json);
  /// The returned child lives as long as this object.
  JsonObject* AddChild(const std::string& key);
  /// True when no raw value sits anywhere below.
  bool empty() const;
  /// Appends the object; children with nothing below them are left out, as Spark's
  /// to_json drops null fields.
  void AppendTo(std::string* out) const;

 private:
  using Value = std::variant<std::string, std::unique_ptr<JsonObject>>;
  std::vector<std::pair<std::string, Value>> entries_;
};

/// \brief Which columns get stats, by Spark's rules. By count, every non-struct column
/// (arrays and maps included) uses one slot, in schema order; by name
/// (`stats_columns`, case-insensitive), a path selects its column or whole struct.
class StatsColumnSelector {
 public:
  explicit StatsColumnSelector(const StatsOptions& options);
  /// Called once per non-struct column, in schema order, with its path.
  bool Take(const std::vector<std::string>& path);

 private:
  std::vector<std::vector<std::string>> paths_;
  int remaining_;
};

}  // namespace deltaline::delta
