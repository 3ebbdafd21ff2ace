#include "storage/output_policy.h"

#include <iostream>

#include <arrow/builder.h>
#include <arrow/table.h>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/write/write.h"

namespace deltaline::storage {
namespace {

constexpr const char* kHowToAllow =
    "Parquet is only written as a gated export of a Delta table: pass "
    "--allow-parquet-export, or set output.allow_parquet_exports=true in the config file";

arrow::Result<std::shared_ptr<arrow::Table>> EventRow(const SinkRequest& request,
                                                      const OutputStoragePolicy& policy,
                                                      const RunContext& run, int64_t now_ms,
                                                      const std::string& outcome) {
  auto schema = arrow::schema({arrow::field("time", arrow::timestamp(arrow::TimeUnit::MICRO, "UTC")),
                               arrow::field("run_id", arrow::utf8()),
                               arrow::field("sink", arrow::utf8()),
                               arrow::field("format", arrow::utf8()),
                               arrow::field("path", arrow::utf8()),
                               arrow::field("policy", arrow::utf8()),
                               arrow::field("outcome", arrow::utf8())});
  arrow::TimestampBuilder time(schema->field(0)->type(), arrow::default_memory_pool());
  ARROW_RETURN_NOT_OK(time.Append(now_ms * 1000));
  std::vector<std::shared_ptr<arrow::Array>> columns;
  ARROW_ASSIGN_OR_RAISE(auto time_array, time.Finish());
  columns.push_back(time_array);
  for (const std::string& text :
       {run.run_id, request.sink, request.format, request.path,
        OutputPolicyJson(policy).dump(), outcome}) {
    arrow::StringBuilder builder;
    ARROW_RETURN_NOT_OK(builder.Append(text));
    ARROW_ASSIGN_OR_RAISE(auto array, builder.Finish());
    columns.push_back(array);
  }
  return arrow::Table::Make(schema, columns);
}

// Diagnostics go through our own Delta writer, like every other output.
arrow::Status AppendEvent(const std::shared_ptr<arrow::Table>& row, const RunContext& run) {
  ARROW_ASSIGN_OR_RAISE(auto store,
                        delta::FileSystemLogStore::Open(PolicyEventsTablePath(run)));
  delta::WriteOptions options;
  options.mode = delta::SaveMode::kAppend;
  options.user_metadata = {{"deltaline.dataset", "_diagnostics/policy_events"}};
  return delta::WriteTable(*store, *row, options).status();
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
  return run.run_dir + "/_diagnostics/policy_events";
}

arrow::Result<SinkDecision> CheckSink(const SinkRequest& request,
                                      const OutputStoragePolicy& policy,
                                      const RunContext& run, bool is_export) {
  if (request.format == "delta") return SinkDecision::kAllowed;
  if (is_export && request.format == "parquet" && policy.allow_parquet_exports) {
    return SinkDecision::kAllowed;
  }
  const bool production = policy.mode == RunMode::kProduction;
  const int64_t now_ms = delta::NowMs();
  std::cerr << "deltaline: warning: policy: refused " << request.format << " sink '"
            << request.sink << "' at '" << request.path << "' (run mode "
            << RunModeName(policy.mode) << ", policy " << OutputPolicyJson(policy).dump()
            << (run.run_id.empty() ? "" : ", run " + run.run_id) << ", time_ms " << now_ms
            << "). " << kHowToAllow << "\n";
  if (!run.run_dir.empty()) {
    auto row = EventRow(request, policy, run, now_ms, production ? "failed" : "refused");
    arrow::Status logged = row.ok() ? AppendEvent(*row, run) : row.status();
    // The policy outcome must not be masked by a diagnostics failure.
    if (!logged.ok()) {
      std::cerr << "deltaline: warning: could not record the policy event in '"
                << PolicyEventsTablePath(run) << "': " << logged.ToString() << "\n";
    }
  }
  if (!production) return SinkDecision::kRefused;
  return delta::DeltaError(delta::ErrorKind::kPolicyViolation,
                           "refused " + request.format + " sink '" + request.sink +
                               "' at '" + request.path +
                               "': outputs are Delta tables only. " + kHowToAllow);
}

}  // namespace deltaline::storage
