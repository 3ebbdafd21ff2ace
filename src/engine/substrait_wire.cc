// A binary plan and Arrow's re-encoding of it are read as protobuf wire format and
// compared field by field. A length-delimited value is compared as a message when both
// sides parse as one, else byte for byte: a string reads the same on both sides, so it
// gets the same treatment on both, and a message always parses.
#include "engine/substrait_wire.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <vector>

namespace deltaline::engine {
namespace {

constexpr uint64_t kMaxFieldNumber = (uint64_t{1} << 29) - 1;
enum WireType : int { kVarint = 0, kFixed64 = 1, kLength = 2, kGroup = 3, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  int type = kVarint;
  uint64_t varint = 0;
  // The raw value (fixed), the payload (length-delimited), or the group's contents
  // with its end tag.
  std::string_view bytes;
};
using Fields = std::vector<Field>;

bool ReadVarint(std::string_view& in, uint64_t* out) {
  uint64_t value = 0;
  for (int shift = 0; shift < 70 && !in.empty(); shift += 7) {
    const auto byte = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    if (shift < 64) value |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80) == 0) {
      *out = value;
      return true;
    }
  }
  return false;
}

void WriteVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// Reads fields until `in` ends (group 0) or the end tag of group `group`.
bool ParseFields(std::string_view& in, uint32_t group, Fields* out) {
  while (!in.empty()) {
    uint64_t tag = 0;
    if (!ReadVarint(in, &tag)) return false;
    const uint64_t number = tag >> 3;
    const int type = static_cast<int>(tag & 7);
    if (number == 0 || number > kMaxFieldNumber) return false;
    if (type == 4) return number == group;
    Field field{static_cast<uint32_t>(number), type, 0, {}};
    const char* start = in.data();
    if (type == kVarint) {
      if (!ReadVarint(in, &field.varint)) return false;
    } else if (type == kFixed64 || type == kFixed32) {
      const size_t size = type == kFixed64 ? 8 : 4;
      if (in.size() < size) return false;
      field.bytes = in.substr(0, size);
      in.remove_prefix(size);
    } else if (type == kLength) {
      uint64_t size = 0;
      if (!ReadVarint(in, &size) || size > in.size()) return false;
      field.bytes = in.substr(0, size);
      in.remove_prefix(size);
    } else if (type == kGroup) {
      Fields inner;
      if (!ParseFields(in, field.number, &inner)) return false;
      field.bytes = std::string_view(start, static_cast<size_t>(in.data() - start));
    } else {
      return false;
    }
    out->push_back(field);
  }
  return group == 0;
}

std::optional<Fields> Parse(std::string_view bytes) {
  Fields fields;
  if (!ParseFields(bytes, 0, &fields)) return std::nullopt;
  return fields;
}

void Serialize(const Field& field, std::string* out) {
  WriteVarint((uint64_t{field.number} << 3) | static_cast<uint64_t>(field.type), out);
  if (field.type == kVarint) {
    WriteVarint(field.varint, out);
    return;
  }
  if (field.type == kLength) WriteVarint(field.bytes.size(), out);
  out->append(field.bytes);
}

bool IsDefault(const Field& field) {
  if (field.type == kVarint) return field.varint == 0;
  if (field.type == kGroup) return false;
  return std::all_of(field.bytes.begin(), field.bytes.end(),
                     [](char c) { return c == 0; });
}

std::string TypeName(int type) {
  switch (type) {
    case kVarint:
      return "varint";
    case kFixed64:
      return "fixed64";
    case kLength:
      return "length-delimited";
    case kGroup:
      return "group";
    default:
      return "fixed32";
  }
}

// Packed repeated scalars of wire type `type` as one field each, or nullopt when the
// payload is not that.
std::optional<Fields> Unpack(const Field& packed, int type) {
  Fields out;
  std::string_view in = packed.bytes;
  while (!in.empty()) {
    Field field{packed.number, type, 0, {}};
    if (type == kVarint) {
      if (!ReadVarint(in, &field.varint)) return std::nullopt;
    } else {
      const size_t size = type == kFixed64 ? 8 : 4;
      if (in.size() < size) return std::nullopt;
      field.bytes = in.substr(0, size);
      in.remove_prefix(size);
    }
    out.push_back(field);
  }
  return out;
}

// Where one side holds scalars and the other a packed run of the same field, both as
// scalars. False when a length-delimited value is not such a run.
bool UnpackToMatch(Fields* a, Fields* b) {
  int scalar = -1;
  for (const Fields* side : {a, b}) {
    for (const Field& f : *side) {
      if (f.type == kVarint || f.type == kFixed64 || f.type == kFixed32) scalar = f.type;
    }
  }
  if (scalar < 0) return true;
  for (Fields* side : {a, b}) {
    Fields flat;
    for (const Field& f : *side) {
      if (f.type != kLength) {
        flat.push_back(f);
        continue;
      }
      auto unpacked = Unpack(f, scalar);
      if (!unpacked) return false;
      flat.insert(flat.end(), unpacked->begin(), unpacked->end());
    }
    *side = std::move(flat);
  }
  return true;
}

bool SameVarint(uint64_t a, uint64_t b) {
  // A negative int32 may be written in 5 bytes (its 32 bits) or 10 (sign-extended).
  auto int32_form = [](uint64_t v) { return (v >> 32) == 0 || (v >> 32) == 0xFFFFFFFFu; };
  return a == b || (static_cast<uint32_t>(a) == static_cast<uint32_t>(b) &&
                    int32_form(a) && int32_form(b));
}

Fields WithNumber(const Fields& fields, uint32_t number) {
  Fields out;
  for (const Field& f : fields) {
    if (f.number == number) out.push_back(f);
  }
  return out;
}

using Position = std::vector<std::pair<uint32_t, size_t>>;  // (field, occurrence)

// `message` with `extra` appended to the message found at `position` within it.
std::optional<std::string> Insert(std::string_view message, const Position& position,
                                  size_t depth, const std::string& extra) {
  auto fields = Parse(message);
  if (!fields) return std::nullopt;
  std::string out;
  std::string replaced;
  size_t seen = 0;
  for (Field f : *fields) {
    if (depth < position.size() && f.number == position[depth].first &&
        seen++ == position[depth].second) {
      auto inner = Insert(f.bytes, position, depth + 1, extra);
      if (!inner) return std::nullopt;
      replaced = std::move(*inner);
      f.bytes = replaced;
    }
    Serialize(f, &out);
  }
  if (depth == position.size()) out += extra;
  return out;
}

// The message at `position` within `message`.
std::optional<std::string_view> Find(std::string_view message, const Position& position) {
  for (const auto& [number, occurrence] : position) {
    auto fields = Parse(message);
    if (!fields) return std::nullopt;
    Fields matching = WithNumber(*fields, number);
    if (occurrence >= matching.size()) return std::nullopt;
    message = matching[occurrence].bytes;
  }
  return message;
}

class Comparer {
 public:
  Comparer(std::string_view reencoded, const WireReencode& reencode)
      : root_(reencoded), reencode_(reencode) {}

  arrow::Result<std::optional<std::string>> Message(std::string_view a,
                                                    std::string_view b,
                                                    const std::string& path) {
    auto as = Parse(a);
    auto bs = Parse(b);
    if (!as || !bs) return "the message at " + path + " (it does not re-read)";
    std::vector<uint32_t> numbers;
    for (const Fields* side : {&*as, &*bs}) {
      for (const Field& f : *side) {
        if (std::find(numbers.begin(), numbers.end(), f.number) == numbers.end()) {
          numbers.push_back(f.number);
        }
      }
    }
    for (uint32_t number : numbers) {
      ARROW_ASSIGN_OR_RAISE(
          auto lost, Number(WithNumber(*as, number), WithNumber(*bs, number), path));
      if (lost) return lost;
    }
    return std::nullopt;
  }

 private:
  arrow::Result<std::optional<std::string>> Number(Fields a, Fields b,
                                                   const std::string& path) {
    const Field first = a.empty() ? b.front() : a.front();
    const std::string name = "field " + std::to_string(first.number) + " (" +
                             TypeName(first.type) + ") at " + path;
    const bool a_default = std::all_of(a.begin(), a.end(), IsDefault);
    if (b.empty()) {
      if (!a_default) return name;
      ARROW_ASSIGN_OR_RAISE(bool known, Known(first));
      if (known) return std::nullopt;  // a default written out, which Arrow omits
      return name;
    }
    if (a.empty()) {
      if (std::all_of(b.begin(), b.end(), IsDefault)) return std::nullopt;
      return name + " (Arrow's re-encoding adds it)";
    }
    if (!UnpackToMatch(&a, &b) || a.size() != b.size()) return name;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].type != b[i].type) return name;
      if (a[i].type == kVarint) {
        if (!SameVarint(a[i].varint, b[i].varint)) return name;
        continue;
      }
      if (a[i].bytes == b[i].bytes) continue;
      if (a[i].type != kLength || !Parse(a[i].bytes) || !Parse(b[i].bytes)) return name;
      std::string inner = path + "." + std::to_string(first.number);
      if (b.size() > 1) inner += "[" + std::to_string(i) + "]";
      position_.emplace_back(first.number, i);
      ARROW_ASSIGN_OR_RAISE(auto lost, Message(a[i].bytes, b[i].bytes, inner));
      position_.pop_back();
      if (lost) return lost;
    }
    return std::nullopt;
  }

  // Whether Arrow knows `field` where it stands: the round trip keeps it once it holds
  // a value other than the default.
  arrow::Result<bool> Known(const Field& field) {
    Field probe = field;
    if (field.type == kVarint) {
      probe.varint = 1;
    } else if (field.type == kFixed64) {
      probe.bytes = std::string_view("\0\0\0\0\0\0\xF0\x3F", 8);  // 1.0
    } else if (field.type == kFixed32) {
      probe.bytes = std::string_view("\0\0\x80\x3F", 4);  // 1.0f
    } else {
      // Reads as a string, as bytes, as packed varints and as a message.
      probe.bytes = std::string_view("\x08\x01", 2);
    }
    std::string extra;
    Serialize(probe, &extra);
    auto plan = Insert(root_, position_, 0, extra);
    if (!plan) return false;
    auto again = reencode_(*plan);
    if (!again.ok()) return false;
    auto message = Find(*again, position_);
    if (!message) return false;
    auto fields = Parse(*message);
    if (!fields) return false;
    Fields kept = WithNumber(*fields, field.number);
    return std::any_of(kept.begin(), kept.end(),
                       [](const Field& f) { return !IsDefault(f); });
  }

  std::string_view root_;
  const WireReencode& reencode_;
  Position position_;  // of the message being compared, within root_
};

}  // namespace

arrow::Result<std::optional<std::string>> FindLostField(std::string_view original,
                                                        std::string_view reencoded,
                                                        const WireReencode& reencode) {
  if (original == reencoded) return std::nullopt;
  Comparer comparer(reencoded, reencode);
  return comparer.Message(original, reencoded, "Plan");
}

}  // namespace deltaline::engine
