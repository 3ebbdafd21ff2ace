#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/actions.h"
#include "delta/data_writer.h"
#include "delta/log_store.h"
#include "delta/schema.h"
#include "delta/schema_evolution.h"
#include "delta/transaction.h"

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

/// \brief Convenience over WriteBatches for an in-memory table.
arrow::Result<WriteResult> WriteTable(LogStore& store, const arrow::Table& table,
                                      const WriteOptions& options = {});

}  // namespace deltaline::delta
