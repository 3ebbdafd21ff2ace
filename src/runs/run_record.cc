#include "runs/run_record.h"

#include "engine/catalog.h"
#include "engine/delta_source.h"
#include "obs/run_store.h"
#include "pipeline/output_write.h"

namespace deltaline::runs {

obs::RunRecord ToRunRecord(const pipeline::Pipeline& pipeline,
                           const pipeline::RunConfig& config,
                           const pipeline::RunResult& result) {
  obs::RunRecord run;
  run.run_id = result.run_id;
  run.pipeline_id = result.pipeline_id;
  run.sequence = result.sequence;
  run.started_ms = result.start_ms;
  run.ended_ms = result.end_ms;
  run.outcome = result.ok() ? "succeeded" : "failed";
  if (!result.status.ok()) run.error = result.status.ToString();
  run.config = pipeline::RunConfigJson(config);
  run.policies = {{"output", storage::OutputPolicyJson(config.output.storage)}};
  if (pipeline.inputs) {
    for (const auto& name : pipeline.inputs->Names()) {
      auto entry = pipeline.inputs->Entry(name);
      if (!entry.ok()) continue;
      std::optional<int64_t> rows;
      if (entry->kind == engine::SourceKind::kDelta) {
        // From the log's stats: the pinned version's row count, no data read.
        auto table = engine::OpenDeltaTable(entry->uri, {entry->version, {}});
        if (table.ok()) rows = (*table)->snapshot->num_records();
      }
      run.inputs.push_back(
          {name, engine::SourceKindName(entry->kind), entry->uri, entry->version, rows});
    }
  }
  for (const auto& node : result.nodes) {
    if (node.status == pipeline::TaskStatus::kNotRun ||
        node.status == pipeline::TaskStatus::kSkipped) {
      continue;
    }
    std::optional<int64_t> rows;
    if (node.rows >= 0) rows = node.rows;
    run.nodes.push_back({node.name, node.start_ms, node.end_ms, rows});
  }
  for (const auto& refusal : result.refusals) {
    run.refusals.push_back(
        {refusal.node + (refusal.factory.empty() ? "" : ":" + refusal.factory),
         refusal.format, refusal.path, refusal.message});
  }
  return run;
}

std::vector<obs::OutputRecord> ToOutputRecords(const pipeline::Pipeline& pipeline,
                                               const pipeline::RunConfig& config,
                                               const pipeline::RunResult& result) {
  std::vector<obs::OutputRecord> records;
  for (size_t i = 0; i < pipeline.outputs.size(); ++i) {
    const auto& spec = pipeline.outputs[i].spec;
    obs::OutputRecord record;
    record.dataset = spec.name;
    record.uri = pipeline::OutputUri(config.lake, spec.name);
    if (i < result.outputs.size()) {
      const auto& run = result.outputs[i];
      record.skipped = run.status == pipeline::TaskStatus::kSkipped;
      record.version_before = run.result.version_before;
      if (run.status == pipeline::TaskStatus::kSucceeded &&
          run.result.write.delta.committed) {
        record.version_after = run.result.write.delta.version;
      }
      record.constraint_violations = run.result.constraint_counts;
    }
    if (!record.version_before && !record.version_after) {
      // The table's current version, when it exists (a skipped output's last commit).
      auto current = pipeline::TableVersion(record.uri);
      if (current.ok() && *current) record.version_before = *current;
    }
    records.push_back(std::move(record));
  }
  return records;
}

arrow::Result<nlohmann::json> BuildRunManifest(const pipeline::Pipeline& pipeline,
                                               const pipeline::RunConfig& config,
                                               const pipeline::RunResult& result) {
  return obs::BuildManifest(ToRunRecord(pipeline, config, result),
                            ToOutputRecords(pipeline, config, result));
}

storage::StorageWriteOptions StorageOptionsFor(const pipeline::RunConfig& config,
                                               delta::Reporter reporter) {
  storage::StorageWriteOptions options;
  options.output = config.output.storage;
  options.write = config.output.write;
  options.delta.schema_mode = config.output.schema_mode;
  options.delta.retry = config.output.retry;
  options.run = config.run_context();
  options.reporter = std::move(reporter);
  return options;
}

arrow::Status RecordManifest(const nlohmann::json& manifest,
                             const pipeline::RunConfig& config,
                             const delta::Reporter& reporter) {
  ARROW_RETURN_NOT_OK(obs::WriteManifest(manifest, config.run_dir));
  storage::StorageWriteOptions runs;
  runs.output = config.output.storage;
  runs.run = config.run_context();
  runs.reporter = reporter;
  return obs::AppendRunRow(manifest, config.lake, runs).status();
}

}  // namespace deltaline::runs
