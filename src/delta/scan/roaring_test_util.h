#pragma once

// Test-only: builds RoaringBitmapArray bytes by hand, straight from the format's
// description (RoaringFormatSpec and Delta PROTOCOL.md), so that the decoder is
// checked against an independent writer. Header-only; used by the tests and to write
// the fuzz seeds.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace deltaline::delta::roaring_test {

inline void PutLe(std::string* out, uint64_t value, int bytes) {
  for (int byte = 0; byte < bytes; ++byte)
    out->push_back(static_cast<char>(value >> (8 * byte)));
}

/// \brief One container of a 32-bit roaring bitmap: its key (bits 16..31) and the
/// low 16 bits of its values, ascending. Written as a run container when `as_run`,
/// otherwise as an array (<= 4096 values) or a bitmap.
struct ContainerSpec {
  uint16_t key = 0;
  std::vector<uint16_t> values;
  bool as_run = false;
};

/// \brief The portable 32-bit serialisation: cookie, header, offsets when the spec
/// requires them, then the containers.
inline std::string SerializeRoaring32(const std::vector<ContainerSpec>& containers) {
  bool any_run = false;
  for (const auto& c : containers) any_run |= c.as_run;
  const size_t n = containers.size();
  std::vector<std::string> bodies;
  for (const auto& c : containers) {
    std::string body;
    if (c.as_run) {
      std::vector<std::pair<uint16_t, uint16_t>> runs;  // (start, length - 1)
      for (uint16_t v : c.values) {
        if (!runs.empty() && uint32_t{runs.back().first} + runs.back().second + 1 == v) {
          ++runs.back().second;
        } else {
          runs.emplace_back(v, 0);
        }
      }
      PutLe(&body, runs.size(), 2);
      for (auto [start, len] : runs) {
        PutLe(&body, start, 2);
        PutLe(&body, len, 2);
      }
    } else if (c.values.size() <= 4096) {
      for (uint16_t v : c.values) PutLe(&body, v, 2);
    } else {
      std::vector<uint64_t> words(1024, 0);
      for (uint16_t v : c.values) words[v / 64] |= uint64_t{1} << (v % 64);
      for (uint64_t w : words) PutLe(&body, w, 8);
    }
    bodies.push_back(std::move(body));
  }
  std::string out;
  if (any_run) {
    PutLe(&out, 12347u | (static_cast<uint32_t>(n - 1) << 16), 4);
    std::string flags((n + 7) / 8, '\0');
    for (size_t idx = 0; idx < n; ++idx) {
      if (containers[idx].as_run) flags[idx / 8] |= static_cast<char>(1 << (idx % 8));
    }
    out += flags;
  } else {
    PutLe(&out, 12346, 4);
    PutLe(&out, n, 4);
  }
  for (const auto& c : containers) {
    PutLe(&out, c.key, 2);
    PutLe(&out, c.values.size() - 1, 2);
  }
  if (!any_run || n >= 4) {
    size_t offset = out.size() + 4 * n;
    for (const auto& body : bodies) {
      PutLe(&out, offset, 4);
      offset += body.size();
    }
  }
  for (const auto& body : bodies) out += body;
  return out;
}

/// \brief Delta's RoaringBitmapArray: magic, bucket count, then (key, 32-bit bitmap)
/// per bucket.
inline std::string SerializeBuckets(
    const std::vector<std::pair<uint32_t, std::string>>& buckets) {
  std::string out;
  PutLe(&out, 1681511377u, 4);
  PutLe(&out, buckets.size(), 8);
  for (const auto& [key, bitmap] : buckets) {
    PutLe(&out, key, 4);
    out += bitmap;
  }
  return out;
}

/// \brief The RoaringBitmapArray of `rows` (ascending, distinct, >= 0), containers
/// grouped as the format requires; every container is a run container when `runs`.
inline std::string SerializeRows(const std::vector<int64_t>& rows, bool runs = false) {
  std::map<uint32_t, std::map<uint16_t, std::vector<uint16_t>>> grouped;
  for (int64_t row : rows) {
    const auto r = static_cast<uint64_t>(row);
    grouped[static_cast<uint32_t>(r >> 32)][static_cast<uint16_t>(r >> 16)].push_back(
        static_cast<uint16_t>(r));
  }
  std::vector<std::pair<uint32_t, std::string>> buckets;
  for (const auto& [high, containers] : grouped) {
    std::vector<ContainerSpec> specs;
    for (const auto& [key, values] : containers) specs.push_back({key, values, runs});
    buckets.emplace_back(high, SerializeRoaring32(specs));
  }
  return SerializeBuckets(buckets);
}

}  // namespace deltaline::delta::roaring_test
