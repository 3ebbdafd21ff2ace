#include "cli/write_result.h"

#include <string>

#include "cli/output.h"

namespace deltaline::cli {

nlohmann::json WriteResultJson(const storage::WriteResult& written) {
  const delta::WriteResult& result = written.delta;
  nlohmann::json out = {{"table", result.uri},
                        {"version", result.version},
                        {"committed", result.committed},
                        {"operation", result.operation},
                        {"filesAdded", result.files_added},
                        {"rowsAdded", result.rows_added},
                        {"bytesAdded", result.bytes_added},
                        {"filesRemoved", result.files_removed},
                        {"checkpoint", result.checkpoint_written},
                        {"schemaChanged", result.schema_changed},
                        {"policy", written.policy}};
  out["rowsRemoved"] = result.rows_removed;
  out["rowsCopied"] = result.rows_copied;
  out["partitions"] = PartitionsJson(result.partitions);
  return out;
}

void PrintWriteNote(const storage::WriteResult& written) {
  const delta::WriteResult& result = written.delta;
  if (result.committed) {
    PrintNote("committed version " + std::to_string(result.version) + " of " +
              result.uri + " (" + std::to_string(result.rows_added) + " rows, " +
              std::to_string(result.files_added) + " files added, " +
              std::to_string(result.files_removed) + " removed)");
  } else {
    PrintNote("table " + result.uri + " left unchanged at version " +
              std::to_string(result.version));
  }
}

}  // namespace deltaline::cli
