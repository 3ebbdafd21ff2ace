#pragma once

#include <arrow/status.h>
#include <arrow/table.h>

#include "engine/result_compare.h"

namespace deltaline::engine {

/// \brief Pairs the rows of `left` and `right` (same column names and types) and fills
/// the unmatched counts, the first unmatched rows and pairing_exhaustive of `result`
/// (the algorithm: CompareTables and CompareOptions::max_pairing_work).
arrow::Status PairRows(const arrow::Table& left, const arrow::Table& right,
                       const CompareOptions& options, CompareResult& result);

}  // namespace deltaline::engine
