#include "pipeline/dag.h"

#include <deque>
#include <set>

#include "delta/base/errors.h"

namespace deltaline::pipeline {
namespace {

std::string Quoted(const std::string& name) { return "'" + name + "'"; }

arrow::Status CheckNames(const Pipeline& pipeline, const std::set<std::string>& sources,
                         Dag* dag) {
  for (size_t i = 0; i < pipeline.nodes.size(); ++i) {
    const Node& node = pipeline.nodes[i];
    if (node.name.empty()) {
      return delta::InvalidInput("pipeline node #" + std::to_string(i) + " has no name");
    }
    if (!dag->index.emplace(node.name, i).second) {
      return delta::InvalidInput("duplicate pipeline node name " + Quoted(node.name));
    }
    if (sources.count(node.name) > 0) {
      return delta::InvalidInput("pipeline node " + Quoted(node.name) +
                                 " has the name of a pipeline input");
    }
    if (!node.run) {
      return delta::InvalidInput("pipeline node " + Quoted(node.name) +
                                 " has no function");
    }
  }
  return arrow::Status::OK();
}

arrow::Status CheckInputs(const Pipeline& pipeline, const std::set<std::string>& sources,
                          Dag* dag) {
  const size_t n = pipeline.nodes.size();
  dag->dependencies.assign(n, 0);
  dag->consumers.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    const Node& node = pipeline.nodes[i];
    std::set<std::string> seen;
    for (const auto& input : node.inputs) {
      if (!seen.insert(input).second) {
        return delta::InvalidInput("pipeline node " + Quoted(node.name) + " reads " +
                                   Quoted(input) + " twice");
      }
      auto found = dag->index.find(input);
      if (found != dag->index.end()) {
        ++dag->dependencies[i];
        dag->consumers[found->second].push_back(i);
      } else if (sources.count(input) == 0) {
        return delta::InvalidInput("pipeline node " + Quoted(node.name) + " reads " +
                                   Quoted(input) +
                                   ", which is neither a node nor a pipeline input");
      }
    }
  }
  return arrow::Status::OK();
}

// Among the nodes Kahn's algorithm could not order, follows node inputs until one
// repeats: the repeated stretch is a cycle, named in the order values flow.
std::string DescribeCycle(const Pipeline& pipeline, const Dag& dag,
                          const std::vector<int>& left) {
  size_t at = 0;
  while (left[at] == 0) ++at;
  std::vector<size_t> path;
  std::map<size_t, size_t> position;
  while (position.count(at) == 0) {
    position[at] = path.size();
    path.push_back(at);
    for (const auto& input : pipeline.nodes[at].inputs) {
      auto found = dag.index.find(input);
      if (found != dag.index.end() && left[found->second] > 0) {
        at = found->second;
        break;
      }
    }
  }
  // `path` walks against the flow (node → its input); reverse it so each node feeds
  // the next.
  std::vector<size_t> cycle(path.begin() + static_cast<std::ptrdiff_t>(position[at]),
                            path.end());
  std::string text;
  for (auto it = cycle.rbegin(); it != cycle.rend(); ++it) {
    text += Quoted(pipeline.nodes[*it].name) + " -> ";
  }
  return text + Quoted(pipeline.nodes[cycle.back()].name);
}

arrow::Status Order(const Pipeline& pipeline, Dag* dag) {
  std::vector<int> left = dag->dependencies;
  std::deque<size_t> ready;
  for (size_t i = 0; i < left.size(); ++i) {
    if (left[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    const size_t next = ready.front();
    ready.pop_front();
    dag->order.push_back(next);
    for (size_t consumer : dag->consumers[next]) {
      if (--left[consumer] == 0) ready.push_back(consumer);
    }
  }
  if (dag->order.size() == pipeline.nodes.size()) return arrow::Status::OK();
  // Nodes merely downstream of a cycle also keep a count; only cycle members and
  // their descendants are left, and following inputs from any of them reaches a cycle.
  return delta::InvalidInput("pipeline nodes form a cycle: " +
                             DescribeCycle(pipeline, *dag, left));
}

arrow::Status CheckOutputs(const Pipeline& pipeline, Dag* dag) {
  dag->outputs.assign(pipeline.nodes.size(), {});
  std::map<std::string, std::string> datasets;
  for (size_t i = 0; i < pipeline.outputs.size(); ++i) {
    const Output& output = pipeline.outputs[i];
    auto found = dag->index.find(output.node);
    if (found == dag->index.end()) {
      return delta::InvalidInput("pipeline output names unknown node " +
                                 Quoted(output.node));
    }
    if (output.spec.name.empty()) {
      return delta::InvalidInput("pipeline output node " + Quoted(output.node) +
                                 " has no dataset spec (empty spec name)");
    }
    auto [at, added] = datasets.emplace(output.spec.name, output.node);
    if (!added) {
      return delta::InvalidInput("pipeline outputs of nodes " + Quoted(at->second) +
                                 " and " + Quoted(output.node) +
                                 " write the same dataset " + Quoted(output.spec.name));
    }
    dag->outputs[found->second].push_back(i);
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<Dag> ValidatePipeline(const Pipeline& pipeline) {
  if (pipeline.id.empty()) {
    return delta::InvalidInput("pipeline has no id (the txn app id of its outputs)");
  }
  std::set<std::string> sources;
  if (pipeline.inputs) {
    for (auto& name : pipeline.inputs->Names()) sources.insert(std::move(name));
  }
  Dag dag;
  ARROW_RETURN_NOT_OK(CheckNames(pipeline, sources, &dag));
  ARROW_RETURN_NOT_OK(CheckInputs(pipeline, sources, &dag));
  ARROW_RETURN_NOT_OK(CheckOutputs(pipeline, &dag));
  ARROW_RETURN_NOT_OK(Order(pipeline, &dag));
  return dag;
}

}  // namespace deltaline::pipeline
