// DecodeCheckpoint(Batches): one checkpoint Parquet file (or part) -> actions in row
// order, a batch of rows at a time: straight from Parquet's column readers for the
// layouts they handle (checkpoint_leaves.cc), else through Arrow record batches
// (checkpoint_rows.cc). Only the action columns deltaline knows are read; within them
// fields are looked up by name, so missing optional fields, extra fields and reordered
// fields from other writers all decode. Everything that goes wrong is reported as a
// protocol error naming the file: checkpoint bytes come from storage and may be torn or
// corrupt.

#include <algorithm>
#include <iterator>

#include <arrow/io/memory.h>
#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/exception.h>
#include <parquet/file_reader.h>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta {
namespace {

using checkpoint_internal::DecodeBatch;
using checkpoint_internal::DecodeWithColumnReaders;

// Decoding memory is bounded so that a corrupt header claiming a huge page or row
// count fails as an error instead of exhausting memory. The floor covers any real
// checkpoint: decoding streams one batch of rows at a time.
constexpr int64_t kMinMemoryLimit = int64_t{1} << 30;
constexpr int64_t kMemoryPerFileByte = 64;
// DecodeCheckpoint keeps every action anyway; Arrow's default batch size is fine.
constexpr int64_t kWholeFileBatchRows = 64 * 1024;

class CappedMemoryPool : public arrow::ProxyMemoryPool {
 public:
  CappedMemoryPool(arrow::MemoryPool* pool, int64_t limit)
      : arrow::ProxyMemoryPool(pool), limit_(limit) {}

  using arrow::MemoryPool::Allocate;
  using arrow::MemoryPool::Reallocate;

  arrow::Status Allocate(int64_t size, int64_t alignment, uint8_t** out) override {
    ARROW_RETURN_NOT_OK(Check(size));
    return arrow::ProxyMemoryPool::Allocate(size, alignment, out);
  }

  arrow::Status Reallocate(int64_t old_size, int64_t new_size, int64_t alignment,
                           uint8_t** ptr) override {
    ARROW_RETURN_NOT_OK(Check(new_size - old_size));
    return arrow::ProxyMemoryPool::Reallocate(old_size, new_size, alignment, ptr);
  }

 private:
  arrow::Status Check(int64_t growth) const {
    if (growth > limit_ - bytes_allocated()) {
      return arrow::Status::OutOfMemory("decoding needs more than ", limit_,
                                        " bytes; the file is likely corrupt");
    }
    return arrow::Status::OK();
  }

  int64_t limit_;
};

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* out) {
  if (field.is_leaf()) out->push_back(field.column_index);
  for (const auto& child : field.children) CollectLeaves(child, out);
}

// Leaf columns of the actions we decode. commitInfo, cdc, checkpointMetadata, sidecar
// and add.partitionValues_parsed are not read: their types vary by writer and table,
// and nothing here needs them.
std::vector<int> SelectLeaves(const parquet::arrow::SchemaManifest& manifest) {
  static const std::vector<std::string> kActions = {
      "txn", "add", "remove", "metaData", "protocol", "domainMetadata"};
  std::vector<int> leaves;
  for (const auto& top : manifest.schema_fields) {
    const std::string& name = top.field->name();
    if (std::find(kActions.begin(), kActions.end(), name) == kActions.end()) continue;
    if (name != "add") {
      CollectLeaves(top, &leaves);
      continue;
    }
    if (top.is_leaf()) leaves.push_back(top.column_index);  // fails later: not a struct
    for (const auto& child : top.children) {
      if (child.field->name() != "partitionValues_parsed") CollectLeaves(child, &leaves);
    }
  }
  return leaves;
}

// Decodes batch by batch and hands each batch to `consume`: with Parquet's column
// readers when the layout allows, else through Arrow record batches. An error from
// `consume` is stored in `*consumer_status` so the caller can return it unchanged
// instead of as a decoding error.
arrow::Status DecodeParquet(std::shared_ptr<arrow::Buffer> bytes, int64_t batch_rows,
                            const CheckpointBatchConsumer& consume,
                            bool allow_column_readers, bool* used_column_readers,
                            arrow::Status* consumer_status) {
  const int64_t limit = std::max(kMinMemoryLimit, bytes->size() * kMemoryPerFileByte);
  // Declared first so that it outlives every buffer the readers allocate from it. The
  // system allocator rather than the default pool: decoding is a short burst of
  // allocations freed at the end, and the default pool (jemalloc or mimalloc in
  // Arrow's builds) would keep its arenas resident for the rest of the process.
  CappedMemoryPool pool(arrow::system_memory_pool(), limit);
  auto input = std::make_shared<arrow::io::BufferReader>(std::move(bytes));
  // Page CRCs are optional in Parquet; where a writer (deltaline, parquet-mr 1.12+)
  // recorded them, checking turns a torn page into an error instead of wrong values.
  parquet::ReaderProperties props(&pool);
  props.set_page_checksum_verification(true);
  std::unique_ptr<parquet::ParquetFileReader> file =
      parquet::ParquetFileReader::Open(input, props);
  *used_column_readers = false;
  if (allow_column_readers) {
    auto taken = DecodeWithColumnReaders(*file, batch_rows, consume, consumer_status);
    // It fails only once it has taken the file: its error is the answer.
    *used_column_readers = !taken.ok() || *taken;
    if (*used_column_readers) return taken.status();
  }
  parquet::ArrowReaderProperties arrow_props;
  arrow_props.set_batch_size(batch_rows);
  ARROW_ASSIGN_OR_RAISE(
      auto reader, parquet::arrow::FileReader::Make(&pool, std::move(file), arrow_props));
  std::vector<int> leaves = SelectLeaves(reader->manifest());
  if (leaves.empty()) return arrow::Status::OK();  // no action columns: no actions
  std::vector<int> row_groups(static_cast<size_t>(reader->num_row_groups()));
  for (size_t group_idx = 0; group_idx < row_groups.size(); ++group_idx) {
    row_groups[group_idx] = static_cast<int>(group_idx);
  }
  ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader(row_groups, leaves));
  std::vector<Action> actions;
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(batches->ReadNext(&batch));
    if (batch == nullptr) break;
    // Corrupt pages can decode into arrays with bad offsets; check before indexing.
    ARROW_RETURN_NOT_OK(batch->ValidateFull());
    actions.clear();
    ARROW_RETURN_NOT_OK(DecodeBatch(*batch, &actions));
    // The actions own copies of every value: free the batch before the consumer
    // grows its state, so peak memory holds one of the two, not both.
    batch.reset();
    *consumer_status = consume(actions);
    if (!consumer_status->ok()) return *consumer_status;
  }
  return arrow::Status::OK();
}

}  // namespace

namespace checkpoint_internal {

arrow::Status DecodeCheckpointWith(std::shared_ptr<arrow::Buffer> bytes,
                                   std::string_view source,
                                   const CheckpointBatchConsumer& consume,
                                   int64_t batch_rows, bool allow_column_readers,
                                   bool* used_column_readers) {
  if (bytes == nullptr) {
    return ProtocolError(std::string(source) + ": no checkpoint bytes");
  }
  arrow::Status consumer_status;
  arrow::Status status;
  bool used = false;
  try {
    status = DecodeParquet(std::move(bytes), std::max<int64_t>(1, batch_rows), consume,
                           allow_column_readers, &used, &consumer_status);
  } catch (const std::exception& e) {
    // The Arrow API reports through Status, but Thrift/parquet internals can still
    // throw on corrupt metadata.
    status = arrow::Status::IOError(e.what());
  } catch (...) {
    status = arrow::Status::UnknownError("unknown exception");
  }
  if (used_column_readers != nullptr) *used_column_readers = used;
  if (!consumer_status.ok()) return consumer_status;
  if (!status.ok()) {
    return ProtocolError(std::string(source) +
                         ": unreadable checkpoint: " + status.message());
  }
  return arrow::Status::OK();
}

}  // namespace checkpoint_internal

arrow::Status DecodeCheckpointBatches(std::shared_ptr<arrow::Buffer> bytes,
                                      std::string_view source,
                                      const CheckpointBatchConsumer& consume,
                                      int64_t batch_rows) {
  return checkpoint_internal::DecodeCheckpointWith(
      std::move(bytes), source, consume, batch_rows,
      /*allow_column_readers=*/true, nullptr);
}

arrow::Result<std::vector<Action>> DecodeCheckpoint(std::shared_ptr<arrow::Buffer> bytes,
                                                    std::string_view source) {
  std::vector<Action> actions;
  ARROW_RETURN_NOT_OK(DecodeCheckpointBatches(
      std::move(bytes), source,
      [&](std::vector<Action>& batch) {
        actions.insert(actions.end(), std::make_move_iterator(batch.begin()),
                       std::make_move_iterator(batch.end()));
        return arrow::Status::OK();
      },
      kWholeFileBatchRows));
  return actions;
}

}  // namespace deltaline::delta
