#pragma once

#include <memory>
#include <string>

#include <arrow/status.h>
#include <arrow/table.h>

#include "storage/output_policy.h"

namespace deltaline::storage {

/// \brief `<run_dir>/_diagnostics/<name>`: the run's diagnostics Delta table `name`
/// ("policy_events", "partition_metrics"…).
std::string DiagnosticsTablePath(const RunContext& run, const std::string& name);

/// \brief Appends `rows` to the run's diagnostics table `name` as one Delta commit
/// (the table is created on the first append) whose `deltaline.dataset` is
/// `_diagnostics/<name>`. Diagnostics are outputs too, so they go through our own
/// Delta writer like every other output. `run.run_dir` must not be empty. Concurrent
/// appends from other writers are retried by the Delta writer's commit loop.
arrow::Status AppendDiagnostics(const RunContext& run, const std::string& name,
                                const arrow::Table& rows);

}  // namespace deltaline::storage
