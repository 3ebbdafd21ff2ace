// `deltaline migrate-parquet SRC [DST]`: brings a legacy Parquet dataset into Delta,
// copied as a regular write or converted in place, optionally verified.
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/output.h"
#include "cli/progress.h"
#include "delta/base/errors.h"
#include "delta/ops/parquet_layout.h"
#include "storage/migrate_parquet.h"
#include "storage/migrate_parquet_report.h"

namespace deltaline::cli {
namespace {

struct MigrateArgs {
  std::string source;
  std::string destination;
  bool in_place = false;
  std::string partition_by = "auto";
  delta::ParquetSchemaMode schema_mode = delta::ParquetSchemaMode::kStrict;
  bool verify = false;
  bool dry_run = false;
  std::string report;
  bool json = false;
};

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

arrow::Result<delta::ParquetLayoutOptions> LayoutOptions(const MigrateArgs& args) {
  delta::ParquetLayoutOptions options;
  if (args.partition_by != "auto") {
    std::vector<std::string> columns;
    if (!args.partition_by.empty()) columns = SplitList(args.partition_by);
    for (const auto& column : columns) {
      if (column.empty()) {
        return UsageError("--partition-by: empty column name in '" + args.partition_by +
                          "'");
      }
    }
    options.partition_by = std::move(columns);
  }
  options.schema_mode = args.schema_mode;
  return options;
}

arrow::Status WriteReport(const std::string& path, const nlohmann::json& report) {
  std::ofstream out(path);
  out << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  out.close();
  if (!out) return arrow::Status::IOError("cannot write the report '", path, "'");
  return arrow::Status::OK();
}

void PrintPlan(const delta::ParquetLayout& layout) {
  std::cout << "files: " << layout.files.size() << " (" << HumanBytes(layout.total_bytes)
            << ", " << layout.total_rows << " rows)\n";
  std::cout << "partition columns:";
  if (layout.partition_columns.empty()) std::cout << " none";
  for (const auto& column : layout.partition_columns) {
    std::cout << " " << column.name << " (" << column.type->ToString() << ")";
  }
  std::cout << "\npartitions: " << layout.partitions.size() << "\n";
  for (const auto& partition : layout.partitions) {
    std::cout << "  " << (partition.empty() ? "(root)" : partition) << "\n";
  }
  auto plan = storage::MigrationPlanJson(layout);
  std::cout << "schema:\n";
  for (const auto& field : plan["schema"]) {
    std::string name = field["name"];
    std::cout << "  " << name << ": " << field["type"].get<std::string>()
              << (field["partition"].get<bool>() ? " (partition)" : "");
    if (plan["statsAvailability"].contains(name)) {
      const auto& stats = plan["statsAvailability"][name];
      std::cout << ", exact footer stats in " << stats["filesWithExactStats"] << "/"
                << stats["files"] << " files";
    }
    std::cout << "\n";
  }
  for (const auto& skipped : layout.skipped) {
    std::cout << "skipped (hidden): " << skipped << "\n";
  }
  for (const auto& file : layout.files) {
    std::cout << "  " << file.path << " " << file.num_rows << " rows\n";
  }
}

// One progress line per phase of the migration, each finished as the next begins.
class MigrateDisplay {
 public:
  void Update(const storage::MigrateProgress& event) {
    if (event.phase != phase_) {
      Finish();
      phase_ = event.phase;
      line_ = std::make_unique<ProgressLine>(Label(event.phase));
    }
    std::string text = "files";
    if (event.phase == "footers") text += ", " + HumanBytes(event.bytes);
    if (event.phase == "copy") text += ", " + HumanBytes(event.bytes) + " read";
    if (event.phase == "verify") text = event.side + " files";
    line_->Update(event.done, event.total, text);
  }

  void Finish() {
    if (line_) line_->Finish();
    line_.reset();
  }

 private:
  static std::string Label(const std::string& phase) {
    if (phase == "footers") return "reading footers";
    if (phase == "convert") return "converting";
    if (phase == "copy") return "copying";
    return "verifying";
  }

  std::string phase_;
  std::unique_ptr<ProgressLine> line_;
};

arrow::Status Run(const MigrateArgs& args) {
  if (args.in_place && !args.destination.empty() && args.destination != args.source) {
    return UsageError("--in-place converts SRC where it is: omit DST or give SRC again");
  }
  if (!args.in_place && args.destination.empty()) {
    return UsageError("DST is required (or --in-place to convert SRC where it is)");
  }
  storage::MigrateOptions options;
  options.source = args.source;
  options.destination = args.destination;
  options.in_place = args.in_place;
  ARROW_ASSIGN_OR_RAISE(options.layout, LayoutOptions(args));
  options.verify = args.verify;
  options.dry_run = args.dry_run;
  options.reporter = StderrReporter();
  MigrateDisplay display;
  options.progress = [&display](const storage::MigrateProgress& event) {
    display.Update(event);
  };
  ARROW_ASSIGN_OR_RAISE(auto migrated, storage::MigrateParquet(options));
  display.Finish();
  const auto& layout = migrated.layout;
  if (!args.report.empty())
    ARROW_RETURN_NOT_OK(WriteReport(args.report, migrated.report));
  if (args.dry_run) {
    if (args.json) {
      PrintJson(migrated.report);
    } else {
      PrintPlan(layout);
      PrintNote("dry run: nothing written");
    }
    return arrow::Status::OK();
  }
  if (args.json) {
    PrintJson(migrated.report);
  } else {
    PrintNote("migrated " + std::to_string(layout.files.size()) + " files (" +
              std::to_string(layout.total_rows) + " rows, " +
              std::to_string(layout.partitions.size()) + " partitions) " +
              (args.in_place ? "in place at " : "into ") + migrated.destination_uri);
  }
  if (!migrated.failure.empty()) return ResultMismatch(migrated.failure);
  if (migrated.verified && !args.json)
    PrintNote("verified: rows, partitions, schema and checksums match");
  return arrow::Status::OK();
}

}  // namespace

void RegisterMigrateParquet(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<MigrateArgs>();
  auto* cmd = app.add_subcommand(
      "migrate-parquet",
      "Bring a directory of Parquet files (Hive-partitioned or flat) into Delta");
  cmd->add_option("SRC", args->source, "The Parquet dataset: a directory or file:// URI")
      ->required();
  cmd->add_option("DST", args->destination, "The new Delta table (omit with --in-place)");
  cmd->add_flag("--in-place", args->in_place,
                "Convert SRC where it is: write only SRC/_delta_log (CONVERT TO DELTA)");
  cmd->add_option("--partition-by", args->partition_by,
                  "auto (infer from name=value directories) or the columns A,B the "
                  "directories must be")
      ->type_name("auto|A,B")
      ->default_val("auto");
  static const std::map<std::string, delta::ParquetSchemaMode> kSchemaModes = {
      {"strict", delta::ParquetSchemaMode::kStrict},
      {"merge", delta::ParquetSchemaMode::kMerge}};
  AddEnumOption(*cmd, "--schema-mode", args->schema_mode, kSchemaModes,
                "strict (default: every file the same schema) or merge (the union)");
  cmd->add_flag("--verify", args->verify,
                "Compare rows, partitions, schema and column checksums afterwards");
  cmd->add_flag("--dry-run", args->dry_run, "Print the plan, write nothing");
  cmd->add_option("--report", args->report,
                  "Write the plan, result and verification as JSON to this file")
      ->type_name("OUT.json");
  cmd->add_flag("--json", args->json, "Print the report as JSON on stdout");
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
