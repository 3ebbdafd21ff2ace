// `deltaline runs LAKE`: the runs recorded in `<lake>/_runs`, oldest first; with
// --show RUN_ID, one run's manifest.
#include <ctime>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "obs/run_store.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct RunsArgs {
  std::string lake;
  std::string show;  ///< empty: list every run
  bool json = false;
};

std::string IsoTime(int64_t ms) {
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text + " ";
}

// The columns of `_runs` without the manifest (--show prints that).
json RunsJson(const std::vector<obs::RunRow>& rows) {
  json out = json::array();
  for (const auto& row : rows) {
    out.push_back({{"runId", row.run_id},
                   {"pipelineId", row.pipeline_id},
                   {"sequence", row.sequence},
                   {"startedAt", row.started_ms},
                   {"endedAt", row.ended_ms},
                   {"outcome", row.outcome},
                   {"error", row.error.empty() ? json(nullptr) : json(row.error)},
                   {"outputs", row.outputs},
                   {"committedOutputs", row.committed_outputs},
                   {"rowsAdded", row.rows_added}});
  }
  return out;
}

std::string RunsText(const std::vector<obs::RunRow>& rows) {
  std::ostringstream out;
  out << Pad("run_id", 24) << Pad("pipeline", 16) << Pad("seq", 5) << Pad("started", 20)
      << Pad("duration_ms", 11) << Pad("outcome", 10) << Pad("outputs", 7)
      << "rows_added\n";
  for (const auto& row : rows) {
    out << Pad(row.run_id, 24) << Pad(row.pipeline_id, 16)
        << Pad(std::to_string(row.sequence), 5) << Pad(IsoTime(row.started_ms), 20)
        << Pad(std::to_string(row.ended_ms - row.started_ms), 11) << Pad(row.outcome, 10)
        << Pad(std::to_string(row.committed_outputs) + "/" + std::to_string(row.outputs),
               7)
        << row.rows_added << "\n";
  }
  return out.str();
}

std::string VersionText(const json& value) {
  return value.is_number() ? value.dump() : "-";
}

// The run, then one line per output: dataset, versions, operation, rows added.
std::string ManifestText(const json& manifest) {
  std::ostringstream out;
  out << "run:       " << manifest.value("runId", "") << "\n"
      << "pipeline:  " << manifest.value("pipelineId", "") << " (sequence "
      << manifest.value("sequence", int64_t{0}) << ")\n"
      << "started:   " << IsoTime(manifest.value("startedAt", int64_t{0})) << " ("
      << manifest.value("durationMs", int64_t{0}) << " ms)\n"
      << "outcome:   " << manifest.value("outcome", "") << "\n";
  if (manifest.value("error", json()).is_string()) {
    out << "error:     " << manifest["error"].get<std::string>() << "\n";
  }
  out << "outputs:\n";
  for (const auto& output : manifest.value("outputs", json::array())) {
    out << "  " << output.value("dataset", "") << "  "
        << VersionText(output.value("versionBefore", json())) << " -> "
        << VersionText(output.value("versionAfter", json()));
    if (output.value("skipped", false)) out << "  skipped";
    if (output.value("operation", json()).is_string()) {
      out << "  " << output["operation"].get<std::string>();
    }
    const json counts = output.value("counts", json::object());
    if (counts.value("rowsAdded", json()).is_number()) {
      out << "  rows=" << counts["rowsAdded"].dump();
    }
    out << "  " << output.value("uri", "") << "\n";
  }
  out << "(--json prints the whole manifest)\n";
  return out.str();
}

arrow::Status Run(const RunsArgs& args) {
  if (!args.show.empty()) {
    ARROW_ASSIGN_OR_RAISE(auto manifest, obs::FindRun(args.lake, args.show));
    if (args.json) {
      PrintJson(manifest);
    } else {
      std::cout << ManifestText(manifest);
    }
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto rows, obs::ListRuns(args.lake));
  if (args.json) {
    PrintJson(RunsJson(rows));
  } else {
    std::cout << RunsText(rows);
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterRuns(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<RunsArgs>();
  auto* cmd = app.add_subcommand("runs", "Past pipeline runs recorded under a lake");
  cmd->add_option("LAKE", args->lake, "Lake root (the runs are in LAKE/_runs)")
      ->required();
  cmd->add_option("--show", args->show, "Print the manifest of this run");
  cmd->add_flag("--json", args->json, "Print JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
