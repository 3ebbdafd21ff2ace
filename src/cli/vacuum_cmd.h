#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <arrow/status.h>

namespace deltaline::cli {

/// \brief `deltaline vacuum TABLE [--retain-hours H] [--no-retention-check] [--dry-run]
/// [--json]`: the arguments, filled in by CLI11 once the command line is parsed.
struct VacuumCommand {
  CLI::App* command = nullptr;  ///< owned by the parent CLI::App
  std::string table;
  double retain_hours = -1;  ///< < 0: the table's delta.deletedFileRetentionDuration
  bool no_retention_check = false;
  bool dry_run = false;
  bool json = false;
};

/// \brief Registers the subcommand on `app`, which must outlive the result.
std::unique_ptr<VacuumCommand> AddVacuumCommand(CLI::App& app);

arrow::Status RunVacuum(const VacuumCommand& args);

}  // namespace deltaline::cli
