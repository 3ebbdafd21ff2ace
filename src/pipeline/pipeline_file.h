#pragma once

// A declared pipeline: a JSON file (PIPELINE.json) parsed into a pipeline::Pipeline,
// so `deltaline run PIPELINE.json` needs no C++. The format:
//
//   {
//     "id": "sales_daily",                       // the txn app id of its commits
//     "inputs": {                                // name → URI[@VERSION]
//       "sales": "data/sales@3",                 //   a Delta table (pinned version)
//       "regions": "data/regions.arrow"          //   Arrow IPC / Parquet / JSON lines
//     },
//     "nodes": [
//       {"name": "big_sales",
//        "filter": {"input": "sales", "where": "amount > 10"}},
//       {"name": "slim", "select": {"input": "big_sales", "columns": ["region",
//       "amount"]}},
//       {"name": "totals", "substrait": "plans/totals.json"}
//     ],
//     "outputs": [
//       {"node": "totals", "spec": {"name": "region_totals", "partitionBy": ["region"]}}
//     ]
//   }
//
// - Relative input paths and plan paths are relative to the pipeline file's directory.
// - A node is exactly one of `filter` (a SQL predicate, delta::ParsePredicate's
//   grammar), `select` (columns, in order) or `substrait` (a JSON or binary plan file;
//   its named tables are the node's inputs). `inputs`, optional, must list exactly the
//   names the node reads.
// - Node and input names are one namespace: a node may read inputs and other nodes.
// - An output's `spec` is a dataset spec (pipeline/dataset_spec.h).
//
// Everything checkable before a run is checked at parse time, as typed errors naming
// the JSON path: unknown keys, missing plan files, unknown or duplicate names, cycles,
// bad SQL, columns a node's input lacks, plans that do not fit their tables.

#include <map>
#include <string>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "engine/run_options.h"
#include "pipeline/dataset_spec.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_config.h"

namespace deltaline::pipeline {

struct PipelineFileOptions {
  /// Bindings (`URI[@VERSION]`, paths relative to the working directory) that replace
  /// the file's inputs of the same name or add inputs: RunConfig::inputs.
  std::map<std::string, std::string> inputs;
  /// How nodes run the plans they must materialise themselves (an upstream plan read
  /// by a Substrait node): the run's policy, context and reporter.
  engine::RunOptions run;
  /// Non-empty: replaces the file's `id` (RunConfig::pipeline_id); the file may then
  /// omit it.
  std::string pipeline_id;
};

/// \brief The options a run with `config` parses its pipeline file with: its inputs,
/// pipeline id, output policy and run context.
PipelineFileOptions PipelineFileOptionsFor(const RunConfig& config,
                                           const delta::Reporter& reporter = {});

/// \brief Parses the pipeline `json_text`; relative paths resolve against `base_dir`,
/// `source` names the file in messages. Inputs are bound (Delta tables pinned) now.
arrow::Result<Pipeline> ParsePipeline(const std::string& json_text,
                                      const std::string& base_dir,
                                      const std::string& source,
                                      const PipelineFileOptions& options = {});

/// \brief ParsePipeline on the file at `path` (kInvalidInput when unreadable).
arrow::Result<Pipeline> LoadPipelineFile(const std::string& path,
                                         const PipelineFileOptions& options = {});

/// \brief An output's spec (pipeline/spec_json.h: every DatasetSpec key; unknown and
/// Parquet-era keys refused by path), with a non-empty `name`. `path` is the spec's
/// JSON path, for messages.
arrow::Result<DatasetSpec> ParseOutputSpec(const nlohmann::json& spec,
                                           const std::string& path);

}  // namespace deltaline::pipeline
