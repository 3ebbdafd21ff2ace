// `deltaline delete TABLE --predicate SQL`: removes the matching rows in one commit,
// through the storage surface, so the policies and run flags apply as to `write`.
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "cli/policy_flags.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "storage/storage_writer.h"

namespace deltaline::cli {
namespace {

struct DeleteArgs {
  std::string table, predicate;
  std::vector<std::string> metadata;  ///< KEY=VALUE
  bool json = false;
  PolicyArgs policy;
};

arrow::Status Run(const DeleteArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  ARROW_ASSIGN_OR_RAISE(auto predicate,
                        delta::ParsePredicate(args.predicate, *snapshot->schema()));
  ARROW_ASSIGN_OR_RAISE(auto options, BuildStorageOptions(args.policy));
  options.delta.user_metadata = KeyValues(args.metadata);
  // The predicate was bound against this snapshot: commits since are conflict-checked.
  options.delta.read_snapshot = snapshot;
  ARROW_ASSIGN_OR_RAISE(auto deleted_result,
                        storage::Delete(args.table, predicate, options));
  const delta::WriteResult& result = deleted_result.delta;
  const int64_t deleted =
      result.rows_removed >= 0 ? result.rows_removed - result.rows_copied : -1;
  if (args.json) {
    PrintJson({{"table", result.uri},
               {"version", result.version},
               {"committed", result.committed},
               {"operation", result.operation},
               {"rowsDeleted", deleted},
               {"rowsCopied", result.rows_copied},
               {"filesAdded", result.files_added},
               {"filesRemoved", result.files_removed},
               {"partitions", PartitionsJson(result.partitions)},
               {"policy", deleted_result.policy}});
  } else if (result.committed) {
    PrintNote("committed version " + std::to_string(result.version) + " of " +
              result.uri + " (" + std::to_string(deleted) + " rows deleted, " +
              std::to_string(result.files_removed) + " files removed, " +
              std::to_string(result.files_added) + " rewritten)");
  } else {
    PrintNote("no rows matched; table " + result.uri + " left unchanged at version " +
              std::to_string(result.version));
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterDelete(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<DeleteArgs>();
  auto* cmd =
      app.add_subcommand("delete", "Delete the rows matching a predicate (one commit)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--predicate", args->predicate, "SQL predicate of the rows to delete")
      ->required();
  AddKeyValueOption(*cmd, "--metadata", args->metadata, "Commit user metadata");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  AddWritePolicyFlags(*cmd, args->policy);
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
