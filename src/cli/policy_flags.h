#pragma once

#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <CLI/CLI.hpp>

#include "delta/table/schema_evolution.h"
#include "storage/output_policy.h"
#include "storage/storage_writer.h"

namespace deltaline::cli {

/// \brief The policy and run flags shared by the commands that write (write, delete,
/// export-parquet). Empty/unset = the config file's value, else the policy default.
struct PolicyArgs {
  std::string config;                        ///< --config FILE (JSON, README "Storage")
  std::optional<storage::RunMode> run_mode;  ///< --run-mode production|development
  bool allow_parquet_export = false;
  std::string run_dir, run_id;
  std::string compression;                  ///< --compression CODEC[:LEVEL]
  std::optional<int64_t> target_file_size;  ///< --target-file-size BYTES (> 0)
  std::optional<std::vector<std::string>> stats_columns;  ///< --stats-columns A,B
  std::optional<delta::SchemaMode> schema_mode;  ///< --schema-mode strict|merge|overwrite
  bool update_properties = false;
};

/// \brief --config, --run-mode, --allow-parquet-export, --run-dir, --run-id.
void AddRunFlags(CLI::App& cmd, PolicyArgs& args);

/// \brief The run flags plus --compression, --target-file-size, --stats-columns,
/// --schema-mode and --update-properties.
void AddWritePolicyFlags(CLI::App& cmd, PolicyArgs& args);

/// \brief Storage options from the config file (if any), then the flags on top.
arrow::Result<storage::StorageWriteOptions> BuildStorageOptions(const PolicyArgs& args);

}  // namespace deltaline::cli
