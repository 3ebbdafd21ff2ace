#pragma once

#include <string>

#include <arrow/result.h>

#include "pipeline/output_write.h"

namespace deltaline::pipeline {

/// \brief The runner's default OutputWriter: every output is checked against its spec
/// before it commits (spec_write.h: rows that break a rule go to `<name>_errors`, or
/// the run fails under kFailRun) and gets the spec's write options (stats columns,
/// partitioning, ordering keys, constraints, write policy). A plan whose spec has no
/// rules and no schema streams straight into its table (engine::InsertInto); a plan
/// that must be checked runs through engine::RunToReader (the sink gate applies) and
/// streams through the check. `constraint_counts` holds the rows charged to each rule.
arrow::Result<OutputWriteResult> WriteOutputChecked(const Output& output, NodeValue value,
                                                    const std::string& lake,
                                                    storage::StorageWriteOptions options);

}  // namespace deltaline::pipeline
