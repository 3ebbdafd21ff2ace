// `deltaline export-parquet TABLE OUT_DIR`: plain Parquet copies of a table version,
// gated by the output policy.
#include "storage/export_parquet.h"
#include "cli/command.h"
#include "cli/output.h"
#include "cli/policy_flags.h"

namespace deltaline::cli {
namespace {

struct ExportArgs {
  std::string table, out_dir;
  std::optional<int64_t> version;  ///< unset: latest
  bool json = false;
  PolicyArgs policy;
};

arrow::Status Run(const ExportArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto options, BuildStorageOptions(args.policy));
  storage::ExportOptions export_options;
  if (args.version) export_options.version = *args.version;
  export_options.run = options.run;
  export_options.reporter = options.reporter;
  ARROW_ASSIGN_OR_RAISE(
      auto exported,
      storage::ExportParquet(args.table, args.out_dir, options.output, export_options));
  if (args.json) PrintJson(exported.ToJson());
  if (exported.refused) {
    return RefusedByPolicy("export refused (run mode development); nothing written");
  }
  if (!args.json) {
    PrintNote("exported version " + std::to_string(exported.version) + " of " +
              exported.table + ": " + std::to_string(exported.rows) + " rows in " +
              std::to_string(exported.files.size()) + " file(s) to " + exported.out_dir);
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterExportParquet(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<ExportArgs>();
  auto* cmd = app.add_subcommand(
      "export-parquet",
      "Export a table version as plain Parquet files (gated by policy)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("OUT_DIR", args->out_dir, "New or empty output directory")->required();
  cmd->add_option("--version", args->version, "Version to export (default latest)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "Print the export report as JSON on stdout");
  AddRunFlags(*cmd, args->policy);
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
