#include "pipeline/pipeline_file.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "delta/base/errors.h"
#include "engine/catalog.h"
#include "engine/substrait_plan.h"
#include "pipeline/spec_json.h"
#include "pipeline/declared_nodes.h"

namespace deltaline::pipeline {
namespace {

namespace fs = std::filesystem;
using delta::InvalidInput;
using nlohmann::json;

// One node as declared, before its function is made.
struct NodeDecl {
  std::string path;  // "nodes[2]", for messages
  std::string name;
  std::string kind;  // "filter" | "select" | "substrait"
  std::string input;
  std::string where;
  std::vector<std::string> columns;
  std::shared_ptr<const engine::SubstraitPlan> plan;
  std::vector<std::string> reads;  // sorted
};

arrow::Status CheckKeys(const json& object, const std::string& path,
                        const std::set<std::string>& known) {
  if (!object.is_object()) return InvalidInput(path + " must be a JSON object");
  for (const auto& item : object.items()) {
    if (!known.count(item.key())) {
      return InvalidInput("unknown pipeline key " + path + "." + item.key());
    }
  }
  return arrow::Status::OK();
}

template <typename T>
arrow::Result<T> Get(const json& object, const std::string& key,
                     const std::string& path) {
  if (!object.contains(key)) return InvalidInput(path + "." + key + " is missing");
  try {
    return object.at(key).get<T>();
  } catch (const json::exception& e) {
    return InvalidInput(path + "." + key + " has the wrong type: " + e.what());
  }
}

std::string Resolve(const std::string& base_dir, const std::string& path) {
  if (path.find("://") != std::string::npos || fs::path(path).is_absolute()) return path;
  return (fs::path(base_dir) / path).lexically_normal().string();
}

arrow::Result<std::shared_ptr<engine::Catalog>> BindFileInputs(
    const json& doc, const std::string& base_dir, const PipelineFileOptions& options) {
  std::map<std::string, std::string> bindings;
  if (doc.contains("inputs")) {
    const json& inputs = doc["inputs"];
    if (!inputs.is_object())
      return InvalidInput("inputs must map names to URI[@VERSION]");
    for (const auto& item : inputs.items()) {
      if (!item.value().is_string()) {
        return InvalidInput("inputs." + item.key() + " must be a string URI[@VERSION]");
      }
      ARROW_ASSIGN_OR_RAISE(
          auto parsed,
          engine::ParseBinding(item.key() + "=" + item.value().get<std::string>()));
      bindings[item.key()] =
          Resolve(base_dir, parsed.uri) + (parsed.at.empty() ? "" : "@" + parsed.at);
    }
  }
  for (const auto& [name, uri] : options.inputs) bindings[name] = uri;
  auto catalog = std::make_shared<engine::Catalog>();
  for (const auto& [name, uri] : bindings) {
    auto added = catalog->AddBinding(name + "=" + uri);
    if (!added.ok()) return added.WithMessage("inputs." + name + ": " + added.message());
  }
  return catalog;
}

arrow::Status ParseNodeKind(const json& node, const std::string& base_dir,
                            NodeDecl* decl) {
  int kinds = 0;
  for (const char* kind : {"filter", "select", "substrait"}) {
    if (node.contains(kind)) {
      decl->kind = kind;
      ++kinds;
    }
  }
  if (kinds != 1) {
    return InvalidInput(decl->path + " (" + decl->name +
                        ") must have exactly one of filter, select, substrait");
  }
  const std::string at = decl->path + "." + decl->kind;
  if (decl->kind == "filter") {
    ARROW_RETURN_NOT_OK(CheckKeys(node["filter"], at, {"input", "where"}));
    ARROW_ASSIGN_OR_RAISE(decl->input, Get<std::string>(node["filter"], "input", at));
    ARROW_ASSIGN_OR_RAISE(decl->where, Get<std::string>(node["filter"], "where", at));
    decl->reads = {decl->input};
  } else if (decl->kind == "select") {
    ARROW_RETURN_NOT_OK(CheckKeys(node["select"], at, {"input", "columns"}));
    ARROW_ASSIGN_OR_RAISE(decl->input, Get<std::string>(node["select"], "input", at));
    ARROW_ASSIGN_OR_RAISE(decl->columns,
                          Get<std::vector<std::string>>(node["select"], "columns", at));
    decl->reads = {decl->input};
  } else {
    ARROW_ASSIGN_OR_RAISE(auto file, Get<std::string>(node, "substrait", decl->path));
    auto plan = engine::ReadSubstraitPlanFile(Resolve(base_dir, file));
    if (!plan.ok()) return plan.status().WithMessage(at + ": " + plan.status().message());
    decl->plan = std::make_shared<const engine::SubstraitPlan>(std::move(*plan));
    decl->reads = PlanTableNames(*decl->plan);
    if (decl->reads.empty()) return InvalidInput(at + ": the plan reads no named table");
  }
  if (node.contains("inputs")) {
    ARROW_ASSIGN_OR_RAISE(auto listed,
                          Get<std::vector<std::string>>(node, "inputs", decl->path));
    std::sort(listed.begin(), listed.end());
    if (listed != decl->reads) {
      std::string reads;
      for (const auto& name : decl->reads) reads += (reads.empty() ? "" : ", ") + name;
      return InvalidInput(decl->path + ".inputs must list exactly what node '" +
                          decl->name + "' reads: " + reads);
    }
  }
  return arrow::Status::OK();
}

arrow::Result<std::vector<NodeDecl>> ParseNodes(const json& doc,
                                                const std::string& base_dir,
                                                const engine::Catalog& inputs) {
  if (!doc.contains("nodes") || !doc["nodes"].is_array()) {
    return InvalidInput("nodes must be a JSON array of nodes");
  }
  const auto input_names = inputs.Names();
  std::set<std::string> names(input_names.begin(), input_names.end());
  std::vector<NodeDecl> decls;
  for (size_t i = 0; i < doc["nodes"].size(); ++i) {
    const json& node = doc["nodes"][i];
    NodeDecl decl;
    decl.path = "nodes[" + std::to_string(i) + "]";
    ARROW_RETURN_NOT_OK(
        CheckKeys(node, decl.path, {"name", "inputs", "filter", "select", "substrait"}));
    ARROW_ASSIGN_OR_RAISE(decl.name, Get<std::string>(node, "name", decl.path));
    if (!names.insert(decl.name).second) {
      return InvalidInput(decl.path + ".name '" + decl.name +
                          "' is already the name of an input or another node");
    }
    ARROW_RETURN_NOT_OK(ParseNodeKind(node, base_dir, &decl));
    decls.push_back(std::move(decl));
  }
  for (const auto& decl : decls) {
    for (const auto& read : decl.reads) {
      if (!names.count(read)) {
        return InvalidInput(decl.path + " (" + decl.name + ") reads '" + read +
                            "', which is neither an input nor a node");
      }
    }
  }
  return decls;
}

arrow::Result<DeclaredNode> MakeNode(
    const NodeDecl& decl,
    const std::map<std::string, std::shared_ptr<arrow::Schema>>& schemas,
    const NodeContext& context) {
  if (decl.kind == "substrait") {
    std::map<std::string, std::shared_ptr<arrow::Schema>> reads;
    for (const auto& read : decl.reads) reads[read] = schemas.at(read);
    return MakeSubstraitNode(decl.name, decl.plan, reads, context);
  }
  const arrow::Schema& input = *schemas.at(decl.input);
  if (decl.kind == "filter")
    return MakeFilterNode(decl.name, decl.input, decl.where, input, context);
  return MakeSelectNode(decl.name, decl.input, decl.columns, input, context);
}

// Nodes are made in dependency order so each is checked against the schemas of what it
// reads; the pipeline keeps the file's order.
arrow::Result<std::vector<Node>> MakeNodes(const std::vector<NodeDecl>& decls,
                                           const NodeContext& context) {
  std::map<std::string, std::shared_ptr<arrow::Schema>> schemas;
  for (const auto& name : context.inputs->Names()) {
    ARROW_ASSIGN_OR_RAISE(auto entry, context.inputs->Entry(name));
    schemas[name] = entry.schema;
  }
  std::vector<std::optional<Node>> made(decls.size());
  size_t remaining = decls.size();
  while (remaining > 0) {
    bool progressed = false;
    for (size_t i = 0; i < decls.size(); ++i) {
      if (made[i]) continue;
      const auto& reads = decls[i].reads;
      if (!std::all_of(reads.begin(), reads.end(),
                       [&](const std::string& r) { return schemas.count(r) > 0; })) {
        continue;
      }
      auto declared = MakeNode(decls[i], schemas, context);
      if (!declared.ok()) {
        return declared.status().WithMessage(decls[i].path + ": " +
                                             declared.status().message());
      }
      schemas[decls[i].name] = declared->schema;
      made[i] = std::move(declared->node);
      --remaining;
      progressed = true;
    }
    if (!progressed) {
      std::string stuck;
      for (size_t i = 0; i < decls.size(); ++i) {
        if (!made[i]) stuck += (stuck.empty() ? "" : ", ") + decls[i].name;
      }
      return InvalidInput("nodes " + stuck + " depend on each other (a cycle)");
    }
  }
  std::vector<Node> nodes;
  for (auto& node : made) nodes.push_back(std::move(*node));
  return nodes;
}

arrow::Result<std::vector<Output>> ParseOutputs(const json& doc,
                                                const std::vector<Node>& nodes) {
  std::vector<Output> outputs;
  if (!doc.contains("outputs")) return outputs;
  if (!doc["outputs"].is_array()) return InvalidInput("outputs must be a JSON array");
  std::set<std::string> datasets;
  for (size_t i = 0; i < doc["outputs"].size(); ++i) {
    const std::string path = "outputs[" + std::to_string(i) + "]";
    const json& item = doc["outputs"][i];
    ARROW_RETURN_NOT_OK(CheckKeys(item, path, {"node", "spec"}));
    Output output;
    ARROW_ASSIGN_OR_RAISE(output.node, Get<std::string>(item, "node", path));
    if (std::none_of(nodes.begin(), nodes.end(),
                     [&](const Node& node) { return node.name == output.node; })) {
      return InvalidInput(path + ".node '" + output.node + "' is not a node");
    }
    if (!item.contains("spec")) {
      return InvalidInput(path + " (node '" + output.node + "') has no spec");
    }
    ARROW_ASSIGN_OR_RAISE(output.spec, ParseOutputSpec(item["spec"], path + ".spec"));
    if (!datasets.insert(output.spec.name).second) {
      return InvalidInput(path + ".spec.name '" + output.spec.name +
                          "' is already the dataset of another output");
    }
    outputs.push_back(std::move(output));
  }
  return outputs;
}

}  // namespace

arrow::Result<DatasetSpec> ParseOutputSpec(const nlohmann::json& spec,
                                           const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto out, DatasetSpecFromJson(spec, path));
  if (out.name.empty()) return InvalidInput(path + ".name must not be empty");
  return out;
}

PipelineFileOptions PipelineFileOptionsFor(const RunConfig& config,
                                           const delta::Reporter& reporter) {
  PipelineFileOptions options;
  options.inputs = config.inputs;
  options.run.policy = config.output.storage;
  options.run.run = config.run_context();
  options.run.reporter = reporter;
  options.pipeline_id = config.pipeline_id;
  return options;
}

arrow::Result<Pipeline> ParsePipeline(const std::string& json_text,
                                      const std::string& base_dir,
                                      const std::string& source,
                                      const PipelineFileOptions& options) {
  auto parsed = [&]() -> arrow::Result<Pipeline> {
    json doc = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded()) return InvalidInput("not valid JSON");
    ARROW_RETURN_NOT_OK(CheckKeys(doc, "pipeline", {"id", "inputs", "nodes", "outputs"}));
    Pipeline pipeline;
    if (!options.pipeline_id.empty()) {
      pipeline.id = options.pipeline_id;
    } else {
      ARROW_ASSIGN_OR_RAISE(pipeline.id, Get<std::string>(doc, "id", "pipeline"));
    }
    if (pipeline.id.empty()) return InvalidInput("id must not be empty");
    ARROW_ASSIGN_OR_RAISE(pipeline.inputs, BindFileInputs(doc, base_dir, options));
    ARROW_ASSIGN_OR_RAISE(auto decls, ParseNodes(doc, base_dir, *pipeline.inputs));
    ARROW_ASSIGN_OR_RAISE(pipeline.nodes,
                          MakeNodes(decls, {pipeline.inputs, options.run}));
    ARROW_ASSIGN_OR_RAISE(pipeline.outputs, ParseOutputs(doc, pipeline.nodes));
    return pipeline;
  }();
  if (!parsed.ok()) {
    return parsed.status().WithMessage(source + ": " + parsed.status().message());
  }
  return parsed;
}

arrow::Result<Pipeline> LoadPipelineFile(const std::string& path,
                                         const PipelineFileOptions& options) {
  std::ifstream in(path);
  if (!in) return InvalidInput("cannot read pipeline file '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return ParsePipeline(text.str(), fs::path(path).parent_path().string(), path, options);
}

}  // namespace deltaline::pipeline
