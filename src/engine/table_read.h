#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "engine/delta_source.h"
#include "engine/run_options.h"

namespace deltaline::engine {

/// \brief The rows of `table` for which `filter` (a predicate over the table schema, as
/// delta::ParsePredicate gives) is true, with `columns` in this order (empty: all):
/// the same rows in the same order as delta::ReadSnapshot, but read by Acero's scan,
/// which decodes files and row groups on every core. Files the filter excludes by
/// partition values or statistics are skipped.
arrow::Result<std::shared_ptr<arrow::Table>> ReadTable(
    std::shared_ptr<DeltaTableHandle> table, const std::vector<std::string>& columns,
    const std::optional<arrow::compute::Expression>& filter,
    const RunOptions& options = {});

}  // namespace deltaline::engine
