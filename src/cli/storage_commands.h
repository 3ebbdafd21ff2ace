#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <arrow/result.h>

#include "storage/storage_writer.h"

namespace deltaline::cli {

/// \brief The policy flags of `deltaline write` (and the run flags of export-parquet).
struct PolicyArgs {
  std::string config;          ///< --config FILE (JSON, see README "Storage")
  std::string run_mode;        ///< --run-mode production|development
  bool allow_parquet_export = false;
  std::string run_dir, run_id;
  std::string compression;     ///< --compression CODEC[:LEVEL]
  int64_t target_file_size = -1;
  std::string stats_columns;   ///< --stats-columns A,B
  std::string schema_mode;     ///< --schema-mode strict|merge|overwrite
  bool update_properties = false;
};

/// \brief Adds --compression, --target-file-size, --stats-columns, --schema-mode,
/// --update-properties and the run flags to the write command.
void AddWritePolicyFlags(CLI::App* write_cmd, PolicyArgs* args);

/// \brief The CLI's reporter: warnings as `deltaline: warning: MESSAGE` lines on stderr,
/// export progress as one `deltaline: exported N rows` line rewritten in place.
delta::Reporter StderrReporter();

/// \brief Storage options from the config file (if any), then the flags on top; the
/// reporter is StderrReporter().
arrow::Result<storage::StorageWriteOptions> BuildStorageOptions(const PolicyArgs& args);

struct ExportArgs {
  std::string table, out_dir;
  int64_t version = -1;
  bool json = false;
  PolicyArgs policy;
};

/// \brief Registers `export-parquet TABLE OUT_DIR [--version N] [--allow-parquet-export]`.
CLI::App* AddExportCommand(CLI::App& app, ExportArgs* args);

/// \brief Runs the export. Exit code: 0 exported; 1 error (PolicyViolation in
/// production); 3 refused in development mode (nothing written, reported).
int RunExportCommand(const ExportArgs& args, int (*report)(const arrow::Status&));

}  // namespace deltaline::cli
