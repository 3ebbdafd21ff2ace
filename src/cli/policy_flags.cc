#include "cli/policy_flags.h"

#include "cli/flags.h"
#include "cli/output.h"
#include "storage/output_config.h"

namespace deltaline::cli {

void AddRunFlags(CLI::App& cmd, PolicyArgs& args) {
  cmd.add_option("--config", args.config, "Output configuration file (JSON)");
  AddEnumOption(
      cmd, "--run-mode", args.run_mode,
      std::map<std::string, storage::RunMode>{
          {"production", storage::RunMode::kProduction},
          {"development", storage::RunMode::kDevelopment}},
      "What a forbidden sink does: fail (production) or is refused (development)");
  cmd.add_flag("--allow-parquet-export", args.allow_parquet_export,
               "Allow the gated Parquet export");
  cmd.add_option("--run-dir", args.run_dir,
                 "Run directory: policy events go to <DIR>/_diagnostics/policy_events");
  cmd.add_option("--run-id", args.run_id, "Run id recorded with policy events");
}

void AddWritePolicyFlags(CLI::App& cmd, PolicyArgs& args) {
  AddRunFlags(cmd, args);
  cmd.add_option("--compression", args.compression,
                 "Data file codec CODEC[:LEVEL] (default zstd)");
  cmd.add_option("--target-file-size", args.target_file_size,
                 "delta.targetFileSize in bytes (new tables)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--stats-columns", args.stats_columns,
                 "delta.dataSkippingStatsColumns A,B (new tables)")
      ->delimiter(',');
  AddEnumOption(cmd, "--schema-mode", args.schema_mode,
                std::map<std::string, delta::SchemaMode>{
                    {"strict", delta::SchemaMode::kStrict},
                    {"merge", delta::SchemaMode::kMerge},
                    {"overwrite", delta::SchemaMode::kOverwrite}},
                "How an input schema that differs from the table's is treated");
  cmd.add_flag("--update-properties", args.update_properties,
               "Commit a SET TBLPROPERTIES when the policy's properties differ");
}

arrow::Result<storage::StorageWriteOptions> BuildStorageOptions(const PolicyArgs& args) {
  storage::StorageWriteOptions options;
  // The one place the CLI hands the library its stderr reporter.
  options.reporter = StderrReporter();
  options.run = {args.run_id, args.run_dir};
  if (!args.config.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto config, storage::LoadOutputConfig(args.config, options.run,
                                                                 options.reporter));
    options.output = config.storage;
    options.write = config.write;
    options.delta.schema_mode = config.schema_mode;
    options.delta.retry = config.retry;
  }
  if (args.run_mode) options.output.mode = *args.run_mode;
  if (args.allow_parquet_export) options.output.allow_parquet_exports = true;
  if (!args.compression.empty()) {
    ARROW_RETURN_NOT_OK(storage::ParseCompression(args.compression, &options.write));
  }
  if (args.target_file_size) options.write.target_file_size = *args.target_file_size;
  if (args.stats_columns) {
    options.write.stats_columns.clear();
    for (const auto& column : *args.stats_columns) {
      if (!column.empty()) options.write.stats_columns.push_back(column);
    }
  }
  if (args.schema_mode) options.delta.schema_mode = *args.schema_mode;
  options.update_table_properties = args.update_properties;
  return options;
}

}  // namespace deltaline::cli
