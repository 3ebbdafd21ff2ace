#pragma once

// The shape of a pipeline: named nodes, their inputs, and the outputs they feed. The
// runner (runner.h) checks and runs it; a declared pipeline (a JSON file) is parsed
// into the same shape. Plain data plus std::function: no state of its own.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "engine/catalog.h"
#include "pipeline/dataset_spec.h"
#include "storage/output_policy.h"
#include "storage/storage_writer.h"

namespace deltaline::pipeline {

/// \brief What a node produced: a whole table, a stream (consumed once), or an engine
/// plan (an Acero declaration whose sources are already bound) that the runner runs
/// through engine/execute.h or streams straight into a Delta table with InsertInto.
using NodeValue =
    std::variant<std::shared_ptr<arrow::Table>, std::shared_ptr<arrow::RecordBatchReader>,
                 arrow::acero::Declaration>;

/// \brief The values of a node's declared inputs, by input name. A table input is
/// shared; a stream input is handed to exactly one consumer (the runner materialises
/// a stream that feeds several consumers).
using NodeInputs = std::map<std::string, NodeValue>;

/// \brief A node: a function of its declared inputs. `inputs` names other nodes or
/// pipeline inputs (Pipeline::inputs). The function must not write anything: outputs
/// are written by the runner, through the storage surface or the engine only.
struct Node {
  std::string name;
  std::vector<std::string> inputs;
  std::function<arrow::Result<NodeValue>(NodeInputs)> run;
};

/// \brief An output: the node whose value becomes the Delta table `<lake>/<dataset>`,
/// checked against `spec` before it commits.
struct Output {
  std::string node;
  DatasetSpec spec;  ///< spec.name is the dataset (table directory under the lake)
};

/// \brief A whole pipeline.
struct Pipeline {
  std::string id;  ///< the pipeline's id: the `txn` app id of its output commits
  /// Pipeline inputs, bound by name (Delta tables pinned at a version, files, tables).
  std::shared_ptr<engine::Catalog> inputs;
  std::vector<Node> nodes;
  std::vector<Output> outputs;
};

}  // namespace deltaline::pipeline
