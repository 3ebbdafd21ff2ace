#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "delta/write/write.h"
#include "storage/storage_writer.h"

namespace deltaline::cli {

/// \brief The partitioning and targeted-overwrite flags of `write`.
struct PartitionWriteArgs {
  std::string partition_by;  ///< "A,B"
  bool replace_partitions = false;
  std::vector<std::string> delete_partitions;  ///< JSON objects {"col": "value"|null}
  std::string predicate;                       ///< SQL, for --mode overwrite
};

/// \brief Registers --partition-by, --replace-partitions, --delete-partition and
/// --predicate on the `write` subcommand.
void AddPartitionWriteOptions(CLI::App* write_cmd, PartitionWriteArgs* args);

/// \brief Sets the partitioning/targeted fields of `options` from the flags. The
/// predicate is parsed against `table_schema` (null when the table does not exist
/// yet: then the input schema is used, or the predicate is refused).
arrow::Status ApplyPartitionWriteArgs(const PartitionWriteArgs& args,
                                      const std::shared_ptr<arrow::Schema>& table_schema,
                                      storage::StorageWriteOptions* options);

/// \brief Per-partition counts of a write for `--json`, named as in the commit's
/// operationMetrics (delta::PartitionMetricsJson).
nlohmann::json PartitionsJson(const std::map<std::string, delta::PartitionMetrics>& partitions);

struct DeleteArgs {
  std::string table, predicate;
  bool json = false;
};

/// \brief `deltaline delete TABLE --predicate SQL [--json]`.
CLI::App* AddDeleteCommand(CLI::App& app, DeleteArgs* args);
arrow::Status RunDelete(const DeleteArgs& args);

}  // namespace deltaline::cli
