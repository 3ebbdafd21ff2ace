// `deltaline cleanup-log TABLE`: deletes the log files that only versions older than
// delta.logRetentionDuration need.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/log/log_cleanup.h"
#include "delta/log/log_store.h"

namespace deltaline::cli {
namespace {

struct CleanupLogArgs {
  std::string table;
  bool dry_run = false;
  bool json = false;
};

nlohmann::json OrNull(const std::optional<int64_t>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

arrow::Status Run(const CleanupLogArgs& args) {
  delta::LogCleanupOptions options;
  options.dry_run = args.dry_run;
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto result, delta::CleanupExpiredLogs(*store, options));
  if (args.json) {
    PrintJson({{"table", store->uri()},
               {"dryRun", result.dry_run},
               {"retentionMillis", result.retention_ms},
               {"cutoffMillis", result.cutoff_ms},
               {"checkpointVersion", OrNull(result.checkpoint_version)},
               {"earliestVersion", OrNull(result.earliest_version)},
               {"latestVersion", result.latest_version},
               {"numFiles", result.files.size()},
               {"bytes", result.bytes},
               {"files", result.files}});
    return arrow::Status::OK();
  }
  if (result.dry_run) {
    for (const auto& file : result.files) std::cout << "_delta_log/" << file << "\n";
  }
  std::string summary = std::to_string(result.files.size()) + " log files (" +
                        std::to_string(result.bytes) + " bytes)";
  std::string kept = result.earliest_version
                         ? "; versions " + std::to_string(*result.earliest_version) +
                               " to " + std::to_string(result.latest_version) +
                               " remain loadable"
                         : "";
  if (!result.checkpoint_version) {
    PrintNote("no checkpoint older than the log retention: nothing to delete from " +
              store->uri());
  } else if (result.dry_run) {
    PrintNote("dry run: " + summary + " would be deleted from " + store->uri() + kept);
  } else {
    PrintNote("deleted " + summary + " from " + store->uri() + kept);
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterCleanupLog(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<CleanupLogArgs>();
  auto* cmd = app.add_subcommand(
      "cleanup-log",
      "Delete log files older than delta.logRetentionDuration that no kept version "
      "needs");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_flag("--dry-run", args->dry_run, "List the files, delete nothing");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
