#include "engine/delta_dataset.h"

#include <algorithm>

#include <arrow/compute/api.h>
#include <arrow/dataset/scanner.h>
#include <arrow/util/async_generator.h>
#include <arrow/util/iterator.h>
#include <arrow/util/thread_pool.h>

#include "delta/base/errors.h"
#include "delta/predicate/skipping.h"
#include "delta/scan/data_file_reader.h"
#include "delta/table/column_mapping.h"
#include "delta/table/partition_path.h"
#include "engine/io_counting.h"

namespace deltaline::engine {

namespace cp = arrow::compute;
namespace ds = arrow::dataset;

DeltaScanCounts DeltaScanMetrics::counts() const {
  return {files_considered.load(),
          files_skipped_by_partition.load(),
          files_skipped_by_stats.load(),
          files_read.load(),
          bytes_read.load(),
          rows_read.load(),
          batches_read.load()};
}

/// What every fragment of one dataset shares.
struct DeltaDataset::State {
  std::shared_ptr<const delta::Snapshot> snapshot;
  /// Reads data files through a filesystem that counts into metrics->bytes_read.
  std::shared_ptr<delta::LogStore> store;
  std::shared_ptr<arrow::Schema> table_schema;  ///< with the storage field metadata
  std::shared_ptr<arrow::Schema> schema;        ///< the dataset's: without it
  delta::ColumnMapping column_mapping = delta::ColumnMapping::kNone;
  std::shared_ptr<DeltaScanMetrics> metrics;
};

namespace {

// A fragment's batches are decoded on the IO pool; this many may wait per fragment,
// whatever batch_readahead asks, so memory stays bounded by fragment_readahead × this.
constexpr int kMaxQueuedBatchesPerFile = 4;

// The table columns `options` materialises, in table order (the batches' layout).
// Refs outside the table (the scan node's __fragment_index etc.) need no reading.
arrow::Result<std::shared_ptr<arrow::Schema>> ColumnsToRead(
    const DeltaDataset::State& state, const ds::ScanOptions& options) {
  std::vector<bool> wanted(state.schema->num_fields(), false);
  for (const auto& ref : options.MaterializedFields()) {
    auto path = ref.FindOneOrNone(*state.schema);
    if (!path.ok()) return state.table_schema;  // ambiguous: read everything
    if (path->empty()) continue;
    wanted[path->indices()[0]] = true;
  }
  arrow::FieldVector fields;
  for (int i = 0; i < state.schema->num_fields(); ++i) {
    if (wanted[i]) fields.push_back(state.table_schema->field(i));
  }
  return arrow::schema(std::move(fields));
}

class DeltaFileFragment : public ds::Fragment {
 public:
  DeltaFileFragment(std::shared_ptr<const DeltaDataset::State> state, delta::Add add,
                    cp::Expression partition)
      : ds::Fragment(std::move(partition), state->schema),
        state_(std::move(state)),
        add_(std::move(add)) {}

  std::string type_name() const override { return "delta"; }
  std::string ToString() const override { return add_.path; }

  arrow::Result<ds::RecordBatchGenerator> ScanBatchesAsync(
      const std::shared_ptr<ds::ScanOptions>& options) override {
    ARROW_ASSIGN_OR_RAISE(auto columns, ColumnsToRead(*state_, *options));
    // The file is opened on the IO pool by the first pull, not here, so that opening
    // (footer, deletion vector) overlaps with other fragments' reads too.
    auto batches = MakeBatches(std::move(columns), options->batch_size);
    const int max_q = std::clamp(options->batch_readahead, 1, kMaxQueuedBatchesPerFile);
    ARROW_ASSIGN_OR_RAISE(
        auto background,
        arrow::MakeBackgroundGenerator(std::move(batches), options->io_context.executor(),
                                       max_q, /*q_restart=*/std::max(1, max_q / 2)));
    arrow::internal::Executor* cpu = options->cpu_executor
                                         ? options->cpu_executor
                                         : arrow::internal::GetCpuThreadPool();
    return arrow::MakeTransferredGenerator(std::move(background), cpu);
  }

 protected:
  arrow::Result<std::shared_ptr<arrow::Schema>> ReadPhysicalSchemaImpl() override {
    return state_->schema;
  }

 private:
  arrow::Iterator<std::shared_ptr<arrow::RecordBatch>> MakeBatches(
      std::shared_ptr<arrow::Schema> columns, int64_t batch_size) const {
    struct Reading {
      std::shared_ptr<const DeltaDataset::State> state;
      delta::Add add;
      std::shared_ptr<arrow::Schema> columns;
      int64_t batch_size;
      std::shared_ptr<arrow::RecordBatchReader> reader;
      bool done = false;  ///< the file is read: never reopen it
    };
    auto reading = std::make_shared<Reading>(
        Reading{state_, add_, std::move(columns), batch_size, nullptr, false});
    return arrow::MakeFunctionIterator(
        [reading]() -> arrow::Result<std::shared_ptr<arrow::RecordBatch>> {
          const auto& state = *reading->state;
          if (reading->done) return nullptr;
          if (!reading->reader) {
            state.metrics->files_read += 1;
            ARROW_ASSIGN_OR_RAISE(
                reading->reader,
                delta::OpenDataFile(*state.store, reading->columns,
                                    state.snapshot->partition_columns(), reading->add,
                                    {.batch_size = reading->batch_size,
                                     .column_mapping = state.column_mapping,
                                     .row_tracking = std::nullopt,
                                     // Runs on the IO pool (see ScanBatchesAsync): a
                                     // table of few files still uses every core.
                                     .use_threads = true}));
          }
          std::shared_ptr<arrow::RecordBatch> batch;
          ARROW_RETURN_NOT_OK(reading->reader->ReadNext(&batch));
          if (batch) {
            state.metrics->rows_read += batch->num_rows();
            state.metrics->batches_read += 1;
          } else {
            reading->reader.reset();  // let go of the file now
            reading->done = true;
          }
          return batch;
        });
  }

  std::shared_ptr<const DeltaDataset::State> state_;
  delta::Add add_;
};

// The file's partition values as facts the scan node and filters can use.
arrow::Result<cp::Expression> PartitionExpression(const DeltaDataset::State& state,
                                                  const delta::Add& add) {
  std::vector<cp::Expression> facts;
  for (const auto& name : state.snapshot->partition_columns()) {
    auto field = state.table_schema->GetFieldByName(name);
    if (!field) continue;  // the log validates this; the reader reports it
    ARROW_ASSIGN_OR_RAISE(
        auto value,
        delta::PartitionValueOf(add.partition_values,
                                delta::PhysicalName(*field, state.column_mapping),
                                field->type()));
    // No `is_null` fact for a null value: the scan node would fill the column from
    // it with a scalar of type null instead of the column's type.
    if (value->is_valid)
      facts.push_back(cp::equal(cp::field_ref(name), cp::literal(value)));
  }
  if (facts.empty()) return cp::literal(true);
  return cp::and_(std::move(facts)).Bind(*state.schema);
}

}  // namespace

DeltaDataset::DeltaDataset(std::shared_ptr<delta::LogStore> store,
                           std::shared_ptr<const delta::Snapshot> snapshot,
                           std::shared_ptr<DeltaScanMetrics> metrics)
    : ds::Dataset(delta::WithoutStorageMetadata(*snapshot->schema())),
      snapshot_(std::move(snapshot)),
      metrics_(metrics ? std::move(metrics) : std::make_shared<DeltaScanMetrics>()) {
  auto state = std::make_shared<State>();
  state->snapshot = snapshot_;
  state->store = MakeIoCountingStore(
      std::move(store),
      std::shared_ptr<std::atomic<int64_t>>(metrics_, &metrics_->bytes_read));
  state->table_schema = snapshot_->schema();
  state->schema = schema_;
  state->column_mapping =
      delta::ColumnMappingOf(snapshot_->protocol(), snapshot_->metadata());
  state->metrics = metrics_;
  state_ = std::move(state);
}

const std::string& DeltaDataset::uri() const { return state_->store->uri(); }

arrow::Result<std::shared_ptr<ds::Dataset>> DeltaDataset::ReplaceSchema(
    std::shared_ptr<arrow::Schema>) const {
  return delta::UnsupportedFeature(
      "ReplaceSchema", "the schema of the Delta table '" + uri() +
                           "' is its snapshot's; it cannot be replaced on a scan");
}

arrow::Result<ds::FragmentIterator> DeltaDataset::GetFragmentsImpl(
    cp::Expression predicate) {
  ARROW_RETURN_NOT_OK(cp::Initialize());
  std::vector<delta::Add> files = snapshot_->files();
  metrics_->files_considered += static_cast<int64_t>(files.size());
  std::unique_ptr<delta::FilePruner> pruner;
  if (predicate != cp::literal(true)) {
    ARROW_ASSIGN_OR_RAISE(pruner, delta::FilePruner::Make(predicate, state_->table_schema,
                                                          snapshot_->partition_columns(),
                                                          state_->column_mapping));
  }
  ds::FragmentVector fragments;
  for (auto& add : files) {
    if (pruner) {
      ARROW_ASSIGN_OR_RAISE(auto verdict, pruner->Evaluate(add));
      if (verdict.match == delta::FileMatch::kNone) {
        auto& skipped = verdict.reason == delta::SkipReason::kPartition
                            ? metrics_->files_skipped_by_partition
                            : metrics_->files_skipped_by_stats;
        skipped += 1;
        continue;
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto partition, PartitionExpression(*state_, add));
    fragments.push_back(std::make_shared<DeltaFileFragment>(state_, std::move(add),
                                                            std::move(partition)));
  }
  return arrow::MakeVectorIterator(std::move(fragments));
}

}  // namespace deltaline::engine
