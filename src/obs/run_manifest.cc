#include "obs/run_manifest.h"

#include "delta/base/errors.h"
#include "obs/table_facts.h"

namespace deltaline::obs {
namespace {

using nlohmann::json;

json Optional(const std::optional<int64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

json InputsJson(const std::vector<InputRecord>& inputs) {
  json out = json::array();
  for (const auto& input : inputs) {
    out.push_back({{"name", input.name},
                   {"kind", input.kind},
                   {"uri", input.uri},
                   {"version", Optional(input.version)},
                   {"rows", Optional(input.rows)}});
  }
  return out;
}

json NodesJson(const std::vector<NodeTiming>& nodes) {
  json out = json::array();
  for (const auto& node : nodes) {
    out.push_back({{"name", node.name},
                   {"startedAt", node.started_ms},
                   {"endedAt", node.ended_ms},
                   {"durationMs", node.ended_ms - node.started_ms},
                   {"rows", Optional(node.rows)}});
  }
  return out;
}

json RefusalsJson(const std::vector<RefusalRecord>& refusals) {
  json out = json::array();
  for (const auto& refusal : refusals) {
    out.push_back({{"sink", refusal.sink},
                   {"format", refusal.format},
                   {"path", refusal.path},
                   {"reason", refusal.reason}});
  }
  return out;
}

// The version the manifest describes: what the run committed, else what was there
// before it, else whatever the table holds now (unset: the latest, when it exists).
std::optional<int64_t> DescribedVersion(const OutputRecord& output) {
  return output.version_after ? output.version_after : output.version_before;
}

// A commit of this run: a new version after it, not a skipped repeat.
bool Committed(const OutputRecord& output) {
  return !output.skipped && output.version_after &&
         (!output.version_before || *output.version_after != *output.version_before);
}

arrow::Result<json> OutputJson(const OutputRecord& output) {
  const bool committed = Committed(output);
  json out = {{"dataset", output.dataset},
              {"uri", output.uri},
              {"versionBefore", Optional(output.version_before)},
              {"versionAfter", Optional(output.version_after)},
              {"skipped", output.skipped},
              {"committed", committed},
              {"constraintViolations", output.constraint_violations}};
  auto facts = TableFacts(output.uri, DescribedVersion(output), committed,
                          kManifestHistoryEntries);
  if (!facts.ok()) {
    // A table the run never created has nothing to describe; any other failure
    // (a claimed version the log lacks, a broken log) is the manifest's error.
    const bool never_created =
        !output.version_before && !output.version_after &&
        delta::IsKind(facts.status(), delta::ErrorKind::kTableNotFound);
    if (!never_created) {
      return facts.status().WithMessage("run manifest of output '", output.dataset, "' (",
                                        output.uri, "): ", facts.status().message());
    }
    out["exists"] = false;
    return out;
  }
  for (auto& [key, value] : facts->items()) {
    if (key == "commit") {
      out["operation"] = value.is_null() ? json(nullptr) : value["operation"];
      out["timestamp"] = value.is_null() ? json(nullptr) : value["timestamp"];
      out["operationParameters"] =
          value.is_null() ? json::object() : value["operationParameters"];
      out["operationMetrics"] =
          value.is_null() ? json::object() : value["operationMetrics"];
      out["userMetadata"] = value.is_null() ? json::object() : value["userMetadata"];
    } else if (key != "version") {
      out[key] = value;
    }
  }
  return out;
}

// Sums over the outputs this run committed to.
json TotalsJson(const json& outputs) {
  int64_t committed = 0, rows_added = 0, files_added = 0, bytes_added = 0;
  int64_t violations = 0;
  for (const auto& output : outputs) {
    for (const auto& [rule, count] : output["constraintViolations"].items()) {
      violations += count.get<int64_t>();
    }
    if (!output["committed"].get<bool>() || !output.contains("counts")) continue;
    ++committed;
    const auto& counts = output["counts"];
    auto add = [&counts](const char* name, int64_t* total) {
      if (counts[name].is_number_integer()) *total += counts[name].get<int64_t>();
    };
    add("rowsAdded", &rows_added);
    add("filesAdded", &files_added);
    add("bytesAdded", &bytes_added);
  }
  return {{"outputs", outputs.size()}, {"committedOutputs", committed},
          {"rowsAdded", rows_added},   {"filesAdded", files_added},
          {"bytesAdded", bytes_added}, {"constraintViolations", violations}};
}

}  // namespace

arrow::Result<json> BuildManifest(const RunRecord& run,
                                  const std::vector<OutputRecord>& outputs) {
  json out_list = json::array();
  for (const auto& output : outputs) {
    ARROW_ASSIGN_OR_RAISE(json entry, OutputJson(output));
    out_list.push_back(std::move(entry));
  }
  json manifest = {{"manifestVersion", 1},
                   {"runId", run.run_id},
                   {"pipelineId", run.pipeline_id},
                   {"sequence", run.sequence},
                   {"startedAt", run.started_ms},
                   {"endedAt", run.ended_ms},
                   {"durationMs", run.ended_ms - run.started_ms},
                   {"outcome", run.outcome},
                   {"error", run.error.empty() ? json(nullptr) : json(run.error)},
                   {"config", run.config},
                   {"policies", run.policies},
                   {"inputs", InputsJson(run.inputs)},
                   {"nodes", NodesJson(run.nodes)},
                   {"refusals", RefusalsJson(run.refusals)}};
  manifest["totals"] = TotalsJson(out_list);
  manifest["outputs"] = std::move(out_list);
  return manifest;
}

}  // namespace deltaline::obs
