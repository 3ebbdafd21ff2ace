// The library never prints: a refused sink, a diagnostics table that cannot be
// appended to and export progress all reach the caller's delta::Reporter.
#include "storage/output_policy.h"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <vector>

#include <arrow/api.h>

#include "storage/export_parquet.h"
#include "storage/partition_diagnostics.h"
#include "storage/policy_error.h"
#include "storage/storage_writer.h"
#include "test_util.h"

namespace deltaline::storage {
namespace {

// Records every event; the strings are copies (the views die with the call).
struct Recorder {
  std::vector<std::string> warnings;
  std::vector<std::pair<int64_t, int64_t>> progress;
  delta::Reporter reporter() {
    delta::Reporter out;
    out.warning = [this](std::string_view message) { warnings.emplace_back(message); };
    out.progress = [this](std::string_view, int64_t done, int64_t total) {
      progress.emplace_back(done, total);
    };
    return out;
  }
  bool Saw(const std::string& text) const {
    for (const auto& warning : warnings) {
      if (warning.find(text) != std::string::npos) return true;
    }
    return false;
  }
};

// A run directory that cannot hold a diagnostics table: it is a regular file.
RunContext BrokenRun(const testing::TempDir& dir) {
  const std::string path = dir.str() + "/not-a-dir";
  std::ofstream(path) << "x";
  return {"run-9", path};
}

std::shared_ptr<arrow::Table> Rows(const std::vector<std::string>& parts) {
  arrow::StringBuilder p;
  arrow::Int64Builder v;
  for (const auto& part : parts) {
    EXPECT_TRUE(p.Append(part).ok());
    EXPECT_TRUE(v.Append(1).ok());
  }
  return arrow::Table::Make(arrow::schema({arrow::field("p", arrow::utf8()),
                                           arrow::field("v", arrow::int64())}),
                            {p.Finish().ValueOrDie(), v.Finish().ValueOrDie()});
}

TEST(OutputPolicyReporter, RefusedSinkIsReportedNotPrinted) {
  testing::TempDir dir;
  OutputStoragePolicy policy;
  policy.mode = RunMode::kDevelopment;
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(
      auto decision, CheckSink({"engine-node", "parquet", dir.str() + "/out"}, policy, {},
                               /*is_export=*/false, recorder.reporter()));
  EXPECT_EQ(decision, SinkDecision::kRefused);
  ASSERT_EQ(recorder.warnings.size(), 1u);
  EXPECT_TRUE(recorder.Saw("policy: refused parquet sink 'engine-node'"))
      << recorder.warnings[0];
  EXPECT_TRUE(recorder.Saw("--allow-parquet-export"));

  // Production fails with the storage layer's typed error, and still reports.
  policy.mode = RunMode::kProduction;
  auto failed =
      CheckSink({"engine-node", "parquet", "x"}, policy, {}, false, recorder.reporter());
  EXPECT_TRUE(IsPolicyViolation(failed.status())) << failed.status().ToString();
  EXPECT_EQ(recorder.warnings.size(), 2u);
  // An allowed sink says nothing.
  ASSERT_OK(
      CheckSink({"w", "delta", "x"}, policy, {}, false, recorder.reporter()).status());
  EXPECT_EQ(recorder.warnings.size(), 2u);
}

TEST(OutputPolicyReporter, DiagnosticsFailureIsAWarningNotTheResult) {
  testing::TempDir dir;
  OutputStoragePolicy policy;
  policy.mode = RunMode::kDevelopment;
  Recorder recorder;
  ASSERT_OK_AND_ASSIGN(auto decision,
                       CheckSink({"engine-node", "parquet", "x"}, policy, BrokenRun(dir),
                                 /*is_export=*/false, recorder.reporter()));
  EXPECT_EQ(decision, SinkDecision::kRefused);
  EXPECT_TRUE(recorder.Saw("could not record the policy event in"));
}

TEST(OutputPolicyReporter, PartitionMetricsFailureIsAWarningOfALandedWrite) {
  testing::TempDir dir;
  StorageWriteOptions options;
  options.delta.partition_by = {"p"};
  options.run = BrokenRun(dir);
  Recorder recorder;
  options.reporter = recorder.reporter();
  ASSERT_OK_AND_ASSIGN(auto written,
                       WriteTableDelta(*Rows({"a", "b"}), dir.str() + "/t", options));
  EXPECT_TRUE(written.delta.committed);
  ASSERT_EQ(recorder.warnings.size(), 1u);
  EXPECT_TRUE(recorder.Saw("partition metrics of ")) << recorder.warnings[0];
  EXPECT_TRUE(recorder.Saw(PartitionMetricsTablePath(options.run)));
}

TEST(OutputPolicyReporter, ExportReportsRefusalAndProgress) {
  testing::TempDir dir;
  const std::string uri = dir.str() + "/t";
  ASSERT_OK(WriteTableDelta(*Rows({"a", "b", "c"}), uri).status());
  OutputStoragePolicy policy;
  policy.mode = RunMode::kDevelopment;
  Recorder recorder;
  ExportOptions options;
  options.reporter = recorder.reporter();
  ASSERT_OK_AND_ASSIGN(auto refused,
                       ExportParquet(uri, dir.str() + "/out", policy, options));
  EXPECT_TRUE(refused.refused);
  EXPECT_TRUE(recorder.Saw("policy: refused parquet sink 'export-parquet'"));
  EXPECT_TRUE(recorder.progress.empty());

  policy.allow_parquet_exports = true;
  ASSERT_OK_AND_ASSIGN(auto exported,
                       ExportParquet(uri, dir.str() + "/out", policy, options));
  EXPECT_EQ(exported.rows, 3);
  ASSERT_FALSE(recorder.progress.empty());
  EXPECT_EQ(recorder.progress.front(), (std::pair<int64_t, int64_t>{3, -1}));
  EXPECT_EQ(recorder.progress.back(), (std::pair<int64_t, int64_t>{3, 3}));  // done
  EXPECT_EQ(recorder.warnings.size(), 1u);
}

}  // namespace
}  // namespace deltaline::storage
