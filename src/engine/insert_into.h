#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/result.h>

#include "engine/delta_write_node.h"
#include "storage/storage_writer.h"

namespace deltaline::engine {

/// \brief How InsertInto moves the plan's batches into the storage writer.
enum class InsertPath {
  /// Streaming, except for writes that may change the table's schema (schema_mode
  /// merge or overwrite): those take the fallback path, so a schema change is
  /// decided on the plain reader route exactly as `deltaline write` decides it.
  kAuto,
  /// The plan ends in a `delta_write` node; the writer reads the node's queue.
  kStreaming,
  /// The plan runs into arrow::acero::DeclarationToReader, which the writer reads.
  kFallback,
};

const char* InsertPathName(InsertPath path);
/// "auto", "streaming" or "fallback"; anything else is kInvalidInput naming it.
arrow::Result<InsertPath> ParseInsertPath(const std::string& text);

struct InsertOptions {
  /// Mode, schema mode, retry, partitioning, replaceWhere, replace_partitions,
  /// dataset, ordering keys, constraints, policies: exactly the storage surface's.
  storage::StorageWriteOptions storage;
  InsertPath path = InsertPath::kAuto;
  /// Streaming path: bytes queued before the plan is paused.
  int64_t max_queued_bytes = kDefaultMaxQueuedBytes;
  /// Run the plan on Arrow's CPU pool (false: one thread).
  bool use_threads = true;
};

/// \brief The flag-shaped form of the write-mode options, for a CLI:
/// `mode` as delta::ParseSaveMode reads it ("error", "append", "overwrite", "ignore"),
/// `predicate` (SQL replaceWhere; needs mode overwrite and an existing table, whose
/// schema it is parsed against), `replace_partitions` (needs no predicate; sets mode
/// overwrite), `partition_by` (for a new table), `schema_mode` as
/// delta::ParseSchemaMode reads it (empty: strict), `path` as ParseInsertPath reads it
/// (empty: auto). The result's other storage options are `base`'s.
struct InsertFlags {
  std::string mode = "error";
  std::string predicate;
  bool replace_partitions = false;
  std::vector<std::string> partition_by;
  std::string schema_mode;
  std::string path;
};
arrow::Result<InsertOptions> MakeInsertOptions(const std::string& table_uri,
                                               const InsertFlags& flags,
                                               storage::StorageWriteOptions base = {});

/// \brief What an insert did: the storage surface's result, the path taken, and for
/// the streaming path the queue's figures (peak queued bytes, pauses).
struct InsertResult {
  storage::WriteResult write;
  InsertPath path = InsertPath::kStreaming;
  BatchQueueStats queue;
};

/// \brief Runs `plan` and writes its rows into the Delta table at `table_uri` as ONE
/// commit through storage::WriteDatasetDelta, so commit metadata, the retry policy
/// and the schema policy apply exactly as to any storage write. A failing plan
/// commits nothing and its error is returned; a writer error (a refused mode or
/// schema, a conflict) stops the plan and is returned as the writer's typed error.
arrow::Result<InsertResult> InsertIntoTable(arrow::acero::Declaration plan,
                                            const std::string& table_uri,
                                            const InsertOptions& options = {});

/// \brief InsertIntoTable, returning the storage result only.
arrow::Result<storage::WriteResult> InsertInto(arrow::acero::Declaration plan,
                                               const std::string& table_uri,
                                               const InsertOptions& options = {});

}  // namespace deltaline::engine
