// `deltaline clone SRC DST`: a new table with the content of SRC at one version, its
// files copied (deep) or referenced (shallow).
#include <map>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "delta/base/time_text.h"
#include "delta/log/log_store.h"
#include "delta/ops/clone.h"

namespace deltaline::cli {
namespace {

struct CloneArgs {
  std::string source, target, timestamp;
  std::optional<int64_t> version;
  bool shallow = false;
  delta::CloneMode mode = delta::CloneMode::kError;
  bool json = false;
};

nlohmann::json ResultJson(const delta::CloneResult& result) {
  return {{"source", result.source_uri},
          {"sourceVersion", result.source_version},
          {"target", result.target_uri},
          {"version", result.target_version},
          {"shallow", result.shallow},
          {"numFiles", result.num_files},
          {"sourceTableSize", result.source_table_size},
          {"numCopiedFiles", result.num_copied_files},
          {"copiedFilesSize", result.copied_files_size},
          {"numReusedFiles", result.num_reused_files},
          {"numCopiedDeletionVectorFiles", result.num_copied_dv_files},
          {"numRemovedFiles", result.num_removed_files},
          {"removedFilesSize", result.removed_files_size}};
}

arrow::Status Run(const CloneArgs& args) {
  delta::CloneOptions options;
  options.version = args.version;
  if (!args.timestamp.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.timestamp_ms, delta::ParseTimestampMs(args.timestamp));
  }
  options.shallow = args.shallow;
  options.mode = args.mode;
  ProgressLine progress("clone");
  options.progress = [&progress](const delta::CloneProgress& state) {
    progress.Update(state.files_done, state.files_total,
                    "files, " + HumanBytes(state.bytes_done) + " of " +
                        HumanBytes(state.bytes_total));
  };
  ARROW_ASSIGN_OR_RAISE(auto source, delta::FileSystemLogStore::Open(args.source));
  ARROW_ASSIGN_OR_RAISE(auto target, delta::FileSystemLogStore::Open(args.target));
  ARROW_ASSIGN_OR_RAISE(auto result, delta::CloneTable(*source, *target, options));
  // A deep clone always shows where it ended, even when it was too quick to draw.
  progress.Finish(!result.shallow);
  if (args.json) {
    PrintJson(ResultJson(result));
    return arrow::Status::OK();
  }
  std::string what =
      result.shallow ? "shallow clone referencing " + std::to_string(result.num_files) +
                           " files (" + HumanBytes(result.source_table_size) + ")"
                     : "deep clone of " + std::to_string(result.num_files) + " files (" +
                           HumanBytes(result.source_table_size) + "; copied " +
                           std::to_string(result.num_copied_files) + ", reused " +
                           std::to_string(result.num_reused_files) + ")";
  PrintNote("cloned " + result.source_uri + " at version " +
            std::to_string(result.source_version) + " into " + result.target_uri +
            " version " + std::to_string(result.target_version) + ": " + what);
  return arrow::Status::OK();
}

}  // namespace

void RegisterClone(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<CloneArgs>();
  auto* cmd = app.add_subcommand(
      "clone", "Clone a table at one version into a new table (deep copy or shallow)");
  cmd->add_option("SRC", args->source, "Source table path or file:// URI")->required();
  cmd->add_option("DST", args->target, "Target table path or file:// URI")->required();
  auto* version = cmd->add_option("--version", args->version, "Source version to clone")
                      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timestamp", args->timestamp,
                  "Clone the source version current at this time (RFC 3339)")
      ->excludes(version);
  cmd->add_flag("--shallow", args->shallow,
                "Reference the source's files by absolute URI instead of copying them");
  static const std::map<std::string, delta::CloneMode> kModes = {
      {"error", delta::CloneMode::kError}, {"overwrite", delta::CloneMode::kOverwrite}};
  AddEnumOption(*cmd, "--mode", args->mode, kModes,
                "When DST is a table: error (default) or overwrite (replace its content "
                "and metadata in one new commit)");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
