#pragma once

#include <functional>
#include <memory>
#include <utility>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <nanobind/nanobind.h>

namespace deltaline::python {

/// \brief Opens the rows again from the start (a scan of a pinned snapshot, a query).
using StreamFactory =
    std::function<arrow::Result<std::shared_ptr<arrow::RecordBatchReader>>()>;

/// \brief Reads every row at once, in order; may read files in parallel.
using TableFactory = std::function<arrow::Result<std::shared_ptr<arrow::Table>>()>;

/// \brief An output that Python consumers may read more than once: DuckDB and Polars
/// call __arrow_c_stream__ again for each query. The factory runs without the GIL.
class Stream {
 public:
  /// `read_all`, when given, is how ReadAll reads (else it drains `open`).
  Stream(std::shared_ptr<arrow::Schema> schema, StreamFactory open,
         TableFactory read_all = nullptr)
      : schema_(std::move(schema)),
        open_(std::move(open)),
        read_all_(std::move(read_all)) {}
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  /// A new "arrow_array_stream" capsule over a new reader (GIL held on entry).
  nanobind::object Export() const;
  /// Every row read here, without the GIL, then exported as one stream capsule: a
  /// failure is the typed deltaline error, not the consumer's rewrap of it.
  nanobind::object ReadAll() const;

 private:
  std::shared_ptr<arrow::Schema> schema_;
  StreamFactory open_;
  TableFactory read_all_;
};

/// \brief A reader that keeps `owner` (a log store, a plan) alive as long as it lives.
class OwningReader : public arrow::RecordBatchReader {
 public:
  OwningReader(std::shared_ptr<arrow::RecordBatchReader> inner,
               std::shared_ptr<void> owner)
      : inner_(std::move(inner)), owner_(std::move(owner)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return inner_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    return inner_->ReadNext(batch);
  }
  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::shared_ptr<arrow::RecordBatchReader> inner_;
  std::shared_ptr<void> owner_;
};

}  // namespace deltaline::python
