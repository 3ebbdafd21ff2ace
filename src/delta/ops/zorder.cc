#include "delta/ops/zorder.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>

#include <arrow/builder.h>
#include <arrow/compute/api.h>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

// Ranks 1..n of `values` (ties share the lowest, nulls last) scaled to [0, 2^bits).
arrow::Result<std::vector<uint64_t>> RankBuckets(
    const std::shared_ptr<arrow::Array>& values, int bits) {
  arrow::compute::RankOptions options(
      {arrow::compute::SortKey("", arrow::compute::SortOrder::Ascending,
                               arrow::compute::NullPlacement::AtEnd)},
      arrow::compute::RankOptions::Min);
  ARROW_ASSIGN_OR_RAISE(auto ranked,
                        arrow::compute::CallFunction("rank", {values}, &options));
  auto ranks = std::static_pointer_cast<arrow::UInt64Array>(ranked.make_array());
  const int64_t n = values->length();
  const double scale = std::ldexp(1.0, bits) / static_cast<double>(n);
  const uint64_t max_bucket = (uint64_t{1} << bits) - 1;
  std::vector<uint64_t> buckets(static_cast<size_t>(n));
  for (int64_t row = 0; row < n; ++row) {
    const double scaled = static_cast<double>(ranks->Value(row) - 1) * scale;
    buckets[static_cast<size_t>(row)] =
        std::min(max_bucket, static_cast<uint64_t>(scaled));
  }
  return buckets;
}

}  // namespace

int ZOrderBitsPerColumn(size_t num_columns) {
  if (num_columns == 0) return 0;
  return static_cast<int>(std::min<size_t>(64 / num_columns, 20));
}

arrow::Result<std::shared_ptr<arrow::UInt64Array>> ZOrderKeys(
    const arrow::RecordBatch& batch, const std::vector<std::string>& columns) {
  if (columns.empty() || columns.size() > 64) {
    return InvalidInput("Z-order needs 1 to 64 columns, got " +
                        std::to_string(columns.size()));
  }
  // Since Arrow 21, vector kernels such as rank live in libarrow_compute and are
  // registered on demand.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  const int bits = ZOrderBitsPerColumn(columns.size());
  std::vector<std::vector<uint64_t>> buckets;
  for (const auto& name : columns) {
    auto column = batch.GetColumnByName(name);
    if (!column) return InvalidInput("Z-order column '" + name + "' is not in the data");
    auto ranked = RankBuckets(column, bits);
    if (!ranked.ok()) {
      return InvalidInput("Z-order column '" + name + "' of type " +
                          column->type()->ToString() +
                          " cannot be ranked: " + ranked.status().message());
    }
    buckets.push_back(std::move(*ranked));
  }
  arrow::UInt64Builder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(batch.num_rows()));
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    uint64_t key = 0;
    for (int bit = bits - 1; bit >= 0; --bit) {
      for (const auto& column_buckets : buckets) {
        key = (key << 1) | ((column_buckets[static_cast<size_t>(row)] >> bit) & 1);
      }
    }
    builder.UnsafeAppend(key);
  }
  std::shared_ptr<arrow::UInt64Array> keys;
  ARROW_RETURN_NOT_OK(builder.Finish(&keys));
  return keys;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> SortByZOrder(
    const std::shared_ptr<arrow::RecordBatch>& batch,
    const std::vector<std::string>& columns) {
  if (batch->num_rows() == 0) return batch;
  ARROW_ASSIGN_OR_RAISE(auto keys, ZOrderKeys(*batch, columns));
  ARROW_ASSIGN_OR_RAISE(auto order, arrow::compute::SortIndices(*keys));
  ARROW_ASSIGN_OR_RAISE(auto sorted, arrow::compute::Take(batch, order));
  return sorted.record_batch();
}

int64_t SnapToZCell(const arrow::UInt64Array& keys, int64_t cut, int64_t window) {
  const int64_t first = std::max<int64_t>(1, cut - window);
  const int64_t last = std::min<int64_t>(keys.length() - 1, cut + window);
  int64_t best = cut;
  uint64_t best_change = 0;
  for (int64_t row = first; row <= last; ++row) {
    const uint64_t change = keys.Value(row - 1) ^ keys.Value(row);
    // Compare the highest changed bit only: std::bit_width orders them.
    const int width = std::bit_width(change);
    const int best_width = std::bit_width(best_change);
    if (width > best_width || (width == best_width && width > 0 &&
                               std::abs(row - cut) < std::abs(best - cut))) {
      best = row;
      best_change = change;
    }
  }
  return best;
}

}  // namespace deltaline::delta
