// A declared pipeline over a Delta input (pinned at version 0 while version 1 exists):
// filter, select and Substrait nodes parsed into a Pipeline whose node functions,
// called here in dependency order, give the expected tables; and the errors a broken
// file gets at parse time, each naming where it is.
#include "pipeline/pipeline_file.h"

#include <fstream>

#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "engine/execute.h"
#include "storage/storage_writer.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

using testing::TableFromJson;
using testing::TablesEqualUnordered;
using testing::TempDir;

const auto kSales = arrow::schema({arrow::field("id", arrow::int64()),
                                   arrow::field("region", arrow::utf8()),
                                   arrow::field("amount", arrow::int64())});

std::string Fixture(const std::string& path) {
  return std::string(DELTALINE_SOURCE_DIR) + "/tests/" + path;
}

class PipelineFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string sales = dir_.str() + "/sales";
    ASSERT_OK(
        storage::WriteTableDelta(
            *TableFromJson(kSales, {"[1, 2, 3, 4, 5]", R"(["a", "b", "a", "b", "c"])",
                                    "[5, 20, 30, 12, 8]"}),
            sales)
            .status());
    // Version 1: rows the pipeline, pinned at version 0, must not see.
    storage::StorageWriteOptions append;
    append.delta.mode = delta::SaveMode::kAppend;
    ASSERT_OK(storage::WriteTableDelta(
                  *TableFromJson(kSales, {"[6]", R"(["a"])", "[100]"}), sales, append)
                  .status());
  }

  // The pipeline file `text` in the temp dir, parsed.
  arrow::Result<Pipeline> Parse(const std::string& text) {
    const std::string path = dir_.str() + "/PIPELINE.json";
    std::ofstream(path) << text;
    return LoadPipelineFile(path);
  }

  // `nodes` as a pipeline file reading sales@0, with `outputs`.
  arrow::Result<Pipeline> ParseNodes(const std::string& nodes,
                                     const std::string& outputs = "[]") {
    return Parse(R"({"id": "p", "inputs": {"sales": "sales@0"}, "nodes": )" + nodes +
                 R"(, "outputs": )" + outputs + "}");
  }

  TempDir dir_;
};

const Node& NodeNamed(const Pipeline& pipeline, const std::string& name) {
  for (const auto& node : pipeline.nodes) {
    if (node.name == name) return node;
  }
  ADD_FAILURE() << "no node " << name;
  return pipeline.nodes.front();
}

std::shared_ptr<arrow::Table> RunNode(const Node& node, NodeInputs inputs) {
  auto value = node.run(std::move(inputs));
  EXPECT_TRUE(value.ok()) << node.name << ": " << value.status().ToString();
  if (!value.ok()) return nullptr;
  auto* declaration = std::get_if<arrow::acero::Declaration>(&*value);
  EXPECT_NE(declaration, nullptr) << node.name << " should give a plan";
  if (!declaration) return nullptr;
  auto table = engine::RunToTable(*declaration);
  EXPECT_TRUE(table.ok()) << node.name << ": " << table.status().ToString();
  return table.ok() ? *table : nullptr;
}

TEST_F(PipelineFileTest, DeclaredNodesGiveTheExpectedTables) {
  // region_totals comes first in the file, before the node it reads.
  ASSERT_OK_AND_ASSIGN(auto pipeline, ParseNodes(
                                          R"([
      {"name": "region_totals", "substrait": ")" +
                                              Fixture("pipeline/region_totals.json") +
                                              R"("},
      {"name": "big_sales", "inputs": ["sales"],
       "filter": {"input": "sales", "where": "amount > 10"}},
      {"name": "slim", "select": {"input": "big_sales", "columns": ["region", "amount"]}},
      {"name": "over_15", "substrait": ")" + Fixture("engine/plans/filter.json") +
                                              R"("}
    ])",
                                          R"([{"node": "region_totals", "spec":
      {"name": "totals", "partitionBy": ["region"], "orderingKeys": ["region"]}}])"));
  EXPECT_EQ(pipeline.id, "p");
  ASSERT_EQ(pipeline.nodes.size(), 4u);
  EXPECT_EQ(pipeline.nodes[0].name, "region_totals");  // the file's order is kept
  EXPECT_EQ(NodeNamed(pipeline, "region_totals").inputs,
            std::vector<std::string>{"big_sales"});
  EXPECT_EQ(NodeNamed(pipeline, "over_15").inputs, std::vector<std::string>{"sales"});
  ASSERT_OK_AND_ASSIGN(auto sales, pipeline.inputs->Entry("sales"));
  EXPECT_EQ(sales.version, 0);
  ASSERT_EQ(pipeline.outputs.size(), 1u);
  EXPECT_EQ(pipeline.outputs[0].node, "region_totals");
  EXPECT_EQ(pipeline.outputs[0].spec.name, "totals");
  EXPECT_EQ(pipeline.outputs[0].spec.partition_by, std::vector<std::string>{"region"});
  EXPECT_EQ(pipeline.outputs[0].spec.ordering_keys, std::vector<std::string>{"region"});

  // A pipeline input handed over as its catalog source, or not handed over at all.
  ASSERT_OK_AND_ASSIGN(auto sales_source, pipeline.inputs->Source("sales"));
  auto big = RunNode(NodeNamed(pipeline, "big_sales"), {{"sales", sales_source}});
  ASSERT_NE(big, nullptr);
  auto expected_big =
      TableFromJson(kSales, {"[2, 3, 4]", R"(["b", "a", "b"])", "[20, 30, 12]"});
  EXPECT_TRUE(TablesEqualUnordered(*expected_big, *big));
  auto big_again = RunNode(NodeNamed(pipeline, "big_sales"), {});
  ASSERT_NE(big_again, nullptr);
  EXPECT_TRUE(TablesEqualUnordered(*expected_big, *big_again));

  // Upstream values as a table and as an unrun plan (materialised by the node).
  auto slim = RunNode(NodeNamed(pipeline, "slim"), {{"big_sales", big}});
  ASSERT_NE(slim, nullptr);
  EXPECT_TRUE(TablesEqualUnordered(
      *TableFromJson(
          {arrow::field("region", arrow::utf8()), arrow::field("amount", arrow::int64())},
          {R"(["b", "a", "b"])", "[20, 30, 12]"}),
      *slim));
  ASSERT_OK_AND_ASSIGN(auto big_plan, NodeNamed(pipeline, "big_sales").run({}));
  auto totals = RunNode(NodeNamed(pipeline, "region_totals"), {{"big_sales", big_plan}});
  ASSERT_NE(totals, nullptr);
  EXPECT_TRUE(TablesEqualUnordered(*TableFromJson({arrow::field("region", arrow::utf8()),
                                                   arrow::field("total", arrow::int64())},
                                                  {R"(["a", "b"])", "[30, 32]"}),
                                   *totals));

  // A Substrait node straight over the Delta input reads the pinned version.
  auto over_15 = RunNode(NodeNamed(pipeline, "over_15"), {{"sales", sales_source}});
  ASSERT_NE(over_15, nullptr);
  EXPECT_TRUE(TablesEqualUnordered(
      *TableFromJson(kSales, {"[2, 3]", R"(["b", "a"])", "[20, 30]"}), *over_15));
}

// Each broken file fails at parse time, with its error kind and where it is.
TEST_F(PipelineFileTest, ErrorsAreNamedAtParseTime) {
  const std::string totals = Fixture("pipeline/region_totals.json");
  const std::string big = R"({"name": "big_sales", "filter":
                              {"input": "sales", "where": "amount > 10"}})";
  struct Case {
    std::string nodes;
    std::string outputs;
    delta::ErrorKind kind;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"([{"name": "f", "filter": {"input": "sales", "wher": "x"}}])", "[]",
       delta::ErrorKind::kInvalidInput, "unknown pipeline key nodes[0].filter.wher"},
      {R"([{"name": "f", "colour": 1}])", "[]", delta::ErrorKind::kInvalidInput,
       "nodes[0].colour"},
      {R"([{"name": "f", "substrait": "no/such/plan.json"}])", "[]",
       delta::ErrorKind::kInvalidInput, "nodes[0].substrait"},
      {R"([{"name": "f", "filter": {"input": "nope", "where": "id > 1"}}])", "[]",
       delta::ErrorKind::kInvalidInput, "reads 'nope', which is neither an input nor"},
      {R"([{"name": "f", "filter": {"input": "sales", "where": "amount >>> 1"}}])", "[]",
       delta::ErrorKind::kInvalidInput, "node 'f': filter.where 'amount >>> 1'"},
      {R"([{"name": "f", "select": {"input": "sales", "columns": ["colour"]}}])", "[]",
       delta::ErrorKind::kSchemaMismatch, "select.columns names 'colour'"},
      // The plan reads column `id`, which the select dropped.
      {R"([{"name": "big_sales", "select": {"input": "sales", "columns": ["region"]}},
           {"name": "t", "substrait": ")" +
           totals + R"("}])",
       "[]", delta::ErrorKind::kSchemaMismatch, "nodes[1]: node 't': substrait plan"},
      {R"([{"name": "a", "filter": {"input": "b", "where": "id > 1"}},
           {"name": "b", "filter": {"input": "a", "where": "id > 1"}}])",
       "[]", delta::ErrorKind::kInvalidInput, "nodes a, b depend on each other"},
      {"[" + big + ", " + big + "]", "[]", delta::ErrorKind::kInvalidInput,
       "nodes[1].name 'big_sales' is already the name"},
      {R"([{"name": "sales", "filter": {"input": "sales", "where": "id > 1"}}])", "[]",
       delta::ErrorKind::kInvalidInput, "nodes[0].name 'sales' is already the name"},
      {R"([{"name": "t", "inputs": ["sales"], "substrait": ")" + totals + R"("}])", "[]",
       delta::ErrorKind::kInvalidInput, "nodes[0].inputs must list exactly"},
      {R"([{"name": "f", "select": {"input": "sales", "columns": ["id"]},
            "filter": {"input": "sales", "where": "id > 1"}}])",
       "[]", delta::ErrorKind::kInvalidInput, "exactly one of filter, select, substrait"},
      {"[" + big + "]", R"([{"node": "nope", "spec": {"name": "d"}}])",
       delta::ErrorKind::kInvalidInput, "outputs[0].node 'nope' is not a node"},
      {"[" + big + "]", R"([{"node": "big_sales"}])", delta::ErrorKind::kInvalidInput,
       "outputs[0] (node 'big_sales') has no spec"},
      {"[" + big + "]", R"([{"node": "big_sales", "spec": {"name": "d", "notNul": []}}])",
       delta::ErrorKind::kInvalidInput, "outputs[0].spec.notNul"},
      {"[" + big + "]",
       R"([{"node": "big_sales", "spec": {"name": "d"}},
           {"node": "big_sales", "spec": {"name": "d"}}])",
       delta::ErrorKind::kInvalidInput, "outputs[1].spec.name 'd' is already"},
  };
  for (const auto& c : cases) {
    auto parsed = ParseNodes(c.nodes, c.outputs);
    ASSERT_FALSE(parsed.ok()) << c.nodes << c.outputs;
    EXPECT_TRUE(delta::IsKind(parsed.status(), c.kind)) << parsed.status().ToString();
    EXPECT_NE(parsed.status().message().find(c.message), std::string::npos)
        << "want '" << c.message << "' in " << parsed.status().ToString();
    EXPECT_NE(parsed.status().message().find("PIPELINE.json"), std::string::npos);
  }
}

TEST_F(PipelineFileTest, FileLevelErrorsAreNamed) {
  auto unknown = Parse(R"({"id": "p", "colour": 1, "nodes": []})");
  EXPECT_NE(unknown.status().message().find("unknown pipeline key pipeline.colour"),
            std::string::npos)
      << unknown.status().ToString();
  auto no_table = Parse(R"({"id": "p", "inputs": {"x": "missing"}, "nodes": []})");
  EXPECT_NE(no_table.status().message().find("inputs.x"), std::string::npos)
      << no_table.status().ToString();
  auto no_id = Parse(R"({"nodes": []})");
  EXPECT_NE(no_id.status().message().find("pipeline.id is missing"), std::string::npos)
      << no_id.status().ToString();
  auto missing = LoadPipelineFile(dir_.str() + "/nope.json");
  EXPECT_NE(missing.status().message().find("nope.json"), std::string::npos);
}

TEST_F(PipelineFileTest, RunConfigInputsReplaceTheFilesInputs) {
  const std::string path = dir_.str() + "/PIPELINE.json";
  std::ofstream(path) << R"({"id": "p", "inputs": {"sales": "sales@0"}, "nodes": [
      {"name": "big_sales", "filter": {"input": "sales", "where": "amount > 10"}}]})";
  RunConfigOverrides flags;
  flags.inputs = {"sales=" + dir_.str() + "/sales"};  // the latest version
  flags.pipeline_id = "renamed";
  ASSERT_OK_AND_ASSIGN(auto config, LoadRunConfig(std::nullopt, flags));
  ASSERT_OK_AND_ASSIGN(auto pipeline,
                       LoadPipelineFile(path, PipelineFileOptionsFor(config)));
  EXPECT_EQ(pipeline.id, "renamed");
  ASSERT_OK_AND_ASSIGN(auto entry, pipeline.inputs->Entry("sales"));
  EXPECT_EQ(entry.version, 1);
  auto big = RunNode(pipeline.nodes[0], {});
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(big->num_rows(), 4);  // version 1's amount 100 is in
}

// File inputs: a JSON-lines file read by a filter and by a Substrait plan, which binds
// the file afresh for itself.
TEST_F(PipelineFileTest, FileInputsFeedFilterAndSubstraitNodes) {
  std::ofstream(dir_.str() + "/sales.jsonl")
      << R"({"id": 1, "region": "a", "amount": 5})"
      << "\n"
      << R"({"id": 2, "region": "b", "amount": 20})"
      << "\n"
      << R"({"id": 3, "region": "c", "amount": 40})"
      << "\n";
  ASSERT_OK_AND_ASSIGN(auto pipeline,
                       Parse(R"({"id": "p", "inputs": {"sales": "sales.jsonl"}, "nodes": [
      {"name": "small", "filter": {"input": "sales", "where": "amount < 30"}},
      {"name": "over_15", "substrait": ")" +
                             Fixture("engine/plans/filter.json") + R"("}]})"));
  ASSERT_OK_AND_ASSIGN(auto entry, pipeline.inputs->Entry("sales"));
  EXPECT_EQ(entry.kind, engine::SourceKind::kJsonLines);
  auto small = RunNode(NodeNamed(pipeline, "small"), {});
  ASSERT_NE(small, nullptr);
  EXPECT_TRUE(TablesEqualUnordered(
      *TableFromJson(kSales, {"[1, 2]", R"(["a", "b"])", "[5, 20]"}), *small));
  auto over_15 = RunNode(NodeNamed(pipeline, "over_15"), {});
  ASSERT_NE(over_15, nullptr);
  EXPECT_TRUE(TablesEqualUnordered(
      *TableFromJson(kSales, {"[2, 3]", R"(["b", "c"])", "[20, 40]"}), *over_15));
}

}  // namespace
}  // namespace deltaline::pipeline
