#pragma once

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <arrow/status.h>
#include <CLI/CLI.hpp>

namespace deltaline::cli {

/// \brief The commands `main` can run. Each `Register<Name>` declares its subcommand's
/// options on `app` and adds the function that runs it once the line is parsed.
class CommandTable {
 public:
  /// \brief Binds `run` to `command` (owned by the parent CLI::App, which must outlive
  /// this table). `args` is filled in by CLI11 during parsing and read by `run`.
  template <typename Args>
  void Add(CLI::App* command, std::shared_ptr<Args> args,
           arrow::Status (*run)(const Args&)) {
    commands_.emplace_back(command, [args, run] { return run(*args); });
  }

  /// \brief Runs the subcommand the user chose. CLI11 requires exactly one.
  arrow::Status RunChosen() const {
    for (const auto& [command, run] : commands_) {
      if (command->parsed()) return run();
    }
    return arrow::Status::Invalid("no command given");
  }

 private:
  std::vector<std::pair<CLI::App*, std::function<arrow::Status()>>> commands_;
};

/// \brief The process's command line, as main received it (for repro bundles).
const std::vector<std::string>& CommandLine();
void SetCommandLine(int argc, char** argv);

void RegisterWrite(CLI::App& app, CommandTable& table);
void RegisterRead(CLI::App& app, CommandTable& table);
void RegisterDelete(CLI::App& app, CommandTable& table);
void RegisterDescribe(CLI::App& app, CommandTable& table);
void RegisterHistory(CLI::App& app, CommandTable& table);
void RegisterCheckpoint(CLI::App& app, CommandTable& table);
void RegisterVacuum(CLI::App& app, CommandTable& table);
void RegisterExportParquet(CLI::App& app, CommandTable& table);
void RegisterQuery(CLI::App& app, CommandTable& table);
void RegisterValidate(CLI::App& app, CommandTable& table);
void RegisterRuns(CLI::App& app, CommandTable& table);
void RegisterRun(CLI::App& app, CommandTable& table);
void RegisterAnatomy(CLI::App& app, CommandTable& table);
void RegisterClone(CLI::App& app, CommandTable& table);
void RegisterMigrateParquet(CLI::App& app, CommandTable& table);
void RegisterRestore(CLI::App& app, CommandTable& table);
void RegisterCleanupLog(CLI::App& app, CommandTable& table);
void RegisterOptimize(CLI::App& app, CommandTable& table);

}  // namespace deltaline::cli
