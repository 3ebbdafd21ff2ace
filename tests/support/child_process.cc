#include "support/child_process.h"

#include <fcntl.h>
#include <spawn.h>

extern char** environ;

namespace deltaline::testing {

arrow::Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                                  const SpawnOptions& options) {
  if (argv.empty()) return arrow::Status::Invalid("SpawnProcess: empty argv");
  std::vector<std::string> argv_strings = argv;
  std::vector<char*> argv_ptrs;
  for (auto& arg : argv_strings) argv_ptrs.push_back(arg.data());
  argv_ptrs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (options.stdout_fd >= 0) {
    posix_spawn_file_actions_adddup2(&actions, options.stdout_fd, STDOUT_FILENO);
  } else if (!options.stdout_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, options.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  if (options.stderr_to_stdout) {
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  } else if (!options.stderr_path.empty()) {
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, options.stderr_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
  }
  pid_t pid = -1;
  int rc =
      ::posix_spawn(&pid, argv_ptrs[0], &actions, nullptr, argv_ptrs.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return arrow::Status::IOError("posix_spawn ", argv[0], ": ", rc);
  return pid;
}

}  // namespace deltaline::testing
