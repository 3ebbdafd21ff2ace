#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/array.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

namespace deltaline::delta {

/// \brief Bits each Z-order column contributes to the 64-bit key: 64 / #columns,
/// capped at 20 (a million rank buckets per column is finer than any file boundary).
int ZOrderBitsPerColumn(size_t num_columns);

/// \brief The Z-order key of each row of `batch` over `columns` (1 to 64 names of
/// top-level columns of `batch`).
///
/// Per column, each row's rank among the batch's values (ties share the lowest rank,
/// nulls rank last) is scaled to a bucket of k = ZOrderBitsPerColumn bits, so every
/// column spreads over the whole range whatever its type and distribution (Spark
/// uses range-partition ids for the same reason). The buckets' bits are interleaved,
/// most significant first, the first column's bit leading each level: rows close in
/// the key are close in every column. Errors: kInvalidInput for an unknown column or a
/// type Arrow cannot rank.
arrow::Result<std::shared_ptr<arrow::UInt64Array>> ZOrderKeys(
    const arrow::RecordBatch& batch, const std::vector<std::string>& columns);

/// \brief `batch`'s rows ordered by their Z-order key (stable; see ZOrderKeys).
arrow::Result<std::shared_ptr<arrow::RecordBatch>> SortByZOrder(
    const std::shared_ptr<arrow::RecordBatch>& batch,
    const std::vector<std::string>& columns);

/// \brief Where to end a file of rows sorted by Z-order `keys`, near row `cut`: the
/// row in [cut - window, cut + window] (within (0, keys.length())) where the key's
/// highest bit changes, the nearest to `cut` among equals. A file that ends there
/// does not straddle a large Z-cell, whose corner would stretch its min/max over
/// most of some column's range.
int64_t SnapToZCell(const arrow::UInt64Array& keys, int64_t cut, int64_t window);

}  // namespace deltaline::delta
