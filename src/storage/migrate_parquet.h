#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <arrow/result.h>

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

}  // namespace deltaline::storage
