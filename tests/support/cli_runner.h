#pragma once

#include <string>

#include "test_util.h"

namespace deltaline::testing {

/// \brief What one run of a command printed and how it ended.
struct CliRun {
  int exit_code = -1;  ///< -1 when the command could not run or did not exit normally
  std::string out;     ///< standard output (with standard error when merged)
  std::string err;     ///< standard error, when it went to its own file
};

/// \brief Runs `command` through the shell (popen) and captures its standard output.
/// Redirections in `command` apply; `err` stays empty.
CliRun RunShell(const std::string& command);

/// \brief Runs the `deltaline` executable built beside the tests with `args` (shell
/// words, quoted by the caller). With `stderr_path`, standard error goes to that file
/// and is read back into `err`; without it, standard error is merged into `out`.
CliRun RunDeltaline(const std::string& args, const std::string& stderr_path = "");

/// \brief The same, with standard error in `dir`/stderr.txt (overwritten each run).
CliRun RunDeltaline(const std::string& args, const TempDir& dir);

}  // namespace deltaline::testing
