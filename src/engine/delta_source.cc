#include "engine/delta_source.h"

#include <arrow/acero/options.h>

#include "delta/scan/scan.h"

namespace deltaline::engine {
namespace {

// Keeps the table (and its log store, which the scan reads through) alive for as long
// as the plan holds the reader.
class PinnedReader : public arrow::RecordBatchReader {
 public:
  PinnedReader(std::shared_ptr<DeltaTableHandle> table,
               std::shared_ptr<arrow::RecordBatchReader> inner)
      : table_(std::move(table)), inner_(std::move(inner)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return inner_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    return inner_->ReadNext(batch);
  }
  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::shared_ptr<DeltaTableHandle> table_;
  std::shared_ptr<arrow::RecordBatchReader> inner_;
};

}  // namespace

arrow::Result<std::shared_ptr<DeltaTableHandle>> OpenDeltaTable(
    const std::string& uri, const DeltaVersionSpec& at) {
  auto table = std::make_shared<DeltaTableHandle>();
  table->uri = uri;
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  table->store = std::move(store);
  delta::SnapshotRequest request;
  request.version = at.version;
  request.timestamp_ms = at.timestamp_ms;
  ARROW_ASSIGN_OR_RAISE(table->snapshot, delta::Snapshot::Load(*table->store, request));
  return table;
}

arrow::Result<arrow::acero::Declaration> DeltaSourceDeclaration(
    std::shared_ptr<DeltaTableHandle> table) {
  ARROW_ASSIGN_OR_RAISE(auto inner,
                        delta::ScanSnapshot(*table->store, table->snapshot, {}));
  auto reader = std::make_shared<PinnedReader>(table, std::move(inner));
  return arrow::acero::Declaration(
      "record_batch_reader_source",
      arrow::acero::RecordBatchReaderSourceNodeOptions(std::move(reader)));
}

}  // namespace deltaline::engine
