#pragma once

#include <string>

#include <arrow/result.h>
#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"

namespace deltaline::storage {

/// \brief What a forbidden sink does to the run.
enum class RunMode {
  kProduction,   ///< fail fast with a typed PolicyViolation error (default;
                 ///< storage/policy_error.h)
  kDevelopment,  ///< refuse the sink, report it, and let the run go on
};

const char* RunModeName(RunMode mode);
arrow::Result<RunMode> ParseRunMode(const std::string& text);

/// \brief Where a pipeline's outputs may land. Part of every output configuration.
struct OutputStoragePolicy {
  /// The only output format: "delta". A config naming anything else is a forbidden sink.
  std::string format = "delta";
  /// Lets the Parquet export module (storage/export_parquet.h) write plain Parquet
  /// copies of a Delta table version. Default false.
  bool allow_parquet_exports = false;
  RunMode mode = RunMode::kProduction;
};

nlohmann::json OutputPolicyJson(const OutputStoragePolicy& policy);

/// \brief The run a write or export belongs to; both empty outside a run.
struct RunContext {
  std::string run_id;
  /// Diagnostics land in the Delta table `<run_dir>/_diagnostics/policy_events`.
  std::string run_dir;
};

/// \brief A request to write outside Delta, as the policy check sees it.
struct SinkRequest {
  std::string sink;    ///< who asks: "export-parquet", "config:<file>", an engine node…
  std::string format;  ///< the requested format, e.g. "parquet"
  std::string path;    ///< where it would have written
};

enum class SinkDecision { kAllowed, kRefused };

/// \brief The one gate for non-Delta sinks. A Delta sink is allowed; a Parquet export
/// is allowed when `allow_parquet_exports` is set; anything else is forbidden.
///
/// A forbidden sink must not write a byte (the caller checks before opening anything).
/// It is always reported: a warning through `reporter` and, when `run` names a run
/// directory, one row appended to the run's diagnostics Delta table (sink, format,
/// path, policy, time, run id); a failure to append that row is another warning, never
/// the result. In production mode the result is a PolicyViolation error
/// (storage/policy_error.h) saying how to allow exports; in development mode it is
/// kRefused and the run goes on. `is_export` says the request comes from the export
/// module.
arrow::Result<SinkDecision> CheckSink(const SinkRequest& request,
                                      const OutputStoragePolicy& policy,
                                      const RunContext& run, bool is_export,
                                      const delta::Reporter& reporter = {});

/// \brief Path of the run's diagnostics table of policy events.
std::string PolicyEventsTablePath(const RunContext& run);

}  // namespace deltaline::storage
