#pragma once

// What writing one pipeline output did, and the hook that writes it. Its own header so
// the spec checker (spec_write.h) can produce an OutputWriteResult without the runner.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include <arrow/result.h>

#include "pipeline/pipeline.h"
#include "storage/storage_writer.h"

namespace deltaline::pipeline {

struct OutputWriteResult {
  std::string dataset;  ///< spec.name
  std::string uri;      ///< `<lake>/<dataset>`
  /// The table's version before the write; unset when the table did not exist.
  std::optional<int64_t> version_before;
  /// The main table's write (its `delta.version` is the version after; for a skipped
  /// output, the current one with `committed` false).
  storage::WriteResult write;
  /// True when the table already held this run's `txn` (app id = pipeline id, version
  /// >= the run's sequence): nothing was written.
  bool skipped = false;
  /// Rows that broke each constraint, by rule name (filled by the spec checker).
  std::map<std::string, int64_t> constraint_counts;
};

/// \brief Writes one output. `options` arrive filled by the runner: the run's policies,
/// run context and reporter, mode, `delta.app_transaction` (the exactly-once `txn`),
/// `delta.partition_by`, `dataset`, `ordering_keys`, `constraints` (the spec's checks)
/// and the spec's write-policy override. A writer must write only through the storage
/// surface or engine::InsertInto, and must keep the `txn`. `lake` is the base URI: the
/// table is `<lake>/<spec.name>`, side tables sit beside it.
using OutputWriter = std::function<arrow::Result<OutputWriteResult>(
    const Output& output, NodeValue value, const std::string& lake,
    storage::StorageWriteOptions options)>;

/// \brief The default OutputWriter, no constraint checks: a Declaration goes straight
/// into the table through engine::InsertInto (streaming), a reader through
/// storage::WriteDatasetDelta, a table through storage::WriteTableDelta. Fills
/// `dataset`, `uri` and `version_before`.
arrow::Result<OutputWriteResult> WriteOutputDefault(const Output& output, NodeValue value,
                                                    const std::string& lake,
                                                    storage::StorageWriteOptions options);

/// \brief `<lake>/<dataset>` (one separator).
std::string OutputUri(const std::string& lake, const std::string& dataset);

/// \brief The version of the Delta table at `uri`, or unset when there is none yet.
arrow::Result<std::optional<int64_t>> TableVersion(const std::string& uri);

}  // namespace deltaline::pipeline
