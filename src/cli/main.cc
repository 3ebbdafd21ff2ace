// The `deltaline` command: write, read and inspect Delta tables.
#include <cstdio>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <arrow/io/file.h>
#include <arrow/io/stdio.h>
#include <arrow/scalar.h>

#include "cli/inspect.h"
#include "cli/io_formats.h"
#include "cli/read_filter.h"
#include "cli/targeted_cmds.h"
#include "cli/storage_commands.h"
#include "cli/vacuum_cmd.h"
#include "delta/base/errors.h"
#include "delta/scan/scan.h"
#include "delta/log/snapshot.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/transaction.h"
#include "delta/write/write.h"
#include "storage/policy_error.h"
#include "storage/storage_writer.h"
#include "storage/write_policy.h"
#include "deltaline/version.h"

namespace deltaline::cli {
namespace {

using delta::InvalidInput;

arrow::Result<delta::StringMap> ParsePairs(const std::vector<std::string>& pairs,
                                           const char* flag) {
  delta::StringMap out;
  for (const auto& pair : pairs) {
    auto eq = pair.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidInput(std::string(flag) + " '" + pair + "' must be KEY=VALUE");
    }
    out[pair.substr(0, eq)] = pair.substr(eq + 1);
  }
  return out;
}

arrow::Result<int64_t> ParseTimestampMs(const std::string& text) {
  auto parsed = arrow::Scalar::Parse(arrow::timestamp(arrow::TimeUnit::MILLI, "UTC"), text);
  if (parsed.ok()) return static_cast<const arrow::TimestampScalar&>(**parsed).value;
  // The millisecond parser rejects RFC 3339 fractions of more than three digits
  // ("…:05.123456Z"); retry at nanoseconds. Commits are stamped in whole ms, so
  // flooring keeps "at or before" exact.
  auto precise = arrow::Scalar::Parse(arrow::timestamp(arrow::TimeUnit::NANO, "UTC"), text);
  if (!precise.ok()) {
    return InvalidInput("--timestamp '" + text + "' is not an RFC 3339 time (e.g. " +
                        "2024-05-01T12:00:00Z): " + parsed.status().message());
  }
  const int64_t ns = static_cast<const arrow::TimestampScalar&>(**precise).value;
  return ns / 1000000 - (ns % 1000000 < 0 ? 1 : 0);
}

void PrintJson(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

struct WriteArgs {
  std::string table, input, input_format, mode = "error";
  std::vector<std::string> properties, metadata;
  bool json = false;
  PartitionWriteArgs partition;
  PolicyArgs policy;
};

arrow::Status RunWrite(const WriteArgs& args) {
  // Every output goes through the storage surface, which applies the policies.
  ARROW_ASSIGN_OR_RAISE(auto options, BuildStorageOptions(args.policy));
  ARROW_ASSIGN_OR_RAISE(options.delta.mode, delta::ParseSaveMode(args.mode));
  ARROW_ASSIGN_OR_RAISE(options.delta.table_properties,
                        ParsePairs(args.properties, "--property"));
  ARROW_ASSIGN_OR_RAISE(options.delta.user_metadata, ParsePairs(args.metadata, "--metadata"));
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  std::shared_ptr<arrow::Schema> types;
  if (auto existing = delta::Snapshot::Load(*store); existing.ok()) {
    types = (*existing)->schema();
  }
  ARROW_RETURN_NOT_OK(ApplyPartitionWriteArgs(args.partition, types, &options));
  ARROW_ASSIGN_OR_RAISE(auto input, OpenInput(args.input, args.input_format, types));
  ARROW_ASSIGN_OR_RAISE(auto result, storage::WriteDatasetDelta(*input, args.table, options));
  const delta::WriteResult& done = result.delta;
  nlohmann::json out = {{"table", done.uri},         {"version", done.version},
                        {"committed", done.committed}, {"operation", done.operation},
                        {"filesAdded", done.files_added}, {"rowsAdded", done.rows_added},
                        {"bytesAdded", done.bytes_added}, {"filesRemoved", done.files_removed},
                        {"checkpoint", done.checkpoint_written},
                        {"schemaChanged", done.schema_changed}, {"policy", result.policy}};
  out["rowsRemoved"] = done.rows_removed;
  out["rowsCopied"] = done.rows_copied;
  out["partitions"] = PartitionsJson(done.partitions);
  if (args.json) {
    PrintJson(out);
  } else if (done.committed) {
    std::cerr << "deltaline: committed version " << done.version << " of " << done.uri
              << " (" << done.rows_added << " rows, " << done.files_added << " files added, "
              << done.files_removed << " removed)\n";
  } else {
    std::cerr << "deltaline: table " << done.uri << " left unchanged at version "
              << done.version << "\n";
  }
  return arrow::Status::OK();
}

struct ReadArgs {
  std::string table, columns, format = "csv", output, timestamp;
  int64_t version = -1, limit = -1;
  ReadFilterArgs filter;
};

arrow::Result<std::shared_ptr<const delta::Snapshot>> LoadSnapshot(delta::LogStore& store,
                                                                   int64_t version,
                                                                   const std::string& timestamp) {
  delta::SnapshotRequest request;
  if (version >= 0) request.version = version;
  if (!timestamp.empty()) {
    ARROW_ASSIGN_OR_RAISE(request.timestamp_ms, ParseTimestampMs(timestamp));
  }
  return delta::Snapshot::Load(store, request);
}

arrow::Status RunRead(const ReadArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, LoadSnapshot(*store, args.version, args.timestamp));
  delta::ScanOptions scan;
  if (!args.columns.empty()) {
    std::string item;
    for (char c : args.columns + ",") {
      if (c == ',') {
        if (!item.empty()) scan.columns.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
  }
  delta::ScanMetrics metrics;
  ARROW_RETURN_NOT_OK(ApplyReadFilter(args.filter, *snapshot, &scan, &metrics));
  ARROW_ASSIGN_OR_RAISE(auto reader, delta::ScanSnapshot(*store, snapshot, scan));
  std::shared_ptr<arrow::io::OutputStream> sink;
  if (args.output.empty() || args.output == "-") {
    sink = std::make_shared<arrow::io::StdoutStream>();
  } else {
    ARROW_ASSIGN_OR_RAISE(sink, arrow::io::FileOutputStream::Open(args.output));
  }
  ARROW_ASSIGN_OR_RAISE(auto out, MakeBatchSink(args.format, sink, reader->schema()));
  int64_t remaining = args.limit;
  while (remaining != 0) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
    if (!batch) break;
    if (remaining > 0 && batch->num_rows() > remaining) batch = batch->Slice(0, remaining);
    ARROW_RETURN_NOT_OK(out->Write(*batch));
    if (remaining > 0) remaining -= batch->num_rows();
  }
  ARROW_RETURN_NOT_OK(out->Close());
  ARROW_RETURN_NOT_OK(sink->Close());
  ReportScanMetrics(args.filter, metrics);
  return arrow::Status::OK();
}

arrow::Status RunDescribe(const std::string& table, int64_t version, bool json) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, LoadSnapshot(*store, version, ""));
  auto described = DescribeJson(*snapshot);
  described["policy"] = storage::TablePolicyJson(snapshot->metadata().configuration);
  if (json) {
    PrintJson(described);
  } else {
    std::cout << DescribeText(described);
  }
  return arrow::Status::OK();
}

arrow::Status RunHistory(const std::string& table, int64_t limit, bool json) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  ARROW_ASSIGN_OR_RAISE(auto commits, delta::ReadHistory(*store, limit));
  auto history = HistoryJson(commits);
  if (json) {
    PrintJson(history);
  } else {
    std::cout << HistoryText(history);
  }
  return arrow::Status::OK();
}

arrow::Status RunCheckpoint(const std::string& table, bool json) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  ARROW_RETURN_NOT_OK(delta::WriteCheckpoint(*store, *snapshot));
  if (json) {
    PrintJson({{"table", store->uri()}, {"checkpointVersion", snapshot->version()}});
  } else {
    std::cerr << "deltaline: checkpoint written at version " << snapshot->version() << "\n";
  }
  return arrow::Status::OK();
}

int Report(const arrow::Status& st) {
  if (st.ok()) return 0;
  const auto* detail = delta::GetDeltaDetail(st);
  std::string kind = detail                           ? detail->ToString()
                     : storage::IsPolicyViolation(st) ? st.detail()->ToString()
                                                      : arrow::Status::CodeAsString(st.code());
  std::string message = st.message();
  for (char& c : message) {
    if (c == '\n') c = ' ';
  }
  std::cerr << "deltaline: error: " << kind << ": " << message << "\n";
  return 1;
}

int Main(int argc, char** argv) {
  CLI::App app{"deltaline: write, read and inspect Delta Lake tables"};
  app.set_version_flag("--version", std::string("deltaline ") + kVersion);
  app.require_subcommand(1);

  WriteArgs write;
  auto* write_cmd = app.add_subcommand("write", "Write a file into a Delta table (one commit)");
  write_cmd->add_option("TABLE", write.table, "Table path or file:// URI")->required();
  write_cmd->add_option("--input", write.input, "Input file, or - for standard input")
      ->required();
  write_cmd->add_option("--input-format", write.input_format, "csv|jsonl|ipc|parquet")
      ->check(CLI::IsMember({"csv", "jsonl", "ipc", "parquet"}));
  write_cmd->add_option("--mode", write.mode, "error|append|overwrite|ignore")
      ->check(CLI::IsMember({"error", "append", "overwrite", "ignore"}));
  write_cmd->add_option("--property", write.properties, "Table property KEY=VALUE (new tables)");
  write_cmd->add_option("--metadata", write.metadata, "Commit user metadata KEY=VALUE");
  write_cmd->add_flag("--json", write.json, "Print the write result as JSON");
  AddPartitionWriteOptions(write_cmd, &write.partition);

  DeleteArgs del;
  auto* delete_cmd = AddDeleteCommand(app, &del);
  AddWritePolicyFlags(write_cmd, &write.policy);

  ExportArgs export_args;
  auto* export_cmd = AddExportCommand(app, &export_args);

  ReadArgs read;
  auto* read_cmd = app.add_subcommand("read", "Read a table (or an old version of it)");
  read_cmd->add_option("TABLE", read.table)->required();
  auto* version_opt = read_cmd->add_option("--version", read.version, "Version to read");
  read_cmd->add_option("--timestamp", read.timestamp, "Read the version current at this time")
      ->excludes(version_opt);
  read_cmd->add_option("--columns", read.columns, "Comma-separated columns");
  read_cmd->add_option("--format", read.format, "csv|jsonl|ipc")
      ->check(CLI::IsMember({"csv", "jsonl", "ipc"}));
  read_cmd->add_option("--limit", read.limit, "At most N rows");
  read_cmd->add_option("--output", read.output, "Output file (default standard output)");
  AddReadFilterOptions(*read_cmd, read.filter);

  std::string describe_table;
  int64_t describe_version = -1;
  bool describe_json = false;
  auto* describe_cmd = app.add_subcommand("describe", "Protocol, metadata, schema and size");
  describe_cmd->add_option("TABLE", describe_table)->required();
  describe_cmd->add_option("--version", describe_version);
  describe_cmd->add_flag("--json", describe_json);

  std::string history_table;
  int64_t history_limit = -1;
  bool history_json = false;
  auto* history_cmd = app.add_subcommand("history", "Commits, newest first");
  history_cmd->add_option("TABLE", history_table)->required();
  history_cmd->add_option("--limit", history_limit);
  history_cmd->add_flag("--json", history_json);

  std::string checkpoint_table;
  bool checkpoint_json = false;
  auto* checkpoint_cmd = app.add_subcommand("checkpoint", "Write a checkpoint now");
  checkpoint_cmd->add_option("TABLE", checkpoint_table)->required();
  checkpoint_cmd->add_flag("--json", checkpoint_json);

  auto vacuum = AddVacuumCommand(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*write_cmd) return Report(RunWrite(write));
  if (*read_cmd) return Report(RunRead(read));
  if (*delete_cmd) return Report(RunDelete(del));
  if (*describe_cmd) return Report(RunDescribe(describe_table, describe_version, describe_json));
  if (*history_cmd) return Report(RunHistory(history_table, history_limit, history_json));
  if (*checkpoint_cmd) return Report(RunCheckpoint(checkpoint_table, checkpoint_json));
  if (*export_cmd) return RunExportCommand(export_args, &Report);
  if (*vacuum->command) return Report(RunVacuum(*vacuum));
  return 2;
}

}  // namespace
}  // namespace deltaline::cli

int main(int argc, char** argv) {
  // The one place exceptions may surface (from libraries that throw); never a crash.
  try {
    return deltaline::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "deltaline: error: internal: " << e.what() << "\n";
    return 1;
  }
}
