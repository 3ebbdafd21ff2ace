#pragma once

#include <string>

#include <CLI/CLI.hpp>
#include <arrow/status.h>

#include "delta/scan/scan.h"
#include "delta/log/snapshot.h"

namespace deltaline::cli {

/// \brief `deltaline read` options for filtered reads and their report.
struct ReadFilterArgs {
  std::string filter;  ///< SQL predicate; empty = no filter
  bool explain = false;
  bool json = false;
  bool full_scan = false;
};

/// \brief Adds --filter, --explain, --json and --no-skipping to the read command.
void AddReadFilterOptions(CLI::App& read_cmd, ReadFilterArgs& args);

/// \brief Parses `args.filter` against the snapshot's schema into `scan` and points
/// `scan->metrics` at `metrics`, which must outlive the scan.
arrow::Status ApplyReadFilter(const ReadFilterArgs& args, const delta::Snapshot& snapshot,
                              delta::ScanOptions* scan, delta::ScanMetrics* metrics);

/// \brief Prints the scan metrics on stderr: text with --explain, JSON with --json,
/// nothing otherwise (stdout carries the rows).
void ReportScanMetrics(const ReadFilterArgs& args, const delta::ScanMetrics& metrics);

}  // namespace deltaline::cli
