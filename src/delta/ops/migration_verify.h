#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/type.h>

#include "delta/log/log_store.h"
#include "delta/ops/parquet_layout.h"

namespace deltaline::delta {

/// \brief An order-independent fingerprint of one column: the wrapping sum of a hash
/// of every non-null value (Arrow's hashing of the value's bytes; nested values by
/// their text), and the null count apart.
struct ColumnDigest {
  uint64_t hash_sum = 0;
  int64_t nulls = 0;
  bool operator==(const ColumnDigest&) const = default;
};

/// \brief What verification compares, for one side (source or result).
struct DatasetDigest {
  int64_t rows = 0;
  /// Rows by canonical partition directory (`a=1/b=x`; "" when unpartitioned).
  std::map<std::string, int64_t> partition_rows;
  std::shared_ptr<arrow::Schema> schema;  ///< partition columns included
  std::map<std::string, ColumnDigest> columns;
};

/// \brief One difference: `kind` is "rows", "partition", "schema" or "column"; `name`
/// the partition directory or column; `source` and `result` the two values as text.
struct VerifyMismatch {
  std::string kind;
  std::string name;
  std::string source;
  std::string result;
};

struct VerifyResult {
  bool ok = false;  ///< no mismatch
  DatasetDigest source;
  DatasetDigest result;
  std::vector<VerifyMismatch> mismatches;
};

struct VerifyOptions {
  /// Called after each file read with (files done, files total) on each side.
  /// Default none.
  std::function<void(const std::string& side, int64_t, int64_t)> progress;
};

/// \brief Reads the source `layout` (cast to the types the migration writes: unsigned
/// widened, timestamps in µs) and the Delta table at `result`'s latest version, and
/// compares total rows, rows per partition, the schema (names and types, partition
/// columns included) and every column's digest. Works on any migration, copy or in
/// place, done now or earlier. A mismatch is a value in the result, not an error;
/// errors are IO and snapshot failures, or a source value the migration could not
/// have carried (a failing cast).
arrow::Result<VerifyResult> VerifyMigration(const ParquetLayout& layout, LogStore& result,
                                            const VerifyOptions& options = {});

/// \brief The digest of the source alone.
arrow::Result<DatasetDigest> DigestParquetLayout(const ParquetLayout& layout,
                                                 const VerifyOptions& options = {});

/// \brief The digest of a Delta table's latest version.
arrow::Result<DatasetDigest> DigestDeltaTable(LogStore& store,
                                              const VerifyOptions& options = {});

/// \brief The mismatches between two digests (empty: equal).
std::vector<VerifyMismatch> CompareDigests(const DatasetDigest& source,
                                           const DatasetDigest& result);

}  // namespace deltaline::delta
