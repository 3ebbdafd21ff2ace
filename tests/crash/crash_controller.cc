// Crash-kill controller: starts crash_driver on one table, SIGKILLs it at a random
// moment aimed at one phase (writing data files, committing, checkpointing,
// vacuuming, or anywhere), then checks the table (crash_verify.h), and repeats.
//
//   crash_controller [--kills N] [--seed S] [--work DIR] [--deltars-every K]
//
// Exit code 0 when every check passed; otherwise the first failure is printed and
// the table is left in DIR for a post-mortem. ctest runs the CI setting (50 kills).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crash_ops.h"
#include "crash_verify.h"
#include "delta/write/write.h"
#include "support/child_process.h"

namespace deltaline::crash {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Args {
  int64_t kills = 50;
  uint64_t seed = 0;
  std::string work = "crash-work";
  int64_t deltars_every = 10;
};

/// The driver process and the lines it has said so far.
class Driver {
 public:
  arrow::Status Start(const std::string& table, uint64_t seed, int64_t first_op,
                      const std::string& log_path) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return arrow::Status::IOError("pipe");
    std::vector<std::string> args = {DELTALINE_CRASH_DRIVER, table, std::to_string(seed),
                                     std::to_string(first_op),
                                     std::to_string(kOpsPerRun - 2)};
    testing::SpawnOptions options;
    options.stdout_fd = fds[1];
    options.stderr_path = log_path;
    auto pid = testing::SpawnProcess(args, options);
    ::close(fds[1]);
    read_fd_ = fds[0];
    if (!pid.ok()) {
      return arrow::Status::IOError("cannot start ", args[0], ": ",
                                    pid.status().message());
    }
    pid_ = *pid;
    return arrow::Status::OK();
  }
  ~Driver() {
    if (pid_ > 0) Kill();
    if (read_fd_ >= 0) ::close(read_fd_);
  }

  /// The next line, or nullopt when none came before `deadline` or the pipe closed.
  std::optional<std::string> NextLine(Clock::time_point deadline) {
    while (true) {
      auto newline = buffer_.find('\n');
      if (newline != std::string::npos) {
        std::string line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        return line;
      }
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() < 0 || closed_) return std::nullopt;
      pollfd pfd{read_fd_, POLLIN, 0};
      if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
      char chunk[4096];
      ssize_t n = ::read(read_fd_, chunk, sizeof(chunk));
      if (n <= 0) {
        closed_ = true;
      } else {
        buffer_.append(chunk, static_cast<size_t>(n));
      }
    }
  }

  /// SIGKILL; returns false when the driver had already exited on its own.
  bool Kill() {
    int status = 0;
    bool alive = ::waitpid(pid_, &status, WNOHANG) == 0;
    if (alive) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    return alive;
  }

 private:
  pid_t pid_ = -1;
  int read_fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

enum class Target { kData, kCommit, kCheckpoint, kVacuum, kAnytime };

// Which phase a line starts: "data", "commit", "checkpoint", "vacuum" or "between".
std::string PhaseOf(const std::string& line) {
  std::istringstream in(line);
  std::string tag, op, kind;
  in >> tag >> op >> kind;
  if (tag == "B") return kind == "append" || kind == "overwrite" ? "data" : kind;
  if (tag == "C") return "commit";
  return "between";
}

struct Estimates {  // how long each phase took lately (ms), to aim the next kill
  std::map<std::string, double> ms = {
      {"data", 50}, {"commit", 20}, {"checkpoint", 20}, {"vacuum", 20}};
  std::string phase;
  Clock::time_point since;
  void Saw(const std::string& line) {
    auto now = Clock::now();
    if (ms.count(phase)) {
      double took = std::chrono::duration<double, std::milli>(now - since).count();
      ms[phase] = 0.7 * ms[phase] + 0.3 * took;
    }
    phase = PhaseOf(line);
    since = now;
  }
};

arrow::Status RunKill(const Args& args, int64_t kill_idx, std::mt19937_64& rng,
                      Estimates& estimates, Model& model, CheckCounts& counts,
                      std::map<std::string, int64_t>& landed) {
  const std::string table = args.work + "/table";
  Driver driver;
  ARROW_RETURN_NOT_OK(driver.Start(table, model.seed, kill_idx * kOpsPerRun + 1,
                                   args.work + "/driver.log"));
  const auto target = static_cast<Target>(rng() % 5);
  const std::map<Target, std::string> wanted = {{Target::kData, "data"},
                                                {Target::kCommit, "commit"},
                                                {Target::kCheckpoint, "checkpoint"},
                                                {Target::kVacuum, "vacuum"}};
  const auto give_up = Clock::now() + std::chrono::seconds(30);
  std::string last = "startup";
  double delay_ms = std::uniform_real_distribution<double>(0, 400)(rng);
  if (target != Target::kAnytime) {
    while (auto line = driver.NextLine(give_up)) {
      if (line->starts_with("X "))
        return arrow::Status::Invalid("driver failed: ", *line);
      estimates.Saw(*line);
      last = PhaseOf(*line);
      if (last == wanted.at(target)) break;
    }
    auto estimate = estimates.ms.find(last);
    const double span = estimate == estimates.ms.end() ? 20.0 : estimate->second;
    delay_ms = std::uniform_real_distribution<double>(0, span)(rng);
  }
  std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(delay_ms));
  if (!driver.Kill()) {
    return arrow::Status::Invalid("the driver exited before it was killed; see ",
                                  args.work, "/driver.log");
  }
  // What it said before it died tells where the kill landed.
  while (auto line = driver.NextLine(Clock::now() + std::chrono::milliseconds(200))) {
    if (line->starts_with("X ")) return arrow::Status::Invalid("driver failed: ", *line);
    estimates.Saw(*line);
    last = PhaseOf(*line);
  }
  landed[last] += 1;

  auto store_or = delta::FileSystemLogStore::Open(table);
  ARROW_RETURN_NOT_OK(store_or.status());
  auto& store = **store_or;
  ARROW_RETURN_NOT_OK(VerifyNewVersions(store, model, counts));
  ARROW_RETURN_NOT_OK(NextWriteLands(store, model, (kill_idx + 1) * kOpsPerRun - 1));
  ARROW_RETURN_NOT_OK(VerifyNewVersions(store, model, counts));
  ARROW_RETURN_NOT_OK(VacuumLeavesNoOrphans(store, counts));
  ARROW_RETURN_NOT_OK(VerifyNewVersions(store, model, counts));
  if (args.deltars_every > 0 && (kill_idx + 1) % args.deltars_every == 0) {
    ARROW_RETURN_NOT_OK(CheckWithDeltaRs(DELTALINE_PYTHON, table, model));
    counts.deltars_checks += 1;
  }
  return arrow::Status::OK();
}

int Run(const Args& args) {
  const auto started = Clock::now();
  std::error_code ec;
  fs::remove_all(args.work, ec);
  fs::create_directories(args.work);
  const std::string table = args.work + "/table";
  Model model;
  model.seed = args.seed;
  CheckCounts counts;
  std::map<std::string, int64_t> landed;
  Estimates estimates;
  std::mt19937_64 rng(args.seed);

  auto status = [&]() -> arrow::Status {
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
    ARROW_ASSIGN_OR_RAISE(auto batches, BatchesForOp(model.seed, 0));
    ARROW_ASSIGN_OR_RAISE(auto first,
                          arrow::Table::FromRecordBatches(CrashSchema(), batches));
    delta::WriteOptions options;
    options.user_metadata = {{kOpKey, "0"}, {kKindKey, "append"}};
    // Small files and frequent checkpoints: more files per commit, and checkpoints
    // also inside commits.
    options.table_properties = {{"delta.checkpointInterval", "5"},
                                {"delta.targetFileSize", "262144"}};
    ARROW_RETURN_NOT_OK(delta::WriteTable(*store, *first, options).status());
    ARROW_RETURN_NOT_OK(VerifyNewVersions(*store, model, counts));
    for (int64_t kill_idx = 0; kill_idx < args.kills; ++kill_idx) {
      auto st = RunKill(args, kill_idx, rng, estimates, model, counts, landed);
      if (!st.ok()) return st.WithMessage("kill ", kill_idx + 1, ": ", st.message());
      if ((kill_idx + 1) % 10 == 0) {
        std::cerr << "crash: " << kill_idx + 1 << "/" << args.kills << " kills, version "
                  << model.verified_through << "\n";
      }
    }
    return arrow::Status::OK();
  }();
  const double wall_s = std::chrono::duration<double>(Clock::now() - started).count();
  std::cout << "crash harness: seed " << args.seed << ", kills " << args.kills
            << " (landed in:";
  for (const auto& [phase, n] : landed) std::cout << " " << phase << " " << n;
  std::cout << "), versions " << model.verified_through + 1 << " (read back "
            << counts.versions_read << ", vacuumed " << counts.versions_vacuumed
            << "), commit files " << counts.commit_files << ", checkpoints "
            << counts.checkpoints << ", orphans removed " << counts.orphans_removed
            << ", delta-rs checks " << counts.deltars_checks << ", failures "
            << (status.ok() ? 0 : 1) << ", wall " << wall_s << " s\n";
  if (!status.ok()) {
    std::cout << "FAILED: " << status.ToString() << "\ntable kept at " << table << "\n";
    return 1;
  }
  fs::remove_all(args.work, ec);
  return 0;
}

}  // namespace
}  // namespace deltaline::crash

int main(int argc, char** argv) {
  deltaline::crash::Args args;
  args.seed = std::random_device{}();
  for (int arg_idx = 1; arg_idx + 1 < argc; arg_idx += 2) {
    std::string flag = argv[arg_idx];
    std::string value = argv[arg_idx + 1];
    if (flag == "--kills") {
      args.kills = std::stoll(value);
    } else if (flag == "--seed") {
      args.seed = std::stoull(value);
    } else if (flag == "--work") {
      args.work = value;
    } else if (flag == "--deltars-every") {
      args.deltars_every = std::stoll(value);
    } else {
      std::cerr << "usage: crash_controller [--kills N] [--seed S] [--work DIR] "
                   "[--deltars-every K]\n";
      return 2;
    }
  }
  if (argc % 2 == 0) {
    std::cerr << "crash_controller: every flag takes a value\n";
    return 2;
  }
  return deltaline::crash::Run(args);
}
