// `deltaline checkpoint TABLE`: writes a checkpoint of the latest version now.
#include "cli/command.h"
#include "cli/output.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/snapshot.h"

namespace deltaline::cli {
namespace {

struct CheckpointArgs {
  std::string table;
  bool json = false;
};

arrow::Status Run(const CheckpointArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  ARROW_RETURN_NOT_OK(delta::WriteCheckpoint(*store, *snapshot));
  if (args.json) {
    PrintJson({{"table", store->uri()}, {"checkpointVersion", snapshot->version()}});
  } else {
    PrintNote("checkpoint written at version " + std::to_string(snapshot->version()));
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterCheckpoint(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<CheckpointArgs>();
  auto* cmd = app.add_subcommand("checkpoint", "Write a checkpoint now");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
