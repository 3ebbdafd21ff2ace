#include "delta/scan/row_tracking_columns.h"

#include <arrow/array/builder_primitive.h>
#include <arrow/compute/api.h>

#include "delta/base/errors.h"

namespace deltaline::delta {
namespace {

bool HasWriterFeature(const Protocol& protocol, const std::string& feature) {
  if (!protocol.writer_features) return false;
  for (const auto& name : *protocol.writer_features) {
    if (name == feature) return true;
  }
  return false;
}

// The materialised column of `file_batch` as int64, or null when the file has none.
arrow::Result<std::shared_ptr<arrow::Array>> Materialized(
    const arrow::RecordBatch& file_batch, const std::string& name, const Add& file) {
  if (name.empty()) return std::shared_ptr<arrow::Array>();
  auto column = file_batch.GetColumnByName(name);
  if (!column) return std::shared_ptr<arrow::Array>();
  if (column->type_id() == arrow::Type::INT64) return column;
  auto cast = arrow::compute::Cast(*column, arrow::int64());
  if (!cast.ok()) {
    return ProtocolError("data file '" + file.path + "': row tracking column '" + name +
                         "' is " + column->type()->ToString() + ", not a long");
  }
  return *cast;
}

// value[i] = materialised[i] when valid, else base + (step ? i : 0).
arrow::Result<std::shared_ptr<arrow::Array>> Fill(
    const std::shared_ptr<arrow::Array>& materialized, int64_t rows, int64_t base,
    bool step) {
  arrow::Int64Builder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(rows));
  const auto* stored = static_cast<const arrow::Int64Array*>(materialized.get());
  for (int64_t row = 0; row < rows; ++row) {
    if (stored && stored->IsValid(row)) {
      builder.UnsafeAppend(stored->Value(row));
    } else {
      builder.UnsafeAppend(base + (step ? row : 0));
    }
  }
  return builder.Finish();
}

}  // namespace

arrow::Result<RowTrackingColumns> RowTrackingColumnsOf(const Snapshot& snapshot) {
  if (!HasWriterFeature(snapshot.protocol(), "rowTracking") ||
      snapshot.Config("delta.enableRowTracking") != "true") {
    return UnsupportedFeature(
        "rowTracking", "row ids were asked for, but table version " +
                           std::to_string(snapshot.version()) +
                           " does not have row tracking enabled "
                           "(delta.enableRowTracking=true with the rowTracking feature)");
  }
  return RowTrackingColumns{
      snapshot.Config("delta.rowTracking.materializedRowIdColumnName"),
      snapshot.Config("delta.rowTracking.materializedRowCommitVersionColumnName")};
}

arrow::FieldVector RowTrackingFields() {
  return {arrow::field(kRowIdColumn, arrow::int64(), /*nullable=*/false),
          arrow::field(kRowCommitVersionColumn, arrow::int64(), /*nullable=*/false)};
}

arrow::Status CheckRowTrackingFile(const Add& file) {
  if (!file.base_row_id || !file.default_row_commit_version) {
    return UnsupportedFeature(
        "rowTracking", "data file '" + file.path + "' has no " +
                           (file.base_row_id ? "defaultRowCommitVersion" : "baseRowId") +
                           ": its row ids cannot be computed");
  }
  return arrow::Status::OK();
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> AppendRowTracking(
    const arrow::RecordBatch& conformed, const arrow::RecordBatch& file_batch,
    const Add& file, int64_t first_row_index, const RowTrackingColumns& columns,
    const std::shared_ptr<arrow::Schema>& output_schema) {
  ARROW_RETURN_NOT_OK(CheckRowTrackingFile(file));
  const int64_t rows = conformed.num_rows();
  ARROW_ASSIGN_OR_RAISE(auto stored_ids,
                        Materialized(file_batch, columns.materialized_row_id, file));
  ARROW_ASSIGN_OR_RAISE(
      auto stored_versions,
      Materialized(file_batch, columns.materialized_row_commit_version, file));
  ARROW_ASSIGN_OR_RAISE(
      auto ids, Fill(stored_ids, rows, *file.base_row_id + first_row_index, true));
  ARROW_ASSIGN_OR_RAISE(auto versions, Fill(stored_versions, rows,
                                            *file.default_row_commit_version, false));
  std::vector<std::shared_ptr<arrow::Array>> out = conformed.columns();
  out.push_back(std::move(ids));
  out.push_back(std::move(versions));
  return arrow::RecordBatch::Make(output_schema, rows, std::move(out));
}

}  // namespace deltaline::delta
