#include "cli/read_filter.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "delta/predicate/predicate.h"

namespace deltaline::cli {

void AddReadFilterOptions(CLI::App& read_cmd, ReadFilterArgs& args) {
  read_cmd.add_option("--filter", args.filter,
                      "SQL predicate on the rows, e.g. \"day = DATE '2024-01-31' AND n > 3\"");
  read_cmd.add_flag("--explain", args.explain,
                    "Print files considered/skipped/read and bytes read on stderr");
  read_cmd.add_flag("--json", args.json, "Print the scan metrics on stderr as JSON");
  read_cmd.add_flag("--no-skipping", args.full_scan,
                    "Open every file even when stats exclude it (rows are the same)");
}

arrow::Status ApplyReadFilter(const ReadFilterArgs& args, const delta::Snapshot& snapshot,
                              delta::ScanOptions* scan, delta::ScanMetrics* metrics) {
  scan->metrics = metrics;
  scan->skip_files = !args.full_scan;
  if (args.filter.empty()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(scan->filter, delta::ParsePredicate(args.filter, *snapshot.schema()));
  return arrow::Status::OK();
}

void ReportScanMetrics(const ReadFilterArgs& args, const delta::ScanMetrics& metrics) {
  if (args.json) {
    nlohmann::json out = {{"filesConsidered", metrics.files_considered},
                          {"filesSkippedByPartition", metrics.files_skipped_by_partition},
                          {"filesSkippedByStats", metrics.files_skipped_by_stats},
                          {"filesRead", metrics.files_read},
                          {"bytesRead", metrics.bytes_read},
                          {"rowsRead", metrics.rows_read},
                          {"rowsReturned", metrics.rows_returned}};
    if (!args.filter.empty()) out["filter"] = args.filter;
    std::cerr << out.dump() << "\n";
  } else if (args.explain) {
    std::cerr << "filter: " << (args.filter.empty() ? "(none)" : args.filter) << "\n"
              << "files considered: " << metrics.files_considered << "\n"
              << "files skipped by partition: " << metrics.files_skipped_by_partition << "\n"
              << "files skipped by stats: " << metrics.files_skipped_by_stats << "\n"
              << "files read: " << metrics.files_read << "\n"
              << "bytes read: " << metrics.bytes_read << "\n"
              << "rows read: " << metrics.rows_read << "\n"
              << "rows returned: " << metrics.rows_returned << "\n";
  }
}

}  // namespace deltaline::cli
