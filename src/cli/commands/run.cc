// `deltaline run PIPELINE.json`: runs a declared pipeline (pipeline/pipeline_file.h)
// under a run configuration (pipeline/run_config.h), then records the run: a manifest
// in the run directory, a row in `<lake>/_runs` and a repro bundle. `runs` lists them.
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "obs/repro_bundle.h"
#include "pipeline/run_config.h"
#include "pipeline/runner.h"
#include "runs/pipeline_run.h"
#include "storage/policy_error.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct RunArgs {
  std::string pipeline, config, repro;
  pipeline::RunConfigOverrides overrides;
  std::string run_mode;
  bool json = false;
};

// Plain lines on stderr; on a terminal, one line rewritten in place.
std::function<void(const pipeline::ProgressEvent&)> ProgressPrinter() {
  const bool tty = isatty(STDERR_FILENO) != 0;
  // The last counts seen: not every event carries them (a phase change does not).
  struct Counts {
    int done = 0, total = 0;
    int64_t rows = 0;
  };
  auto counts = std::make_shared<Counts>();
  return [tty, counts](const pipeline::ProgressEvent& event) {
    if (event.nodes_total > 0) {
      counts->done = event.nodes_done;
      counts->total = event.nodes_total;
    }
    counts->rows = std::max(counts->rows, event.rows_written);
    std::ostringstream line;
    switch (event.kind) {
      case pipeline::ProgressKind::kPhase:
        line << "phase " << event.phase;
        break;
      case pipeline::ProgressKind::kNodeStarted:
        line << "node " << event.name << " started";
        break;
      case pipeline::ProgressKind::kNodeFinished:
        line << "node " << event.name << " done (" << event.nodes_done << "/"
             << event.nodes_total << " nodes)";
        break;
      case pipeline::ProgressKind::kOutputStarted:
        line << "writing " << event.name;
        break;
      case pipeline::ProgressKind::kOutputFinished:
        line << "wrote " << event.name << " (" << event.rows << " rows; "
             << event.rows_written << " rows written in all)";
        break;
    }
    if (tty) {
      constexpr int kWidth = 20;
      const int filled = counts->total > 0 ? counts->done * kWidth / counts->total : 0;
      std::cerr << "\r\033[K[" << std::string(filled, '#')
                << std::string(kWidth - filled, '-') << "] " << counts->done << "/"
                << counts->total << " nodes, " << counts->rows << " rows written  "
                << line.str() << std::flush;
      if (event.kind == pipeline::ProgressKind::kPhase && event.phase == "done") {
        std::cerr << "\n";
      }
    } else {
      std::cerr << "deltaline: " << line.str() << "\n";
    }
  };
}

void PrintSummary(const json& manifest) {
  std::cout << std::left << std::setw(24) << "output" << std::setw(12) << "rows added"
            << "version\n";
  for (const auto& output : manifest.value("outputs", json::array())) {
    const auto counts = output.value("counts", json::object());
    std::string version =
        output.contains("versionAfter") && !output["versionAfter"].is_null()
            ? std::to_string(output["versionAfter"].get<int64_t>())
            : "unchanged";
    std::cout << std::setw(24) << output.value("dataset", "?") << std::setw(12)
              << counts.value("rowsAdded", int64_t{0}) << version << "\n";
  }
}

arrow::Status Run(const RunArgs& args);

// --repro BUNDLE: the bundle's exact command line, from its working directory.
arrow::Status Repro(const RunArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto bundle, obs::ReadReproBundle(args.repro));
  if (bundle.argv.empty())
    return UsageError("repro bundle " + args.repro + " has no argv");
  std::vector<char*> argv;
  for (auto& arg : bundle.argv) argv.push_back(arg.data());
  argv.push_back(nullptr);
  if (!bundle.cwd.empty() && chdir(bundle.cwd.c_str()) != 0) {
    return arrow::Status::IOError("cannot enter ", bundle.cwd, " of repro bundle ",
                                  args.repro);
  }
  PrintNote("re-running the command of " + args.repro + " in " + bundle.cwd);
  execv("/proc/self/exe", argv.data());
  return arrow::Status::IOError("cannot re-run deltaline: ", std::strerror(errno));
}

arrow::Status Run(const RunArgs& args) {
  if (!args.repro.empty()) return Repro(args);
  if (args.pipeline.empty()) return UsageError("run needs PIPELINE.json (or --repro)");
  pipeline::RunConfigOverrides overrides = args.overrides;
  if (!args.run_mode.empty()) {
    ARROW_ASSIGN_OR_RAISE(overrides.mode, storage::ParseRunMode(args.run_mode));
  }
  std::optional<std::string> config_path;
  if (!args.config.empty()) config_path = args.config;
  auto loaded = pipeline::LoadRunConfig(config_path, overrides, StderrReporter());
  if (!loaded.ok() && storage::IsPolicyViolation(loaded.status())) {
    const auto load = [&config_path](const pipeline::RunConfigOverrides& set) {
      return pipeline::LoadRunConfig(config_path, set, {});
    };
    ARROW_ASSIGN_OR_RAISE(
        auto refused, runs::RecordRefusedRun(load, overrides, config_path.value_or(""),
                                             loaded.status(), StderrReporter()));
    if (args.json) PrintJson(refused);
    return loaded.status();
  }
  ARROW_ASSIGN_OR_RAISE(auto config, std::move(loaded));
  ARROW_ASSIGN_OR_RAISE(auto pipe,
                        runs::LoadRunPipeline(args.pipeline, config, StderrReporter()));
  ARROW_ASSIGN_OR_RAISE(auto settings,
                        runs::RunSettingsFor(config, pipe.id, StderrReporter()));
  settings.progress = ProgressPrinter();
  const int64_t sequence = settings.sequence;
  ARROW_ASSIGN_OR_RAISE(auto result, pipeline::RunPipeline(pipe, settings));
  ARROW_ASSIGN_OR_RAISE(auto manifest,
                        runs::RecordPipelineRun(args.pipeline, pipe, config, result,
                                                CommandLine(), StderrReporter()));
  if (args.json) {
    PrintJson(manifest);
  } else {
    PrintSummary(manifest);
    PrintNote("run " + result.run_id + " (sequence " + std::to_string(sequence) + ") " +
              (result.ok() ? "succeeded" : "failed") + "; manifest in " + config.run_dir);
  }
  return result.status;
}

}  // namespace

void RegisterRun(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run", "Run a declared pipeline (PIPELINE.json)");
  cmd->add_option("PIPELINE", args->pipeline, "The pipeline file (README, Pipelines)");
  cmd->add_option("--config", args->config, "Run configuration (JSON)");
  cmd->add_option("--lake", args->overrides.lake, "Where the outputs go (default lake)");
  cmd->add_option("--run-id", args->overrides.run_id, "The run's id (default a UUID)");
  cmd->add_option("--sequence", args->overrides.sequence,
                  "The run's sequence number, the txn version of its commits (default: "
                  "one more than the last succeeded run's; pass a crashed run's to "
                  "finish it exactly once)");
  cmd->add_option("--run-dir", args->overrides.run_dir,
                  "Where the manifest and repro bundle go (default <lake>/_run_dirs/ID)");
  cmd->add_option("--parallelism", args->overrides.parallelism, "Nodes run at once");
  cmd->add_option("--pipeline-id", args->overrides.pipeline_id,
                  "The pipeline id (default the file's id)");
  cmd->add_option("--table", args->overrides.inputs,
                  "NAME=URI[@VERSION]: replaces the pipeline input NAME; repeatable");
  cmd->add_option("--run-mode", args->run_mode, "production (default) or development")
      ->check(CLI::IsMember({"production", "development"}));
  cmd->add_option("--repro", args->repro,
                  "Re-run the command recorded in this repro bundle directory");
  cmd->add_flag("--json", args->json, "Print the run manifest as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
