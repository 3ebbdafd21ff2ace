// `deltaline read TABLE`: the rows of a version (optionally filtered) to stdout or a
// file, in csv, jsonl or Arrow IPC; scan metrics on stderr. With --changes, the change
// data feed between two versions instead (read_changes.cc).
#include <functional>
#include <iostream>

#include <arrow/io/file.h>
#include <arrow/io/stdio.h>
#include <arrow/scalar.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/commands/read_changes.h"
#include "cli/flags.h"
#include "cli/io_formats.h"
#include "cli/output.h"
#include "delta/base/errors.h"
#include "delta/base/time_text.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/scan.h"

namespace deltaline::cli {
namespace {

struct ReadArgs {
  std::string table, output, timestamp;
  std::optional<int64_t> version, limit;
  std::vector<std::string> columns;
  std::optional<OutputFormat> format;  ///< unset: from --output's extension, else csv
  std::string filter;                  ///< SQL predicate; empty = no filter
  bool explain = false;                ///< scan metrics as text on stderr
  bool metrics_json = false;           ///< scan metrics as JSON on stderr
  bool json = false;                   ///< refused: see RegisterRead
  bool full_scan = false;
  bool row_ids = false;  ///< append _row_id and _row_commit_version
  bool changes = false;  ///< the change data feed between --from and --to
  std::optional<int64_t> from_version, to_version;
  std::string from_timestamp, to_timestamp;
};

void ReportScanMetrics(const ReadArgs& args, const delta::ScanMetrics& metrics) {
  if (args.metrics_json) {
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
              << "files skipped by partition: " << metrics.files_skipped_by_partition
              << "\n"
              << "files skipped by stats: " << metrics.files_skipped_by_stats << "\n"
              << "files read: " << metrics.files_read << "\n"
              << "bytes read: " << metrics.bytes_read << "\n"
              << "rows read: " << metrics.rows_read << "\n"
              << "rows returned: " << metrics.rows_returned << "\n";
  }
}

// The rows of the change data feed; `report` prints its metrics once it is drained.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenChangeRows(
    const ReadArgs& args, delta::LogStore& store, delta::ChangeFeedMetrics& metrics,
    std::function<void()>& report) {
  if (!args.from_version && args.from_timestamp.empty()) {
    return UsageError("read --changes needs --from-version or --from-timestamp");
  }
  delta::ChangeFeedRequest request;
  request.start_version = args.from_version;
  request.end_version = args.to_version;
  if (!args.from_timestamp.empty()) {
    ARROW_ASSIGN_OR_RAISE(
        request.start_timestamp_ms,
        delta::ParseTimestampMs(args.from_timestamp, "--from-timestamp"));
  }
  if (!args.to_timestamp.empty()) {
    ARROW_ASSIGN_OR_RAISE(request.end_timestamp_ms,
                          delta::ParseTimestampMs(args.to_timestamp, "--to-timestamp"));
  }
  ARROW_ASSIGN_OR_RAISE(auto opened,
                        OpenChanges(store, request, args.columns, args.filter, &metrics));
  if (args.metrics_json || args.explain) {
    report = [&args, &metrics, range = opened.range] {
      ReportChangeMetrics(metrics, range, args.filter, args.metrics_json);
    };
  }
  return opened.reader;
}

// The rows of one version of the table; `report` prints the scan metrics once drained.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenSnapshotRows(
    const ReadArgs& args, delta::LogStore& store, delta::ScanMetrics& metrics,
    std::function<void()>& report) {
  delta::SnapshotRequest request;
  request.version = args.version;
  if (!args.timestamp.empty()) {
    ARROW_ASSIGN_OR_RAISE(request.timestamp_ms, delta::ParseTimestampMs(args.timestamp));
  }
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(store, request));
  delta::ScanOptions scan;
  for (const auto& column : args.columns) {
    if (!column.empty()) scan.columns.push_back(column);
  }
  scan.metrics = &metrics;
  scan.skip_files = !args.full_scan;
  scan.with_row_tracking = args.row_ids;
  if (!args.filter.empty()) {
    ARROW_ASSIGN_OR_RAISE(scan.filter,
                          delta::ParsePredicate(args.filter, *snapshot->schema()));
  }
  report = [&args, &metrics] { ReportScanMetrics(args, metrics); };
  return delta::ScanSnapshot(store, snapshot, scan);
}

// Drains `reader` into --output (or stdout) in the chosen format, up to --limit rows.
arrow::Status WriteRows(const ReadArgs& args, arrow::RecordBatchReader& reader) {
  std::shared_ptr<arrow::io::OutputStream> sink;
  if (args.output.empty() || args.output == "-") {
    sink = std::make_shared<arrow::io::StdoutStream>();
  } else {
    ARROW_ASSIGN_OR_RAISE(sink, arrow::io::FileOutputStream::Open(args.output));
  }
  ARROW_ASSIGN_OR_RAISE(auto out,
                        MakeBatchSink(ResolveOutputFormat(args.format, args.output), sink,
                                      reader.schema()));
  int64_t remaining = args.limit.value_or(-1);
  while (remaining != 0) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader.Next());
    if (!batch) break;
    if (remaining > 0 && batch->num_rows() > remaining)
      batch = batch->Slice(0, remaining);
    ARROW_RETURN_NOT_OK(out->Write(*batch));
    if (remaining > 0) remaining -= batch->num_rows();
  }
  ARROW_RETURN_NOT_OK(out->Close());
  return sink->Close();
}

arrow::Status Run(const ReadArgs& args) {
  if (args.json) {
    return UsageError(
        "read has no --json: its result is rows; for rows as JSON lines use --format "
        "jsonl, "
        "for the scan metrics as JSON on stderr use --metrics-json");
  }
  if (!args.changes && (args.from_version || args.to_version ||
                        !args.from_timestamp.empty() || !args.to_timestamp.empty())) {
    return UsageError(
        "--from-version, --to-version, --from-timestamp and --to-timestamp "
        "select the change data feed: add --changes");
  }
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  delta::ScanMetrics scan_metrics;
  delta::ChangeFeedMetrics change_metrics;
  std::function<void()> report;
  std::shared_ptr<arrow::RecordBatchReader> reader;
  if (args.changes) {
    ARROW_ASSIGN_OR_RAISE(reader, OpenChangeRows(args, *store, change_metrics, report));
  } else {
    ARROW_ASSIGN_OR_RAISE(reader, OpenSnapshotRows(args, *store, scan_metrics, report));
  }
  ARROW_RETURN_NOT_OK(WriteRows(args, *reader));
  if (report) report();
  return arrow::Status::OK();
}

}  // namespace

void RegisterRead(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<ReadArgs>();
  auto* cmd = app.add_subcommand("read", "Read a table (or an old version of it)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  auto* version = cmd->add_option("--version", args->version, "Version to read")
                      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--timestamp", args->timestamp, "Read the version current at this time")
      ->excludes(version);
  cmd->add_option("--columns", args->columns, "Columns A,B (default all)")
      ->delimiter(',');
  AddEnumOption(*cmd, "--format", args->format, OutputFormatNames(),
                "Output format: csv (default), jsonl, arrow (IPC file), arrows (IPC "
                "stream); ipc = arrow into a file, arrows on stdout. Without it, an "
                "--output ending .arrow/.arrows/.jsonl decides");
  cmd->add_option("--limit", args->limit, "At most N rows")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--output", args->output, "Output file (default standard output)");
  cmd->add_option(
      "--filter", args->filter,
      "SQL predicate on the rows, e.g. \"day = DATE '2024-01-31' AND n > 3\"");
  cmd->add_flag("--explain", args->explain,
                "Print files considered/skipped/read and bytes read on stderr");
  cmd->add_flag("--metrics-json", args->metrics_json,
                "Print the scan metrics on stderr as one JSON object");
  cmd->add_flag("--json", args->json,
                "Not for read (exits 2): use --format jsonl for rows, --metrics-json for "
                "the scan metrics");
  auto* no_skipping =
      cmd->add_flag("--no-skipping", args->full_scan,
                    "Open every file even when stats exclude it (rows are the same)");
  auto* changes = cmd->add_flag(
      "--changes", args->changes,
      "Read the change data feed instead: the rows each commit from --from-version "
      "(or --from-timestamp) to --to-version (or --to-timestamp, default latest) "
      "inserted, deleted or updated, with _change_type, _commit_version and "
      "_commit_timestamp columns, as Spark's table_changes");
  changes->excludes(version)->excludes("--timestamp")->excludes(no_skipping);
  auto* from_version = cmd->add_option("--from-version", args->from_version,
                                       "With --changes: first version (included)")
                           ->check(CLI::NonNegativeNumber);
  cmd->add_option("--from-timestamp", args->from_timestamp,
                  "With --changes: from the first version committed at or after this "
                  "RFC 3339 time")
      ->excludes(from_version);
  auto* to_version = cmd->add_option("--to-version", args->to_version,
                                     "With --changes: last version (included)")
                         ->check(CLI::NonNegativeNumber);
  cmd->add_option("--to-timestamp", args->to_timestamp,
                  "With --changes: up to the last version committed at or before this "
                  "RFC 3339 time")
      ->excludes(to_version);
  cmd->add_flag("--with-row-ids", args->row_ids,
                "Append the row tracking columns _row_id and _row_commit_version "
                "(tables with delta.enableRowTracking=true)")
      ->excludes(changes);
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
