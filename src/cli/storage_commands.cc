#include "cli/storage_commands.h"

#include <iostream>

#include "delta/base/errors.h"
#include "storage/export_parquet.h"
#include "storage/output_config.h"

namespace deltaline::cli {
namespace {

void AddRunFlags(CLI::App* cmd, PolicyArgs* args) {
  cmd->add_option("--config", args->config, "Output configuration file (JSON)");
  cmd->add_option("--run-mode", args->run_mode, "production|development")
      ->check(CLI::IsMember({"production", "development"}));
  cmd->add_flag("--allow-parquet-export", args->allow_parquet_export,
                "Allow the gated Parquet export");
  cmd->add_option("--run-dir", args->run_dir,
                  "Run directory: policy events go to <DIR>/_diagnostics/policy_events");
  cmd->add_option("--run-id", args->run_id, "Run id recorded with policy events");
}

}  // namespace

delta::Reporter StderrReporter() {
  delta::Reporter reporter;
  reporter.warning = [](std::string_view message) {
    std::cerr << "deltaline: warning: " << message << "\n";
  };
  reporter.progress = [](std::string_view what, int64_t done, int64_t total) {
    // The last event (done == total) repeats the count already on the line: end it.
    if (total >= 0 && done == total) {
      std::cerr << "\n";
    } else {
      std::cerr << "\rdeltaline: " << (what == "export" ? "exported" : what) << " " << done
                << " rows" << std::flush;
    }
  };
  return reporter;
}

void AddWritePolicyFlags(CLI::App* write_cmd, PolicyArgs* args) {
  AddRunFlags(write_cmd, args);
  write_cmd->add_option("--compression", args->compression,
                        "Data file codec CODEC[:LEVEL] (default zstd)");
  write_cmd->add_option("--target-file-size", args->target_file_size,
                        "delta.targetFileSize in bytes (new tables)");
  write_cmd->add_option("--stats-columns", args->stats_columns,
                        "delta.dataSkippingStatsColumns A,B (new tables)");
  write_cmd->add_option("--schema-mode", args->schema_mode, "strict|merge|overwrite")
      ->check(CLI::IsMember({"strict", "merge", "overwrite"}));
  write_cmd->add_flag("--update-properties", args->update_properties,
                      "Commit a SET TBLPROPERTIES when the policy's properties differ");
}

arrow::Result<storage::StorageWriteOptions> BuildStorageOptions(const PolicyArgs& args) {
  storage::StorageWriteOptions options;
  options.run = {args.run_id, args.run_dir};
  // The one place the CLI decides how the library's warnings reach the user.
  options.reporter = StderrReporter();
  if (!args.config.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto config, storage::LoadOutputConfig(args.config, options.run,
                                                                 options.reporter));
    options.output = config.storage;
    options.write = config.write;
    options.delta.schema_mode = config.schema_mode;
    options.delta.retry = config.retry;
  }
  if (!args.run_mode.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.output.mode, storage::ParseRunMode(args.run_mode));
  }
  if (args.allow_parquet_export) options.output.allow_parquet_exports = true;
  if (!args.compression.empty()) {
    ARROW_RETURN_NOT_OK(storage::ParseCompression(args.compression, &options.write));
  }
  if (args.target_file_size >= 0) {
    if (args.target_file_size == 0) {
      return delta::InvalidInput("--target-file-size must be positive");
    }
    options.write.target_file_size = args.target_file_size;
  }
  if (!args.stats_columns.empty()) {
    options.write.stats_columns.clear();
    std::string item;
    for (char c : args.stats_columns + ",") {
      if (c != ',') {
        item += c;
      } else if (!item.empty()) {
        options.write.stats_columns.push_back(item);
        item.clear();
      }
    }
  }
  if (!args.schema_mode.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.delta.schema_mode, delta::ParseSchemaMode(args.schema_mode));
  }
  options.update_table_properties = args.update_properties;
  return options;
}

CLI::App* AddExportCommand(CLI::App& app, ExportArgs* args) {
  auto* cmd = app.add_subcommand(
      "export-parquet", "Export a table version as plain Parquet files (gated by policy)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("OUT_DIR", args->out_dir, "New or empty output directory")->required();
  cmd->add_option("--version", args->version, "Version to export (default latest)");
  cmd->add_flag("--json", args->json, "Print the export report as JSON");
  AddRunFlags(cmd, &args->policy);
  return cmd;
}

int RunExportCommand(const ExportArgs& args, int (*report)(const arrow::Status&)) {
  auto options = BuildStorageOptions(args.policy);
  if (!options.ok()) return report(options.status());
  storage::ExportOptions export_options;
  if (args.version >= 0) export_options.version = args.version;
  export_options.run = options->run;
  export_options.reporter = options->reporter;
  auto exported =
      storage::ExportParquet(args.table, args.out_dir, options->output, export_options);
  if (!exported.ok()) return report(exported.status());
  if (args.json) std::cout << exported->ToJson().dump(2) << "\n";
  if (exported->refused) {
    std::cerr << "deltaline: export refused (run mode development); nothing written\n";
    return 3;
  }
  if (!args.json) {
    std::cerr << "deltaline: exported version " << exported->version << " of "
              << exported->table << ": " << exported->rows << " rows in "
              << exported->files.size() << " file(s) to " << exported->out_dir << "\n";
  }
  return 0;
}

}  // namespace deltaline::cli
