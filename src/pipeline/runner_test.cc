// The runner on real Delta tables: independent nodes run at once, a single-consumer
// plan streams into InsertInto, a multi-consumer value is computed once, every output
// commit carries the run's txn, a re-run of the same sequence commits nothing, and a
// plan with a Parquet `write` node is refused, recorded and writes no file. This file
// builds a dataset writer on purpose (tests/parquet_sink_scan_test.cc allows it).
#include "pipeline/runner.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <arrow/acero/options.h>
#include <arrow/dataset/file_base.h>
#include <arrow/dataset/file_parquet.h>
#include <arrow/dataset/partition.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "storage/policy_error.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::pipeline {
namespace {

namespace acero = arrow::acero;
namespace cp = arrow::compute;
namespace fs = std::filesystem;
using deltaline::testing::IdsTable;
using deltaline::testing::TablesEqualUnordered;
using deltaline::testing::TempDir;

std::shared_ptr<arrow::Table> Read(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  return delta::ReadSnapshot(*store, snapshot).ValueOrDie();
}

int64_t Version(const std::string& uri) {
  auto store = delta::FileSystemLogStore::Open(uri).ValueOrDie();
  return delta::Snapshot::Load(*store).ValueOrDie()->version();
}

// The `txn` actions of every commit file of the table, as written.
std::vector<nlohmann::json> Txns(const std::string& uri) {
  std::vector<nlohmann::json> txns;
  for (const auto& entry : fs::directory_iterator(fs::path(uri) / "_delta_log")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);) {
      auto action = nlohmann::json::parse(line);
      if (action.contains("txn")) txns.push_back(action["txn"]);
    }
  }
  return txns;
}

Output Out(std::string node, std::string dataset) {
  Output output;
  output.node = std::move(node);
  output.spec.name = std::move(dataset);
  return output;
}

Node MakeNode(std::string name, std::vector<std::string> inputs,
              std::function<arrow::Result<NodeValue>(NodeInputs)> run) {
  return Node{std::move(name), std::move(inputs), std::move(run)};
}

Pipeline WithSource(std::shared_ptr<arrow::Table> rows) {
  Pipeline pipeline;
  pipeline.id = "runner-test";
  pipeline.inputs = std::make_shared<engine::Catalog>();
  EXPECT_TRUE(pipeline.inputs->AddTable("source", std::move(rows)).ok());
  return pipeline;
}

RunSettings Settings(const std::string& lake, int64_t sequence) {
  RunSettings settings;
  settings.lake = lake;
  settings.sequence = sequence;
  settings.run_id = "run-" + std::to_string(sequence);
  return settings;
}

acero::Declaration Filter(acero::Declaration input, int64_t at_least) {
  return acero::Declaration::Sequence(
      {std::move(input),
       {"filter", acero::FilterNodeOptions(
                      cp::greater_equal(cp::field_ref("id"), cp::literal(at_least)))}});
}

TEST(Runner, IndependentNodesRunAtTheSameTime) {
  // Each node blocks until the other has started: the run can only finish if both run
  // at once. A generous deadline turns a serial runner into a failure, not a hang.
  std::mutex mu;
  std::condition_variable both;
  int started = 0;
  auto meet = [&](NodeInputs inputs) -> arrow::Result<NodeValue> {
    std::unique_lock lock(mu);
    ++started;
    both.notify_all();
    if (!both.wait_for(lock, std::chrono::seconds(60), [&] { return started >= 2; })) {
      return arrow::Status::Invalid("the other node never started");
    }
    return std::move(inputs.at("source"));
  };
  TempDir lake;
  Pipeline pipeline = WithSource(IdsTable("[1, 2, 3]"));
  pipeline.nodes = {MakeNode("left", {"source"}, meet),
                    MakeNode("right", {"source"}, meet)};
  pipeline.outputs = {Out("left", "left"), Out("right", "right")};
  RunSettings settings = Settings(lake.str(), 1);
  settings.parallelism = 2;
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(pipeline, settings));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  EXPECT_EQ(started, 2);
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2, 3]"), *Read(lake.str() + "/left")));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2, 3]"), *Read(lake.str() + "/right")));
}

TEST(Runner, SingleConsumerPlanStreamsIntoInsertInto) {
  TempDir lake;
  Pipeline pipeline = WithSource(IdsTable("[1, 2, 3, 4]"));
  std::vector<size_t> seen;  // the variant index each consumer received
  pipeline.nodes = {
      MakeNode("big", {"source"},
               [](NodeInputs in) -> arrow::Result<NodeValue> {
                 auto source = std::get<acero::Declaration>(std::move(in.at("source")));
                 return Filter(std::move(source), 2);
               }),
      MakeNode("bigger", {"big"}, [&](NodeInputs in) -> arrow::Result<NodeValue> {
        seen.push_back(in.at("big").index());
        return Filter(std::get<acero::Declaration>(std::move(in.at("big"))), 3);
      })};
  pipeline.outputs = {Out("bigger", "bigger")};
  RunSettings settings = Settings(lake.str(), 7);
  settings.write_output = [&](const Output& output, NodeValue value,
                              const std::string& base,
                              storage::StorageWriteOptions options) {
    seen.push_back(value.index());
    return WriteOutputDefault(output, std::move(value), base, std::move(options));
  };
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(pipeline, settings));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  // Both hand-overs were the plan itself, never a table: the rows went from the
  // source through both filters into the commit in one plan.
  EXPECT_EQ(seen, (std::vector<size_t>{2, 2}));
  EXPECT_FALSE(run.nodes[0].materialised);
  EXPECT_FALSE(run.nodes[1].materialised);
  EXPECT_EQ(run.outputs[0].result.write.delta.rows_added, 2);
  EXPECT_FALSE(run.outputs[0].result.version_before.has_value());
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[3, 4]"), *Read(lake.str() + "/bigger")));
}

TEST(Runner, MultiConsumerValueIsComputedOnce) {
  // A stream can be read once; three consumers each get all its rows only if the
  // runner read it once into a table and shared that.
  TempDir lake;
  Pipeline pipeline = WithSource(IdsTable("[1, 2, 3]"));
  std::atomic<int> calls{0};
  pipeline.nodes = {
      MakeNode("shared", {},
               [&](NodeInputs) -> arrow::Result<NodeValue> {
                 ++calls;
                 auto table = IdsTable("[10, 20, 30]");
                 return NodeValue(std::make_shared<arrow::TableBatchReader>(table));
               }),
      MakeNode("small", {"shared"},
               [](NodeInputs in) -> arrow::Result<NodeValue> {
                 auto table = std::get<std::shared_ptr<arrow::Table>>(in.at("shared"));
                 return NodeValue(table->Slice(0, 1));
               }),
      MakeNode("large", {"shared"}, [](NodeInputs in) -> arrow::Result<NodeValue> {
        auto table = std::get<std::shared_ptr<arrow::Table>>(in.at("shared"));
        return NodeValue(table->Slice(1));
      })};
  pipeline.outputs = {Out("shared", "all"), Out("small", "small"), Out("large", "large")};
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(pipeline, Settings(lake.str(), 1)));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  EXPECT_EQ(calls.load(), 1);
  EXPECT_TRUE(run.nodes[0].materialised);
  EXPECT_EQ(run.nodes[0].rows, 3);
  EXPECT_TRUE(
      TablesEqualUnordered(*IdsTable("[10, 20, 30]"), *Read(lake.str() + "/all")));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[10]"), *Read(lake.str() + "/small")));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[20, 30]"), *Read(lake.str() + "/large")));
}

TEST(Runner, ProgressReportsPhasesNodesAndRowsWritten) {
  TempDir lake;
  Pipeline pipeline = WithSource(IdsTable("[1, 2, 3]"));
  pipeline.nodes = {MakeNode("copy", {"source"}, [](NodeInputs in) {
    return arrow::Result<NodeValue>(std::move(in.at("source")));
  })};
  pipeline.outputs = {Out("copy", "copied")};
  std::vector<ProgressEvent> events;
  RunSettings settings = Settings(lake.str(), 1);
  settings.progress = [&](const ProgressEvent& event) { events.push_back(event); };
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(pipeline, settings));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  std::vector<std::string> seen;
  for (const auto& event : events) {
    seen.push_back(event.kind == ProgressKind::kPhase ? event.phase : event.name);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"validate", "check outputs", "run", "copy",
                                            "copy", "copied", "copied", "done"}));
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[4].kind, ProgressKind::kNodeFinished);
  EXPECT_EQ(events[4].nodes_done, 1);
  EXPECT_EQ(events[4].nodes_total, 1);
  EXPECT_EQ(events[6].kind, ProgressKind::kOutputFinished);
  EXPECT_EQ(events[6].rows, 3);
  EXPECT_EQ(events[6].rows_written, 3);
  EXPECT_LE(run.nodes[0].start_ms, run.nodes[0].end_ms);
  EXPECT_LE(run.start_ms, run.end_ms);
}

struct TwoOutputs {
  std::atomic<int> calls{0};
  Pipeline pipeline = WithSource(IdsTable("[1, 2, 3]"));

  TwoOutputs() {
    auto pass = [this](NodeInputs in) -> arrow::Result<NodeValue> {
      ++calls;
      return std::move(in.at("source"));
    };
    pipeline.nodes = {MakeNode("a", {"source"}, pass), MakeNode("b", {"source"}, pass)};
    pipeline.outputs = {Out("a", "first"), Out("b", "second")};
  }
};

TEST(Runner, EveryOutputCommitCarriesTheRunTxn) {
  TempDir lake;
  TwoOutputs two;
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(two.pipeline, Settings(lake.str(), 42)));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  for (const std::string dataset : {"first", "second"}) {
    auto txns = Txns(lake.str() + "/" + dataset);
    ASSERT_EQ(txns.size(), 1u) << dataset;
    EXPECT_EQ(txns[0]["appId"], "runner-test");
    EXPECT_EQ(txns[0]["version"], 42);
  }
}

TEST(Runner, RerunOfTheSameSequenceCommitsNothing) {
  TempDir lake;
  TwoOutputs two;
  ASSERT_OK_AND_ASSIGN(auto first, RunPipeline(two.pipeline, Settings(lake.str(), 5)));
  ASSERT_TRUE(first.ok()) << first.status.ToString();
  ASSERT_EQ(two.calls.load(), 2);

  ASSERT_OK_AND_ASSIGN(auto again, RunPipeline(two.pipeline, Settings(lake.str(), 5)));
  ASSERT_TRUE(again.ok()) << again.status.ToString();
  EXPECT_EQ(two.calls.load(), 2);  // no pending output needs them: they did not run
  for (size_t o = 0; o < 2; ++o) {
    const auto& output = again.outputs[o];
    EXPECT_EQ(output.status, TaskStatus::kSkipped);
    EXPECT_TRUE(output.result.skipped);
    EXPECT_FALSE(output.result.write.delta.committed);
    EXPECT_EQ(output.result.version_before, 0);
    EXPECT_EQ(Version(output.result.uri), 0);
    EXPECT_EQ(Txns(output.result.uri).size(), 1u);
    EXPECT_EQ(again.nodes[o].status, TaskStatus::kSkipped);
  }
  // An older sequence is also already applied; a newer one appends.
  ASSERT_OK_AND_ASSIGN(auto older, RunPipeline(two.pipeline, Settings(lake.str(), 4)));
  EXPECT_EQ(older.outputs[0].status, TaskStatus::kSkipped);
  ASSERT_OK_AND_ASSIGN(auto next, RunPipeline(two.pipeline, Settings(lake.str(), 6)));
  ASSERT_TRUE(next.ok()) << next.status.ToString();
  EXPECT_EQ(Version(lake.str() + "/first"), 1);
  EXPECT_EQ(next.outputs[0].result.version_before, 0);
  EXPECT_EQ(next.outputs[0].result.write.delta.version, 1);
  EXPECT_EQ(Read(lake.str() + "/first")->num_rows(), 6);
}

TEST(Runner, FailingNodeFailsTheRunWithItsName) {
  TempDir lake;
  Pipeline pipeline = WithSource(IdsTable("[1]"));
  std::atomic<int> downstream{0};
  pipeline.nodes = {MakeNode("broken", {"source"},
                             [](NodeInputs) -> arrow::Result<NodeValue> {
                               return arrow::Status::IOError("disk on fire");
                             }),
                    MakeNode("after", {"broken"}, [&](NodeInputs in) {
                      ++downstream;
                      return arrow::Result<NodeValue>(std::move(in.at("broken")));
                    })};
  pipeline.outputs = {Out("after", "after")};
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(pipeline, Settings(lake.str(), 1)));
  EXPECT_EQ(run.outcome, RunOutcome::kFailed);
  EXPECT_TRUE(run.status.IsIOError());
  EXPECT_NE(run.status.message().find("'broken'"), std::string::npos);
  EXPECT_EQ(run.nodes[0].status, TaskStatus::kFailed);
  EXPECT_EQ(run.nodes[1].status, TaskStatus::kNotRun);
  EXPECT_EQ(run.outputs[0].status, TaskStatus::kNotRun);
  EXPECT_EQ(downstream.load(), 0);
  EXPECT_FALSE(fs::exists(lake.str() + "/after"));
}

arrow::dataset::WriteNodeOptions ParquetWrite(const std::string& dir) {
  arrow::dataset::FileSystemDatasetWriteOptions write;
  auto format = std::make_shared<arrow::dataset::ParquetFileFormat>();
  write.file_write_options = format->DefaultWriteOptions();
  write.filesystem = std::make_shared<arrow::fs::LocalFileSystem>();
  write.base_dir = dir;
  write.partitioning = arrow::dataset::Partitioning::Default();
  write.basename_template = "part-{i}.parquet";
  return arrow::dataset::WriteNodeOptions(write);
}

bool HasFiles(const std::string& dir) {
  if (!fs::exists(dir)) return false;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) return true;
  }
  return false;
}

Pipeline SneakyPipeline(const std::string& parquet_dir) {
  Pipeline pipeline = WithSource(IdsTable("[1, 2]"));
  pipeline.nodes = {MakeNode("sneaky", {"source"}, [parquet_dir](NodeInputs in) {
    auto source = std::get<acero::Declaration>(std::move(in.at("source")));
    return arrow::Result<NodeValue>(acero::Declaration::Sequence(
        {std::move(source), {"write", ParquetWrite(parquet_dir)}}));
  })};
  pipeline.outputs = {Out("sneaky", "out")};
  return pipeline;
}

TEST(Runner, ParquetWriteNodeRefusedAndRecordedInProduction) {
  TempDir lake;
  const std::string parquet_dir = lake.str() + "/raw-parquet";
  ASSERT_OK_AND_ASSIGN(auto run,
                       RunPipeline(SneakyPipeline(parquet_dir), Settings(lake.str(), 1)));
  EXPECT_EQ(run.outcome, RunOutcome::kFailed);
  EXPECT_TRUE(storage::IsPolicyViolation(run.status)) << run.status.ToString();
  ASSERT_EQ(run.refusals.size(), 1u);
  EXPECT_EQ(run.refusals[0].node, "sneaky");
  EXPECT_EQ(run.refusals[0].factory, "write");
  EXPECT_FALSE(HasFiles(parquet_dir));
  EXPECT_FALSE(fs::exists(lake.str() + "/out"));
}

TEST(Runner, ParquetWriteNodeRemovedAndRecordedInDevelopment) {
  TempDir lake;
  const std::string parquet_dir = lake.str() + "/raw-parquet";
  RunSettings settings = Settings(lake.str(), 1);
  settings.storage.output.mode = storage::RunMode::kDevelopment;
  ASSERT_OK_AND_ASSIGN(auto run, RunPipeline(SneakyPipeline(parquet_dir), settings));
  ASSERT_TRUE(run.ok()) << run.status.ToString();
  ASSERT_EQ(run.refusals.size(), 1u);
  EXPECT_EQ(run.refusals[0].node, "sneaky");
  EXPECT_EQ(run.refusals[0].format, "parquet");
  EXPECT_FALSE(HasFiles(parquet_dir));
  // The rest of the plan ran: its rows reached the Delta output only.
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2]"), *Read(lake.str() + "/out")));
}

}  // namespace
}  // namespace deltaline::pipeline
