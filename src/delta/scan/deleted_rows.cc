#include "delta/scan/deleted_rows.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <string>

#include <arrow/buffer.h>
#include <arrow/util/bit_util.h>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

// Roaring's 32-bit serialisation cookies (RoaringFormatSpec): without run containers
// the cookie is followed by a 32-bit container count; with them, the count minus one
// sits in the cookie's high 16 bits and a run-flag bitset follows.
constexpr uint32_t kCookieNoRuns = 12346;
constexpr uint32_t kCookieRuns = 12347;
// Without run containers, offsets are always written; with them, only from this count.
constexpr uint32_t kNoOffsetThreshold = 4;
constexpr uint32_t kMaxArrayCardinality = 4096;
constexpr uint32_t kBitmapWords = 1024;  // 65536 bits
// The portable format's sibling that Delta's Java writer can also emit; named in the
// error because it is the likeliest wrong magic.
constexpr uint32_t kNativeMagic = 1681511376;

/// Bounds-checked little-endian reads over the serialised bytes: every read says
/// whether the bytes were there, so truncation is reported instead of read past.
class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : bytes_(bytes) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  const uint8_t* Take(size_t n) {
    if (n > remaining()) return nullptr;
    const auto* out = reinterpret_cast<const uint8_t*>(bytes_.data()) + pos_;
    pos_ += n;
    return out;
  }
  template <typename T>
  bool Read(T* out) {
    const uint8_t* p = Take(sizeof(T));
    if (p == nullptr) return false;
    *out = Le<T>(p);
    return true;
  }
  template <typename T>
  static T Le(const uint8_t* p) {
    T value = 0;
    for (size_t byte = 0; byte < sizeof(T); ++byte)
      value |= static_cast<T>(p[byte]) << (8 * byte);
    return value;
  }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace

/// Fills a DeletedRows from the serialised bytes, one bucket and container at a time.
class DeletedRows::Decoder {
 public:
  Decoder(std::string_view bytes, std::string_view what, DeletedRows* out)
      : in_(bytes), what_(what), out_(out) {}

  arrow::Status Run() {
    uint32_t magic = 0;
    if (!in_.Read(&magic)) return Truncated("the magic number");
    if (magic == kNativeMagic) {
      return Fail("uses the native RoaringBitmapArray serialisation (magic " +
                  std::to_string(kNativeMagic) +
                  "); the protocol specifies the portable one (" +
                  std::to_string(kPortableMagic) + ")");
    }
    if (magic != kPortableMagic) {
      return Fail("bad magic number " + std::to_string(magic) + " (expected " +
                  std::to_string(kPortableMagic) + ")");
    }
    uint64_t buckets = 0;
    if (!in_.Read(&buckets)) return Truncated("the bucket count");
    // Each bucket takes at least 8 bytes (key + cookie): a larger count is a lie,
    // caught here before anything is sized by it.
    if (buckets > in_.remaining() / 8) {
      return Fail("declares " + std::to_string(static_cast<int64_t>(buckets)) +
                  " buckets but only " + std::to_string(in_.remaining()) +
                  " bytes follow");
    }
    for (uint64_t bucket_idx = 0; bucket_idx < buckets; ++bucket_idx) {
      uint32_t key = 0;
      if (!in_.Read(&key)) return Truncated("a bucket key");
      // Delta requires a clear top bit so that Java, reading keys signed, sees no
      // negative row index.
      if (key & 0x80000000u)
        return Fail("bucket key " + std::to_string(key) + " is negative");
      if (bucket_idx > 0 && key <= last_bucket_key_) {
        return Fail("bucket keys are not strictly ascending (" + std::to_string(key) +
                    " after " + std::to_string(last_bucket_key_) + ")");
      }
      last_bucket_key_ = key;
      ARROW_RETURN_NOT_OK(ReadBucket(key));
    }
    if (in_.remaining() != 0) {
      return Fail(std::to_string(in_.remaining()) + " trailing bytes after the bitmap");
    }
    return arrow::Status::OK();
  }

 private:
  arrow::Status Fail(const std::string& problem) const {
    return ProtocolError(std::string(what_) + ": " + problem + " (at byte " +
                         std::to_string(in_.position()) + " of the RoaringBitmapArray)");
  }
  arrow::Status Truncated(const char* missing) const {
    return Fail(std::string("truncated: no room for ") + missing);
  }

  arrow::Status ReadBucket(uint32_t bucket_key) {
    uint32_t cookie = 0;
    if (!in_.Read(&cookie)) return Truncated("a roaring cookie");
    uint32_t count = 0;
    const uint8_t* run_flags = nullptr;
    bool has_offsets = true;
    if ((cookie & 0xFFFFu) == kCookieRuns) {
      count = (cookie >> 16) + 1;
      run_flags = in_.Take((count + 7) / 8);
      if (run_flags == nullptr) return Truncated("the run-container flags");
      has_offsets = count >= kNoOffsetThreshold;
    } else if (cookie == kCookieNoRuns) {
      if (!in_.Read(&count)) return Truncated("the container count");
      if (count > 65536)
        return Fail("container count " + std::to_string(count) + " > 65536");
    } else {
      return Fail("bad roaring cookie " + std::to_string(cookie));
    }
    const uint8_t* header = in_.Take(size_t{4} * count);
    if (header == nullptr) return Truncated("the container headers");
    // The offsets only allow random access; containers are read in sequence here.
    if (has_offsets && in_.Take(size_t{4} * count) == nullptr) {
      return Truncated("the container offsets");
    }
    for (uint32_t container_idx = 0; container_idx < count; ++container_idx) {
      const uint16_t key = ByteReader::Le<uint16_t>(header + 4 * container_idx);
      const uint32_t card = ByteReader::Le<uint16_t>(header + 4 * container_idx + 2) + 1u;
      if (container_idx > 0 &&
          key <= ByteReader::Le<uint16_t>(header + 4 * (container_idx - 1))) {
        return Fail("container keys are not strictly ascending in bucket " +
                    std::to_string(bucket_key));
      }
      const bool is_run = run_flags != nullptr &&
                          ((run_flags[container_idx / 8] >> (container_idx % 8)) & 1);
      const Kind kind =
          is_run ? Kind::kRun
                 : (card <= kMaxArrayCardinality ? Kind::kArray : Kind::kBitmap);
      ARROW_RETURN_NOT_OK(ReadContainer((uint64_t{bucket_key} << 16) | key, kind, card));
    }
    return arrow::Status::OK();
  }

  arrow::Status ReadContainer(uint64_t key, Kind kind, uint32_t card) {
    Container container{key, kind, 0, 0, card};
    switch (kind) {
      case Kind::kArray:
        ARROW_RETURN_NOT_OK(ReadArray(card, &container));
        break;
      case Kind::kBitmap:
        ARROW_RETURN_NOT_OK(ReadBitmap(card, &container));
        break;
      case Kind::kRun:
        ARROW_RETURN_NOT_OK(ReadRuns(card, &container));
        break;
    }
    out_->containers_.push_back(container);
    out_->cardinality_ += card;
    return arrow::Status::OK();
  }

  arrow::Status ReadArray(uint32_t card, Container* container) {
    const uint8_t* p = in_.Take(size_t{2} * card);
    if (p == nullptr) return Truncated("an array container");
    container->begin = static_cast<uint32_t>(out_->values_.size());
    container->size = card;
    for (uint32_t value_idx = 0; value_idx < card; ++value_idx) {
      const uint16_t value = ByteReader::Le<uint16_t>(p + 2 * value_idx);
      if (value_idx > 0 && value <= out_->values_.back()) {
        return Fail("array container values are not strictly ascending");
      }
      out_->values_.push_back(value);
    }
    return arrow::Status::OK();
  }

  arrow::Status ReadBitmap(uint32_t card, Container* container) {
    const uint8_t* p = in_.Take(size_t{8} * kBitmapWords);
    if (p == nullptr) return Truncated("a bitmap container");
    container->begin = static_cast<uint32_t>(out_->words_.size());
    container->size = kBitmapWords;
    uint32_t bits = 0;
    for (uint32_t word_idx = 0; word_idx < kBitmapWords; ++word_idx) {
      const uint64_t word = ByteReader::Le<uint64_t>(p + 8 * word_idx);
      bits += static_cast<uint32_t>(std::popcount(word));
      out_->words_.push_back(word);
    }
    if (bits != card) {
      return Fail("bitmap container holds " + std::to_string(bits) +
                  " rows, its header says " + std::to_string(card));
    }
    return arrow::Status::OK();
  }

  arrow::Status ReadRuns(uint32_t card, Container* container) {
    uint16_t runs = 0;
    if (!in_.Read(&runs)) return Truncated("a run count");
    const uint8_t* p = in_.Take(size_t{4} * runs);
    if (p == nullptr) return Truncated("a run container");
    container->begin = static_cast<uint32_t>(out_->values_.size());
    container->size = runs;
    uint32_t total = 0;
    int64_t previous_last = -1;
    for (uint32_t run_idx = 0; run_idx < runs; ++run_idx) {
      const uint16_t start = ByteReader::Le<uint16_t>(p + 4 * run_idx);
      const uint16_t length_minus_1 = ByteReader::Le<uint16_t>(p + 4 * run_idx + 2);
      const int64_t last = int64_t{start} + length_minus_1;
      if (last > 0xFFFF)
        return Fail("a run overflows its container (" + std::to_string(start) + " + " +
                    std::to_string(length_minus_1) + ")");
      if (start <= previous_last) return Fail("runs overlap or are not ascending");
      previous_last = last;
      total += length_minus_1 + 1u;
      out_->values_.push_back(start);
      out_->values_.push_back(length_minus_1);
    }
    if (total != card) {
      return Fail("run container holds " + std::to_string(total) +
                  " rows, its header says " + std::to_string(card));
    }
    return arrow::Status::OK();
  }

  ByteReader in_;
  std::string_view what_;
  DeletedRows* out_;
  uint32_t last_bucket_key_ = 0;
};

arrow::Result<DeletedRows> DeletedRows::Deserialize(std::string_view bytes,
                                                    std::string_view what) {
  DeletedRows out;
  ARROW_RETURN_NOT_OK(Decoder(bytes, what, &out).Run());
  return out;
}

const DeletedRows::Container* DeletedRows::FindContainer(uint64_t key) const {
  auto it = std::lower_bound(containers_.begin(), containers_.end(), key,
                             [](const Container& c, uint64_t k) { return c.key < k; });
  return it != containers_.end() && it->key == key ? &*it : nullptr;
}

bool DeletedRows::Contains(int64_t row) const {
  if (row < 0) return false;
  const Container* container = FindContainer(static_cast<uint64_t>(row) >> 16);
  if (container == nullptr) return false;
  const auto low = static_cast<uint16_t>(row & 0xFFFF);
  switch (container->kind) {
    case Kind::kArray: {
      const uint16_t* first = values_.data() + container->begin;
      return std::binary_search(first, first + container->size, low);
    }
    case Kind::kBitmap:
      return (words_[container->begin + low / 64] >> (low % 64)) & 1;
    case Kind::kRun: {
      // The last run starting at or before `low` is the only one that can hold it.
      uint32_t lo = 0, hi = container->size;
      while (lo < hi) {
        const uint32_t mid = lo + (hi - lo) / 2;
        if (values_[container->begin + 2 * mid] <= low)
          lo = mid + 1;
        else
          hi = mid;
      }
      if (lo == 0) return false;
      const uint32_t run = container->begin + 2 * (lo - 1);
      return low <= uint32_t{values_[run]} + values_[run + 1];
    }
  }
  return false;
}

template <typename OnRun>
void DeletedRows::ForEachRunAt(const Container& container, int64_t from, int64_t to,
                               OnRun&& on_run) const {
  const auto base = static_cast<int64_t>(container.key << 16);
  if (from >= to) return;
  switch (container.kind) {
    case Kind::kArray: {
      const uint16_t* first = values_.data() + container.begin;
      const uint16_t* last = first + container.size;
      const uint16_t* it = from == 0 ? first : std::lower_bound(first, last, from);
      for (; it != last && *it < to; ++it) on_run(base + *it, int64_t{1});
      break;
    }
    case Kind::kBitmap: {
      for (int64_t word_idx = from / 64; word_idx * 64 < to; ++word_idx) {
        uint64_t word = words_[container.begin + word_idx];
        while (word != 0) {
          const int64_t bit = word_idx * 64 + std::countr_zero(word);
          word &= word - 1;
          if (bit >= from && bit < to) on_run(base + bit, int64_t{1});
        }
      }
      break;
    }
    case Kind::kRun: {
      for (uint32_t run_idx = 0; run_idx < container.size; ++run_idx) {
        const int64_t start = values_[container.begin + 2 * run_idx];
        const int64_t end = start + values_[container.begin + 2 * run_idx + 1] + 1;
        const int64_t clipped_start = std::max(start, from);
        const int64_t clipped_end = std::min(end, to);
        if (clipped_start < clipped_end)
          on_run(base + clipped_start, clipped_end - clipped_start);
        if (end >= to) break;
      }
      break;
    }
  }
}

template <typename OnRun>
void DeletedRows::ForEachRun(const Container& container, int64_t lo, int64_t hi,
                             OnRun&& on_run) const {
  // Offsets inside the container: `hi - base` cannot overflow (both are >= 0), where
  // `base + 65536` could for the last possible bucket.
  const auto base = static_cast<int64_t>(container.key << 16);
  ForEachRunAt(container, std::clamp<int64_t>(lo - base, 0, 65536),
               std::clamp<int64_t>(hi - base, 0, 65536), on_run);
}

std::optional<int64_t> DeletedRows::Max() const {
  if (containers_.empty()) return std::nullopt;
  const Container& last = containers_.back();
  const auto base = static_cast<int64_t>(last.key << 16);
  switch (last.kind) {
    case Kind::kArray:
      return base + values_[last.begin + last.size - 1];
    case Kind::kRun: {
      const uint32_t run = last.begin + 2 * (last.size - 1);
      return base + values_[run] + values_[run + 1];
    }
    case Kind::kBitmap:
      for (uint32_t word_idx = kBitmapWords; word_idx-- > 0;) {
        const uint64_t word = words_[last.begin + word_idx];
        if (word != 0) return base + word_idx * 64 + (63 - std::countl_zero(word));
      }
      break;
  }
  return std::nullopt;  // unreachable: a decoded container is never empty
}

int64_t DeletedRows::CountInRange(int64_t first_row, int64_t num_rows) const {
  if (first_row < 0 || num_rows <= 0) return 0;
  const int64_t end = first_row + std::min(num_rows, INT64_MAX - first_row);
  int64_t count = 0;
  auto it = std::lower_bound(containers_.begin(), containers_.end(),
                             static_cast<uint64_t>(first_row) >> 16,
                             [](const Container& c, uint64_t k) { return c.key < k; });
  for (; it != containers_.end() && static_cast<int64_t>(it->key << 16) < end; ++it) {
    const auto base = static_cast<int64_t>(it->key << 16);
    if (base >= first_row && end - base >= 65536) {
      count += it->cardinality;  // wholly inside: no need to look at the rows
    } else {
      ForEachRun(*it, first_row, end, [&](int64_t, int64_t n) { count += n; });
    }
  }
  return count;
}

void DeletedRows::FillKeepBits(int64_t first_row, int64_t num_rows, uint8_t* bits,
                               int64_t bit_offset) const {
  if (first_row < 0 || num_rows <= 0) return;
  arrow::bit_util::SetBitsTo(bits, bit_offset, num_rows, true);
  const int64_t end = first_row + std::min(num_rows, INT64_MAX - first_row);
  auto it = std::lower_bound(containers_.begin(), containers_.end(),
                             static_cast<uint64_t>(first_row) >> 16,
                             [](const Container& c, uint64_t k) { return c.key < k; });
  for (; it != containers_.end() && static_cast<int64_t>(it->key << 16) < end; ++it) {
    ForEachRun(*it, first_row, end, [&](int64_t row, int64_t n) {
      if (n == 1) {
        arrow::bit_util::ClearBit(bits, bit_offset + row - first_row);
      } else {
        arrow::bit_util::SetBitsTo(bits, bit_offset + row - first_row, n, false);
      }
    });
  }
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> DeletedRows::KeepMask(
    int64_t first_row, int64_t num_rows, arrow::MemoryPool* pool) const {
  if (first_row < 0 || num_rows < 0 || first_row > INT64_MAX - num_rows) {
    return arrow::Status::Invalid("KeepMask: bad row range [", first_row, ", +", num_rows,
                                  ")");
  }
  ARROW_ASSIGN_OR_RAISE(
      auto buffer, arrow::AllocateBuffer(arrow::bit_util::BytesForBits(num_rows), pool));
  if (buffer->size() > 0) std::memset(buffer->mutable_data(), 0, buffer->size());
  FillKeepBits(first_row, num_rows, buffer->mutable_data(), 0);
  return std::make_shared<arrow::BooleanArray>(num_rows, std::move(buffer), nullptr, 0);
}

std::vector<int64_t> DeletedRows::ToVector() const {
  std::vector<int64_t> rows;
  rows.reserve(static_cast<size_t>(cardinality_));
  for (const Container& container : containers_) {
    ForEachRunAt(container, 0, 65536, [&](int64_t row, int64_t n) {
      for (int64_t k = 0; k < n; ++k) rows.push_back(row + k);
    });
  }
  return rows;
}

}  // namespace deltaline::delta
