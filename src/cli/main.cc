// The `deltaline` command: builds the app, registers the commands (one file each
// under commands/), runs the chosen one and maps its status to an exit code.
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "deltaline/version.h"

namespace deltaline::cli {

static std::vector<std::string>& CommandLineStore() {
  static std::vector<std::string> line;
  return line;
}

const std::vector<std::string>& CommandLine() { return CommandLineStore(); }

void SetCommandLine(int argc, char** argv) {
  CommandLineStore().assign(argv, argv + argc);
}

namespace {

int Main(int argc, char** argv) {
  SetCommandLine(argc, argv);
  CLI::App app{"deltaline: write, read and inspect Delta Lake tables"};
  app.set_version_flag("--version", std::string("deltaline ") + kVersion);
  app.require_subcommand(1);

  CommandTable commands;
  RegisterWrite(app, commands);
  RegisterRead(app, commands);
  RegisterDelete(app, commands);
  RegisterDescribe(app, commands);
  RegisterHistory(app, commands);
  RegisterCheckpoint(app, commands);
  RegisterVacuum(app, commands);
  RegisterExportParquet(app, commands);
  RegisterQuery(app, commands);
  RegisterValidate(app, commands);
  RegisterRuns(app, commands);
  RegisterRun(app, commands);
  RegisterAnatomy(app, commands);
  RegisterClone(app, commands);
  RegisterMigrateParquet(app, commands);
  RegisterOptimize(app, commands);
  RegisterRestore(app, commands);
  RegisterCleanupLog(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11 prints help/version (exit 0) or the error naming the flag and value.
    const int code = app.exit(e);
    return code == 0 ? static_cast<int>(ExitCode::kSuccess)
                     : static_cast<int>(ExitCode::kUsage);
  }
  return ReportStatus(commands.RunChosen());
}

}  // namespace
}  // namespace deltaline::cli

int main(int argc, char** argv) {
  // The one place exceptions may surface (from libraries that throw); never a crash.
  try {
    return deltaline::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "deltaline: error: internal: " << e.what() << "\n";
    return static_cast<int>(deltaline::cli::ExitCode::kError);
  }
}
