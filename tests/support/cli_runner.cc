#include "support/cli_runner.h"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <iterator>

namespace deltaline::testing {

CliRun RunShell(const std::string& command) {
  CliRun run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe)) > 0) run.out.append(buf, n);
  int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

CliRun RunDeltaline(const std::string& args, const std::string& stderr_path) {
#ifdef DELTALINE_CLI
  const std::string cli = DELTALINE_CLI;
#else
  const std::string cli = "deltaline-not-built";  // a filtered build has no CLI
#endif
  if (stderr_path.empty()) return RunShell(cli + " " + args + " 2>&1");
  CliRun run = RunShell(cli + " " + args + " 2>" + stderr_path);
  std::ifstream in(stderr_path);
  run.err.assign(std::istreambuf_iterator<char>(in), {});
  return run;
}

CliRun RunDeltaline(const std::string& args, const TempDir& dir) {
  return RunDeltaline(args, dir.str() + "/stderr.txt");
}

}  // namespace deltaline::testing
