#pragma once

#include "delta/base/reporter.h"
#include "storage/output_policy.h"

namespace deltaline::engine {

/// \brief How a plan runs: the policy its sinks answer to, the run it belongs to (where
/// refused sinks are recorded) and where warnings go. Plain data; the defaults are the
/// policy defaults (Delta only, production mode), no run directory, silent.
struct RunOptions {
  storage::OutputStoragePolicy policy;
  storage::RunContext run;
  delta::Reporter reporter;
  /// Acero's CPU thread pool; false runs the plan on the calling thread.
  bool use_threads = true;
};

}  // namespace deltaline::engine
