#pragma once

// The typed run configuration of a pipeline run: what it reads, where it writes, under
// which policies, how wide and as which run. Read from a JSON file (README,
// "Pipelines") and overridden by flags; every field has a default, so a run needs no
// file at all.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/reporter.h"
#include "engine/catalog.h"
#include "storage/output_config.h"
#include "storage/write_policy.h"

namespace deltaline::pipeline {

struct RunConfig {
  /// Input name → binding `URI[@VERSION]` (engine::Catalog::AddBinding's syntax without
  /// the `NAME=`). A declared pipeline's own inputs of the same name are replaced.
  std::map<std::string, std::string> inputs;
  /// The lake: output dataset `d` is the Delta table `<lake>/d`. Default "lake".
  std::string lake = "lake";
  /// The output storage policy (output.*, including the run mode), the default write
  /// policy (delta_write.*), schema mode and commit retries: storage::ParseOutputConfig.
  storage::OutputConfig output;
  /// Per-dataset write policies: the run's delta_write with the dataset's keys on top.
  std::map<std::string, storage::DeltaWritePolicy> dataset_write;
  /// Nodes run at once; default: the machine's hardware concurrency (at least 1).
  int parallelism = 1;
  /// The `txn` app id of output commits; empty = the declared pipeline's `id`.
  std::string pipeline_id;
  /// Default: a fresh UUID.
  std::string run_id;
  /// The `txn` version of output commits. Unset = the next one: the runner resolves it
  /// (one more than the highest sequence committed by `pipeline_id` in the lake), so a
  /// re-run after a crash passes the crashed run's sequence explicitly.
  std::optional<int64_t> sequence;
  /// Where the run's manifest and diagnostics go; default `<lake>/_run_dirs/<run_id>`.
  std::string run_dir;

  storage::RunMode mode() const { return output.storage.mode; }
  storage::RunContext run_context() const { return {run_id, run_dir}; }
  /// The write policy of `dataset`: its override, else the run's delta_write.
  const storage::DeltaWritePolicy& WritePolicyFor(const std::string& dataset) const;
};

/// \brief What the command line sets; a set field beats the config file.
struct RunConfigOverrides {
  std::optional<std::string> lake;
  std::optional<std::string> pipeline_id;
  std::optional<std::string> run_id;
  std::optional<int64_t> sequence;
  std::optional<std::string> run_dir;
  std::optional<int> parallelism;
  std::optional<storage::RunMode> mode;
  /// `NAME=URI[@VERSION]` bindings; each replaces the input of that name.
  std::vector<std::string> inputs;
};

/// \brief Parses a JSON run configuration (keys in README, "Pipelines"), then applies
/// `overrides`. An unknown key is kInvalidInput naming its JSON path (e.g.
/// `datasets.orders.delta_write.colour`); a Parquet-era key anywhere is kInvalidInput
/// naming its path and what replaces it (storage::ParquetEraKeys); a bad binding names
/// its input. `source` names the file in messages; `reporter` gets policy warnings
/// (a refused output.format in development mode).
arrow::Result<RunConfig> ParseRunConfig(const std::string& json_text,
                                        const std::string& source,
                                        const RunConfigOverrides& overrides = {},
                                        const delta::Reporter& reporter = {});

/// \brief ParseRunConfig on the file at `path`; with no path, the defaults plus
/// `overrides`. An unreadable file is kInvalidInput naming it.
arrow::Result<RunConfig> LoadRunConfig(const std::optional<std::string>& path,
                                       const RunConfigOverrides& overrides = {},
                                       const delta::Reporter& reporter = {});

/// \brief The effective configuration as JSON (for the run manifest): every field,
/// the policies through storage::OutputPolicyJson / the write policy's keys.
nlohmann::json RunConfigJson(const RunConfig& config);

/// \brief A catalog binding every input of `config` (Delta tables pinned now).
arrow::Result<std::shared_ptr<engine::Catalog>> BindInputs(const RunConfig& config);

}  // namespace deltaline::pipeline
