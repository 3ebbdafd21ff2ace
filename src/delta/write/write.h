#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/log/transaction.h"
#include "delta/table/schema.h"
#include "delta/table/schema_evolution.h"
#include "delta/write/data_writer.h"
#include "delta/write/partitioned_writer.h"

namespace deltaline::delta {

/// \brief What to do when the table already exists (Spark's SaveMode).
enum class SaveMode {
  kError,      ///< fail with kTableAlreadyExists, change nothing (default)
  kAppend,     ///< add the rows
  kOverwrite,  ///< remove every live file and add the rows, in one commit
  kIgnore,     ///< leave the table untouched, write nothing
};

const char* SaveModeName(SaveMode mode);
arrow::Result<SaveMode> ParseSaveMode(const std::string& text);

struct WriteOptions {
  SaveMode mode = SaveMode::kError;
  /// Table properties (`delta.*` and user keys); applied only when the write creates
  /// the table. Default none.
  StringMap table_properties;
  /// Stored in commitInfo.userMetadata. Default none.
  StringMap user_metadata;
  std::optional<std::string> table_name;
  std::optional<std::string> table_description;
  SchemaConversionOptions schema_conversion;
  CommitRetryPolicy retry;
  /// Parquet properties for data files; null = DefaultDataWriterProperties().
  std::shared_ptr<parquet::WriterProperties> writer_properties;
  /// Idempotent writes: skip the commit when `app_id` already committed `version`.
  std::optional<Txn> app_transaction;
  /// Partition columns (Hive-style `col=value/` directories). Used when the write
  /// creates the table; on an existing table, empty means the table's own and any
  /// other list is refused with kSchemaMismatch. Default none.
  std::vector<std::string> partition_by;
  /// replaceWhere: with kOverwrite, replace only the rows for which this predicate is
  /// true (files wholly inside are removed, files partly inside are rewritten with
  /// their other rows, files outside are untouched), in one commit. Every input row
  /// must satisfy it, else kInvalidInput and nothing is committed. Unbound or bound
  /// to the table schema. Default none (kOverwrite replaces everything).
  std::optional<arrow::compute::Expression> replace_where;
  /// With kOverwrite: replace exactly the partitions present in the input (dynamic
  /// partition overwrite) plus `delete_partitions`, in one commit. See
  /// ReplacePartitions. Default false.
  bool replace_partitions = false;
  /// With replace_partitions: partitions to delete in the same commit.
  std::vector<PartitionValues> delete_partitions;
  /// Most partitions with an open data file at once (then the least recently used
  /// is closed; its next rows start a new file). Each open file buffers at most
  /// 1 GiB / this many bytes of its row group. Default 128.
  int max_open_partition_writers = 128;
  /// Base the write on this snapshot instead of the latest one (a caller that read
  /// the table earlier); everything committed since is conflict-checked. Default null.
  std::shared_ptr<const Snapshot> read_snapshot;
  /// What an input schema that differs from an existing table's does. Default strict.
  SchemaMode schema_mode = SchemaMode::kStrict;
};

struct WriteResult {
  std::string uri;
  int64_t version = -1;  ///< the new version, or the current one when nothing was done
  std::string operation;
  bool committed = false;  ///< false for kIgnore on an existing table / a repeated txn
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t rows_added = 0;
  int64_t rows_removed = -1;  ///< -1 when a removed file had no stats
  int64_t bytes_added = 0;
  int64_t bytes_removed = 0;
  bool checkpoint_written = false;
  /// Rows of rewritten files carried into new files (replaceWhere, delete).
  int64_t rows_copied = 0;
  /// Per partition directory (`a=1/b=x`; "" when unpartitioned), the counts of this
  /// commit. Also in commitInfo.operationMetrics["partitionMetrics"] as JSON.
  std::map<std::string, PartitionMetrics> partitions;
  int commit_attempts = 0;      ///< put-if-absent attempts of the commit (0: none)
  bool schema_changed = false;  ///< the commit carried a new table schema
};

/// \brief Writes a stream of batches as one commit, with bounded memory: batches are
/// cast to the table's Arrow types and written to Parquet as they arrive.
///
/// Creates the table when missing (any mode). On an existing table the input schema
/// must equal the table schema (same names and types; column order may differ);
/// otherwise kSchemaMismatch lists the differences and nothing is committed. Data
/// files written by a failed write are deleted again.
arrow::Result<WriteResult> WriteBatches(LogStore& store, arrow::RecordBatchReader& input,
                                        const WriteOptions& options = {});

/// \brief Replaces exactly the partitions present in `input`, and deletes
/// `delete_partitions`, in one commit; other partitions are untouched. Afterwards a
/// replaced partition holds only the input's rows. `partition_columns` must equal the
/// table's (or, for a new table, become them). Conflicts: a concurrent commit that
/// added files to or removed files from these partitions (see Transaction).
arrow::Result<WriteResult> ReplacePartitions(
    LogStore& store, arrow::RecordBatchReader& input,
    const std::vector<std::string>& partition_columns,
    const std::vector<PartitionValues>& delete_partitions = {},
    WriteOptions options = {});

/// \brief Deletes the rows for which `predicate` is true, in one commit: files wholly
/// matching are removed, files partly matching are rewritten with their other rows.
/// The table must exist (kTableNotFound). Nothing matching: no commit.
arrow::Result<WriteResult> Delete(LogStore& store,
                                  const arrow::compute::Expression& predicate,
                                  WriteOptions options = {});

/// \brief Convenience over WriteBatches for an in-memory table.
arrow::Result<WriteResult> WriteTable(LogStore& store, const arrow::Table& table,
                                      const WriteOptions& options = {});

}  // namespace deltaline::delta
