#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

namespace deltaline::obs {

/// \brief One input of a run as the caller read it.
struct InputRecord {
  std::string name;
  std::string kind;                ///< "delta", "parquet", "ipc", "jsonl", "memory"…
  std::string uri;                 ///< empty for in-memory inputs
  std::optional<int64_t> version;  ///< the pinned Delta version, if any
  std::optional<int64_t> rows;     ///< rows read, when the caller knows them
};

/// \brief How long one node of the DAG ran.
struct NodeTiming {
  std::string name;
  int64_t started_ms = 0;  ///< milliseconds since the epoch
  int64_t ended_ms = 0;
  std::optional<int64_t> rows;  ///< rows produced, when counted
};

/// \brief A write the output policy refused during the run.
struct RefusalRecord {
  std::string sink;
  std::string format;
  std::string path;
  std::string reason;
};

/// \brief What the caller (the `run` command, from the runner's result) knows about a
/// run. obs/ does not see pipeline/, so the caller copies the facts in.
struct RunRecord {
  std::string run_id;
  std::string pipeline_id;
  int64_t sequence = 0;  ///< the run's number within its pipeline
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string outcome;  ///< "succeeded", "failed", "skipped"…
  std::string error;    ///< the failure, empty when none
  nlohmann::json config = nlohmann::json::object();    ///< the effective run config
  nlohmann::json policies = nlohmann::json::object();  ///< the effective policies
  std::vector<InputRecord> inputs;
  std::vector<NodeTiming> nodes;
  std::vector<RefusalRecord> refusals;
};

/// \brief One output Delta table of the run. Everything else about it is read from
/// the table's own log when the manifest is built.
struct OutputRecord {
  std::string dataset;
  std::string uri;
  std::optional<int64_t> version_before;  ///< unset: the table did not exist
  std::optional<int64_t> version_after;   ///< unset: nothing was committed
  bool skipped = false;  ///< the commit was skipped (a repeated run's txn)
  /// Rows that broke each declared rule (check name → count).
  std::map<std::string, int64_t> constraint_violations;
};

/// \brief How many commits of each output's history the manifest carries.
inline constexpr int kManifestHistoryEntries = 5;

/// \brief The run manifest: the run's facts plus, per output, what Delta's log says
/// about the table at `version_after` (or `version_before`, or the latest version when
/// nothing was committed): the commit's operation and metrics (rows, files, bytes
/// added and removed, per partition), protocol, schema, table properties, stats
/// columns, user metadata (`deltaline.*`, JSON values parsed) and the newest
/// kManifestHistoryEntries commits at or before that version. It never holds Parquet
/// metadata (row groups, footers, sidecars) nor file-level statistics.
///
/// Errors: those of loading the log at `version_after` (a version the caller claims
/// but the table lacks: kVersionNotFound). An output that was never created
/// (no version either side, no table) is recorded with `"exists": false`.
arrow::Result<nlohmann::json> BuildManifest(const RunRecord& run,
                                            const std::vector<OutputRecord>& outputs);

}  // namespace deltaline::obs
