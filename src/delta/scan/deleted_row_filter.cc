#include "delta/scan/deleted_row_filter.h"

#include <arrow/compute/api_vector.h>
#include <arrow/datum.h>

#include "delta/base/errors.h"
#include "delta/scan/deletion_vector.h"

namespace deltaline::delta {

arrow::Result<DeletedRowFilter> DeletedRowFilter::Make(LogStore& store, const Add& file,
                                                       int64_t file_rows) {
  DeletedRowFilter filter;
  filter.path_ = file.path;
  filter.file_rows_ = file_rows;
  if (!file.deletion_vector) return filter;
  ARROW_ASSIGN_OR_RAISE(auto rows, LoadDeletionVector(store, *file.deletion_vector));
  if (rows.empty()) return filter;
  if (*rows.Max() >= file_rows) {
    return ProtocolError("deletion vector '" + file.deletion_vector->UniqueId() +
                         "' of data file '" + file.path + "' deletes row " +
                         std::to_string(*rows.Max()) + ", but the file has " +
                         std::to_string(file_rows) + " rows");
  }
  filter.deleted_ = std::make_shared<const DeletedRows>(std::move(rows));
  return filter;
}

arrow::Result<std::shared_ptr<arrow::RecordBatch>> DeletedRowFilter::Apply(
    std::shared_ptr<arrow::RecordBatch> batch) {
  const int64_t first_row = next_row_;
  const int64_t num_rows = batch->num_rows();
  next_row_ += num_rows;
  if (!deleted_) return batch;
  const int64_t deleted = deleted_->CountInRange(first_row, num_rows);
  if (deleted == 0) return batch;
  if (deleted == num_rows) return batch->Slice(0, 0);
  if (batch->num_columns() == 0) {
    return arrow::RecordBatch::Make(batch->schema(), num_rows - deleted,
                                    arrow::ArrayVector{});
  }
  ARROW_ASSIGN_OR_RAISE(auto keep, deleted_->KeepMask(first_row, num_rows));
  ARROW_ASSIGN_OR_RAISE(auto kept,
                        arrow::compute::Filter(arrow::Datum(std::move(batch)), keep));
  return kept.record_batch();
}

arrow::Status DeletedRowFilter::Finish() const {
  // Without deleted rows, a short count changes no answer.
  if (!deleted_ || next_row_ == file_rows_) return arrow::Status::OK();
  return ProtocolError("data file '" + path_ + "' yielded " + std::to_string(next_row_) +
                       " rows, its footer says " + std::to_string(file_rows_) +
                       "; the rows of its deletion vector cannot be located");
}

}  // namespace deltaline::delta
