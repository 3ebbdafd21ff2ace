#include "storage/output_policy.h"

#include <arrow/builder.h>
#include <arrow/table.h>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "storage/diagnostics_table.h"
#include "storage/policy_error.h"

namespace deltaline::storage {
namespace {

constexpr const char* kPolicyEventsTable = "policy_events";

constexpr const char* kHowToAllow =
    "Parquet is only written as a gated export of a Delta table: allow it in the output "
    "policy (--allow-parquet-export, output.allow_parquet_exports=true in the config "
    "file, or OutputStoragePolicy(allow_parquet_exports=True) in Python)";

arrow::Result<std::shared_ptr<arrow::Table>> EventRow(const SinkRequest& request,
                                                      const OutputStoragePolicy& policy,
                                                      const RunContext& run,
                                                      int64_t now_ms,
                                                      const std::string& outcome) {
  auto schema = arrow::schema(
      {arrow::field("time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
       arrow::field("run_id", arrow::utf8()), arrow::field("sink", arrow::utf8()),
       arrow::field("format", arrow::utf8()), arrow::field("path", arrow::utf8()),
       arrow::field("policy", arrow::utf8()), arrow::field("outcome", arrow::utf8())});
  arrow::TimestampBuilder time(schema->field(0)->type(), arrow::default_memory_pool());
  ARROW_RETURN_NOT_OK(time.Append(now_ms * 1000));
  std::vector<std::shared_ptr<arrow::Array>> columns;
  ARROW_ASSIGN_OR_RAISE(auto time_array, time.Finish());
  columns.push_back(time_array);
  for (const std::string& text : {run.run_id, request.sink, request.format, request.path,
                                  OutputPolicyJson(policy).dump(), outcome}) {
    arrow::StringBuilder builder;
    ARROW_RETURN_NOT_OK(builder.Append(text));
    ARROW_ASSIGN_OR_RAISE(auto array, builder.Finish());
    columns.push_back(array);
  }
  return arrow::Table::Make(schema, columns);
}

}  // namespace

const char* RunModeName(RunMode mode) {
  return mode == RunMode::kDevelopment ? "development" : "production";
}

arrow::Result<RunMode> ParseRunMode(const std::string& text) {
  if (text == "production") return RunMode::kProduction;
  if (text == "development") return RunMode::kDevelopment;
  return delta::InvalidInput("unknown run mode '" + text +
                             "' (expected production or development)");
}

nlohmann::json OutputPolicyJson(const OutputStoragePolicy& policy) {
  return {{"format", policy.format},
          {"allow_parquet_exports", policy.allow_parquet_exports},
          {"run_mode", RunModeName(policy.mode)}};
}

std::string PolicyEventsTablePath(const RunContext& run) {
  return DiagnosticsTablePath(run, kPolicyEventsTable);
}

arrow::Result<SinkDecision> CheckSink(const SinkRequest& request,
                                      const OutputStoragePolicy& policy,
                                      const RunContext& run, bool is_export,
                                      const delta::Reporter& reporter) {
  if (request.format == "delta") return SinkDecision::kAllowed;
  if (is_export && request.format == "parquet" && policy.allow_parquet_exports) {
    return SinkDecision::kAllowed;
  }
  const bool production = policy.mode == RunMode::kProduction;
  const int64_t now_ms = delta::NowMs();
  reporter.Warn("policy: refused " + request.format + " sink '" + request.sink +
                "' at '" + request.path + "' (run mode " + RunModeName(policy.mode) +
                ", policy " + OutputPolicyJson(policy).dump() +
                (run.run_id.empty() ? "" : ", run " + run.run_id) + ", time_ms " +
                std::to_string(now_ms) + "). " + kHowToAllow);
  if (!run.run_dir.empty()) {
    auto row = EventRow(request, policy, run, now_ms, production ? "failed" : "refused");
    arrow::Status logged =
        row.ok() ? AppendDiagnostics(run, kPolicyEventsTable, **row) : row.status();
    // The policy outcome must not be masked by a diagnostics failure.
    if (!logged.ok()) {
      reporter.Warn("could not record the policy event in '" +
                    PolicyEventsTablePath(run) + "': " + logged.ToString());
    }
  }
  if (!production) return SinkDecision::kRefused;
  return PolicyViolation("refused " + request.format + " sink '" + request.sink +
                         "' at '" + request.path + "': outputs are Delta tables only. " +
                         kHowToAllow);
}

}  // namespace deltaline::storage
