#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/array.h>
#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief What a predicate says about every row of a data file.
enum class PartitionMatch {
  kNone,     ///< no row can make it true (false or null for all)
  kAll,      ///< it is true for every row
  kUnknown,  ///< depends on the rows: read them
};

/// \brief Binds `predicate` to `schema` unless it is bound already, and checks that it
/// is boolean. Fails with kInvalidInput naming the expression.
arrow::Result<arrow::compute::Expression> BindPredicate(
    arrow::compute::Expression predicate, const arrow::Schema& schema);

/// \brief Decides a file from its partition values alone: the predicate is simplified
/// with the guarantee "each partition column equals its value" (or is null), so a
/// predicate over partition columns only always gets kAll or kNone, and a mixed one
/// gets kNone when its partition part is false. `predicate` must be bound to `schema`.
arrow::Result<PartitionMatch> MatchPartitionValues(
    const arrow::compute::Expression& predicate, const arrow::Schema& schema,
    const std::vector<std::string>& partition_columns, const PartitionValues& values);

/// \brief Evaluates a bound predicate on a batch: true where it is true, false where it
/// is false or null (SQL's WHERE semantics). The result has no nulls.
arrow::Result<std::shared_ptr<arrow::BooleanArray>> PredicateIsTrue(
    const arrow::compute::Expression& predicate, const arrow::RecordBatch& batch);

/// \brief `values` re-serialised through their columns' types (SerializePartitionValue
/// of ParsePartitionValue), so that equal values compare equal as strings whichever
/// writer wrote them ("" and null agree, "1.5" and "1.50" of a decimal(3,2) agree).
arrow::Result<PartitionValues> NormalizePartitionValues(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const PartitionValues& values);

/// \brief A predicate true exactly for rows in one of `partitions` (null values match
/// with `is_null`). `false` for an empty list. Unbound.
arrow::Result<arrow::compute::Expression> PartitionsPredicate(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const std::vector<PartitionValues>& partitions);

}  // namespace deltaline::delta
