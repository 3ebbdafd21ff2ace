// `deltaline optimize TABLE`: compacts small files into files of the target size, and
// Z-orders, in one commit.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "delta/log/log_store.h"
#include "delta/ops/optimize.h"

namespace deltaline::cli {
namespace {

struct OptimizeArgs {
  std::string table;
  std::optional<int64_t> target_size;
  std::optional<std::string> where;
  std::vector<std::string> zorder_by;
  bool json = false;
};

nlohmann::json SizesJson(const delta::FileSizeStats& stats) {
  return {{"min", stats.min},
          {"max", stats.max},
          {"avg", stats.avg},
          {"totalFiles", stats.total_files},
          {"totalSize", stats.total_size}};
}

void PrintJsonResult(const std::string& uri, const delta::OptimizeResult& result) {
  PrintJson({{"table", uri},
             {"version", result.version},
             {"committed", result.committed},
             {"numFilesAdded", result.num_files_added},
             {"numFilesRemoved", result.num_files_removed},
             {"filesAdded", SizesJson(result.files_added)},
             {"filesRemoved", SizesJson(result.files_removed)},
             {"partitionsOptimized", result.partitions_optimized},
             {"numBatches", result.num_batches},
             {"totalConsideredFiles", result.total_considered_files},
             {"totalFilesSkipped", result.total_files_skipped},
             {"numDeletionVectorsRemoved", result.num_deletion_vectors_removed},
             {"rows", result.rows},
             {"zOrderBy", result.zorder_by},
             {"commitAttempts", result.commit_attempts}});
}

arrow::Status Run(const OptimizeArgs& args) {
  delta::OptimizeOptions options;
  options.target_size = args.target_size;
  options.where = args.where;
  options.zorder_by = args.zorder_by;
  auto progress = std::make_shared<ProgressLine>("optimize");
  options.progress = [progress](const delta::OptimizeProgress& state) {
    progress->Update(state.files_done, state.files_total,
                     "files, " + HumanBytes(state.bytes_done) + " of " +
                         HumanBytes(state.bytes_total));
  };
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  auto optimized = delta::Optimize(*store, options);
  progress->Finish();
  ARROW_RETURN_NOT_OK(optimized.status());
  const delta::OptimizeResult& result = *optimized;
  if (args.json) {
    PrintJsonResult(store->uri(), result);
  } else if (!result.committed) {
    PrintNote("nothing to optimize: " + std::to_string(result.total_considered_files) +
              " files considered; table " + store->uri() + " left unchanged at version " +
              std::to_string(result.version));
  } else {
    PrintNote("committed version " + std::to_string(result.version) + " of " +
              store->uri() + ": " + std::to_string(result.num_files_removed) +
              " files (" + HumanBytes(result.files_removed.total_size) +
              ") rewritten into " + std::to_string(result.num_files_added) + " (" +
              HumanBytes(result.files_added.total_size) + "; sizes " +
              HumanBytes(result.files_added.min) + " to " +
              HumanBytes(result.files_added.max) + ") in " +
              std::to_string(result.partitions_optimized) + " partitions" +
              (result.zorder_by.empty() ? std::string() : ", Z-ordered"));
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterOptimize(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<OptimizeArgs>();
  auto* cmd = app.add_subcommand(
      "optimize",
      "Compact small files into files of the target size; Z-order (one commit)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--target-size", args->target_size,
                  "Target file size in bytes (default: the table's "
                  "delta.targetFileSize, else 128 MiB)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--where", args->where,
                  "SQL predicate on partition columns: optimize only those partitions");
  cmd->add_option("--zorder-by", args->zorder_by,
                  "Comma-separated columns to cluster the rows by (Z-order)")
      ->delimiter(',');
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
