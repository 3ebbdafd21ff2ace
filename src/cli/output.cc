#include "cli/output.h"

#include <iostream>
#include <memory>

#include "delta/base/errors.h"
#include "storage/policy_error.h"

namespace deltaline::cli {
namespace {

// Marks a Status with the exit code it maps to (usage, refused); everything else is 1.
class ExitCodeDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "deltaline::cli::ExitCodeDetail";
  explicit ExitCodeDetail(ExitCode code) : code_(code) {}
  const char* type_id() const override { return kTypeId; }
  std::string ToString() const override {
    return code_ == ExitCode::kUsage      ? "Usage"
           : code_ == ExitCode::kMismatch ? "ResultMismatch"
                                          : "RefusedByPolicy";
  }
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

const ExitCodeDetail* GetExitCodeDetail(const arrow::Status& st) {
  const auto& detail = st.detail();
  if (!detail || std::string(detail->type_id()) != ExitCodeDetail::kTypeId)
    return nullptr;
  return static_cast<const ExitCodeDetail*>(detail.get());
}

std::string OneLine(std::string message) {
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  return message;
}

}  // namespace

arrow::Status UsageError(std::string message) {
  return arrow::Status::Invalid(std::move(message))
      .WithDetail(std::make_shared<ExitCodeDetail>(ExitCode::kUsage));
}

arrow::Status RefusedByPolicy(std::string message) {
  return arrow::Status::Invalid(std::move(message))
      .WithDetail(std::make_shared<ExitCodeDetail>(ExitCode::kRefused));
}

arrow::Status ResultMismatch(std::string message) {
  return arrow::Status::Invalid(std::move(message))
      .WithDetail(std::make_shared<ExitCodeDetail>(ExitCode::kMismatch));
}

int ReportStatus(const arrow::Status& st) {
  if (st.ok()) return static_cast<int>(ExitCode::kSuccess);
  if (const auto* marked = GetExitCodeDetail(st)) {
    if (marked->code() == ExitCode::kRefused || marked->code() == ExitCode::kMismatch) {
      PrintNote(OneLine(st.message()));
    } else {
      std::cerr << "deltaline: error: " << OneLine(st.message())
                << "\nRun with --help for more information.\n";
    }
    return static_cast<int>(marked->code());
  }
  const auto* detail = delta::GetDeltaDetail(st);
  std::string kind = detail ? detail->ToString()
                     : storage::IsPolicyViolation(st)
                         ? st.detail()->ToString()
                         : arrow::Status::CodeAsString(st.code());
  std::cerr << "deltaline: error: " << kind << ": " << OneLine(st.message()) << "\n";
  return static_cast<int>(ExitCode::kError);
}

void PrintJson(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
}

void PrintNote(std::string_view message) {
  std::cerr << "deltaline: " << message << "\n";
}

const delta::Reporter& StderrReporter() {
  static const delta::Reporter reporter{
      [](std::string_view message) {
        std::cerr << "deltaline: warning: " << message << "\n";
      },
      [](std::string_view what, int64_t done, int64_t total) {
        if (what == "export") {
          // One `exported N rows` line rewritten in place; the last event (done ==
          // total) repeats the count already shown, so it only ends the line.
          if (total >= 0 && done == total) {
            std::cerr << "\n";
          } else {
            std::cerr << "\rdeltaline: exported " << done << " rows" << std::flush;
          }
          return;
        }
        // Every 1000 units and at the end: enough to see it move, not a flood.
        if (done % 1000 != 0 && done != total) return;
        std::cerr << "deltaline: " << what << " " << done;
        if (total >= 0) std::cerr << " of " << total;
        std::cerr << "\n";
      }};
  return reporter;
}

nlohmann::json PartitionsJson(
    const std::map<std::string, delta::PartitionMetrics>& partitions) {
  return delta::PartitionMetricsJson(partitions);
}

}  // namespace deltaline::cli
