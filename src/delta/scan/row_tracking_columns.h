#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include "delta/base/actions.h"
#include "delta/log/snapshot.h"

namespace deltaline::delta {

/// The columns a scan appends when asked for row tracking (PROTOCOL.md, "Row
/// Tracking"): the stable row id and the stable row commit version, both int64.
inline constexpr const char* kRowIdColumn = "_row_id";
inline constexpr const char* kRowCommitVersionColumn = "_row_commit_version";

/// \brief Where a table keeps its materialised row ids and commit versions: hidden
/// data-file columns named in its configuration (empty = none named).
struct RowTrackingColumns {
  std::string materialized_row_id;
  std::string materialized_row_commit_version;
};

/// \brief The materialised column names of `snapshot`, when it has row tracking
/// enabled (`rowTracking` writer feature and `delta.enableRowTracking=true`); else
/// kUnsupportedFeature("rowTracking"): ids are not guaranteed for every row then.
arrow::Result<RowTrackingColumns> RowTrackingColumnsOf(const Snapshot& snapshot);

/// \brief `_row_id` and `_row_commit_version`, in that order.
arrow::FieldVector RowTrackingFields();

/// \brief kUnsupportedFeature("rowTracking") naming the file when it lacks
/// `baseRowId` or `defaultRowCommitVersion`.
arrow::Status CheckRowTrackingFile(const Add& file);

/// \brief Appends `_row_id` and `_row_commit_version` to `conformed`, a batch of one
/// data file whose first row is at physical position `first_row_index` in the file
/// (before any row is dropped, by a deletion vector or a filter). `file_batch` is the
/// same rows as read from the file, where the materialised columns are looked up:
/// a non-null materialised value wins, else baseRowId + position (ids) or
/// defaultRowCommitVersion (versions).
arrow::Result<std::shared_ptr<arrow::RecordBatch>> AppendRowTracking(
    const arrow::RecordBatch& conformed, const arrow::RecordBatch& file_batch,
    const Add& file, int64_t first_row_index, const RowTrackingColumns& columns,
    const std::shared_ptr<arrow::Schema>& output_schema);

}  // namespace deltaline::delta
