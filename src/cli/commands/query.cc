// `deltaline query --plan PLAN`: runs a Substrait plan (JSON or binary) over the tables
// bound with --table, after the normalising pass; --explain shows what will run
// instead of running it.
#include <iostream>

#include <arrow/io/file.h>
#include <arrow/io/stdio.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/io_formats.h"
#include "cli/output.h"
#include "engine/catalog.h"
#include "engine/substrait_plan.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct QueryArgs {
  std::string plan, output;
  std::vector<std::string> tables;
  std::optional<OutputFormat> format;  ///< unset: from --output's extension, else csv
  bool explain = false;  ///< print the normalised plan and its bindings; run nothing
  bool json = false;     ///< the explanation (or, after a run, its summary) as JSON
};

json RewritesJson(const engine::SubstraitPlan& plan) {
  json out = json::array();
  for (const auto& rewrite : plan.normalized.rewrites) {
    out.push_back({{"path", rewrite.path}, {"what", rewrite.what}});
  }
  return out;
}

json ExplainJson(const QueryArgs& args, const engine::SubstraitPlan& plan,
                 const engine::PlanDeclaration& bound) {
  json schema = json::array();
  for (const auto& field : bound.schema->fields()) {
    schema.push_back({{"name", field->name()}, {"type", field->type()->ToString()}});
  }
  return {{"plan", args.plan},
          {"encoding", plan.encoding == engine::PlanEncoding::kJson ? "json" : "binary"},
          {"tables", bound.bindings},
          {"rewrites", RewritesJson(plan)},
          {"resultSchema", schema},
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
  std::cout << "normalised plan:\n" << explain["normalizedPlan"].dump(2) << "\n";
}

// Drains `reader` into --output (or stdout); the number of rows written.
arrow::Result<int64_t> WriteRows(const QueryArgs& args,
                                 arrow::RecordBatchReader& reader) {
  std::shared_ptr<arrow::io::OutputStream> sink;
  if (args.output.empty() || args.output == "-") {
    sink = std::make_shared<arrow::io::StdoutStream>();
  } else {
    ARROW_ASSIGN_OR_RAISE(sink, arrow::io::FileOutputStream::Open(args.output));
  }
  ARROW_ASSIGN_OR_RAISE(auto out,
                        MakeBatchSink(ResolveOutputFormat(args.format, args.output), sink,
                                      reader.schema()));
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

arrow::Status Run(const QueryArgs& args) {
  engine::Catalog catalog;
  for (const auto& binding : args.tables) {
    ARROW_RETURN_NOT_OK(catalog.AddBinding(binding));
  }
  ARROW_ASSIGN_OR_RAISE(auto plan, engine::ReadSubstraitPlanFile(args.plan));
  if (args.explain) {
    ARROW_ASSIGN_OR_RAISE(auto bound, engine::PlanToDeclaration(plan, catalog));
    const json explain = ExplainJson(args, plan, bound);
    if (args.json) {
      PrintJson(explain);
    } else {
      PrintExplainText(explain);
    }
    return arrow::Status::OK();
  }
  ARROW_ASSIGN_OR_RAISE(auto reader, engine::RunSubstraitPlan(plan, catalog));
  ARROW_ASSIGN_OR_RAISE(int64_t rows, WriteRows(args, *reader));
  if (args.json) {
    // Rows may be on stdout: the summary goes to stderr, as read's --metrics-json.
    std::cerr << json{{"rows", rows}, {"rewrites", RewritesJson(plan)}}.dump() << "\n";
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
  AddEnumOption(*cmd, "--format", args->format, OutputFormatNames(),
                "Output format: csv (default), jsonl, arrow (IPC file), arrows (IPC "
                "stream). Without it, an --output ending .arrow/.arrows/.jsonl decides");
  cmd->add_option("--output", args->output, "Output file (default standard output)");
  cmd->add_flag(
      "--explain", args->explain,
      "Print the normalised plan, its rewrites, the tables bound and the result "
      "schema instead of running it");
  cmd->add_flag("--json", args->json,
                "With --explain: the explanation as JSON on stdout; otherwise a JSON "
                "summary of the run (rows, rewrites) on stderr");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
