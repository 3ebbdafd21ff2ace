// `deltaline query --plan PLAN`: runs a Substrait plan (JSON or binary) over the tables
// bound with --table, after the normalising pass; --explain shows what will run
// instead of running it. Results go to a display format (csv, jsonl, Arrow IPC) or,
// with --into, into one Delta commit (engine::InsertInto); any other format is a file
// sink the policy gate refuses (engine::CheckQueryOutputFormat).
#include <iostream>

#include <arrow/io/file.h>
#include <arrow/io/stdio.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/io_formats.h"
#include "cli/output.h"
#include "cli/policy_flags.h"
#include "cli/write_result.h"
#include "engine/catalog.h"
#include "engine/delta_source.h"
#include "engine/delta_tap.h"
#include "engine/execute.h"
#include "engine/insert_into.h"
#include "engine/pushdown.h"
#include "engine/sink_gate.h"
#include "engine/substrait_plan.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct QueryArgs {
  std::string plan, output;
  std::vector<std::string> tables;
  std::vector<std::string> taps;  ///< NAME=URI: where a plan's delta_write tap writes
  /// Unset: from --output's extension, else csv. Kept as text so that a file format
  /// (parquet…) reaches the policy gate instead of a usage error.
  std::string format;
  bool explain = false;  ///< print the normalised plan and its bindings; run nothing
  bool json = false;     ///< the explanation (or, after a run, its summary) as JSON
  std::string into;      ///< a Delta table: the result goes there, in one commit
  engine::InsertFlags insert;
  PolicyArgs policy;
};

json RewritesJson(const engine::SubstraitPlan& plan) {
  json out = json::array();
  for (const auto& rewrite : plan.normalized.rewrites) {
    out.push_back({{"path", rewrite.path}, {"what", rewrite.what}});
  }
  return out;
}

json CountsJson(const engine::DeltaScanCounts& counts, bool ran) {
  json out = {{"filesConsidered", counts.files_considered},
              {"filesSkippedByPartition", counts.files_skipped_by_partition},
              {"filesSkippedByStats", counts.files_skipped_by_stats},
              {ran ? "filesRead" : "filesToRead", counts.files_read}};
  if (ran) {
    out["bytesRead"] = counts.bytes_read;
    out["rowsRead"] = counts.rows_read;
  }
  return out;
}

// One entry per Delta scan of the plan: what the pushdown gave it (filter, columns)
// and its files; `ran` false = the pruning planned, true = what the run did.
arrow::Result<json> ScansJson(const std::vector<engine::DeltaScanInfo>& scans, bool ran) {
  json out = json::array();
  for (const auto& scan : scans) {
    engine::DeltaScanCounts counts;
    if (ran) {
      counts = scan.metrics->counts();
    } else {
      ARROW_ASSIGN_OR_RAISE(counts, engine::PlannedPruning(scan));
    }
    json item = {{"table", scan.uri},
                 {"version", scan.version},
                 {"filter", scan.filter},
                 {"columns", scan.columns ? json(*scan.columns) : json("all")}};
    item.update(CountsJson(counts, ran));
    out.push_back(std::move(item));
  }
  return out;
}

json ExplainJson(const QueryArgs& args, const engine::SubstraitPlan& plan,
                 const engine::PlanDeclaration& bound, json scans) {
  json schema = json::array();
  for (const auto& field : bound.schema->fields()) {
    schema.push_back({{"name", field->name()}, {"type", field->type()->ToString()}});
  }
  return {{"plan", args.plan},
          {"encoding", plan.encoding == engine::PlanEncoding::kJson ? "json" : "binary"},
          {"tables", bound.bindings},
          {"rewrites", RewritesJson(plan)},
          {"resultSchema", schema},
          {"deltaScans", std::move(scans)},
          {"normalizedPlan", plan.normalized.plan}};
}

void PrintExplainText(const json& explain) {
  std::cout << "plan: " << explain["plan"].get<std::string>() << " ("
            << explain["encoding"].get<std::string>() << ")\ntables:\n";
  for (const auto& table : explain["tables"]) {
    std::cout << "  " << table.get<std::string>() << "\n";
  }
  std::cout << "rewrites:" << (explain["rewrites"].empty() ? " (none)" : "") << "\n";
  for (const auto& rewrite : explain["rewrites"]) {
    std::cout << "  " << rewrite["path"].get<std::string>() << ": "
              << rewrite["what"].get<std::string>() << "\n";
  }
  std::cout << "result schema:\n";
  for (const auto& field : explain["resultSchema"]) {
    std::cout << "  " << field["name"].get<std::string>() << ": "
              << field["type"].get<std::string>() << "\n";
  }
  std::cout << "delta scans:" << (explain["deltaScans"].empty() ? " (none)" : "") << "\n";
  for (const auto& scan : explain["deltaScans"]) {
    std::cout << "  " << scan["table"].get<std::string>() << " @ version "
              << scan["version"].get<int64_t>() << ": filter "
              << scan["filter"].get<std::string>() << "; columns "
              << scan["columns"].dump() << "; files considered "
              << scan["filesConsidered"].get<int64_t>() << ", skipped by partition "
              << scan["filesSkippedByPartition"].get<int64_t>() << ", skipped by stats "
              << scan["filesSkippedByStats"].get<int64_t>() << ", to read "
              << scan["filesToRead"].get<int64_t>() << "\n";
  }
  std::cout << "normalised plan:\n" << explain["normalizedPlan"].dump(2) << "\n";
}

// Drains `reader` into --output (or stdout); the number of rows written.
arrow::Result<int64_t> WriteRows(const QueryArgs& args,
                                 std::optional<OutputFormat> format,
                                 arrow::RecordBatchReader& reader) {
  std::shared_ptr<arrow::io::OutputStream> sink;
  if (args.output.empty() || args.output == "-") {
    sink = std::make_shared<arrow::io::StdoutStream>();
  } else {
    ARROW_ASSIGN_OR_RAISE(sink, arrow::io::FileOutputStream::Open(args.output));
  }
  ARROW_ASSIGN_OR_RAISE(auto out, MakeBatchSink(ResolveOutputFormat(format, args.output),
                                                sink, reader.schema()));
  int64_t rows = 0;
  while (true) {
    ARROW_ASSIGN_OR_RAISE(auto batch, reader.Next());
    if (!batch) break;
    ARROW_RETURN_NOT_OK(out->Write(*batch));
    rows += batch->num_rows();
  }
  ARROW_RETURN_NOT_OK(out->Close());
  ARROW_RETURN_NOT_OK(sink->Close());
  return rows;
}

// --format as a display format; any other name goes through the policy gate first,
// so `--format parquet` is refused (and reported) before anything runs.
arrow::Result<std::optional<OutputFormat>> ResolveFormat(const QueryArgs& args,
                                                         const engine::RunOptions& run) {
  if (args.format.empty()) return std::nullopt;
  const auto& names = OutputFormatNames();
  if (auto it = names.find(args.format); it != names.end()) return it->second;
  if (!args.into.empty()) return UsageError("--format and --into cannot be combined");
  ARROW_ASSIGN_OR_RAISE(auto decision,
                        engine::CheckQueryOutputFormat(args.format, args.output, run));
  if (decision == engine::QueryOutputDecision::kRefused) {
    return RefusedByPolicy("--format " + args.format +
                           " refused (run mode development); nothing written");
  }
  return UsageError("--format " + args.format + " is not a result format");
}

// The plan's taps (NamedTapRel kind delta_write) write where --tap binds their names.
arrow::Result<engine::SubstraitRunOptions> RunOptionsFor(
    const QueryArgs& args, const storage::StorageWriteOptions& storage) {
  engine::SubstraitRunOptions options;
  options.run = {storage.output, storage.run, storage.reporter, true};
  if (!args.taps.empty()) {
    engine::DeltaTapOptions taps;
    for (const auto& text : args.taps) {
      ARROW_ASSIGN_OR_RAISE(auto tap, engine::ParseBinding(text));
      if (!tap.at.empty()) return UsageError("--tap " + text + ": a tap has no @VERSION");
      taps.tables[tap.name] = tap.uri;
    }
    ARROW_ASSIGN_OR_RAISE(
        auto insert,
        engine::MakeInsertOptions(taps.tables.begin()->second, args.insert, storage));
    taps.storage = insert.storage;
    options.named_tap_provider = engine::MakeDeltaTapProvider(std::move(taps));
  }
  return options;
}

arrow::Status Explain(const QueryArgs& args, const engine::SubstraitPlan& plan,
                      const engine::Catalog& catalog,
                      const engine::SubstraitRunOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto bound, engine::PlanToDeclaration(plan, catalog, options));
  // The pass Run* applies before running, applied here to show its effect.
  ARROW_RETURN_NOT_OK(engine::PushDownIntoScans(bound.declaration));
  ARROW_ASSIGN_OR_RAISE(auto scans,
                        ScansJson(engine::DeltaScansOf(bound.declaration), false));
  const json explain = ExplainJson(args, plan, bound, std::move(scans));
  if (args.json) {
    PrintJson(explain);
  } else {
    PrintExplainText(explain);
  }
  return arrow::Status::OK();
}

arrow::Status Into(const QueryArgs& args, const engine::SubstraitPlan& plan,
                   const engine::Catalog& catalog,
                   const engine::SubstraitRunOptions& options,
                   const storage::StorageWriteOptions& storage) {
  ARROW_ASSIGN_OR_RAISE(auto bound, engine::PlanToDeclaration(plan, catalog, options));
  ARROW_ASSIGN_OR_RAISE(auto insert,
                        engine::MakeInsertOptions(args.into, args.insert, storage));
  ARROW_ASSIGN_OR_RAISE(
      auto written,
      engine::InsertIntoTable(std::move(bound.declaration), args.into, insert));
  if (args.json) {
    json out = WriteResultJson(written.write);
    out["insertPath"] = engine::InsertPathName(written.path);
    PrintJson(out);
  } else {
    PrintWriteNote(written.write);
  }
  return arrow::Status::OK();
}

arrow::Status Run(const QueryArgs& args) {
  if (args.into.empty() &&
      (args.insert.mode != "error" || !args.insert.predicate.empty() ||
       args.insert.replace_partitions || !args.insert.partition_by.empty() ||
       !args.insert.path.empty()) &&
      args.taps.empty()) {
    return UsageError(
        "--mode, --predicate, --replace-partitions, --partition-by and --insert-path "
        "say how to write: add --into TABLE (or --tap for a plan's delta_write taps)");
  }
  ARROW_ASSIGN_OR_RAISE(auto storage, BuildStorageOptions(args.policy));
  storage.reporter = StderrReporter();
  ARROW_ASSIGN_OR_RAISE(auto options, RunOptionsFor(args, storage));
  ARROW_ASSIGN_OR_RAISE(auto format, ResolveFormat(args, options.run));
  engine::Catalog catalog;
  for (const auto& binding : args.tables) {
    ARROW_RETURN_NOT_OK(catalog.AddBinding(binding));
  }
  ARROW_ASSIGN_OR_RAISE(auto plan, engine::ReadSubstraitPlanFile(args.plan));
  if (args.explain) return Explain(args, plan, catalog, options);
  if (!args.into.empty()) return Into(args, plan, catalog, options, storage);
  ARROW_ASSIGN_OR_RAISE(auto bound, engine::PlanToDeclaration(plan, catalog, options));
  // Pushed down here (RunToReader's pass then changes nothing) so the scans listed
  // show their filters and columns; they share their metrics with the running plan.
  ARROW_RETURN_NOT_OK(engine::PushDownIntoScans(bound.declaration));
  const auto scans = engine::DeltaScansOf(bound.declaration);
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        engine::RunToReader(std::move(bound.declaration), options.run));
  ARROW_ASSIGN_OR_RAISE(int64_t rows, WriteRows(args, format, *reader));
  if (args.json) {
    // Rows may be on stdout: the summary goes to stderr, as read's --metrics-json.
    ARROW_ASSIGN_OR_RAISE(auto scans_json, ScansJson(scans, true));
    std::cerr << json{{"rows", rows},
                      {"rewrites", RewritesJson(plan)},
                      {"deltaScans", std::move(scans_json)}}
                     .dump()
              << "\n";
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterQuery(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<QueryArgs>();
  auto* cmd = app.add_subcommand(
      "query", "Run a Substrait plan (JSON or binary protobuf) over bound tables");
  cmd->add_option("--plan", args->plan, "The plan file: Substrait JSON or binary (.pb)")
      ->required();
  cmd->add_option("--table", args->tables,
                  "NAME=URI[@VERSION]: binds a table name of the plan to a Delta table "
                  "(at a version or RFC 3339 time), an Arrow IPC, Parquet or JSON lines "
                  "file; repeatable");
  cmd->add_option("--format", args->format,
                  "Output format: csv (default), jsonl, arrow (IPC file), arrows (IPC "
                  "stream). Without it, an --output ending .arrow/.arrows/.jsonl "
                  "decides. File formats such as parquet are refused by the policy "
                  "gate: write --into a Delta table, then export-parquet");
  cmd->add_option("--output", args->output, "Output file (default standard output)");
  cmd->add_flag(
      "--explain", args->explain,
      "Print the normalised plan, its rewrites, the tables bound and the result "
      "schema instead of running it");
  cmd->add_flag("--json", args->json,
                "With --explain: the explanation as JSON on stdout; otherwise a JSON "
                "summary of the run (rows, rewrites) on stderr");
  cmd->add_option("--into", args->into,
                  "Write the result into this Delta table, in one commit, instead of "
                  "printing it");
  cmd->add_option("--mode", args->insert.mode,
                  "With --into: error (default), append, overwrite or ignore")
      ->check(CLI::IsMember({"error", "append", "overwrite", "ignore"}));
  cmd->add_option("--predicate", args->insert.predicate,
                  "With --into and --mode overwrite: replace only the rows matching this "
                  "SQL predicate (replaceWhere)");
  cmd->add_flag("--replace-partitions", args->insert.replace_partitions,
                "With --into: replace exactly the partitions present in the result");
  cmd->add_option("--partition-by", args->insert.partition_by,
                  "With --into: partition columns A,B of a new table")
      ->delimiter(',');
  cmd->add_option("--insert-path", args->insert.path,
                  "With --into: streaming (the delta_write node), fallback (plan → "
                  "reader → storage writer) or auto (default)")
      ->check(CLI::IsMember({"auto", "streaming", "fallback"}));
  cmd->add_option("--tap", args->taps,
                  "NAME=URI: the Delta table a plan's delta_write tap NAME writes to "
                  "(with --mode etc.); repeatable");
  AddWritePolicyFlags(*cmd, args->policy);
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
