// Every way a pipeline can be malformed is a typed InvalidInput naming what is wrong,
// raised by RunPipeline before any node runs: each node counts its calls and the
// counter stays 0.
#include "pipeline/dag.h"

#include <atomic>

#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "pipeline/runner.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

using deltaline::testing::IdsTable;
using deltaline::testing::TempDir;

struct Counted {
  std::atomic<int> calls{0};

  Node Make(std::string name, std::vector<std::string> inputs) {
    Node node;
    node.name = std::move(name);
    node.inputs = std::move(inputs);
    node.run = [this](NodeInputs) -> arrow::Result<NodeValue> {
      ++calls;
      return NodeValue(IdsTable("[1]"));
    };
    return node;
  }
};

Output Out(std::string node, std::string dataset) {
  Output output;
  output.node = std::move(node);
  output.spec.name = std::move(dataset);
  return output;
}

Pipeline Base() {
  Pipeline pipeline;
  pipeline.id = "dag-test";
  pipeline.inputs = std::make_shared<engine::Catalog>();
  EXPECT_TRUE(pipeline.inputs->AddTable("source", IdsTable("[1, 2]")).ok());
  return pipeline;
}

// The run is refused with kInvalidInput whose message holds every one of `names`, and
// no node ran.
void ExpectRefused(const Pipeline& pipeline, const Counted& counted,
                   const std::vector<std::string>& names) {
  TempDir lake;
  RunSettings settings;
  settings.lake = lake.str();
  auto run = RunPipeline(pipeline, settings);
  ASSERT_FALSE(run.ok());
  EXPECT_TRUE(delta::IsKind(run.status(), delta::ErrorKind::kInvalidInput))
      << run.status().ToString();
  for (const auto& name : names) {
    EXPECT_NE(run.status().message().find(name), std::string::npos)
        << name << " not in: " << run.status().message();
  }
  EXPECT_EQ(counted.calls.load(), 0);
  EXPECT_FALSE(ValidatePipeline(pipeline).ok());
}

TEST(Dag, ValidPipelineIsOrderedWithDependencyCounts) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("c", {"a", "b"}), counted.Make("a", {"source"}),
                    counted.Make("b", {"a"})};
  pipeline.outputs = {Out("c", "out")};
  ASSERT_OK_AND_ASSIGN(auto dag, ValidatePipeline(pipeline));
  ASSERT_EQ(dag.order, (std::vector<size_t>{1, 2, 0}));
  EXPECT_EQ(dag.dependencies, (std::vector<int>{2, 0, 1}));
  EXPECT_EQ(dag.consumers[1], (std::vector<size_t>{0, 2}));
  EXPECT_EQ(dag.outputs[0], (std::vector<size_t>{0}));
  EXPECT_EQ(counted.calls.load(), 0);
}

TEST(Dag, DuplicateNodeName) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("twin", {"source"}), counted.Make("twin", {"source"})};
  pipeline.outputs = {Out("twin", "out")};
  ExpectRefused(pipeline, counted, {"duplicate", "'twin'"});
}

TEST(Dag, MissingInput) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("a", {"source"}), counted.Make("b", {"a", "nowhere"})};
  pipeline.outputs = {Out("b", "out")};
  ExpectRefused(pipeline, counted, {"'b'", "'nowhere'"});
}

TEST(Dag, MissingInputWithoutCatalog) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.inputs = nullptr;
  pipeline.nodes = {counted.Make("a", {"source"})};
  pipeline.outputs = {Out("a", "out")};
  ExpectRefused(pipeline, counted, {"'a'", "'source'"});
}

TEST(Dag, CycleNamedInOrder) {
  Counted counted;
  Pipeline pipeline = Base();
  // x -> y -> z -> x, with `w` feeding the cycle and `tail` fed by it.
  pipeline.nodes = {counted.Make("w", {"source"}), counted.Make("y", {"x"}),
                    counted.Make("z", {"y"}), counted.Make("x", {"z", "w"}),
                    counted.Make("tail", {"z"})};
  pipeline.outputs = {Out("tail", "out")};
  TempDir lake;
  RunSettings settings;
  settings.lake = lake.str();
  auto run = RunPipeline(pipeline, settings);
  ASSERT_FALSE(run.ok());
  EXPECT_TRUE(delta::IsKind(run.status(), delta::ErrorKind::kInvalidInput));
  const std::string message = run.status().message();
  // Whichever member the description starts at, it follows the flow and closes.
  const bool in_order = message.find("'x' -> 'y' -> 'z' -> 'x'") != std::string::npos ||
                        message.find("'y' -> 'z' -> 'x' -> 'y'") != std::string::npos ||
                        message.find("'z' -> 'x' -> 'y' -> 'z'") != std::string::npos;
  EXPECT_TRUE(in_order) << message;
  EXPECT_EQ(message.find("'w'"), std::string::npos) << message;
  EXPECT_EQ(message.find("'tail'"), std::string::npos) << message;
  EXPECT_EQ(counted.calls.load(), 0);
}

TEST(Dag, SelfLoop) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("me", {"me"})};
  pipeline.outputs = {Out("me", "out")};
  ExpectRefused(pipeline, counted, {"cycle", "'me' -> 'me'"});
}

TEST(Dag, OutputOfUnknownNode) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("a", {"source"})};
  pipeline.outputs = {Out("ghost", "out")};
  ExpectRefused(pipeline, counted, {"unknown node", "'ghost'"});
}

TEST(Dag, OutputWithoutSpec) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("a", {"source"}), counted.Make("b", {"source"})};
  pipeline.outputs = {Out("a", "out"), Out("b", "")};
  ExpectRefused(pipeline, counted, {"'b'", "spec"});
}

TEST(Dag, TwoOutputsOneDataset) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("a", {"source"}), counted.Make("b", {"source"})};
  pipeline.outputs = {Out("a", "same"), Out("b", "same")};
  ExpectRefused(pipeline, counted, {"'a'", "'b'", "'same'"});
}

TEST(Dag, NodeNamedLikeAnInput) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.nodes = {counted.Make("source", {})};
  pipeline.outputs = {Out("source", "out")};
  ExpectRefused(pipeline, counted, {"'source'", "pipeline input"});
}

TEST(Dag, InputReadTwiceAndNodeWithoutFunction) {
  Counted counted;
  Pipeline twice = Base();
  twice.nodes = {counted.Make("a", {"source", "source"})};
  twice.outputs = {Out("a", "out")};
  ExpectRefused(twice, counted, {"'a'", "'source'", "twice"});

  Pipeline bare = Base();
  bare.nodes = {counted.Make("a", {"source"}), Node{"empty", {"a"}, nullptr}};
  bare.outputs = {Out("empty", "out")};
  ExpectRefused(bare, counted, {"'empty'", "function"});
}

TEST(Dag, PipelineWithoutId) {
  Counted counted;
  Pipeline pipeline = Base();
  pipeline.id.clear();
  pipeline.nodes = {counted.Make("a", {"source"})};
  pipeline.outputs = {Out("a", "out")};
  ExpectRefused(pipeline, counted, {"id"});
}

}  // namespace
}  // namespace deltaline::pipeline
