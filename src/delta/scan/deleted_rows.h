#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include <arrow/array/array_primitive.h>
#include <arrow/memory_pool.h>
#include <arrow/result.h>

namespace deltaline::delta {

/// \brief The row indexes a deletion vector removes from one data file: a decoded
/// RoaringBitmapArray (Delta PROTOCOL.md, "Deletion Vector Format").
///
/// The roaring containers are kept as they were serialised (sorted arrays, 8 KiB
/// bitmaps and runs of 16-bit row offsets), so memory stays proportional to the
/// encoded size, not to the number of rows deleted; masks are built per range.
/// Row indexes count from 0 over the physical rows of the data file.
/// Immutable after Deserialize; const methods are safe to call from several threads.
class DeletedRows {
 public:
  /// The magic number (little-endian int32) that starts the portable
  /// RoaringBitmapArray serialisation Delta specifies.
  static constexpr uint32_t kPortableMagic = 1681511377;

  /// \brief An empty set: no row deleted.
  DeletedRows() = default;

  /// \brief Decodes `bytes`: the magic number, then the portable 64-bit roaring format
  /// (an int64 bucket count, then per bucket its high 32-bit key and a portable 32-bit
  /// RoaringBitmap). Every byte is checked: a wrong magic, a truncation, unsorted or
  /// negative keys, a container whose stated cardinality disagrees with its content,
  /// unsorted or overflowing values, and trailing bytes all fail with a ProtocolError
  /// (kProtocol) whose message starts with `what` (which names the DV).
  static arrow::Result<DeletedRows> Deserialize(
      std::string_view bytes, std::string_view what = "deletion vector");

  /// \brief Number of deleted rows.
  int64_t cardinality() const { return cardinality_; }
  bool empty() const { return cardinality_ == 0; }

  /// \brief Whether row `row` is deleted. O(log containers + log container size).
  bool Contains(int64_t row) const;

  /// \brief The greatest deleted row index, nullopt when empty. A scan can check it
  /// against the file's row count: a DV that deletes a row past the end is corrupt.
  std::optional<int64_t> Max() const;

  /// \brief Deleted rows in [first_row, first_row + num_rows).
  int64_t CountInRange(int64_t first_row, int64_t num_rows) const;

  /// \brief Keep mask for rows [first_row, first_row + num_rows) of the file: element k
  /// is true when row first_row + k is NOT deleted. No nulls, so it can go straight to
  /// arrow::compute::Filter. Costs num_rows/8 bytes plus the deleted rows in range.
  arrow::Result<std::shared_ptr<arrow::BooleanArray>> KeepMask(
      int64_t first_row, int64_t num_rows,
      arrow::MemoryPool* pool = arrow::default_memory_pool()) const;

  /// \brief Writes the same keep mask as KeepMask into `bits` (LSB-first, as Arrow
  /// bitmaps) starting at bit `bit_offset`; bits outside the range stay untouched.
  void FillKeepBits(int64_t first_row, int64_t num_rows, uint8_t* bits,
                    int64_t bit_offset) const;

  /// \brief Every deleted row index, ascending. For tests and small DVs: it
  /// materialises cardinality() values.
  std::vector<int64_t> ToVector() const;

 private:
  enum class Kind : uint8_t { kArray, kBitmap, kRun };
  /// One roaring container: the rows whose index >> 16 equals `key`.
  struct Container {
    uint64_t key = 0;  ///< bucket key << 16 | 16-bit container key
    Kind kind = Kind::kArray;
    uint32_t begin = 0;  ///< first element in values_ (array/run) or words_ (bitmap)
    uint32_t size = 0;   ///< values (array), runs (run) or words (bitmap)
    uint32_t cardinality = 0;
  };
  class Decoder;

  const Container* FindContainer(uint64_t key) const;
  /// Calls on_run(first, count) for the deleted rows of `container` that fall in
  /// [lo, hi), as maximal-or-smaller runs, in ascending order.
  template <typename OnRun>
  void ForEachRun(const Container& container, int64_t lo, int64_t hi,
                  OnRun&& on_run) const;
  /// The same over offsets [from, to) inside the container (0 <= from, to <= 65536).
  template <typename OnRun>
  void ForEachRunAt(const Container& container, int64_t from, int64_t to,
                    OnRun&& on_run) const;

  std::vector<Container> containers_;  ///< ascending by key
  std::vector<uint16_t> values_;       ///< array values; run (start, length - 1) pairs
  std::vector<uint64_t> words_;        ///< bitmap containers, 1024 words each
  int64_t cardinality_ = 0;
};

}  // namespace deltaline::delta
