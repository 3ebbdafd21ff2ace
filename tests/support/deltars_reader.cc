#include "support/deltars_reader.h"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "support/cli_runner.h"

namespace deltaline::testing {

std::string DefaultPython() {
  return std::string(DELTALINE_SOURCE_DIR) + "/.venv/bin/python";
}

arrow::Result<std::string> ReadWithDeltaRs(const std::string& table,
                                           const std::string& body,
                                           const std::string& python) {
  const std::string script =
      "import json, os, sys, deltalake, pyarrow.compute as pc\n"
      "t = deltalake.DeltaTable(sys.argv[1])\n" +
      body +
      "\n"
      // delta-rs 1.6.6 can abort while the interpreter shuts down; the answer is out.
      "sys.stdout.flush()\n"
      "os._exit(0)\n";
  const auto tmp = std::filesystem::temp_directory_path();
  std::string script_path = (tmp / "deltaline-deltars-XXXXXX.py").string();
  const int fd = ::mkstemps(script_path.data(), 3);
  if (fd < 0) return arrow::Status::IOError("cannot create ", script_path);
  ::close(fd);
  std::ofstream(script_path) << script;
  const std::string stderr_path = script_path + ".err";
  // The table path is quoted for the shell (no single quotes in our test paths).
  CliRun run = RunShell(python + " " + script_path + " '" + table + "' 2>" + stderr_path);
  std::ifstream in(stderr_path);
  run.err.assign(std::istreambuf_iterator<char>(in), {});
  std::error_code ec;
  std::filesystem::remove(script_path, ec);
  std::filesystem::remove(stderr_path, ec);
  if (run.exit_code != 0) {
    return arrow::Status::Invalid("delta-rs cannot read ", table, " (exit ",
                                  run.exit_code, "): ", run.out, run.err);
  }
  return run.out;
}

}  // namespace deltaline::testing
