#include "cli/targeted_cmds.h"

#include <iostream>

#include "delta/base/errors.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"

namespace deltaline::cli {
namespace {

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (char c : text + ",") {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

arrow::Result<delta::PartitionValues> ParsePartitionObject(const std::string& text) {
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_object() || parsed.empty()) {
    return delta::InvalidInput("--delete-partition '" + text +
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

arrow::Result<arrow::compute::Expression> Parse(const std::string& sql,
                                                const arrow::Schema& schema) {
  return delta::ParsePredicate(sql, schema);
}

}  // namespace

void AddPartitionWriteOptions(CLI::App* write_cmd, PartitionWriteArgs* args) {
  write_cmd->add_option("--partition-by", args->partition_by,
                        "Partition columns A,B (new tables; must match an existing table)");
  write_cmd->add_flag("--replace-partitions", args->replace_partitions,
                      "Replace exactly the partitions present in the input (one commit)");
  write_cmd->add_option("--delete-partition", args->delete_partitions,
                        "With --replace-partitions: also delete this partition, as JSON "
                        "{\"col\": \"value\"}");
  write_cmd->add_option("--predicate", args->predicate,
                        "With --mode overwrite: replace only the rows matching this SQL "
                        "predicate (replaceWhere)");
}

arrow::Status ApplyPartitionWriteArgs(const PartitionWriteArgs& args,
                                      const std::shared_ptr<arrow::Schema>& table_schema,
                                      storage::StorageWriteOptions* options) {
  options->delta.partition_by = SplitCommas(args.partition_by);
  if (args.replace_partitions) {
    if (!args.predicate.empty()) {
      return delta::InvalidInput("--replace-partitions and --predicate cannot be combined");
    }
    options->delta.mode = delta::SaveMode::kOverwrite;
    options->delta.replace_partitions = true;
  } else if (!args.delete_partitions.empty()) {
    return delta::InvalidInput("--delete-partition needs --replace-partitions");
  }
  for (const auto& text : args.delete_partitions) {
    ARROW_ASSIGN_OR_RAISE(auto values, ParsePartitionObject(text));
    options->delta.delete_partitions.push_back(std::move(values));
  }
  if (!args.predicate.empty()) {
    if (options->delta.mode != delta::SaveMode::kOverwrite) {
      return delta::InvalidInput("--predicate needs --mode overwrite");
    }
    if (!table_schema) {
      return delta::InvalidInput("--predicate needs an existing table to replace rows in");
    }
    ARROW_ASSIGN_OR_RAISE(options->delta.replace_where, Parse(args.predicate, *table_schema));
  }
  return arrow::Status::OK();
}

nlohmann::json PartitionsJson(const std::map<std::string, delta::PartitionMetrics>& partitions) {
  return delta::PartitionMetricsJson(partitions);
}

CLI::App* AddDeleteCommand(CLI::App& app, DeleteArgs* args) {
  auto* cmd = app.add_subcommand("delete", "Delete the rows matching a predicate (one commit)");
  cmd->add_option("TABLE", args->table, "Table path or file:// URI")->required();
  cmd->add_option("--predicate", args->predicate, "SQL predicate of the rows to delete")
      ->required();
  cmd->add_flag("--json", args->json, "Print the result as JSON");
  return cmd;
}

arrow::Status RunDelete(const DeleteArgs& args) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(args.table));
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store));
  ARROW_ASSIGN_OR_RAISE(auto predicate, Parse(args.predicate, *snapshot->schema()));
  delta::WriteOptions options;
  options.read_snapshot = snapshot;
  ARROW_ASSIGN_OR_RAISE(auto result, delta::Delete(*store, predicate, options));
  const int64_t deleted =
      result.rows_removed >= 0 ? result.rows_removed - result.rows_copied : -1;
  if (args.json) {
    nlohmann::json out = {{"table", result.uri},          {"version", result.version},
                          {"committed", result.committed}, {"operation", result.operation},
                          {"rowsDeleted", deleted},        {"rowsCopied", result.rows_copied},
                          {"filesAdded", result.files_added},
                          {"filesRemoved", result.files_removed},
                          {"partitions", PartitionsJson(result.partitions)}};
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else if (result.committed) {
    std::cerr << "deltaline: committed version " << result.version << " of " << result.uri
              << " (" << deleted << " rows deleted, " << result.files_removed
              << " files removed, " << result.files_added << " rewritten)\n";
  } else {
    std::cerr << "deltaline: no rows matched; table " << result.uri
              << " left unchanged at version " << result.version << "\n";
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::cli
