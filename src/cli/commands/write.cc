// `deltaline write TABLE --input FILE`: one commit through the storage surface, which
// applies the output policies.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "cli/flags.h"
#include "cli/io_formats.h"
#include "cli/output.h"
#include "cli/policy_flags.h"
#include "cli/write_result.h"
#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "storage/storage_writer.h"

namespace deltaline::cli {
namespace {

struct WriteArgs {
  std::string table, input;
  std::optional<InputFormat> input_format;  ///< unset: from the extension
  delta::SaveMode mode = delta::SaveMode::kError;
  std::vector<std::string> properties, metadata;  ///< KEY=VALUE
  std::vector<std::string> partition_by;
  bool replace_partitions = false;
  std::vector<std::string> delete_partitions;  ///< JSON objects {"col": "value"|null}
  std::string predicate;                       ///< SQL, for --mode overwrite
  bool json = false;
  PolicyArgs policy;
};

arrow::Result<delta::PartitionValues> ParsePartitionObject(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_object() || parsed.empty()) {
    return UsageError("--delete-partition '" + text +
                      "' must be a JSON object such as {\"day\": \"2024-01-31\"}");
  }
  delta::PartitionValues values;
  for (const auto& [column, value] : parsed.items()) {
    if (value.is_null()) {
      values[column] = std::nullopt;
    } else if (value.is_string()) {
      values[column] = value.get<std::string>();
    } else {
      values[column] = value.dump();
    }
  }
  return values;
}

// The partitioning and targeted-overwrite flags. The predicate is parsed against the
// existing table's schema (null when the table does not exist yet: refused).
arrow::Status ApplyPartitionFlags(const WriteArgs& args,
                                  const std::shared_ptr<arrow::Schema>& table_schema,
                                  storage::StorageWriteOptions* options) {
  for (const auto& column : args.partition_by) {
    if (!column.empty()) options->delta.partition_by.push_back(column);
  }
  if (args.replace_partitions) {
    if (!args.predicate.empty()) {
      return UsageError("--replace-partitions and --predicate cannot be combined");
    }
    options->delta.mode = delta::SaveMode::kOverwrite;
    options->delta.replace_partitions = true;
  } else if (!args.delete_partitions.empty()) {
    return UsageError("--delete-partition needs --replace-partitions");
  }
  for (const auto& text : args.delete_partitions) {
    ARROW_ASSIGN_OR_RAISE(auto values, ParsePartitionObject(text));
    options->delta.delete_partitions.push_back(std::move(values));
  }
  if (!args.predicate.empty()) {
    if (options->delta.mode != delta::SaveMode::kOverwrite) {
      return UsageError("--predicate needs --mode overwrite");
    }
    if (!table_schema) {
      return delta::InvalidInput(
          "--predicate needs an existing table to replace rows in");
    }
    ARROW_ASSIGN_OR_RAISE(options->delta.replace_where,
                          delta::ParsePredicate(args.predicate, *table_schema));
  }
  return arrow::Status::OK();
}

arrow::Status Run(const WriteArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto options, BuildStorageOptions(args.policy));
  options.delta.mode = args.mode;
  options.delta.table_properties = KeyValues(args.properties);
  options.delta.user_metadata = KeyValues(args.metadata);
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  std::shared_ptr<arrow::Schema> types;
  if (auto existing = delta::Snapshot::Load(*store); existing.ok()) {
    types = (*existing)->schema();
  }
  ARROW_RETURN_NOT_OK(ApplyPartitionFlags(args, types, &options));
  ARROW_ASSIGN_OR_RAISE(auto input, OpenInput(args.input, args.input_format, types));
  ARROW_ASSIGN_OR_RAISE(auto written,
                        storage::WriteDatasetDelta(*input, args.table, options));
  if (args.json) {
    PrintJson(WriteResultJson(written));
  } else {
    PrintWriteNote(written);
  }
  return arrow::Status::OK();
}

}  // namespace

void RegisterWrite(CLI::App& app, CommandTable& table) {
  auto args = std::make_shared<WriteArgs>();
  auto* cmd = app.add_subcommand("write", "Write a file into a Delta table (one commit)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--input", args->input, "Input file, or - for standard input")
      ->required();
  AddEnumOption(*cmd, "--input-format", args->input_format, InputFormatNames(),
                "Input format (default: from the extension); arrow, arrows and ipc each "
                "read both Arrow IPC forms");
  AddEnumOption(
      *cmd, "--mode", args->mode,
      std::map<std::string, delta::SaveMode>{{"error", delta::SaveMode::kError},
                                             {"append", delta::SaveMode::kAppend},
                                             {"overwrite", delta::SaveMode::kOverwrite},
                                             {"ignore", delta::SaveMode::kIgnore}},
      "What to do when the table exists (default error)");
  AddKeyValueOption(*cmd, "--property", args->properties, "Table property (new tables)");
  AddKeyValueOption(*cmd, "--metadata", args->metadata, "Commit user metadata");
  cmd->add_flag("--json", args->json, "Print the write result as JSON on stdout");
  cmd->add_option("--partition-by", args->partition_by,
                  "Partition columns A,B (new tables; must match an existing table)")
      ->delimiter(',');
  cmd->add_flag("--replace-partitions", args->replace_partitions,
                "Replace exactly the partitions present in the input (one commit)");
  cmd->add_option("--delete-partition", args->delete_partitions,
                  "With --replace-partitions: also delete this partition, as JSON "
                  "{\"col\": \"value\"}");
  cmd->add_option("--predicate", args->predicate,
                  "With --mode overwrite: replace only the rows matching this SQL "
                  "predicate (replaceWhere)");
  AddWritePolicyFlags(*cmd, args->policy);
  table.Add(cmd, args, &Run);
}

}  // namespace deltaline::cli
