#include "engine/insert_into.h"

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "engine/execute.h"

namespace deltaline::engine {
namespace {

// The plan runs through execute.h like every plan: file sinks gated, scans pushed down.
RunOptions RunOptionsOf(const InsertOptions& options) {
  return {options.storage.output, options.storage.run, options.storage.reporter,
          options.use_threads};
}

InsertPath Resolve(const InsertOptions& options) {
  if (options.path != InsertPath::kAuto) return options.path;
  return options.storage.delta.schema_mode == delta::SchemaMode::kStrict
             ? InsertPath::kStreaming
             : InsertPath::kFallback;
}

arrow::Result<InsertResult> Streaming(arrow::acero::Declaration plan,
                                      const std::string& uri,
                                      const InsertOptions& options) {
  ARROW_RETURN_NOT_OK(RegisterDeltaWriteNode());
  auto slot = std::make_shared<DeltaWriteResultSlot>();
  DeltaWriteNodeOptions node_options(uri, options.storage, slot);
  node_options.max_queued_bytes = options.max_queued_bytes;
  arrow::acero::Declaration write(kDeltaWriteNodeName, {std::move(plan)},
                                  std::move(node_options));
  const arrow::Status ran = RunToStatus(std::move(write), RunOptionsOf(options));
  auto written = slot->result();
  // The plan's own failure explains a write it aborted; a write that failed by itself
  // (typed Delta error) explains the plan it stopped.
  if (!ran.ok() && (!written || written->ok() || slot->aborted_by_plan())) return ran;
  if (!written) {
    return arrow::Status::Invalid("the plan writing to '", uri,
                                  "' ended without running its write");
  }
  ARROW_ASSIGN_OR_RAISE(auto result, std::move(*written));
  return InsertResult{std::move(result), InsertPath::kStreaming, slot->stats()};
}

arrow::Result<InsertResult> Fallback(arrow::acero::Declaration plan,
                                     const std::string& uri,
                                     const InsertOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto reader, RunToReader(std::move(plan), RunOptionsOf(options)));
  auto written = storage::WriteDatasetDelta(*reader, uri, options.storage);
  // Closing stops a plan the writer did not read to its end (kIgnore, an error).
  arrow::Status closed = reader->Close();
  ARROW_ASSIGN_OR_RAISE(auto result, std::move(written));
  if (!closed.ok() && !closed.IsCancelled()) return closed;
  return InsertResult{std::move(result), InsertPath::kFallback, {}};
}

}  // namespace

const char* InsertPathName(InsertPath path) {
  switch (path) {
    case InsertPath::kAuto:
      return "auto";
    case InsertPath::kStreaming:
      return "streaming";
    case InsertPath::kFallback:
      return "fallback";
  }
  return "?";
}

arrow::Result<InsertPath> ParseInsertPath(const std::string& text) {
  for (auto path : {InsertPath::kAuto, InsertPath::kStreaming, InsertPath::kFallback}) {
    if (text == InsertPathName(path)) return path;
  }
  return delta::InvalidInput("insert path '" + text +
                             "' is not one of auto, streaming, fallback");
}

arrow::Result<InsertOptions> MakeInsertOptions(const std::string& table_uri,
                                               const InsertFlags& flags,
                                               storage::StorageWriteOptions base) {
  InsertOptions options;
  options.storage = std::move(base);
  auto& core = options.storage.delta;
  ARROW_ASSIGN_OR_RAISE(core.mode, delta::ParseSaveMode(flags.mode));
  if (!flags.schema_mode.empty()) {
    ARROW_ASSIGN_OR_RAISE(core.schema_mode, delta::ParseSchemaMode(flags.schema_mode));
  }
  if (!flags.path.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.path, ParseInsertPath(flags.path));
  }
  for (const auto& column : flags.partition_by) {
    if (!column.empty()) core.partition_by.push_back(column);
  }
  if (flags.replace_partitions) {
    if (!flags.predicate.empty()) {
      return delta::InvalidInput("replace_partitions and a predicate cannot be combined");
    }
    core.mode = delta::SaveMode::kOverwrite;
    core.replace_partitions = true;
  }
  if (!flags.predicate.empty()) {
    if (core.mode != delta::SaveMode::kOverwrite) {
      return delta::InvalidInput("a replaceWhere predicate needs mode overwrite");
    }
    ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table_uri));
    auto snapshot = delta::Snapshot::Load(*store);
    if (!snapshot.ok()) {
      if (delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) {
        return delta::InvalidInput("a replaceWhere predicate needs an existing table; '" +
                                   table_uri + "' has none");
      }
      return snapshot.status();
    }
    ARROW_ASSIGN_OR_RAISE(core.replace_where,
                          delta::ParsePredicate(flags.predicate, *(*snapshot)->schema()));
  }
  return options;
}

arrow::Result<InsertResult> InsertIntoTable(arrow::acero::Declaration plan,
                                            const std::string& table_uri,
                                            const InsertOptions& options) {
  if (Resolve(options) == InsertPath::kStreaming) {
    return Streaming(std::move(plan), table_uri, options);
  }
  return Fallback(std::move(plan), table_uri, options);
}

arrow::Result<storage::WriteResult> InsertInto(arrow::acero::Declaration plan,
                                               const std::string& table_uri,
                                               const InsertOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto inserted,
                        InsertIntoTable(std::move(plan), table_uri, options));
  return std::move(inserted.write);
}

}  // namespace deltaline::engine
