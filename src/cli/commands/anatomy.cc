// `deltaline anatomy SRC_DIR --lake LAKE`: the code anatomy of a Python tree as Delta
// tables (anatomy/anatomy_run.h), full the first time and incremental afterwards, then
// recorded like `deltaline run`: a manifest in the run directory and a row in
// `<lake>/_runs`.
#include <unistd.h>

#include <chrono>
#include <iomanip>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "anatomy/anatomy_run.h"
#include "cli/command.h"
#include "cli/output.h"
#include "pipeline/run_config.h"
#include "runs/run_record.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct AnatomyArgs {
  std::string source_root, lake, config;
  bool full = false;
  int threads = 0;
  bool json = false;
};

// Parse progress as files per second; a bar rewritten in place on a terminal, plain
// lines otherwise (at phase changes and every tenth of the files).
std::function<void(const anatomy::AnatomyProgress&)> ProgressPrinter() {
  struct State {
    bool tty = isatty(STDERR_FILENO) != 0;
    std::string phase;
    std::chrono::steady_clock::time_point phase_start = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_draw;
    int64_t last_tenth = -1;
  };
  auto state = std::make_shared<State>();
  return [state](const anatomy::AnatomyProgress& event) {
    const auto now = std::chrono::steady_clock::now();
    const bool new_phase = event.phase != state->phase;
    if (new_phase) {
      if (state->tty && !state->phase.empty()) std::cerr << "\n";
      state->phase = event.phase;
      state->phase_start = now;
      state->last_tenth = -1;
    }
    if (event.phase == "done") return;
    const double seconds =
        std::chrono::duration<double>(now - state->phase_start).count();
    std::ostringstream line;
    line << event.phase;
    if (event.phase == "write" && !event.table.empty()) {
      line << " " << event.table << ": " << event.rows << " rows";
    } else if (event.files_total > 0) {
      line << " " << event.files_done << "/" << event.files_total << " files";
      if (event.phase == "parse" && seconds > 0) {
        line << ", " << std::fixed << std::setprecision(0)
             << static_cast<double>(event.files_done) / seconds << " files/s";
      }
    }
    if (state->tty) {
      if (!new_phase && now - state->last_draw < std::chrono::milliseconds(100) &&
          event.files_done < event.files_total) {
        return;
      }
      state->last_draw = now;
      constexpr int kWidth = 20;
      const int64_t filled =
          event.files_total > 0 ? event.files_done * kWidth / event.files_total : 0;
      std::cerr << "\r\033[K[" << std::string(filled, '#')
                << std::string(kWidth - filled, '-') << "] " << line.str() << std::flush;
      return;
    }
    const int64_t tenth =
        event.files_total > 0 ? event.files_done * 10 / event.files_total : 0;
    if (!new_phase && event.table.empty() && tenth == state->last_tenth) return;
    state->last_tenth = tenth;
    std::cerr << "deltaline: " << line.str() << "\n";
  };
}

void PrintSummary(const anatomy::AnatomyResult& result) {
  std::cout << std::left << std::setw(22) << "table" << std::setw(14) << "rows added"
            << std::setw(14) << "rows removed" << std::setw(13) << "rows copied"
            << "version\n";
  for (const auto& table : result.tables) {
    const std::string version =
        table.version_after
            ? std::to_string(*table.version_after)
            : (table.skipped ? "skipped (already committed)" : "unchanged");
    std::cout << std::setw(22) << table.table << std::setw(14) << table.rows_written
              << std::setw(14) << table.rows_removed << std::setw(13) << table.rows_copied
              << version << "\n";
  }
  const auto& files = result.files;
  std::cout << "files: " << files.listed << " listed, " << files.added << " added, "
            << files.changed << " changed, " << files.deleted << " deleted, "
            << files.renamed << " renamed, " << files.unchanged << " unchanged, "
            << files.dependents << " dependents re-resolved, " << files.parsed
            << " parsed\n";
}

arrow::Result<json> RecordRun(const pipeline::RunConfig& config,
                              const anatomy::AnatomyResult& result) {
  ARROW_ASSIGN_OR_RAISE(auto manifest,
                        runs::BuildRunManifest(result.pipeline, config, result.run));
  manifest["anatomy"] = anatomy::AnatomyManifestJson(result);
  ARROW_RETURN_NOT_OK(runs::RecordManifest(manifest, config, StderrReporter()));
  return manifest;
}

arrow::Status Run(const AnatomyArgs& args) {
  pipeline::RunConfigOverrides overrides;
  overrides.lake = args.lake;
  std::optional<std::string> config_path;
  if (!args.config.empty()) config_path = args.config;
  ARROW_ASSIGN_OR_RAISE(
      auto config, pipeline::LoadRunConfig(config_path, overrides, StderrReporter()));
  if (config.pipeline_id.empty()) config.pipeline_id = "anatomy";
  anatomy::AnatomyOptions options;
  options.source_root = args.source_root;
  options.lake = config.lake;
  options.full = args.full;
  options.threads = args.threads;
  options.parallelism = config.parallelism;
  options.run_id = config.run_id;
  options.pipeline_id = config.pipeline_id;
  options.storage = runs::StorageOptionsFor(config, StderrReporter());
  options.progress = ProgressPrinter();
  ARROW_ASSIGN_OR_RAISE(auto result, anatomy::RunAnatomy(options));
  ARROW_ASSIGN_OR_RAISE(auto manifest, RecordRun(config, result));
  if (args.json) {
    PrintJson(manifest);
  } else {
    if (result.nothing_changed) {
      PrintNote("nothing changed since the last run: no commits");
    } else {
      PrintSummary(result);
    }
    PrintNote(std::string(result.incremental ? "incremental" : "full") + " run " +
              result.run.run_id + " (sequence " + std::to_string(result.sequence) + ") " +
              (result.run.ok() ? "succeeded" : "failed") + "; manifest in " +
              config.run_dir);
  }
  return result.run.status;
}

}  // namespace

void RegisterAnatomy(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<AnatomyArgs>();
  auto* cmd = app.add_subcommand(
      "anatomy",
      "The code anatomy of a Python tree as Delta tables (full, then incremental)");
  cmd->add_option("SRC_DIR", args->source_root, "The Python source tree")->required();
  cmd->add_option("--lake", args->lake, "Where the tables go")->required();
  cmd->add_flag("--full", args->full,
                "Rebuild every table (default: incremental when "
                "the lake has a previous run)");
  cmd->add_option("--config", args->config,
                  "Run configuration (JSON): policies, parallelism, run id");
  cmd->add_option("--threads", args->threads, "Parsing threads (default: all cores)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--json", args->json, "Print the run manifest as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
