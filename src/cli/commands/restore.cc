// `deltaline restore TABLE --version N | --timestamp T`: makes the table's content
// that of an older version, in one new commit.
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/base/time_text.h"
#include "delta/log/log_store.h"
#include "delta/ops/restore.h"

namespace deltaline::cli {
namespace {

struct RestoreArgs {
  std::string table;
  std::optional<int64_t> version;
  std::string timestamp;
  bool json = false;
};

arrow::Status Run(const RestoreArgs& args) {
  if (!args.version && args.timestamp.empty()) {
    return UsageError("restore needs --version N or --timestamp T");
  }
  delta::RestoreOptions options;
  options.version = args.version;
  if (!args.timestamp.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.timestamp_ms, delta::ParseTimestampMs(args.timestamp));
    options.timestamp_text = args.timestamp;
  }
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Restore(*store, options));
  if (args.json) {
    PrintJson({{"table", store->uri()},
               {"version", result.version},
               {"restoredVersion", result.restored_version},
               {"readVersion", result.read_version},
               {"tableSizeAfterRestore", result.table_size_after_restore},
               {"numOfFilesAfterRestore", result.num_of_files_after_restore},
               {"numRemovedFiles", result.num_removed_files},
               {"numRestoredFiles", result.num_restored_files},
               {"removedFilesSize", result.removed_files_size},
               {"restoredFilesSize", result.restored_files_size},
               {"metadataChanged", result.metadata_changed},
               {"protocolChanged", result.protocol_changed}});
  } else {
    PrintNote("restored " + store->uri() + " to version " +
              std::to_string(result.restored_version) + " as version " +
              std::to_string(result.version) + ": " +
              std::to_string(result.num_restored_files) + " files re-added, " +
              std::to_string(result.num_removed_files) + " removed; " +
              std::to_string(result.num_of_files_after_restore) + " files (" +
              std::to_string(result.table_size_after_restore) + " bytes) now");
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterRestore(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<RestoreArgs>();
  auto* cmd = app.add_subcommand(
      "restore", "Make the table's content that of an older version, in a new commit");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  auto* version = cmd->add_option("--version", args->version, "Version to restore")
                      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timestamp", args->timestamp,
                  "Restore the version current at this time (RFC 3339)")
      ->excludes(version);
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
