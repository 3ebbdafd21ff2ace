#include "cli/vacuum_cmd.h"

#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/ops/vacuum.h"

namespace deltaline::cli {

std::unique_ptr<VacuumCommand> AddVacuumCommand(CLI::App& app) {
  auto args = std::make_unique<VacuumCommand>();
  args->command = app.add_subcommand(
      "vacuum", "Delete data files no longer referenced and older than the retention");
  args->command->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  args->command->add_option("--retain-hours", args->retain_hours,
                            "Retention in hours (default: the table's "
                            "delta.deletedFileRetentionDuration, 7 days)");
  args->command->add_flag("--no-retention-check", args->no_retention_check,
                          "Allow a retention shorter than the table's");
  args->command->add_flag("--dry-run", args->dry_run, "List the files, delete nothing");
  args->command->add_flag("--json", args->json, "Print the result as JSON");
  return args;
}

arrow::Status RunVacuum(const VacuumCommand& args) {
  delta::VacuumOptions options;
  if (args.retain_hours >= 0) {
    if (!std::isfinite(args.retain_hours) || args.retain_hours > 1e9) {
      return delta::InvalidInput("--retain-hours must be a finite number of hours");
    }
    options.retention_ms = std::llround(args.retain_hours * 3'600'000.0);
  }
  options.retention_check = !args.no_retention_check;
  options.dry_run = args.dry_run;
  if (!args.json) {
    options.progress = [](int64_t done, int64_t total) {
      if (done % 1000 == 0 || done == total) {
        std::cerr << "deltaline: vacuum deleted " << done << " of " << total << " files\n";
      }
    };
  }
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Vacuum(*store, options));
  if (args.json) {
    nlohmann::json out = {{"table", store->uri()},
                          {"snapshotVersion", result.snapshot_version},
                          {"dryRun", result.dry_run},
                          {"retentionMillis", result.retention_ms},
                          {"numFiles", result.files.size()},
                          {"bytes", result.bytes},
                          {"files", result.files},
                          {"numVacuumedDirectories", result.directories_deleted}};
    out["startVersion"] = result.start_version ? nlohmann::json(*result.start_version)
                                               : nlohmann::json(nullptr);
    out["endVersion"] =
        result.end_version ? nlohmann::json(*result.end_version) : nlohmann::json(nullptr);
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (result.dry_run) {
    for (const auto& file : result.files) std::cout << file << "\n";
    std::cerr << "deltaline: dry run: " << result.files.size() << " files (" << result.bytes
              << " bytes) would be deleted from " << store->uri() << "\n";
  } else {
    std::cerr << "deltaline: vacuum deleted " << result.files.size() << " files ("
              << result.bytes << " bytes) and " << result.directories_deleted
              << " directories from " << store->uri() << "\n";
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::cli
