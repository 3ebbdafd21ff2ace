#include "delta/table/variant_json.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <arrow/util/base64.h>
#include <arrow/util/decimal.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

constexpr int kMaxDepth = 256;

arrow::Status Malformed(const std::string& what) {
  return ProtocolError("variant value is malformed: " + what);
}

// Unsigned little-endian integer of `size` (1..4, or 8) bytes at `at`.
arrow::Result<uint64_t> ReadUnsigned(std::string_view bytes, size_t at, size_t size) {
  if (at > bytes.size() || bytes.size() - at < size) return Malformed("truncated");
  uint64_t out = 0;
  for (size_t idx = 0; idx < size; ++idx) {
    out |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[at + idx])) << (8 * idx);
  }
  return out;
}

template <typename T>
arrow::Result<T> ReadSigned(std::string_view bytes, size_t at) {
  ARROW_ASSIGN_OR_RAISE(uint64_t raw, ReadUnsigned(bytes, at, sizeof(T)));
  T out;
  auto narrow = static_cast<std::make_unsigned_t<T>>(raw);
  std::memcpy(&out, &narrow, sizeof(T));
  return out;
}

std::string Quote(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class Dictionary {
 public:
  static arrow::Result<Dictionary> Parse(std::string_view metadata) {
    if (metadata.empty()) return Malformed("empty metadata");
    const auto header = static_cast<uint8_t>(metadata[0]);
    if ((header & 0x0F) != 1) {
      return Malformed("metadata version " + std::to_string(header & 0x0F) +
                       " (deltaline reads version 1)");
    }
    Dictionary dict;
    dict.bytes_ = metadata;
    dict.offset_size_ = ((header >> 6) & 0x3) + 1;
    ARROW_ASSIGN_OR_RAISE(dict.size_, ReadUnsigned(metadata, 1, dict.offset_size_));
    dict.offsets_at_ = 1 + dict.offset_size_;
    if ((metadata.size() - dict.offsets_at_) / dict.offset_size_ < dict.size_ + 1) {
      return Malformed("dictionary larger than its metadata");
    }
    dict.strings_at_ = dict.offsets_at_ + (dict.size_ + 1) * dict.offset_size_;
    return dict;
  }

  arrow::Result<std::string_view> Key(uint64_t id) const {
    if (id >= size_)
      return Malformed("field id " + std::to_string(id) + " not in dictionary");
    ARROW_ASSIGN_OR_RAISE(
        uint64_t begin,
        ReadUnsigned(bytes_, offsets_at_ + id * offset_size_, offset_size_));
    ARROW_ASSIGN_OR_RAISE(
        uint64_t end,
        ReadUnsigned(bytes_, offsets_at_ + (id + 1) * offset_size_, offset_size_));
    if (begin > end || end > bytes_.size() - strings_at_) {
      return Malformed("dictionary string out of bounds");
    }
    return bytes_.substr(strings_at_ + begin, end - begin);
  }

 private:
  std::string_view bytes_;
  size_t offset_size_ = 1;
  uint64_t size_ = 0;
  size_t offsets_at_ = 0;
  size_t strings_at_ = 0;
};

std::string TwoDigits(int64_t v) { return (v < 10 ? "0" : "") + std::to_string(v); }

// Days since the epoch → "YYYY-MM-DD" (proleptic Gregorian).
std::string DateText(int64_t days) {
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t year = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1;
  int64_t month = mp < 10 ? mp + 3 : mp - 9;
  if (month <= 2) ++year;
  std::string y = std::to_string(year);
  while (y.size() < 4) y = "0" + y;
  return y + "-" + TwoDigits(month) + "-" + TwoDigits(day);
}

// Time of day in sub-second `units` per second → "HH:MM:SS[.ffffff]".
std::string TimeText(int64_t of_day, int64_t units, int digits) {
  int64_t secs = of_day / units;
  int64_t frac = of_day % units;
  std::string out = TwoDigits(secs / 3600) + ":" + TwoDigits(secs / 60 % 60) + ":" +
                    TwoDigits(secs % 60);
  if (frac != 0) {
    std::string f = std::to_string(frac);
    out += "." + std::string(digits - f.size(), '0') + f;
  }
  return out;
}

std::string TimestampText(int64_t ticks, int64_t per_second, int digits, bool utc) {
  const int64_t per_day = 86400 * per_second;
  int64_t days = ticks / per_day;
  int64_t rest = ticks % per_day;
  if (rest < 0) {
    rest += per_day;
    --days;
  }
  return DateText(days) + " " + TimeText(rest, per_second, digits) +
         (utc ? "+00:00" : "");
}

std::string DoubleText(double v) {
  if (std::isnan(v)) return "\"NaN\"";
  if (std::isinf(v)) return v > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), end);
}

std::string FloatText(float v) {
  if (std::isnan(v) || std::isinf(v)) return DoubleText(v);
  std::array<char, 64> buf{};
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return std::string(buf.data(), end);
}

class Renderer {
 public:
  explicit Renderer(const Dictionary& dict) : dict_(dict) {}

  arrow::Status Render(std::string_view value, int depth, std::string* out) {
    if (depth > kMaxDepth) return Malformed("nested deeper than 256");
    if (value.empty()) return Malformed("empty value");
    const auto first = static_cast<uint8_t>(value[0]);
    const int basic = first & 0x3;
    const int header = first >> 2;
    if (basic == 1) {  // short string
      if (value.size() - 1 < static_cast<size_t>(header)) return Malformed("truncated");
      *out += Quote(value.substr(1, header));
      return arrow::Status::OK();
    }
    if (basic == 2) return Object(value, header, depth, out);
    if (basic == 3) return Array(value, header, depth, out);
    return Primitive(value, header, out);
  }

 private:
  // The shared layout of objects and arrays: counts, (ids,) offsets, then values.
  struct Container {
    uint64_t count = 0;
    size_t ids_at = 0, id_size = 0, offsets_at = 0, offset_size = 0, values_at = 0;
  };

  arrow::Result<Container> Layout(std::string_view value, int header, bool object) {
    Container c;
    c.offset_size = (header & 0x3) + 1;
    c.id_size = object ? ((header >> 2) & 0x3) + 1 : 0;
    const bool large = object ? (header >> 4) & 0x1 : (header >> 2) & 0x1;
    const size_t count_size = large ? 4 : 1;
    ARROW_ASSIGN_OR_RAISE(c.count, ReadUnsigned(value, 1, count_size));
    c.ids_at = 1 + count_size;
    c.offsets_at = c.ids_at + c.count * c.id_size;
    c.values_at = c.offsets_at + (c.count + 1) * c.offset_size;
    if (c.count > value.size() || c.values_at > value.size()) {
      return Malformed("container larger than its value");
    }
    return c;
  }

  arrow::Result<std::string_view> Element(std::string_view value, const Container& c,
                                          uint64_t idx) {
    ARROW_ASSIGN_OR_RAISE(
        uint64_t begin,
        ReadUnsigned(value, c.offsets_at + idx * c.offset_size, c.offset_size));
    ARROW_ASSIGN_OR_RAISE(
        uint64_t last,
        ReadUnsigned(value, c.offsets_at + c.count * c.offset_size, c.offset_size));
    if (begin >= last || last > value.size() - c.values_at) {
      return Malformed("element offset out of bounds");
    }
    // Values need not be stored in order: the element runs to the end of the values
    // and its own header says how long it is.
    return value.substr(c.values_at + begin, last - begin);
  }

  arrow::Status Object(std::string_view value, int header, int depth, std::string* out) {
    ARROW_ASSIGN_OR_RAISE(Container c, Layout(value, header, /*object=*/true));
    *out += '{';
    for (uint64_t idx = 0; idx < c.count; ++idx) {
      ARROW_ASSIGN_OR_RAISE(uint64_t id,
                            ReadUnsigned(value, c.ids_at + idx * c.id_size, c.id_size));
      ARROW_ASSIGN_OR_RAISE(std::string_view key, dict_.Key(id));
      ARROW_ASSIGN_OR_RAISE(std::string_view element, Element(value, c, idx));
      if (idx) *out += ',';
      *out += Quote(key);
      *out += ':';
      ARROW_RETURN_NOT_OK(Render(element, depth + 1, out));
    }
    *out += '}';
    return arrow::Status::OK();
  }

  arrow::Status Array(std::string_view value, int header, int depth, std::string* out) {
    ARROW_ASSIGN_OR_RAISE(Container c, Layout(value, header, /*object=*/false));
    *out += '[';
    for (uint64_t idx = 0; idx < c.count; ++idx) {
      ARROW_ASSIGN_OR_RAISE(std::string_view element, Element(value, c, idx));
      if (idx) *out += ',';
      ARROW_RETURN_NOT_OK(Render(element, depth + 1, out));
    }
    *out += ']';
    return arrow::Status::OK();
  }

  arrow::Status Decimal(std::string_view value, int width, std::string* out) {
    ARROW_ASSIGN_OR_RAISE(uint64_t scale, ReadUnsigned(value, 1, 1));
    if (scale > 38) return Malformed("decimal scale " + std::to_string(scale));
    arrow::Decimal128 unscaled;
    if (width == 16) {
      ARROW_ASSIGN_OR_RAISE(uint64_t low, ReadUnsigned(value, 2, 8));
      ARROW_ASSIGN_OR_RAISE(int64_t high, ReadSigned<int64_t>(value, 10));
      unscaled = arrow::Decimal128(high, low);
    } else if (width == 8) {
      ARROW_ASSIGN_OR_RAISE(int64_t v, ReadSigned<int64_t>(value, 2));
      unscaled = arrow::Decimal128(v);
    } else {
      ARROW_ASSIGN_OR_RAISE(int32_t v, ReadSigned<int32_t>(value, 2));
      unscaled = arrow::Decimal128(v);
    }
    // As Spark's to_json: the value without trailing fractional zeros (1.50 → 1.5).
    std::string text = unscaled.ToString(static_cast<int32_t>(scale));
    if (text.find('.') != std::string::npos) {
      text.erase(text.find_last_not_of('0') + 1);
      if (text.back() == '.') text.pop_back();
    }
    *out += text;
    return arrow::Status::OK();
  }

  arrow::Status Primitive(std::string_view value, int type, std::string* out) {
    switch (type) {
      case 0:
        *out += "null";
        return arrow::Status::OK();
      case 1:
        *out += "true";
        return arrow::Status::OK();
      case 2:
        *out += "false";
        return arrow::Status::OK();
      case 3:
        return Int<int8_t>(value, out);
      case 4:
        return Int<int16_t>(value, out);
      case 5:
        return Int<int32_t>(value, out);
      case 6:
        return Int<int64_t>(value, out);
      case 7: {
        ARROW_ASSIGN_OR_RAISE(int64_t bits, ReadSigned<int64_t>(value, 1));
        double v;
        std::memcpy(&v, &bits, sizeof(v));
        *out += DoubleText(v);
        return arrow::Status::OK();
      }
      case 8:
        return Decimal(value, 4, out);
      case 9:
        return Decimal(value, 8, out);
      case 10:
        return Decimal(value, 16, out);
      case 11: {
        ARROW_ASSIGN_OR_RAISE(int32_t days, ReadSigned<int32_t>(value, 1));
        *out += Quote(DateText(days));
        return arrow::Status::OK();
      }
      case 12:
      case 13:
      case 18:
      case 19: {
        ARROW_ASSIGN_OR_RAISE(int64_t ticks, ReadSigned<int64_t>(value, 1));
        const bool nanos = type >= 18;
        *out += Quote(TimestampText(ticks, nanos ? 1'000'000'000 : 1'000'000,
                                    nanos ? 9 : 6, type == 12 || type == 18));
        return arrow::Status::OK();
      }
      case 14: {
        ARROW_ASSIGN_OR_RAISE(int32_t bits, ReadSigned<int32_t>(value, 1));
        float v;
        std::memcpy(&v, &bits, sizeof(v));
        *out += FloatText(v);
        return arrow::Status::OK();
      }
      case 15:
      case 16: {
        ARROW_ASSIGN_OR_RAISE(uint64_t size, ReadUnsigned(value, 1, 4));
        if (value.size() - 5 < size || value.size() < 5) return Malformed("truncated");
        std::string_view bytes = value.substr(5, size);
        *out += type == 16 ? Quote(bytes) : Quote(arrow::util::base64_encode(bytes));
        return arrow::Status::OK();
      }
      case 17: {
        ARROW_ASSIGN_OR_RAISE(int64_t micros, ReadSigned<int64_t>(value, 1));
        *out += Quote(TimeText(micros, 1'000'000, 6));
        return arrow::Status::OK();
      }
      case 20: {
        if (value.size() < 17) return Malformed("truncated uuid");
        static const char* kHex = "0123456789abcdef";
        std::string text;
        for (int idx = 0; idx < 16; ++idx) {
          if (idx == 4 || idx == 6 || idx == 8 || idx == 10) text += '-';
          auto byte = static_cast<uint8_t>(value[1 + idx]);
          text += kHex[byte >> 4];
          text += kHex[byte & 0xF];
        }
        *out += Quote(text);
        return arrow::Status::OK();
      }
      default:
        return Malformed("unknown primitive type id " + std::to_string(type));
    }
  }

  template <typename T>
  arrow::Status Int(std::string_view value, std::string* out) {
    ARROW_ASSIGN_OR_RAISE(T v, ReadSigned<T>(value, 1));
    *out += std::to_string(static_cast<int64_t>(v));
    return arrow::Status::OK();
  }

  const Dictionary& dict_;
};

}  // namespace

arrow::Result<std::string> VariantToJson(std::string_view metadata,
                                         std::string_view value) {
  ARROW_ASSIGN_OR_RAISE(Dictionary dict, Dictionary::Parse(metadata));
  std::string out;
  Renderer renderer(dict);
  ARROW_RETURN_NOT_OK(renderer.Render(value, 0, &out));
  return out;
}

}  // namespace deltaline::delta
