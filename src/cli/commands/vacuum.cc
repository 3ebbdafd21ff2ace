// `deltaline vacuum TABLE`: deletes data files no longer referenced and older than
// the retention.
#include <cmath>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/log/log_store.h"
#include "delta/ops/vacuum.h"

namespace deltaline::cli {
namespace {

struct VacuumArgs {
  std::string table;
  std::optional<double> retain_hours;  ///< unset: delta.deletedFileRetentionDuration
  bool no_retention_check = false;
  bool dry_run = false;
  bool json = false;
};

arrow::Status Run(const VacuumArgs& args) {
  delta::VacuumOptions options;
  if (args.retain_hours) {
    options.retention_ms = std::llround(*args.retain_hours * 3'600'000.0);
  }
  options.retention_check = !args.no_retention_check;
  options.dry_run = args.dry_run;
  if (!args.json) {
    options.progress = [](int64_t done, int64_t total) {
      if (done % 1000 == 0 || done == total) {
        PrintNote("vacuum deleted " + std::to_string(done) + " of " +
                  std::to_string(total) + " files");
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
    out["endVersion"] = result.end_version ? nlohmann::json(*result.end_version)
                                           : nlohmann::json(nullptr);
    PrintJson(out);
  } else if (result.dry_run) {
    for (const auto& file : result.files) std::cout << file << "\n";
    PrintNote("dry run: " + std::to_string(result.files.size()) + " files (" +
              std::to_string(result.bytes) + " bytes) would be deleted from " +
              store->uri());
  } else {
    PrintNote("vacuum deleted " + std::to_string(result.files.size()) + " files (" +
              std::to_string(result.bytes) + " bytes) and " +
              std::to_string(result.directories_deleted) + " directories from " +
              store->uri());
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterVacuum(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<VacuumArgs>();
  auto* cmd = app.add_subcommand(
      "vacuum", "Delete data files no longer referenced and older than the retention");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  // Range rejects inf; NaN compares false both ways, so the finiteness check is
  // explicit.
  CLI::Validator finite(
      [](std::string& text) -> std::string {
        return std::isfinite(std::strtod(text.c_str(), nullptr)) ? ""
                                                                 : "not a finite number";
      },
      "", "FINITE");
  cmd->add_option("--retain-hours", args->retain_hours,
                  "Retention in hours (default: the table's "
                  "delta.deletedFileRetentionDuration, 7 days)")
      ->check(finite)
      ->check(CLI::Range(0.0, 1e9));
  cmd->add_flag("--no-retention-check", args->no_retention_check,
                "Allow a retention shorter than the table's");
  cmd->add_flag("--dry-run", args->dry_run, "List the files, delete nothing");
  cmd->add_flag("--json", args->json, "Print the result as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
