#pragma once

#include <memory>
#include <string>

#include <arrow/result.h>
#include <arrow/table.h>

#include "engine/catalog.h"

namespace deltaline::engine {

/// \brief STAND-IN for the Substrait runner of engine/substrait_plan (issue 11): the
/// merger replaces this one function's body (or its one caller in
/// cli/commands/validate.cc) with that runner's LoadPlan + run over a Catalog.
///
/// Runs a Substrait `Plan` given as JSON or binary protobuf (`plan_bytes`, the file's
/// contents) over `catalog` (named tables resolve through Catalog::Source, the name
/// parts joined with '.') and returns the whole result with the plan's output names
/// applied. It has no normalising pass, so it refuses what Arrow's consumer would
/// silently mishandle instead of running it: a named-table read carrying a filter,
/// best-effort filter or projection (kUnsupportedFeature naming the read's table),
/// JSON fields unknown to the consumer's Substrait version, and output names that do
/// not map one per column.
arrow::Result<std::shared_ptr<arrow::Table>> RunPlanStandIn(const std::string& plan_bytes,
                                                            const Catalog& catalog);

}  // namespace deltaline::engine
