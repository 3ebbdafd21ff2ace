#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"
#include "storage/output_policy.h"

namespace deltaline::storage {

struct ExportOptions {
  /// Table version to export; unset = latest.
  std::optional<int64_t> version;
  /// A new file is started after this many rows. Default 8 Mi.
  int64_t max_rows_per_file = 8LL << 20;
  RunContext run;
  /// Where a refused export's warning and the export's progress go: progress "export"
  /// with the rows written so far and total -1 after each batch, then once more with
  /// total = done when the rows are all written. Default empty: silent.
  delta::Reporter reporter;
};

struct ExportReport {
  bool refused = false;  ///< development mode, exports off: nothing was written
  std::string table;
  int64_t version = -1;
  std::string out_dir;
  std::vector<std::string> files;  ///< relative to out_dir
  int64_t rows = 0;
  int64_t bytes = 0;
  std::string report_path;  ///< `<out_dir>/export_report.json`
  nlohmann::json ToJson() const;
};

/// \brief The gated Parquet export: writes the rows of `table_uri` at a version as
/// plain Parquet files `part-<5 digits>.parquet` in `out_dir` (no `_metadata` or
/// `_common_metadata` sidecars) plus `export_report.json`.
///
/// Allowed only when `policy.allow_parquet_exports` is true. Otherwise this is a
/// forbidden sink (CheckSink): nothing is created, not even `out_dir`; production
/// fails with kPolicyViolation, development returns a report with `refused` set.
/// `out_dir` must not exist yet or be empty, so an export never mixes with other
/// files. On failure the files written so far are deleted.
arrow::Result<ExportReport> ExportParquet(const std::string& table_uri,
                                          const std::string& out_dir,
                                          const OutputStoragePolicy& policy,
                                          const ExportOptions& options = {});

}  // namespace deltaline::storage
