#pragma once

// The checked shape of a pipeline: every name resolved, the order its nodes may run in,
// and who reads each node's value. Built once by ValidatePipeline before anything runs,
// so a broken pipeline fails with nothing executed.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "pipeline/pipeline.h"

namespace deltaline::pipeline {

struct Dag {
  /// Node name → its index in Pipeline::nodes.
  std::map<std::string, size_t> index;
  /// Node indices such that every node comes after the nodes it reads.
  std::vector<size_t> order;
  /// Per node: how many of its inputs are nodes (its dependency count); the rest are
  /// pipeline inputs, available from the start.
  std::vector<int> dependencies;
  /// Per node: the nodes that read its value, in Pipeline::nodes order.
  std::vector<std::vector<size_t>> consumers;
  /// Per node: the outputs (indices into Pipeline::outputs) it feeds.
  std::vector<std::vector<size_t>> outputs;

  bool IsNode(const std::string& name) const { return index.count(name) > 0; }
};

/// \brief Checks `pipeline` and orders it. Each failure is delta::InvalidInput naming
/// the node(s) or dataset involved: an empty or duplicate node name, a node without a
/// function, a node reading the same input twice, a node input that is neither a node
/// nor a pipeline input (`pipeline.inputs` names), a node named like a pipeline input
/// (which one a reader meant would be ambiguous), a cycle (its nodes in order, the
/// first repeated at the end), an output naming an unknown node, an output without a
/// spec name, two outputs with the same dataset, an empty pipeline id (the `txn` app id
/// of every output commit).
arrow::Result<Dag> ValidatePipeline(const Pipeline& pipeline);

}  // namespace deltaline::pipeline
