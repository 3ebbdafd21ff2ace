#pragma once

#include <string>

#include <arrow/result.h>

#include "delta/log/transaction.h"
#include "delta/table/schema_evolution.h"
#include "storage/output_policy.h"
#include "storage/write_policy.h"

namespace deltaline::storage {

/// \brief Everything the output configuration decides for writes and exports.
struct OutputConfig {
  OutputStoragePolicy storage;
  DeltaWritePolicy write;
  delta::SchemaMode schema_mode = delta::SchemaMode::kStrict;
  delta::CommitRetryPolicy retry;
};

/// \brief One Parquet-era option and the Delta policy field that replaces it.
struct ReplacedKey {
  const char* parquet_key;
  const char* replacement;
};

/// \brief The one mapping table of rejected Parquet-era keys (for docs and tests).
const std::vector<ReplacedKey>& ParquetEraKeys();

/// \brief Parses a JSON output configuration (keys in README, "Storage").
///
/// A Parquet-era key anywhere in the document (`row_group_size`,
/// `parquet_compression`, `use_dictionary`, `write_statistics`, `sorting_columns`,
/// `_metadata` sidecars…) fails with kInvalidInput naming its JSON path and the Delta
/// policy field that replaces it; unknown keys and bad values fail the same way.
/// `output.format` other than "delta" is a forbidden sink (CheckSink): an error in
/// production, refused and reported (format stays delta) in development. `source`
/// names the file in messages. `run` receives the diagnostics event, `reporter` the
/// warning.
arrow::Result<OutputConfig> ParseOutputConfig(const std::string& json_text,
                                              const std::string& source,
                                              const RunContext& run,
                                              const delta::Reporter& reporter = {});

/// \brief Reads and parses the config file at `path` (local path).
arrow::Result<OutputConfig> LoadOutputConfig(const std::string& path,
                                             const RunContext& run,
                                             const delta::Reporter& reporter = {});

}  // namespace deltaline::storage
