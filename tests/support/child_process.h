#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <arrow/result.h>
#include <arrow/status.h>

namespace deltaline::testing {

/// \brief Where a spawned process's standard output and error go. Empty paths and a
/// negative descriptor leave the stream inherited from this process.
struct SpawnOptions {
  /// File that receives standard output (created or truncated). Default: inherited.
  std::string stdout_path;
  /// Descriptor duplicated onto standard output (e.g. a pipe's write end); wins over
  /// stdout_path. Default -1: not used. The caller closes its own copy.
  int stdout_fd = -1;
  /// File that receives standard error (created or truncated). Default: inherited.
  std::string stderr_path;
  /// Standard error goes where standard output goes; wins over stderr_path.
  bool stderr_to_stdout = false;
};

/// \brief Starts argv[0] (a path, not looked up in PATH) with `argv` and this
/// process's environment, via posix_spawn. Returns the child's pid; the caller waits.
arrow::Result<pid_t> SpawnProcess(const std::vector<std::string>& argv,
                                  const SpawnOptions& options);

/// \brief One helper process started with posix_spawn; stdout and stderr go to a file.
struct ChildRun {
  pid_t pid = -1;
  std::string command;   ///< for failure messages
  std::string out_path;  ///< captured stdout + stderr
  int exit_code = -1;    ///< 128 + signal when killed by a signal
  std::vector<std::string> lines;
  std::string output;
};

/// \brief A group of children that start working together: each waits for the
/// group's go-file (passed as an extra argument by the caller) before doing anything.
class ChildGroup {
 public:
  explicit ChildGroup(std::filesystem::path dir) : dir_(std::move(dir)) {}
  ~ChildGroup() {
    // A failed assertion may leave children behind: never let them outlive the test.
    for (auto& run : runs_) {
      if (run.pid > 0 && run.exit_code < 0) {
        ::kill(run.pid, SIGKILL);
        ::waitpid(run.pid, nullptr, 0);
      }
    }
  }

  std::string go_file() const { return (dir_ / "go").string(); }

  arrow::Status Spawn(const std::string& program, const std::vector<std::string>& args) {
    ChildRun run;
    run.out_path = (dir_ / ("child-" + std::to_string(runs_.size()) + ".out")).string();
    std::vector<std::string> argv_strings = {program};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    for (const auto& arg : argv_strings) run.command += arg + " ";
    SpawnOptions options;
    options.stdout_path = run.out_path;
    options.stderr_to_stdout = true;
    ARROW_ASSIGN_OR_RAISE(run.pid, SpawnProcess(argv_strings, options));
    runs_.push_back(std::move(run));
    return arrow::Status::OK();
  }

  /// Waits until every child has started and said so (a `<go-file>.ready.<pid>`
  /// file), then releases them all at once. Process start-up is slow and uneven;
  /// without this the first child would finish before the last one begins.
  arrow::Status Go(std::chrono::seconds timeout = std::chrono::seconds(60)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (const auto& run : runs_) {
      const std::string ready = go_file() + ".ready." + std::to_string(run.pid);
      while (!std::filesystem::exists(ready)) {
        if (std::chrono::steady_clock::now() > deadline) {
          return arrow::Status::IOError("child never got ready: ", run.command);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
    }
    std::ofstream(go_file()) << "go\n";
    return arrow::Status::OK();
  }

  /// Waits for every child; children still running after `timeout` are killed
  /// (their exit_code says so). Then reads what each printed.
  void WaitAll(std::chrono::seconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (auto& run : runs_) {
      int status = 0;
      while (true) {
        pid_t done = ::waitpid(run.pid, &status, WNOHANG);
        if (done == run.pid) break;
        if (std::chrono::steady_clock::now() > deadline) {
          ::kill(run.pid, SIGKILL);
          ::waitpid(run.pid, &status, 0);
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      std::ifstream in(run.out_path);
      std::stringstream buffer;
      buffer << in.rdbuf();
      run.output = buffer.str();
      std::istringstream lines(run.output);
      for (std::string line; std::getline(lines, line);) run.lines.push_back(line);
    }
  }

  std::vector<ChildRun>& runs() { return runs_; }

 private:
  std::filesystem::path dir_;
  std::vector<ChildRun> runs_;
};

}  // namespace deltaline::testing
