// `deltaline delete TABLE --predicate SQL`: removes the matching rows in one commit.
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/write/write.h"

namespace deltaline::cli {
namespace {

struct DeleteArgs {
  std::string table, predicate;
  bool json = false;
};

arrow::Status Run(const DeleteArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  ARROW_ASSIGN_OR_RAISE(auto predicate,
                        delta::ParsePredicate(args.predicate, *snapshot->schema()));
  delta::WriteOptions options;
  options.read_snapshot = snapshot;
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Delete(*store, predicate, options));
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
               {"partitions", PartitionsJson(result.partitions)}});
  } else if (result.committed) {
    PrintNote("committed version " + std::to_string(result.version) + " of " + result.uri +
              " (" + std::to_string(deleted) + " rows deleted, " +
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
  auto* cmd = app.add_subcommand("delete", "Delete the rows matching a predicate (one commit)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--predicate", args->predicate, "SQL predicate of the rows to delete")
      ->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
