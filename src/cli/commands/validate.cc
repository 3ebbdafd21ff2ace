// `deltaline validate`: runs one Substrait plan over two sets of bindings (say, the
// Delta tables a pipeline wrote and the expected results as files) and compares the
// two results ignoring row order, floats within a tolerance (engine/result_compare.h).
#include <fstream>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/output.h"
#include "delta/base/errors.h"
#include "engine/catalog.h"
#include "engine/substrait_plan.h"
#include "engine/result_compare.h"

namespace deltaline::cli {
namespace {

using nlohmann::json;

struct ValidateArgs {
  std::string plan, report;
  std::vector<std::string> left, right;
  bool fail_on_mismatch = false;
  bool json = false;
  engine::CompareOptions compare;
};

// The plan's whole result over `catalog` (both results are compared in memory).
arrow::Result<std::shared_ptr<arrow::Table>> RunPlan(const engine::SubstraitPlan& plan,
                                                     const engine::Catalog& catalog) {
  ARROW_ASSIGN_OR_RAISE(auto reader, engine::RunSubstraitPlan(plan, catalog));
  return reader->ToTable();
}

// One side: its catalog, what it bound (with the Delta versions pinned) and the plan's
// result over it.
struct Side {
  engine::Catalog catalog;
  json bindings = json::array();
  std::shared_ptr<arrow::Table> result;
};

arrow::Result<Side> RunSide(const std::string& label, const engine::SubstraitPlan& plan,
                            const std::vector<std::string>& bindings) {
  Side side;
  for (const auto& binding : bindings) {
    auto added = side.catalog.AddBinding(binding);
    if (!added.ok()) {
      return added.WithMessage("--", label, " ", binding, ": ", added.message());
    }
    ARROW_ASSIGN_OR_RAISE(auto parsed, engine::ParseBinding(binding));
    ARROW_ASSIGN_OR_RAISE(auto entry, side.catalog.Entry(parsed.name));
    json item = {{"name", entry.name},
                 {"kind", engine::SourceKindName(entry.kind)},
                 {"uri", entry.uri}};
    if (entry.version) item["version"] = *entry.version;
    side.bindings.push_back(std::move(item));
  }
  auto result = RunPlan(plan, side.catalog);
  if (!result.ok()) {
    return result.status().WithMessage("the plan on the ", label,
                                       " side: ", result.status().message());
  }
  side.result = *std::move(result);
  return side;
}

std::string BindingsText(const json& bindings) {
  std::string text;
  for (const auto& b : bindings) {
    if (!text.empty()) text += ", ";
    text += b["name"].get<std::string>() + " = " + b["kind"].get<std::string>() + " " +
            b["uri"].get<std::string>();
    if (b.contains("version")) text += " @ version " + b["version"].dump();
  }
  return text;
}

// Rows as `name=value` in column order (the JSON report's objects are keyed by name).
void PrintRows(const char* title, int64_t count, const json& schema,
               const std::vector<engine::DifferingRow>& rows) {
  if (count == 0) return;
  std::cout << title << ": " << count << " row" << (count == 1 ? "" : "s");
  if (static_cast<int64_t>(rows.size()) < count) std::cout << ", first " << rows.size();
  std::cout << "\n";
  for (const auto& row : rows) {
    std::cout << "  row " << row.row << ":";
    for (const auto& field : schema) {
      const auto name = field["name"].get<std::string>();
      std::cout << " " << name << "=" << row.values.value(name, json()).dump();
    }
    std::cout << "\n";
  }
}

void PrintSummary(const ValidateArgs& args, const json& report,
                  const engine::CompareResult& result) {
  std::cout << "plan: " << args.plan << "\n"
            << "left: " << BindingsText(report["left_bindings"]) << "\n"
            << "right: " << BindingsText(report["right_bindings"]) << "\n"
            << "rows: left " << result.left_rows << ", right " << result.right_rows
            << "\n";
  if (result.schema_equal) {
    std::cout << "schema: equal\n";
  } else {
    std::cout << "schema: differs\n";
    for (const auto& diff : result.schema_differences) std::cout << "  " << diff << "\n";
  }
  for (const auto& note : result.schema_notes) std::cout << "  note: " << note << "\n";
  PrintRows("only on the left", result.unmatched_left, result.left_schema,
            result.only_left);
  PrintRows("only on the right", result.unmatched_right, result.left_schema,
            result.only_right);
  if (!result.pairing_exhaustive) {
    std::cout << "note: a group of rows was too large to pair exhaustively; rows "
                 "reported above may have a partner under another pairing\n";
  }
  std::cout << "result: " << (result.equal ? "equal" : "mismatch") << "\n";
}

arrow::Status WriteReport(const std::string& path, const json& report) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return delta::InvalidInput("cannot create the report file " + path);
  out << report.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
  out.close();
  if (!out) return arrow::Status::IOError("writing the report file ", path, " failed");
  return arrow::Status::OK();
}

arrow::Status Run(const ValidateArgs& args) {
  if (args.compare.relative_tolerance < 0 || args.compare.absolute_tolerance < 0) {
    return UsageError("--relative-tolerance and --absolute-tolerance must be >= 0");
  }
  ARROW_ASSIGN_OR_RAISE(auto plan, engine::ReadSubstraitPlanFile(args.plan));
  ARROW_ASSIGN_OR_RAISE(auto left, RunSide("left", plan, args.left));
  ARROW_ASSIGN_OR_RAISE(auto right, RunSide("right", plan, args.right));
  ARROW_ASSIGN_OR_RAISE(auto result,
                        engine::CompareTables(*left.result, *right.result, args.compare));
  json report = result.ToJson();
  report["plan"] = args.plan;
  report["left_bindings"] = left.bindings;
  report["right_bindings"] = right.bindings;
  if (!args.report.empty()) ARROW_RETURN_NOT_OK(WriteReport(args.report, report));
  if (args.json) {
    PrintJson(report);
  } else {
    PrintSummary(args, report, result);
  }
  if (!result.equal && args.fail_on_mismatch) {
    const std::string what =
        result.rows_compared
            ? "rows only on the left: " + std::to_string(result.unmatched_left) +
                  ", only on the right: " + std::to_string(result.unmatched_right)
            : "the schemas differ";
    return ResultMismatch("validate: the results differ (" + what + ")");
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterValidate(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<ValidateArgs>();
  auto* cmd = app.add_subcommand(
      "validate", "Run a Substrait plan over two sets of tables and compare the results");
  cmd->add_option("--plan", args->plan, "Substrait Plan as JSON (or binary protobuf)")
      ->required();
  cmd->add_option("--left", args->left,
                  "NAME=BINDING for the left side (repeatable): a Delta table "
                  "path[@VERSION|@TIME], an Arrow IPC file, a Parquet file or JSON lines")
      ->required();
  cmd->add_option("--right", args->right, "NAME=BINDING for the right side (repeatable)")
      ->required();
  cmd->add_flag("--fail-on-mismatch", args->fail_on_mismatch,
                "Exit 4 when the results differ (default: report and exit 0)");
  cmd->add_option("--report", args->report, "Also write the JSON report to this file");
  cmd->add_flag("--json", args->json, "Print the JSON report instead of the summary");
  cmd->add_option("--relative-tolerance", args->compare.relative_tolerance,
                  "Floats: relative tolerance (default 1e-9)");
  cmd->add_option("--absolute-tolerance", args->compare.absolute_tolerance,
                  "Floats: absolute tolerance (default 1e-12)");
  cmd->add_option("--max-rows", args->compare.max_reported_rows,
                  "Differing rows reported per side (default 10)")
      ->check(CLI::NonNegativeNumber);
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
