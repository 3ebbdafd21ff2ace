#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"
#include "delta/ops/migration_verify.h"
#include "delta/ops/parquet_layout.h"
#include "storage/storage_writer.h"

namespace deltaline::storage {

struct MigrateParquetOptions {
  /// The storage write's options (policies, run, reporter). The migration sets
  /// `delta.partition_by` to the layout's partition columns, `delta.mode` to error
  /// (the destination must not exist) and the exact schema conversions (unsigned
  /// integers widened, timestamps to microseconds, failing on any value that does not
  /// fit).
  StorageWriteOptions write;
  /// Called after each source file is read with (files done, bytes done). Default none.
  std::function<void(int64_t, int64_t)> progress;
};

/// \brief Copies the legacy Parquet dataset of `layout` into a new Delta table at
/// `uri`, as a regular deltaline write (one commit, the output policy applies),
/// partitioned by the same columns with their inferred types. Streams one row group
/// at a time. Errors: kTableAlreadyExists when `uri` holds a table; those of
/// WriteDatasetDelta (a value a conversion cannot carry exactly fails naming it).
arrow::Result<WriteResult> MigrateParquetCopy(const delta::ParquetLayout& layout,
                                              const std::string& uri,
                                              const MigrateParquetOptions& options = {});

/// \brief Where a migration is, for a progress display. `phase`: "footers" (planning:
/// files done of total, `bytes` of the footers read), "convert" (files done of total),
/// "copy" (files read of total, `bytes` read), "verify" (files done of total on
/// `side`). Phases come in that order; each ends where the next begins.
struct MigrateProgress {
  std::string phase;
  int64_t done = 0;
  int64_t total = 0;
  int64_t bytes = -1;  ///< footers and copy only
  std::string side;    ///< verify only
};

struct MigrateOptions {
  std::string source;       ///< the Parquet dataset: a directory or file:// URI
  std::string destination;  ///< the new Delta table; ignored in place (= source)
  bool in_place = false;    ///< convert the source where it is (ConvertToDelta)
  /// Partition columns and schema mode (its progress callback is replaced).
  delta::ParquetLayoutOptions layout;
  bool verify = false;   ///< VerifyMigration after writing
  bool dry_run = false;  ///< plan only, write nothing
  /// Warnings of the copy's write.
  delta::Reporter reporter;
  /// Called as each phase advances. Default none.
  std::function<void(const MigrateProgress&)> progress;
};

struct MigrateOutcome {
  delta::ParquetLayout layout;
  /// The report (`deltaline migrate-parquet --json`, storage/migrate_parquet_report.h):
  /// source, destination, mode, dryRun, plan; then result and, verified, verification.
  nlohmann::json report;
  std::string destination_uri;  ///< the written table's URI ("" on a dry run)
  std::optional<delta::VerifyResult> verified;
  /// Verification found differences: "verification failed:" and one line per
  /// mismatch. Empty otherwise.
  std::string failure;
};

/// \brief A legacy Parquet dataset into Delta: plans its layout, then (unless a dry
/// run) copies it as a regular write (MigrateParquetCopy) or converts it in place, and
/// verifies it when asked. Differences found by the verification are the outcome's
/// `failure`, not an error; errors are those of the plan, the write and the reads.
arrow::Result<MigrateOutcome> MigrateParquet(const MigrateOptions& options);

}  // namespace deltaline::storage
