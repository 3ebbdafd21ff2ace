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
#include "delta/table/schema.h"
#include "delta/table/schema_evolution.h"
#include "delta/log/transaction.h"
#include "delta/write/write.h"
#include "storage/output_policy.h"
#include "storage/write_policy.h"

namespace deltaline::storage {

/// \brief Options of every storage-surface write. Plain data; defaults are the policy
/// defaults (Delta, zstd, strict schema, 20 commit attempts).
struct StorageWriteOptions {
  delta::SaveMode mode = delta::SaveMode::kError;
  OutputStoragePolicy output;
  DeltaWritePolicy write;
  delta::SchemaMode schema_mode = delta::SchemaMode::kStrict;
  /// Bounds both the commit's own version races and, for replayable input
  /// (WriteTableDelta), whole-write retries after a typed concurrent-append conflict.
  delta::CommitRetryPolicy retry;
  /// `deltaline.dataset` of the commit; empty = the last path component of the uri.
  std::string dataset;
  /// Declared ordering of the rows (`deltaline.orderingKeys`, JSON array). Default none.
  std::vector<std::string> ordering_keys;
  /// Declared constraints, name → expression (`deltaline.constraints`, JSON object).
  std::map<std::string, std::string> constraints;
  /// More commit user metadata. Keys starting with `deltaline.` are reserved.
  delta::StringMap user_metadata;
  /// More table properties for a new table (beside those the write policy sets).
  delta::StringMap table_properties;
  /// When the policy's table properties differ from an existing table's: false =
  /// kInvalidInput listing them; true = commit a `SET TBLPROPERTIES` update first.
  bool update_table_properties = false;
  delta::SchemaConversionOptions schema_conversion;
  RunContext run;
  /// Called before each whole-write retry with the attempt about to run (2, 3…) and
  /// the conflict that caused it. Must be thread-safe if shared. Default none.
  std::function<void(int, const arrow::Status&)> on_retry;
  /// Set by WriteFinalizeResultDelta on side tables (`deltaline.sideTableOf`).
  std::string side_table_of;
  /// Partitioning and targeted replacement, passed to the Delta writer unchanged
  /// (see delta::WriteOptions: partition_by, replace_where, replace_partitions,
  /// delete_partitions).
  std::vector<std::string> partition_by;
  std::optional<arrow::compute::Expression> replace_where;
  bool replace_partitions = false;
  std::vector<delta::PartitionValues> delete_partitions;
};

/// \brief What a storage write did.
struct WriteResult {
  std::string uri;
  int64_t version = -1;
  std::string operation;
  bool committed = false;
  int64_t files_added = 0, files_removed = 0;
  int64_t rows_added = 0, rows_removed = 0;  ///< rows_removed -1: unknown (no stats)
  int64_t bytes_added = 0, bytes_removed = 0;
  /// The commit's userMetadata (deltaline.* keys included).
  delta::StringMap user_metadata;
  /// The effective policies, as stored in `deltaline.policy`.
  nlohmann::json policy;
  int attempts = 0;  ///< whole-write attempts (1 unless a conflict was retried)
  bool schema_changed = false;
  bool checkpoint_written = false;
  int64_t rows_copied = 0;  ///< rows carried over from rewritten files
  /// Per partition directory ("" when unpartitioned): this commit's counts.
  std::map<std::string, delta::PartitionMetrics> partitions;
};

/// \brief Writes `table` as one commit to the Delta table at `uri` (created when
/// missing). On a typed kConcurrentAppend conflict the write is redone against the
/// newer version, up to `retry.max_attempts` times with doubling delays; then the
/// last conflict is returned. Other errors are returned at once. The commit carries
/// `deltaline.dataset`, `deltaline.schemaFingerprint` and `deltaline.policy`.
arrow::Result<WriteResult> WriteTableDelta(const arrow::Table& table, const std::string& uri,
                                           const StorageWriteOptions& options = {});

/// \brief Streams `reader` into the table at `uri` as one commit, with bounded memory.
/// A stream cannot be replayed, so only the commit's version races are retried.
arrow::Result<WriteResult> WriteDatasetDelta(arrow::RecordBatchReader& reader,
                                             const std::string& uri,
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
/// dataset and schema fingerprint and `deltaline.sideTableOf`; ordering keys and
/// constraints belong to the main table only.
arrow::Result<FinalizeResult> WriteFinalizeResultDelta(
    std::shared_ptr<arrow::RecordBatchReader> good,
    std::shared_ptr<arrow::RecordBatchReader> errors,
    std::shared_ptr<arrow::RecordBatchReader> error_stats, const std::string& base_uri,
    const StorageWriteOptions& options);

/// \brief `xxh64:<16 hex digits>` of the Delta schema JSON of `schema`.
arrow::Result<std::string> SchemaFingerprint(const arrow::Schema& schema,
                                             const delta::SchemaConversionOptions& options = {});

/// \brief The JSON stored in `deltaline.policy`.
nlohmann::json EffectivePolicyJson(const StorageWriteOptions& options);

}  // namespace deltaline::storage
