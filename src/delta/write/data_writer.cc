#include "delta/write/data_writer.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <random>
#include <utility>

#include <arrow/io/interfaces.h>
#include <arrow/util/byte_size.h>
#include <parquet/arrow/schema.h>
#include <parquet/arrow/writer.h>
#include <parquet/file_writer.h>
#include <parquet/schema.h>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/uuid.h"
#include "delta/write/stats.h"

namespace deltaline::delta {
namespace {

// A large batch is written in slices of about target/8, so a file overshoots its
// target by at most about one slice.
constexpr int64_t kSlicesPerFile = 8;
constexpr int64_t kMinSliceBytes = 1 << 10;

// Spark's codec infixes: part-…-c000.snappy.parquet, none when uncompressed.
std::string CodecInfix(arrow::Compression::type codec) {
  switch (codec) {
    case arrow::Compression::UNCOMPRESSED:
      return "";
    case arrow::Compression::SNAPPY:
      return ".snappy";
    case arrow::Compression::GZIP:
      return ".gz";
    case arrow::Compression::BROTLI:
      return ".br";
    case arrow::Compression::ZSTD:
      return ".zstd";
    case arrow::Compression::LZ4:
    case arrow::Compression::LZ4_FRAME:
      return ".lz4";
    case arrow::Compression::LZ4_HADOOP:
      return ".lz4raw";
    default:
      return "";
  }
}

// Where the writer can see the row group Parquet is buffering in memory. The Arrow
// FileWriter does not expose it, and without it the file size is only a guess.
struct RowGroupTap {
  parquet::RowGroupWriter* current = nullptr;  // owned by the Parquet file writer
};

// Passes everything through to the real Parquet file serializer, noting each new row
// group in the tap (and clearing it once the file closes and the row group dies).
class TappedContents : public parquet::ParquetFileWriter::Contents {
 public:
  TappedContents(std::unique_ptr<parquet::ParquetFileWriter> inner,
                 std::shared_ptr<parquet::schema::GroupNode> schema_root,
                 std::shared_ptr<RowGroupTap> tap)
      : Contents(std::move(schema_root), inner->key_value_metadata()),
        inner_(std::move(inner)),
        tap_(std::move(tap)) {}
  ~TappedContents() override { tap_->current = nullptr; }

  void Close() override {
    tap_->current = nullptr;
    inner_->Close();
    file_metadata_ = inner_->metadata();
  }
  parquet::RowGroupWriter* AppendRowGroup() override {
    tap_->current = nullptr;
    tap_->current = inner_->AppendRowGroup();
    return tap_->current;
  }
  parquet::RowGroupWriter* AppendBufferedRowGroup() override {
    tap_->current = nullptr;
    tap_->current = inner_->AppendBufferedRowGroup();
    return tap_->current;
  }
  int64_t num_rows() const override { return inner_->num_rows(); }
  int num_columns() const override { return inner_->num_columns(); }
  int num_row_groups() const override { return inner_->num_row_groups(); }
  const std::shared_ptr<parquet::WriterProperties>& properties() const override {
    return inner_->properties();
  }
  void AddKeyValueMetadata(
      const std::shared_ptr<const arrow::KeyValueMetadata>& key_value_metadata) override {
    inner_->AddKeyValueMetadata(key_value_metadata);
    key_value_metadata_ = inner_->key_value_metadata();
  }

 private:
  std::unique_ptr<parquet::ParquetFileWriter> inner_;
  std::shared_ptr<RowGroupTap> tap_;
};

struct RowGroupSize {
  int64_t in_memory = 0;  // what the buffered row group holds now
  int64_t on_disk = 0;    // what it will likely take once flushed
};

// Finished pages are already compressed; values not yet cut into a page (up to a data
// page per column, which can dwarf a small target) are scaled by the compression
// ratio seen so far in this row group, else by `fallback_ratio`.
RowGroupSize MeasureRowGroup(parquet::RowGroupWriter* row_group, double fallback_ratio) {
  RowGroupSize size;
  if (row_group == nullptr) return size;
  const parquet::RowGroupWriter::BufferedStats pending =
      row_group->estimated_buffered_stats();
  const int64_t paged =
      row_group->total_compressed_bytes() + row_group->total_compressed_bytes_written();
  const int64_t unpaged = pending.def_level_bytes + pending.rep_level_bytes +
                          pending.value_bytes + pending.dict_bytes;
  const int64_t paged_raw = row_group->total_bytes_written();
  const double ratio =
      paged_raw > 0
          ? static_cast<double>(row_group->total_compressed_bytes_written()) / paged_raw
          : fallback_ratio;
  size.in_memory = paged + unpaged;
  size.on_disk = paged + static_cast<int64_t>(static_cast<double>(unpaged) * ratio);
  return size;
}

// Compressed / uncompressed size of a finished file's column chunks.
double CompressionRatio(const parquet::FileMetaData& metadata) {
  int64_t compressed = 0;
  int64_t raw = 0;
  for (int rg_idx = 0; rg_idx < metadata.num_row_groups(); ++rg_idx) {
    auto row_group = metadata.RowGroup(rg_idx);
    compressed += row_group->total_compressed_size();
    raw += row_group->total_byte_size();
  }
  if (compressed <= 0 || raw <= 0) return 1.0;
  return std::min(1.0, static_cast<double>(compressed) / static_cast<double>(raw));
}

}  // namespace

std::shared_ptr<parquet::WriterProperties> DefaultDataWriterProperties() {
  return parquet::WriterProperties::Builder()
      .compression(arrow::Compression::ZSTD)
      ->enable_dictionary()
      ->enable_statistics()
      ->max_row_group_length(1 << 20)
      ->data_pagesize(1 << 20)
      ->build();
}

class DataFileWriter::Impl {
 public:
  Impl(std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
       std::shared_ptr<arrow::Schema> schema, DataWriterOptions options,
       std::shared_ptr<parquet::ArrowWriterProperties> arrow_properties)
      : fs_(std::move(fs)),
        root_(std::move(root)),
        schema_(std::move(schema)),
        options_(std::move(options)),
        arrow_properties_(std::move(arrow_properties)) {
    codec_infix_ =
        CodecInfix(options_.writer_properties->default_column_properties().compression());
  }

  ~Impl() {
    // Abandoned mid-file: abort so that no half-written object is published (S3).
    if (open_) (void)open_->sink->Abort();
  }

  arrow::Status Write(const arrow::RecordBatch& batch) {
    ARROW_RETURN_NOT_OK(CheckUsable());
    if (!batch.schema()->Equals(*schema_, /*check_metadata=*/false)) {
      return SchemaMismatch("data writer: batch schema " + batch.schema()->ToString() +
                            " differs from the writer's " + schema_->ToString());
    }
    if (batch.num_rows() == 0) return arrow::Status::OK();
    arrow::Status st = WriteSlices(batch);
    if (!st.ok()) failed_ = true;
    return st;
  }

  arrow::Result<std::vector<Add>> Finish() {
    ARROW_RETURN_NOT_OK(CheckUsable());
    finished_ = true;
    if (open_) {
      arrow::Status st = CloseFile();
      if (!st.ok()) {
        failed_ = true;
        return st;
      }
    }
    return std::move(adds_);
  }

  const std::vector<std::string>& written_paths() const { return written_paths_; }

 private:
  struct OpenFile {
    std::string relative_path;
    std::shared_ptr<arrow::io::OutputStream> sink;
    std::unique_ptr<parquet::arrow::FileWriter> writer;
    std::shared_ptr<RowGroupTap> tap;
    std::vector<bool> leaf_has_nan;
    // Set once the buffered row group is big enough; acted on at the next write, so
    // that a file never ends with an empty row group.
    bool flush_row_group = false;
  };

  arrow::Status CheckUsable() const {
    if (failed_) return arrow::Status::Invalid("data writer: an earlier call failed");
    if (finished_) return arrow::Status::Invalid("data writer: already finished");
    return arrow::Status::OK();
  }

  arrow::Status WriteSlices(const arrow::RecordBatch& batch) {
    ARROW_ASSIGN_OR_RAISE(int64_t batch_bytes, arrow::util::ReferencedBufferSize(batch));
    const int64_t bytes_per_row = std::max<int64_t>(1, batch_bytes / batch.num_rows());
    const int64_t slice_bytes =
        std::clamp(options_.target_file_size / kSlicesPerFile, kMinSliceBytes,
                   std::max(kMinSliceBytes, options_.max_row_group_bytes));
    const int64_t slice_rows = std::max<int64_t>(1, slice_bytes / bytes_per_row);
    for (int64_t offset = 0; offset < batch.num_rows(); offset += slice_rows) {
      ARROW_RETURN_NOT_OK(WriteSlice(*batch.Slice(offset, slice_rows)));
    }
    return arrow::Status::OK();
  }

  arrow::Status WriteSlice(const arrow::RecordBatch& slice) {
    if (!open_) ARROW_RETURN_NOT_OK(OpenNextFile());
    if (open_->flush_row_group) {
      ARROW_RETURN_NOT_OK(open_->writer->NewBufferedRowGroup());
      open_->flush_row_group = false;
    }
    ARROW_RETURN_NOT_OK(MarkNanLeaves(slice, &open_->leaf_has_nan));
    ARROW_RETURN_NOT_OK(open_->writer->WriteRecordBatch(slice));

    ARROW_ASSIGN_OR_RAISE(int64_t flushed, open_->sink->Tell());
    RowGroupSize buffered;
    try {
      buffered = MeasureRowGroup(open_->tap->current, compression_ratio_);
    } catch (const std::exception& e) {
      return arrow::Status::IOError("data writer: ", e.what());
    }
    if (flushed + buffered.on_disk >= options_.target_file_size) return CloseFile();
    if (buffered.in_memory >= options_.max_row_group_bytes) open_->flush_row_group = true;
    return arrow::Status::OK();
  }

  arrow::Status OpenNextFile() {
    char index[16];
    std::snprintf(index, sizeof(index), "%05d", file_index_++);
    auto file = std::make_unique<OpenFile>();
    file->relative_path = "part-" + std::string(index) + "-" + NewUuid() + "-c000" +
                          codec_infix_ + ".parquet";
    std::shared_ptr<parquet::SchemaDescriptor> descriptor;
    ARROW_RETURN_NOT_OK(parquet::arrow::ToParquetSchema(
        schema_.get(), *options_.writer_properties, *arrow_properties_, &descriptor));
    auto root =
        std::static_pointer_cast<parquet::schema::GroupNode>(descriptor->schema_root());
    ARROW_ASSIGN_OR_RAISE(file->sink,
                          fs_->OpenOutputStream(root_ + "/" + file->relative_path));
    written_paths_.push_back(file->relative_path);
    file->tap = std::make_shared<RowGroupTap>();
    auto tapped = std::make_unique<parquet::ParquetFileWriter>();
    try {
      // Writes the leading magic bytes, so it can fail on IO.
      auto inner =
          parquet::ParquetFileWriter::Open(file->sink, root, options_.writer_properties);
      tapped->Open(std::make_unique<TappedContents>(std::move(inner), root, file->tap));
    } catch (const std::exception& e) {
      (void)file->sink->Abort();
      return arrow::Status::IOError("data writer: cannot start ", file->relative_path,
                                    ": ", e.what());
    }
    arrow::Status st =
        parquet::arrow::FileWriter::Make(arrow::default_memory_pool(), std::move(tapped),
                                         schema_, arrow_properties_, &file->writer);
    if (!st.ok()) {
      (void)file->sink->Abort();
      return st;
    }
    open_ = std::move(file);
    return arrow::Status::OK();
  }

  arrow::Status CloseFile() {
    std::unique_ptr<OpenFile> file = std::move(open_);
    if (arrow::Status st = file->writer->Close(); !st.ok()) {
      // Without abort, some streams (S3) publish whatever they hold on destruction.
      (void)file->sink->Abort();
      return st;
    }
    int64_t size = 0;
    if (!file->sink->closed()) {
      ARROW_ASSIGN_OR_RAISE(size, file->sink->Tell());
      ARROW_RETURN_NOT_OK(file->sink->Close());
    } else {
      ARROW_ASSIGN_OR_RAISE(auto info,
                            fs_->GetFileInfo(root_ + "/" + file->relative_path));
      size = info.size();
    }
    std::shared_ptr<parquet::FileMetaData> metadata = file->writer->metadata();
    if (metadata == nullptr) {
      return arrow::Status::IOError("data writer: no footer for ", file->relative_path);
    }
    try {
      compression_ratio_ = CompressionRatio(*metadata);
    } catch (const std::exception& e) {
      return arrow::Status::IOError("data writer: ", e.what());
    }
    Add add;
    add.path = file->relative_path;  // plain ASCII name: URI-encoding leaves it as is
    add.size = size;
    add.modification_time = NowMs();
    add.data_change = true;
    ARROW_ASSIGN_OR_RAISE(
        add.stats,
        StatsJsonFromParquet(*metadata, *schema_, options_.stats, file->leaf_has_nan));
    adds_.push_back(std::move(add));
    return arrow::Status::OK();
  }

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string root_;
  std::shared_ptr<arrow::Schema> schema_;
  DataWriterOptions options_;
  std::shared_ptr<parquet::ArrowWriterProperties> arrow_properties_;
  std::string codec_infix_;
  // Learnt from the last finished file; 1 (no compression) until then, so the first
  // file errs on the small side.
  double compression_ratio_ = 1.0;
  int file_index_ = 0;
  std::unique_ptr<OpenFile> open_;
  std::vector<std::string> written_paths_;
  std::vector<Add> adds_;
  bool failed_ = false;
  bool finished_ = false;
};

std::shared_ptr<parquet::ArrowWriterProperties> DataFileArrowWriterProperties() {
  // Delta timestamps are INT64 microseconds; Spark misreads nanoseconds and INT96 is
  // legacy. Time zone-aware timestamps get isAdjustedToUTC=true, naive ones false.
  // Columns of a row group are encoded in parallel: compression dominates the cost.
  return parquet::ArrowWriterProperties::Builder()
      .coerce_timestamps(arrow::TimeUnit::MICRO)
      ->disallow_truncated_timestamps()
      ->disable_deprecated_int96_timestamps()
      ->enable_compliant_nested_types()
      ->set_use_threads(true)
      ->build();
}

arrow::Result<std::unique_ptr<DataFileWriter>> DataFileWriter::Make(
    std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
    std::shared_ptr<arrow::Schema> schema, DataWriterOptions options) {
  if (fs == nullptr || schema == nullptr) {
    return arrow::Status::Invalid("data writer: file system and schema are required");
  }
  if (options.target_file_size <= 0 || options.max_row_group_bytes <= 0) {
    return InvalidInput(
        "data writer: target_file_size and max_row_group_bytes must be > 0");
  }
  while (!root.empty() && root.back() == '/') root.pop_back();
  if (options.writer_properties == nullptr) {
    options.writer_properties = DefaultDataWriterProperties();
  }
  auto arrow_properties = DataFileArrowWriterProperties();
  // Refuse a schema Parquet cannot hold now, not at the first batch.
  std::shared_ptr<parquet::SchemaDescriptor> descriptor;
  ARROW_RETURN_NOT_OK(parquet::arrow::ToParquetSchema(
      schema.get(), *options.writer_properties, *arrow_properties, &descriptor));
  auto impl = std::make_unique<Impl>(std::move(fs), std::move(root), std::move(schema),
                                     std::move(options), std::move(arrow_properties));
  return std::unique_ptr<DataFileWriter>(new DataFileWriter(std::move(impl)));
}

DataFileWriter::DataFileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DataFileWriter::~DataFileWriter() = default;

arrow::Status DataFileWriter::Write(const arrow::RecordBatch& batch) {
  return impl_->Write(batch);
}

arrow::Result<std::vector<Add>> DataFileWriter::Finish() { return impl_->Finish(); }

const std::vector<std::string>& DataFileWriter::written_paths() const {
  return impl_->written_paths();
}

}  // namespace deltaline::delta
