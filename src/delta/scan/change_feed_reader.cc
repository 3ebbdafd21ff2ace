#include "delta/scan/change_feed_reader.h"

#include <set>

#include <arrow/array/util.h>
#include <arrow/compute/api.h>

#include "delta/base/errors.h"
#include "delta/predicate/predicate.h"
#include "delta/scan/data_file_reader.h"
#include "delta/scan/deletion_vector.h"
#include "delta/scan/scan.h"

namespace deltaline::delta {
namespace {

constexpr int kChangeColumns = 3;  // _change_type, _commit_version, _commit_timestamp

// Which rows of one file count: only those `only` deletes (when set), less those
// `except` deletes (when set). Row indexes count the file's physical rows.
struct RowSelection {
  std::optional<DeletedRows> only;
  std::optional<DeletedRows> except;

  // Null when every row counts.
  arrow::Result<std::shared_ptr<arrow::Array>> Mask(int64_t first_row,
                                                    int64_t num_rows) const {
    std::shared_ptr<arrow::Array> mask;
    if (except) {
      ARROW_ASSIGN_OR_RAISE(mask, except->KeepMask(first_row, num_rows));
    }
    if (only) {
      ARROW_ASSIGN_OR_RAISE(auto kept, only->KeepMask(first_row, num_rows));
      ARROW_ASSIGN_OR_RAISE(arrow::Datum deleted, arrow::compute::Invert(kept));
      if (mask) {
        ARROW_ASSIGN_OR_RAISE(deleted, arrow::compute::And(mask, deleted));
      }
      mask = deleted.make_array();
    }
    return mask;
  }
};

/// The commits' files one after another; see MakeChangeReader.
class ChangeReader : public arrow::RecordBatchReader {
 public:
  /// `read_fields`: the table columns read from each file. `work_schema`: those, then
  /// the three change columns; `filter` is bound to it. `output` indexes it.
  ChangeReader(LogStore& store, std::vector<std::string> partition_columns,
               std::vector<ChangeFeed::Commit> commits, arrow::FieldVector read_fields,
               std::shared_ptr<arrow::Schema> work_schema, std::vector<int> output,
               std::optional<arrow::compute::Expression> filter,
               const ChangeFeedOptions& options)
      : store_(store),
        partition_columns_(std::move(partition_columns)),
        commits_(std::move(commits)),
        read_fields_(std::move(read_fields)),
        work_schema_(std::move(work_schema)),
        output_(std::move(output)),
        filter_(std::move(filter)),
        batch_size_(options.batch_size),
        metrics_(options.metrics) {
    arrow::FieldVector fields;
    for (int index : output_) fields.push_back(work_schema_->field(index));
    output_schema_ = arrow::schema(std::move(fields));
  }

  std::shared_ptr<arrow::Schema> schema() const override { return output_schema_; }

  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    while (true) {
      if (current_) {
        std::shared_ptr<arrow::RecordBatch> batch;
        ARROW_RETURN_NOT_OK(current_->ReadNext(&batch));
        if (batch) {
          if (metrics_) metrics_->rows_read += batch->num_rows();
          ARROW_ASSIGN_OR_RAISE(auto work, ToWork(*batch));
          ARROW_ASSIGN_OR_RAISE(work, Filter(std::move(work)));
          // A batch the selection or the filter emptied is not worth a round trip.
          if (work->num_rows() == 0) continue;
          if (metrics_) metrics_->rows_returned += work->num_rows();
          *out = Project(*work);
          return arrow::Status::OK();
        }
        current_.reset();
      }
      if (!NextFile()) {
        *out = nullptr;
        return arrow::Status::OK();
      }
      ARROW_RETURN_NOT_OK(OpenCurrent());
    }
  }

 private:
  const ChangeFeed::Commit& commit() const { return commits_[commit_idx_]; }
  const ChangeFile& file() const { return commit().files[file_idx_]; }

  // Moves to the next file to read; false at the end.
  bool NextFile() {
    if (started_) ++file_idx_;
    started_ = true;
    while (commit_idx_ < commits_.size() && file_idx_ >= commit().files.size()) {
      ++commit_idx_;
      file_idx_ = 0;
    }
    return commit_idx_ < commits_.size();
  }

  arrow::Status OpenCurrent() {
    const ChangeFile& change = file();
    selection_ = RowSelection{};
    if (change.only_rows_deleted_by) {
      ARROW_ASSIGN_OR_RAISE(selection_.only,
                            LoadDeletionVector(store_, *change.only_rows_deleted_by));
    }
    if (change.except_rows_deleted_by) {
      ARROW_ASSIGN_OR_RAISE(selection_.except,
                            LoadDeletionVector(store_, *change.except_rows_deleted_by));
    }
    arrow::FieldVector fields = read_fields_;
    // A cdc file says each row's change type in its own column.
    if (change.from_cdc()) fields.push_back(work_schema_->field(read_fields_.size()));
    if (metrics_) {
      ++metrics_->files_read;
      metrics_->bytes_read += change.file.size;
    }
    row_offset_ = 0;
    DataFileReadOptions read_options;
    read_options.batch_size = batch_size_;
    ARROW_ASSIGN_OR_RAISE(current_, OpenDataFile(store_, arrow::schema(std::move(fields)),
                                                 partition_columns_, change.file,
                                                 read_options));
    return arrow::Status::OK();
  }

  // The batch's selected rows as a batch of work_schema_.
  arrow::Result<std::shared_ptr<arrow::RecordBatch>> ToWork(
      const arrow::RecordBatch& batch) {
    const ChangeFile& change = file();
    ARROW_ASSIGN_OR_RAISE(auto mask, selection_.Mask(row_offset_, batch.num_rows()));
    row_offset_ += batch.num_rows();
    std::shared_ptr<arrow::RecordBatch> selected =
        arrow::RecordBatch::Make(batch.schema(), batch.num_rows(), batch.columns());
    if (mask) {
      ARROW_ASSIGN_OR_RAISE(auto filtered, arrow::compute::Filter(selected, mask));
      selected = filtered.record_batch();
    }
    const int64_t rows = selected->num_rows();
    std::vector<std::shared_ptr<arrow::Array>> columns(
        selected->columns().begin(), selected->columns().begin() + read_fields_.size());
    if (change.from_cdc()) {
      columns.push_back(selected->column(static_cast<int>(read_fields_.size())));
    } else {
      ARROW_ASSIGN_OR_RAISE(
          auto type,
          arrow::MakeArrayFromScalar(arrow::StringScalar(change.change_type), rows));
      columns.push_back(std::move(type));
    }
    ARROW_ASSIGN_OR_RAISE(auto version, arrow::MakeArrayFromScalar(
                                            arrow::Int64Scalar(commit().version), rows));
    columns.push_back(std::move(version));
    const auto& ts_type = work_schema_->field(work_schema_->num_fields() - 1)->type();
    ARROW_ASSIGN_OR_RAISE(
        auto ts,
        arrow::MakeArrayFromScalar(
            arrow::TimestampScalar(commit().timestamp_ms * 1000, ts_type), rows));
    columns.push_back(std::move(ts));
    return arrow::RecordBatch::Make(work_schema_, rows, std::move(columns));
  }

  arrow::Result<std::shared_ptr<arrow::RecordBatch>> Filter(
      std::shared_ptr<arrow::RecordBatch> batch) const {
    if (!filter_ || batch->num_rows() == 0) return batch;
    return FilterBatch(std::move(batch), *filter_);
  }

  std::shared_ptr<arrow::RecordBatch> Project(const arrow::RecordBatch& batch) const {
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (int index : output_) columns.push_back(batch.column(index));
    return arrow::RecordBatch::Make(output_schema_, batch.num_rows(), std::move(columns));
  }

  LogStore& store_;
  std::vector<std::string> partition_columns_;
  std::vector<ChangeFeed::Commit> commits_;
  arrow::FieldVector read_fields_;
  std::shared_ptr<arrow::Schema> work_schema_;
  std::vector<int> output_;
  std::shared_ptr<arrow::Schema> output_schema_;
  std::optional<arrow::compute::Expression> filter_;
  int64_t batch_size_;
  ChangeFeedMetrics* metrics_;

  size_t commit_idx_ = 0;
  size_t file_idx_ = 0;
  bool started_ = false;
  std::shared_ptr<arrow::RecordBatchReader> current_;  ///< the open file, if any
  RowSelection selection_;                             ///< of the open file
  int64_t row_offset_ = 0;  ///< file row index of the next batch's first row
};

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> MakeChangeReader(
    LogStore& store, std::vector<std::string> partition_columns,
    std::shared_ptr<arrow::Schema> schema, std::vector<ChangeFeed::Commit> commits,
    const ChangeFeedOptions& options) {
  // Casts and filters need the compute kernels, registered only on request.
  ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
  std::vector<std::string> output_names = options.columns;
  if (output_names.empty()) output_names = schema->field_names();
  std::set<std::string> needed;
  for (const auto& name : output_names) {
    if (schema->GetFieldIndex(name) < 0) {
      return InvalidInput("column '" + name + "' is not in the change data feed of '" +
                          store.uri() + "' (columns: " + schema->ToString() + ")");
    }
    needed.insert(name);
  }
  if (options.filter) {
    for (const auto& name : PredicateColumns(*options.filter, *schema)) {
      needed.insert(name);
    }
  }
  const int table_columns = schema->num_fields() - kChangeColumns;
  arrow::FieldVector read_fields;
  for (int idx = 0; idx < table_columns; ++idx) {
    if (needed.count(schema->field(idx)->name()))
      read_fields.push_back(schema->field(idx));
  }
  arrow::FieldVector work_fields = read_fields;
  for (int idx = table_columns; idx < schema->num_fields(); ++idx) {
    work_fields.push_back(schema->field(idx));
  }
  auto work_schema = arrow::schema(std::move(work_fields));
  std::vector<int> output;
  for (const auto& name : output_names)
    output.push_back(work_schema->GetFieldIndex(name));

  std::optional<arrow::compute::Expression> filter;
  if (options.filter) {
    auto bound = options.filter->Bind(*work_schema);
    if (!bound.ok()) {
      return InvalidInput("change data feed filter " + options.filter->ToString() +
                          " does not apply to '" + store.uri() +
                          "': " + bound.status().message());
    }
    filter = *std::move(bound);
  }
  if (options.metrics) {
    *options.metrics = ChangeFeedMetrics{};
    options.metrics->commits = static_cast<int64_t>(commits.size());
    for (const auto& commit : commits) {
      options.metrics->files += static_cast<int64_t>(commit.files.size());
    }
  }
  return std::make_shared<ChangeReader>(
      store, std::move(partition_columns), std::move(commits), std::move(read_fields),
      std::move(work_schema), std::move(output), std::move(filter), options);
}

}  // namespace deltaline::delta
