#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/scan/deleted_rows.h"

namespace deltaline::delta {

/// \brief Drops the rows a data file's deletion vector deletes from the file's batches
/// as they stream by. A DV names rows by their index among the file's physical rows,
/// so the batches must come in file order with no row left out: the first batch
/// starts at row 0 and each next one where the previous one ended.
///
/// A file without a DV (or with an empty one) costs nothing: every batch passes
/// through untouched, and so does a batch with no deleted row in its range.
class DeletedRowFilter {
 public:
  /// \brief Loads the DV of `file` (none: a pass-through filter) and checks it against
  /// the file's row count `file_rows`, from the Parquet footer: a DV that deletes a
  /// row past the end fails with kProtocol naming the file. `store` is only used
  /// during the call. Errors of LoadDeletionVector pass through.
  static arrow::Result<DeletedRowFilter> Make(LogStore& store, const Add& file,
                                              int64_t file_rows);

  /// \brief The live rows of `batch`, which holds the file's rows from next_row() on.
  /// A batch without columns (a count of rows) keeps its live count.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Apply(
      std::shared_ptr<arrow::RecordBatch> batch);

  /// \brief At the end of the file: with a DV, fails with kProtocol when the batches
  /// did not add up to the footer's row count (every row index after a gap would be
  /// wrong, so the DV may have hit live rows).
  arrow::Status Finish() const;

  /// Index (in the file) of the next row Apply expects.
  int64_t next_row() const { return next_row_; }
  /// Rows the DV deletes; 0 without one.
  int64_t deleted_rows() const { return deleted_ ? deleted_->cardinality() : 0; }

 private:
  std::shared_ptr<const DeletedRows> deleted_;  ///< null: nothing deleted
  std::string path_;                            ///< add.path, for errors
  int64_t file_rows_ = 0;
  int64_t next_row_ = 0;
};

}  // namespace deltaline::delta
