#pragma once

#include <map>
#include <string>
#include <string_view>

#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"
#include "delta/write/write.h"

namespace deltaline::cli {

/// \brief The exit codes of every command (docs/cli/README.md, "Exit codes").
enum class ExitCode : int {
  kSuccess = 0,
  kError = 1,     ///< the command failed (the error is one line on stderr)
  kUsage = 2,     ///< the command line is wrong: unknown flag, bad value, bad combination
  kRefused = 3,   ///< refused by policy in development mode; nothing was written
  kMismatch = 4,  ///< `validate --fail-on-mismatch`: the two results differ
};

/// \brief A command-line mistake found after parsing (a combination of flags CLI11
/// cannot express). Exits with ExitCode::kUsage.
arrow::Status UsageError(std::string message);

/// \brief An operation the policy refused in development mode. Exits with
/// ExitCode::kRefused; the message is printed as a note, not as an error.
arrow::Status RefusedByPolicy(std::string message);

/// \brief Two results that should be equal are not (`validate --fail-on-mismatch`).
/// Exits with ExitCode::kMismatch; the message is printed as a note.
arrow::Status ResultMismatch(std::string message);

/// \brief Prints `status` (when not OK) as one line on stderr and returns its exit code.
int ReportStatus(const arrow::Status& status);

/// \brief A command's result on stdout (`--json`): pretty-printed, invalid UTF-8
/// replaced.
void PrintJson(const nlohmann::json& value);

/// \brief One line for the user on stderr: `deltaline: <message>`.
void PrintNote(std::string_view message);

/// \brief The reporter the CLI installs in the library: warnings and progress as
/// `deltaline: …` lines on stderr.
const delta::Reporter& StderrReporter();

/// \brief Per-partition counts of a write or delete, keyed by partition directory.
nlohmann::json PartitionsJson(
    const std::map<std::string, delta::PartitionMetrics>& partitions);

}  // namespace deltaline::cli
