#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "delta/base/actions.h"
#include "delta/base/reporter.h"
#include "delta/log/transaction.h"
#include "delta/table/schema.h"
#include "delta/table/schema_evolution.h"
#include "delta/write/write.h"
#include "storage/output_policy.h"
#include "storage/write_policy.h"

namespace deltaline::storage {

/// \brief Options of every storage-surface write: the Delta writer's own options plus
/// what the policies add. Plain data; defaults are the policy defaults (Delta, zstd,
/// strict schema, 20 commit attempts).
struct StorageWriteOptions {
  /// Passed to the Delta writer (mode, schema_mode, retry, schema_conversion,
  /// partition_by, replace_where, replace_partitions, delete_partitions…). The storage
  /// layer fills a copy with what the policies decide: `writer_properties` always comes
  /// from `write` (a value set here is replaced), `table_properties` gets the write
  /// policy's properties on top of the ones given here, and `user_metadata` gets the
  /// `deltaline.*` keys (which callers may not set). `retry` also bounds whole-write
  /// retries of replayable input (WriteTableDelta) after a typed concurrent-append
  /// conflict.
  delta::WriteOptions delta;
  OutputStoragePolicy output;
  DeltaWritePolicy write;
  /// `deltaline.dataset` of the commit; empty = the last path component of the uri.
  std::string dataset;
  /// Declared ordering of the rows (`deltaline.orderingKeys`, JSON array). Default none.
  std::vector<std::string> ordering_keys;
  /// Declared constraints, name → expression (`deltaline.constraints`, JSON object).
  std::map<std::string, std::string> constraints;
  /// When the policy's table properties differ from an existing table's: false =
  /// kInvalidInput listing them; true = commit a `SET TBLPROPERTIES` update first.
  bool update_table_properties = false;
  RunContext run;
  /// Called before each whole-write retry with the attempt about to run (2, 3…) and
  /// the conflict that caused it. Must be thread-safe if shared. Default none.
  std::function<void(int, const arrow::Status&)> on_retry;
  /// Set by WriteFinalizeResultDelta on side tables (`deltaline.sideTableOf`).
  std::string side_table_of;
  /// Where warnings (a refused sink, a diagnostics table that could not be appended
  /// to) go. Default empty: dropped.
  delta::Reporter reporter;
};

/// \brief What a storage write did: the Delta writer's result plus what the storage
/// layer added.
struct WriteResult {
  /// uri, version, operation, committed, counts, per-partition metrics,
  /// commit_attempts, schema_changed, checkpoint_written, rows_copied.
  delta::WriteResult delta;
  /// The commit's userMetadata (deltaline.* keys included).
  delta::StringMap user_metadata;
  /// The effective policies, as stored in `deltaline.policy`.
  nlohmann::json policy;
  int attempts = 0;  ///< whole-write attempts (1 unless a conflict was retried)
};

/// \brief Writes `table` as one commit to the Delta table at `uri` (created when
/// missing). On a typed kConcurrentAppend conflict the write is redone against the
/// newer version, up to `delta.retry.max_attempts` times with doubling delays; then the
/// last conflict is returned. Other errors are returned at once. The commit carries
/// `deltaline.dataset`, `deltaline.schemaFingerprint` and `deltaline.policy`.
arrow::Result<WriteResult> WriteTableDelta(const arrow::Table& table,
                                           const std::string& uri,
                                           const StorageWriteOptions& options = {});

/// \brief Opens the same rows again each time it is called (a table, a query that can
/// be re-run): what makes a write replayable after a conflict.
using ReaderFactory =
    std::function<arrow::Result<std::shared_ptr<arrow::RecordBatchReader>>()>;

/// \brief WriteTableDelta for rows that `open` can produce again: each attempt streams
/// a new reader (bounded memory), and a typed kConcurrentAppend conflict redoes the
/// write as WriteTableDelta does. For the Python bindings' re-exportable inputs.
arrow::Result<WriteResult> WriteReplayableDelta(const ReaderFactory& open,
                                                const std::string& uri,
                                                const StorageWriteOptions& options = {});

/// \brief Streams `reader` into the table at `uri` as one commit, with bounded memory.
/// A stream cannot be replayed, so only the commit's version races are retried.
arrow::Result<WriteResult> WriteDatasetDelta(arrow::RecordBatchReader& reader,
                                             const std::string& uri,
                                             const StorageWriteOptions& options = {});

/// \brief Deletes the rows of the table at `uri` for which `predicate` is true, in one
/// commit, through delta::Delete (files wholly matching are removed, files partly
/// matching rewritten with their other rows). The policies apply as to a write: the
/// sink check, the write policy's Parquet properties for rewritten files, the table
/// property reconciliation, and the commit's `deltaline.dataset`,
/// `deltaline.schemaFingerprint` (of the table's schema) and `deltaline.policy`.
/// `options.delta.mode` is ignored. The table must exist (kTableNotFound); nothing
/// matching: no commit (`delta.committed` false). `predicate` is unbound or bound to
/// the table schema; a caller that bound it against a snapshot passes that snapshot
/// as `options.delta.read_snapshot`, so commits since are conflict-checked.
arrow::Result<WriteResult> Delete(const std::string& uri,
                                  const arrow::compute::Expression& predicate,
                                  const StorageWriteOptions& options = {});

/// \brief One table per name under `base_uri` (`<base_uri>/<name>`), each its own
/// commit with `deltaline.dataset` = name. Names must be non-empty path components.
/// Stops at the first failure (kept tables stay committed; the error names the dataset).
arrow::Result<std::map<std::string, WriteResult>> WriteNamedDatasetsDelta(
    const std::map<std::string, std::shared_ptr<arrow::RecordBatchReader>>& datasets,
    const std::string& base_uri, const StorageWriteOptions& options = {});

struct FinalizeResult {
  WriteResult good;
  std::optional<WriteResult> errors;
  std::optional<WriteResult> error_stats;
};

/// \brief Writes a dataset and its side tables: `good` to `<base_uri>/<dataset>`,
/// `errors` to `<base_uri>/<dataset>_errors` and `error_stats` to
/// `<base_uri>/<dataset>_error_stats` (either may be null: not written). `dataset`
/// comes from options.dataset (required). Each side table's commit names its own
/// dataset and schema fingerprint and `deltaline.sideTableOf`; ordering keys,
/// constraints, partition columns and stats columns belong to the main table only.
arrow::Result<FinalizeResult> WriteFinalizeResultDelta(
    std::shared_ptr<arrow::RecordBatchReader> good,
    std::shared_ptr<arrow::RecordBatchReader> errors,
    std::shared_ptr<arrow::RecordBatchReader> error_stats, const std::string& base_uri,
    const StorageWriteOptions& options);

/// \brief `xxh64:<16 hex digits>` of the Delta schema JSON of `schema`.
arrow::Result<std::string> SchemaFingerprint(
    const arrow::Schema& schema, const delta::SchemaConversionOptions& options = {});

/// \brief The JSON stored in `deltaline.policy`.
nlohmann::json EffectivePolicyJson(const StorageWriteOptions& options);

}  // namespace deltaline::storage
