#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "storage/storage_writer.h"

namespace deltaline::obs {

/// \brief The table of past runs under a lake: `<lake>/_runs`.
std::string RunsTableUri(const std::string& lake_uri);

/// \brief Writes `manifest` (pretty-printed) to `<run_dir>/manifest.json`, creating
/// `run_dir`; the file appears whole or not at all (written aside, then renamed).
arrow::Status WriteManifest(const nlohmann::json& manifest, const std::string& run_dir);

/// \brief Appends one row for the run of `manifest` (see BuildManifest) to the Delta
/// table `<lake>/_runs` (created on the first run), as one commit through
/// storage::WriteTableDelta. Only the policies of `options` apply (output, write,
/// retry, run context, reporter); mode, partitioning, ordering keys, constraints and
/// txn are `_runs`' own (append, none). Columns: run_id, pipeline_id, sequence,
/// started_at, ended_at (timestamps, UTC), outcome, error, outputs (count),
/// committed_outputs, rows_added, manifest (the JSON text).
arrow::Result<storage::WriteResult> AppendRunRow(
    const nlohmann::json& manifest, const std::string& lake_uri,
    const storage::StorageWriteOptions& options = {});

/// \brief One row of `_runs`.
struct RunRow {
  std::string run_id;
  std::string pipeline_id;
  int64_t sequence = 0;
  int64_t started_ms = 0;
  int64_t ended_ms = 0;
  std::string outcome;
  std::string error;  ///< empty when none
  int64_t outputs = 0;
  int64_t committed_outputs = 0;
  int64_t rows_added = 0;
  std::string manifest;  ///< the manifest's JSON text
};

/// \brief Every run of `<lake>/_runs`, oldest first (by start time, then sequence).
/// No `_runs` table yet: none.
arrow::Result<std::vector<RunRow>> ListRuns(const std::string& lake_uri);

/// \brief The manifest of the run `run_id`. Absent: a KeyError carrying
/// RunNotFoundDetail (test with IsRunNotFound), naming the run and the lake.
arrow::Result<nlohmann::json> FindRun(const std::string& lake_uri,
                                      const std::string& run_id);

/// \brief Marks "no such run" errors, so callers need not match message text.
class RunNotFoundDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "deltaline::obs::RunNotFound";
  const char* type_id() const override { return kTypeId; }
  std::string ToString() const override { return "run not found"; }
};

bool IsRunNotFound(const arrow::Status& status);

}  // namespace deltaline::obs
