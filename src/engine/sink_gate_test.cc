// Every route by which the engine could write files outside a Delta table, each refused
// before anything runs: no file appears, the refusal is reported and recorded. The
// control tests run the same plans past the gate, straight into Arrow, and see files
// appear, so a gate that let them through would fail here. This file builds dataset
// writers on purpose (tests/parquet_sink_scan_test.cc allows it by name).
#include "engine/sink_gate.h"

#include <filesystem>
#include <set>

#include <arrow/acero/options.h>
#include <arrow/dataset/file_base.h>
#include <arrow/dataset/file_csv.h>
#include <arrow/dataset/file_ipc.h>
#include <arrow/dataset/file_parquet.h>
#include <arrow/dataset/partition.h>
#include <arrow/engine/substrait/serde.h>
#include <arrow/filesystem/localfs.h>
#include <gtest/gtest.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "engine/execute.h"
#include "storage/policy_error.h"
#include "support/table_builders.h"
#include "test_util.h"

namespace deltaline::engine {
namespace {

namespace acero = arrow::acero;
namespace ds = arrow::dataset;
namespace fs = std::filesystem;
using testing::IdsTable;
using testing::TablesEqualUnordered;
using testing::TempDir;

struct Recorder {
  std::vector<std::string> warnings;
  delta::Reporter reporter() {
    delta::Reporter out;
    out.warning = [this](std::string_view message) { warnings.emplace_back(message); };
    return out;
  }
  bool Saw(const std::string& text) const {
    for (const auto& warning : warnings) {
      if (warning.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

std::shared_ptr<ds::FileFormat> Format(const std::string& name) {
  if (name == "parquet") return std::make_shared<ds::ParquetFileFormat>();
  if (name == "ipc") return std::make_shared<ds::IpcFileFormat>();
  return std::make_shared<ds::CsvFileFormat>();
}

ds::WriteNodeOptions WriteOptions(const std::string& format, const std::string& dir) {
  ds::FileSystemDatasetWriteOptions write;
  auto file_format = Format(format);
  write.file_write_options = file_format->DefaultWriteOptions();
  write.filesystem = std::make_shared<arrow::fs::LocalFileSystem>();
  write.base_dir = dir;
  write.partitioning = ds::Partitioning::Default();
  write.basename_template = "part-{i}." + file_format->type_name();
  return ds::WriteNodeOptions(write);
}

acero::Declaration Source(const std::string& ids = "[1, 2, 3]") {
  return {"table_source", acero::TableSourceNodeOptions(IdsTable(ids))};
}

acero::Declaration WritePlan(const std::string& format, const std::string& dir) {
  return acero::Declaration::Sequence({Source(), {"write", WriteOptions(format, dir)}});
}

// A directory the refused plan must leave absent, or at least without files.
bool HasFiles(const std::string& dir) {
  if (!fs::exists(dir)) return false;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) return true;
  }
  return false;
}

RunOptions Options(storage::RunMode mode, Recorder* recorder,
                   const storage::RunContext& run = {}) {
  RunOptions options;
  options.policy.mode = mode;
  options.run = run;
  options.reporter = recorder->reporter();
  return options;
}

std::shared_ptr<arrow::Table> PolicyEvents(const storage::RunContext& run) {
  auto store =
      delta::FileSystemLogStore::Open(storage::PolicyEventsTablePath(run)).ValueOrDie();
  auto snapshot = delta::Snapshot::Load(*store).ValueOrDie();
  return delta::ReadSnapshot(*store, snapshot).ValueOrDie();
}

std::string Cell(const arrow::Table& table, const std::string& column, int64_t row) {
  return table.GetColumnByName(column)->GetScalar(row).ValueOrDie()->ToString();
}

TEST(SinkGateControl, UngatedWriteNodesWriteFiles) {
  // The fixtures are real writers: past the gate, straight into Arrow, they write.
  ASSERT_OK(InitializeEngine());
  TempDir dir;
  for (const std::string format : {"parquet", "ipc", "csv"}) {
    const std::string out = dir.str() + "/" + format;
    ASSERT_OK(acero::DeclarationToStatus(WritePlan(format, out)));
    EXPECT_TRUE(HasFiles(out)) << format;
  }
}

TEST(SinkGate, WriteNodeRefusedInProductionForEveryFormat) {
  TempDir dir;
  const storage::RunContext run{"run-7", dir.str() + "/run"};
  for (const std::string format : {"parquet", "ipc", "csv"}) {
    Recorder recorder;
    const std::string out = dir.str() + "/" + format;
    auto status = RunToStatus(WritePlan(format, out),
                              Options(storage::RunMode::kProduction, &recorder, run));
    ASSERT_TRUE(storage::IsPolicyViolation(status)) << status.ToString();
    EXPECT_NE(status.message().find("refused " + format + " sink 'engine:write'"),
              std::string::npos)
        << status.message();
    EXPECT_NE(status.message().find(out), std::string::npos) << status.message();
    EXPECT_NE(status.message().find("deltaline export-parquet"), std::string::npos);
    EXPECT_FALSE(fs::exists(out)) << format;
    EXPECT_TRUE(recorder.Saw("policy: refused " + format + " sink 'engine:write'"));
  }
  auto events = PolicyEvents(run);
  ASSERT_EQ(events->num_rows(), 3);
  std::set<std::string> formats;
  for (int64_t row = 0; row < 3; ++row) {
    formats.insert(Cell(*events, "format", row));
    EXPECT_EQ(Cell(*events, "sink", row), "engine:write");
    EXPECT_EQ(Cell(*events, "outcome", row), "failed");
    EXPECT_EQ(Cell(*events, "run_id", row), "run-7");
  }
  EXPECT_EQ(formats, (std::set<std::string>{"parquet", "ipc", "csv"}));
}

TEST(SinkGate, DevelopmentRemovesTheWriteNodeAndWritesNothing) {
  TempDir dir;
  const storage::RunContext run{"run-8", dir.str() + "/run"};
  Recorder recorder;
  const std::string out = dir.str() + "/parquet";
  auto options = Options(storage::RunMode::kDevelopment, &recorder, run);
  ASSERT_OK(RunToStatus(WritePlan("parquet", out), options));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(recorder.Saw("policy: refused parquet sink 'engine:write'"));
  EXPECT_TRUE(recorder.Saw("engine:write removed from the plan"));

  // What the refused node would have written is what the rest of the plan yields.
  ASSERT_OK_AND_ASSIGN(auto rows, RunToTable(WritePlan("parquet", out), options));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[1, 2, 3]"), *rows));
  EXPECT_FALSE(fs::exists(out));

  auto events = PolicyEvents(run);
  ASSERT_EQ(events->num_rows(), 2);
  EXPECT_EQ(Cell(*events, "outcome", 0), "refused");
  EXPECT_EQ(Cell(*events, "path", 0), out);
}

TEST(SinkGate, ExportsAllowedDoNotOpenTheEngineWriteNode) {
  TempDir dir;
  Recorder recorder;
  const std::string out = dir.str() + "/parquet";
  auto options = Options(storage::RunMode::kProduction, &recorder);
  options.policy.allow_parquet_exports = true;
  auto status = RunToStatus(WritePlan("parquet", out), options);
  ASSERT_TRUE(storage::IsPolicyViolation(status)) << status.ToString();
  EXPECT_NE(status.message().find("even with allow_parquet_exports"), std::string::npos);
  EXPECT_NE(status.message().find("storage/export_parquet.h"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));

  options.policy.mode = storage::RunMode::kDevelopment;
  ASSERT_OK(RunToStatus(WritePlan("parquet", out), options));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(recorder.Saw("even with allow_parquet_exports"));
}

TEST(SinkGate, NestedSinksAreFoundAtAnyDepth) {
  TempDir dir;
  const std::string out = dir.str() + "/nested";
  // A tee (writes and passes rows on) under a join's left input, and a write node as
  // a union input (which Arrow would reject later, but the gate sees it first).
  auto tee =
      acero::Declaration::Sequence({Source(), {"tee", WriteOptions("parquet", out)}});
  acero::HashJoinNodeOptions join(acero::JoinType::INNER, {"id"}, {"id"},
                                  arrow::compute::literal(true), "_l", "_r");
  acero::Declaration joined{"hashjoin", {tee, Source("[2, 3, 4]")}, join};
  acero::Declaration unioned{
      "union", {Source("[9]"), WritePlan("ipc", out)}, acero::ExecNodeOptions{}};
  for (const auto& plan : {joined, unioned}) {
    Recorder recorder;
    auto status = RunToStatus(plan, Options(storage::RunMode::kProduction, &recorder));
    EXPECT_TRUE(storage::IsPolicyViolation(status)) << status.ToString();
    EXPECT_FALSE(fs::exists(out));
  }

  // Development: the tee is removed and the join still runs, without a file.
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(
      auto rows, RunToTable(joined, Options(storage::RunMode::kDevelopment, &recorder)));
  EXPECT_EQ(rows->num_rows(), 2);
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(recorder.Saw("policy: refused parquet sink 'engine:tee'"));
}

TEST(SinkGate, WriteOptionsAreSeenWhateverTheFactoryIsCalled) {
  TempDir dir;
  acero::Declaration renamed{"my_writer", {Source()}, WriteOptions("parquet", dir.str())};
  EXPECT_TRUE(IsFileSinkNode(renamed));
  EXPECT_FALSE(IsFileSinkNode(Source()));
  // Another engineer's node with options of its own: not a file sink.
  acero::Declaration delta_write{
      "delta_write", {Source()}, acero::FilterNodeOptions(arrow::compute::literal(true))};
  EXPECT_FALSE(IsFileSinkNode(delta_write));

  Recorder recorder;
  auto status = RunToStatus(renamed, Options(storage::RunMode::kProduction, &recorder));
  EXPECT_TRUE(storage::IsPolicyViolation(status)) << status.ToString();
}

// One named-table read, deserialised with Arrow's dataset-write factory.
std::shared_ptr<arrow::Buffer> NamedTablePlan() {
  const std::string json = R"({
    "version": {"minorNumber": 44, "producer": "deltaline-test"},
    "relations": [{"root": {"names": ["id"], "input": {"read": {
      "baseSchema": {"names": ["id"], "struct": {
        "types": [{"i64": {"nullability": "NULLABILITY_NULLABLE"}}],
        "nullability": "NULLABILITY_REQUIRED"}},
      "namedTable": {"names": ["ids"]}}}}}]})";
  return arrow::engine::internal::SubstraitFromJSON("Plan", json).ValueOrDie();
}

arrow::engine::ConversionOptions IdsProvider() {
  arrow::engine::ConversionOptions conversion;
  conversion.named_table_provider = [](const std::vector<std::string>&,
                                       const arrow::Schema&) {
    return arrow::Result<acero::Declaration>(Source());
  };
  return conversion;
}

TEST(SinkGate, SubstraitPlanWithAWriteFactoryIsRefused) {
  ASSERT_OK(InitializeEngine());
  TempDir dir;
  const std::string out = dir.str() + "/substrait";
  auto factory = [&] {
    return std::make_shared<ds::WriteNodeOptions>(WriteOptions("parquet", out));
  };
  {  // control: Arrow alone writes the files
    const std::string control = dir.str() + "/control";
    auto control_factory = [&] {
      return std::make_shared<ds::WriteNodeOptions>(WriteOptions("parquet", control));
    };
    ASSERT_OK_AND_ASSIGN(
        auto plans, arrow::engine::DeserializePlans(*NamedTablePlan(), control_factory,
                                                    nullptr, nullptr, IdsProvider()));
    ASSERT_EQ(plans.size(), 1u);
    ASSERT_OK(acero::DeclarationToStatus(plans[0]));
    EXPECT_TRUE(HasFiles(control));
  }
  Recorder recorder;
  const storage::RunContext run{"run-9", dir.str() + "/run"};
  auto refused = RunSubstraitToFiles(
      *NamedTablePlan(), factory, Options(storage::RunMode::kProduction, &recorder, run),
      IdsProvider());
  ASSERT_TRUE(storage::IsPolicyViolation(refused.status()))
      << refused.status().ToString();
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(recorder.Saw("policy: refused parquet sink 'engine:write'"));

  ASSERT_OK_AND_ASSIGN(
      auto report,
      RunSubstraitToFiles(*NamedTablePlan(), factory,
                          Options(storage::RunMode::kDevelopment, &recorder, run),
                          IdsProvider()));
  EXPECT_EQ(report.relations, 1);
  ASSERT_EQ(report.gate.refused.size(), 1u);
  EXPECT_EQ(report.gate.refused[0].format, "parquet");
  EXPECT_EQ(report.gate.refused[0].path, out);
  EXPECT_FALSE(fs::exists(out));
  auto events = PolicyEvents(run);
  ASSERT_EQ(events->num_rows(), 2);
  EXPECT_EQ(Cell(*events, "format", 1), "parquet");
}

TEST(SinkGate, QueryFormatParquetIsRefused) {
  TempDir dir;
  const std::string out = dir.str() + "/result.parquet";
  const storage::RunContext run{"run-10", dir.str() + "/run"};
  Recorder recorder;
  auto options = Options(storage::RunMode::kProduction, &recorder, run);
  auto refused = CheckQueryOutputFormat("parquet", out, options);
  ASSERT_TRUE(storage::IsPolicyViolation(refused.status()));
  EXPECT_NE(refused.status().message().find("'query --format parquet'"),
            std::string::npos);
  EXPECT_TRUE(recorder.Saw("policy: refused parquet sink 'query --format parquet'"));

  // Exports allowed: the export module exports Delta versions only, so a query result
  // is still refused, pointing to --into and export-parquet.
  options.policy.allow_parquet_exports = true;
  refused = CheckQueryOutputFormat("parquet", out, options);
  ASSERT_TRUE(storage::IsPolicyViolation(refused.status()));
  EXPECT_NE(refused.status().message().find("query --into"), std::string::npos);
  EXPECT_NE(refused.status().message().find("deltaline export-parquet"),
            std::string::npos);

  options.policy.mode = storage::RunMode::kDevelopment;
  ASSERT_OK_AND_ASSIGN(auto decision, CheckQueryOutputFormat("parquet", out, options));
  EXPECT_EQ(decision, QueryOutputDecision::kRefused);
  ASSERT_OK_AND_ASSIGN(decision, CheckQueryOutputFormat("csv", out, options));
  EXPECT_EQ(decision, QueryOutputDecision::kWrite);
  EXPECT_TRUE(delta::IsKind(CheckQueryOutputFormat("delta", out, options).status(),
                            delta::ErrorKind::kInvalidInput));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(PolicyEvents(run)->num_rows(), 3);
}

TEST(SinkGate, PlansWithoutFileSinksRun) {
  Recorder recorder;
  acero::Declaration plan = acero::Declaration::Sequence(
      {Source("[1, 2, 3, 4]"),
       {"filter", acero::FilterNodeOptions(arrow::compute::greater(
                      arrow::compute::field_ref("id"), arrow::compute::literal(2)))}});
  ASSERT_OK_AND_ASSIGN(
      auto rows, RunToTable(plan, Options(storage::RunMode::kProduction, &recorder)));
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[3, 4]"), *rows));
  ASSERT_OK_AND_ASSIGN(auto reader, RunToReader(plan, {}));
  ASSERT_OK_AND_ASSIGN(auto streamed, reader->ToTable());
  EXPECT_TRUE(TablesEqualUnordered(*IdsTable("[3, 4]"), *streamed));
  EXPECT_TRUE(recorder.warnings.empty());
}

TEST(SinkGate, PrebuiltExecNodeInputsAreRefusedByName) {
  auto plan = acero::ExecPlan::Make().ValueOrDie();
  auto node = acero::MakeExecNode("table_source", plan.get(), {},
                                  acero::TableSourceNodeOptions(IdsTable("[1]")))
                  .ValueOrDie();
  acero::Declaration wrapped{
      "filter", {node}, acero::FilterNodeOptions(arrow::compute::literal(true))};
  auto status = RunToStatus(wrapped, {});
  EXPECT_TRUE(delta::IsKind(status, delta::ErrorKind::kUnsupportedFeature))
      << status.ToString();
  EXPECT_NE(status.message().find("already-built ExecNode"), std::string::npos);
}

}  // namespace
}  // namespace deltaline::engine
