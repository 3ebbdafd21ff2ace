#include "cli/io_formats.h"

#include <arrow/compute/api.h>
#include <arrow/csv/api.h>
#include <arrow/io/buffered.h>
#include <arrow/io/file.h>
#include <arrow/io/stdio.h>
#include <arrow/ipc/api.h>
#include <arrow/json/api.h>
#include <parquet/arrow/reader.h>
#include <parquet/exception.h>

#include "cli/json_values.h"
#include "delta/base/errors.h"
#include "delta/table/variant_type.h"

namespace deltaline::cli {
namespace {

using delta::InvalidInput;

bool EndsWith(const std::string& path, const char* ext) {
  std::string e(ext);
  return path.size() >= e.size() &&
         path.compare(path.size() - e.size(), e.size(), e) == 0;
}

std::optional<InputFormat> InputFormatFromExtension(const std::string& path) {
  if (EndsWith(path, ".csv")) return InputFormat::kCsv;
  if (EndsWith(path, ".jsonl") || EndsWith(path, ".ndjson") || EndsWith(path, ".json")) {
    return InputFormat::kJsonl;
  }
  if (EndsWith(path, ".arrow") || EndsWith(path, ".ipc") || EndsWith(path, ".arrows") ||
      EndsWith(path, ".feather")) {
    return InputFormat::kIpc;
  }
  if (EndsWith(path, ".parquet")) return InputFormat::kParquet;
  return std::nullopt;
}

// Keeps the parquet FileReader alive as long as the batch reader that reads it.
class ParquetInput : public arrow::RecordBatchReader {
 public:
  ParquetInput(std::unique_ptr<parquet::arrow::FileReader> file,
               std::unique_ptr<arrow::RecordBatchReader> batches)
      : file_(std::move(file)), batches_(std::move(batches)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return batches_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    return batches_->ReadNext(out);
  }

 private:
  std::unique_ptr<parquet::arrow::FileReader> file_;
  std::unique_ptr<arrow::RecordBatchReader> batches_;
};

// Text formats carry no time unit: Arrow's inference picks seconds, Delta stores
// microseconds. Widening s→us is exact, so text inputs are given Delta's unit here
// rather than asking the user for a conversion flag.
class TextTimestampsToMicros : public arrow::RecordBatchReader {
 public:
  explicit TextTimestampsToMicros(std::shared_ptr<arrow::RecordBatchReader> input)
      : input_(std::move(input)) {
    std::vector<std::shared_ptr<arrow::Field>> fields;
    for (const auto& field : input_->schema()->fields()) {
      if (field->type()->id() == arrow::Type::TIMESTAMP) {
        const auto& ts = static_cast<const arrow::TimestampType&>(*field->type());
        fields.push_back(
            field->WithType(arrow::timestamp(arrow::TimeUnit::MICRO, ts.timezone())));
      } else {
        fields.push_back(field);
      }
    }
    schema_ = arrow::schema(fields);
  }
  std::shared_ptr<arrow::Schema> schema() const override { return schema_; }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(input_->ReadNext(&batch));
    if (!batch) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    std::vector<std::shared_ptr<arrow::Array>> columns;
    for (int i = 0; i < batch->num_columns(); ++i) {
      auto column = batch->column(i);
      const auto& want = schema_->field(i)->type();
      if (!column->type()->Equals(*want)) {
        ARROW_ASSIGN_OR_RAISE(column, arrow::compute::Cast(*column, want));
      }
      columns.push_back(std::move(column));
    }
    *out = arrow::RecordBatch::Make(schema_, batch->num_rows(), std::move(columns));
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::RecordBatchReader> input_;
  std::shared_ptr<arrow::Schema> schema_;
};

// Reads an IPC file batch by batch, so memory holds one batch at a time.
class IpcFileInput : public arrow::RecordBatchReader {
 public:
  explicit IpcFileInput(std::shared_ptr<arrow::ipc::RecordBatchFileReader> file)
      : file_(std::move(file)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return file_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* out) override {
    if (next_ >= file_->num_record_batches()) {
      *out = nullptr;
      return arrow::Status::OK();
    }
    ARROW_ASSIGN_OR_RAISE(*out, file_->ReadRecordBatch(next_++));
    return arrow::Status::OK();
  }

 private:
  std::shared_ptr<arrow::ipc::RecordBatchFileReader> file_;
  int next_ = 0;
};

// The IPC file format starts with "ARROW1" and two bytes of padding, and its body is
// the stream format. A file is read through its footer (random access); standard
// input, which cannot seek, is read as the stream after the 8-byte header. Anything
// else is the stream format.
constexpr std::string_view kArrowMagic = "ARROW1";
constexpr int64_t kArrowFileHeader = 8;

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenIpc(
    std::shared_ptr<arrow::io::InputStream> stream,
    std::shared_ptr<arrow::io::RandomAccessFile> file) {
  if (file) {
    ARROW_ASSIGN_OR_RAISE(auto head, file->ReadAt(0, kArrowMagic.size()));
    if (head->ToString() == kArrowMagic) {
      ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchFileReader::Open(file));
      return std::make_shared<IpcFileInput>(std::move(reader));
    }
    ARROW_RETURN_NOT_OK(file->Seek(0));
    ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchStreamReader::Open(file));
    return reader;
  }
  ARROW_ASSIGN_OR_RAISE(auto buffered,
                        arrow::io::BufferedInputStream::Create(
                            1 << 16, arrow::default_memory_pool(), stream));
  ARROW_ASSIGN_OR_RAISE(auto head, buffered->Peek(kArrowMagic.size()));
  if (head == kArrowMagic) ARROW_RETURN_NOT_OK(buffered->Advance(kArrowFileHeader));
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchStreamReader::Open(buffered));
  return reader;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenInput(
    const std::string& path, std::optional<InputFormat> format,
    const std::shared_ptr<arrow::Schema>& types) {
  if (!format) format = InputFormatFromExtension(path);
  if (!format) {
    return InvalidInput("cannot infer the input format of '" + path +
                        "'; pass --input-format csv|jsonl|arrow|parquet");
  }
  std::shared_ptr<arrow::io::InputStream> stream;
  std::shared_ptr<arrow::io::RandomAccessFile> file;
  if (path == "-") {
    stream = std::make_shared<arrow::io::StdinStream>();
  } else {
    auto opened = arrow::io::ReadableFile::Open(path);
    if (!opened.ok()) {
      return InvalidInput("cannot open input '" + path +
                          "': " + opened.status().message());
    }
    file = *opened;
    stream = file;
  }
  auto* pool = arrow::default_memory_pool();
  if (*format == InputFormat::kCsv) {
    auto read = arrow::csv::ReadOptions::Defaults();
    read.block_size = 4 << 20;
    auto convert = arrow::csv::ConvertOptions::Defaults();
    if (types) {
      for (const auto& field : types->fields()) {
        if (!arrow::is_nested(field->type()->id())) {
          convert.column_types[field->name()] = field->type();
        }
      }
    }
    ARROW_ASSIGN_OR_RAISE(
        auto reader,
        arrow::csv::StreamingReader::Make(arrow::io::default_io_context(), stream, read,
                                          arrow::csv::ParseOptions::Defaults(), convert));
    return std::make_shared<TextTimestampsToMicros>(std::move(reader));
  }
  if (*format == InputFormat::kJsonl) {
    auto read = arrow::json::ReadOptions::Defaults();
    read.block_size = 4 << 20;
    auto parse = arrow::json::ParseOptions::Defaults();
    if (types) parse.explicit_schema = types;
    ARROW_ASSIGN_OR_RAISE(auto reader,
                          arrow::json::StreamingReader::Make(stream, read, parse));
    return std::make_shared<TextTimestampsToMicros>(std::move(reader));
  }
  if (*format == InputFormat::kIpc) return OpenIpc(stream, file);
  {
    if (!file) return InvalidInput("parquet input cannot come from standard input");
    try {
      ARROW_ASSIGN_OR_RAISE(auto reader, parquet::arrow::OpenFile(file, pool));
      ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader());
      return std::make_shared<ParquetInput>(std::move(reader), std::move(batches));
    } catch (const parquet::ParquetException& e) {
      return InvalidInput("input '" + path + "' is not valid Parquet: " + e.what());
    }
  }
}

namespace {

class WriterSink : public BatchSink {
 public:
  explicit WriterSink(std::shared_ptr<arrow::ipc::RecordBatchWriter> writer)
      : writer_(std::move(writer)) {}
  arrow::Status Write(const arrow::RecordBatch& batch) override {
    return writer_->WriteRecordBatch(batch);
  }
  arrow::Status Close() override { return writer_->Close(); }

 private:
  std::shared_ptr<arrow::ipc::RecordBatchWriter> writer_;
};

class JsonLinesSink : public BatchSink {
 public:
  explicit JsonLinesSink(std::shared_ptr<arrow::io::OutputStream> out)
      : out_(std::move(out)) {}
  arrow::Status Write(const arrow::RecordBatch& batch) override {
    std::string buffer;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      nlohmann::json line = nlohmann::json::object();
      for (int col = 0; col < batch.num_columns(); ++col) {
        ARROW_ASSIGN_OR_RAISE(line[batch.schema()->field(col)->name()],
                              ArrayValueToJson(*batch.column(col), row));
      }
      buffer += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      buffer += '\n';
    }
    return out_->Write(buffer.data(), static_cast<int64_t>(buffer.size()));
  }
  arrow::Status Close() override { return out_->Flush(); }

 private:
  std::shared_ptr<arrow::io::OutputStream> out_;
};

// Text formats show a variant as its JSON text (Arrow IPC keeps the variant type).
class VariantTextSink : public BatchSink {
 public:
  VariantTextSink(std::unique_ptr<BatchSink> inner, bool has_variants)
      : inner_(std::move(inner)), has_variants_(has_variants) {}
  arrow::Status Write(const arrow::RecordBatch& batch) override {
    if (!has_variants_) return inner_->Write(batch);
    ARROW_ASSIGN_OR_RAISE(auto text, delta::VariantsToJsonText(batch));
    return inner_->Write(*text);
  }
  arrow::Status Close() override { return inner_->Close(); }

 private:
  std::unique_ptr<BatchSink> inner_;
  bool has_variants_;
};

arrow::Result<std::unique_ptr<BatchSink>> MakeTextSink(
    OutputFormat format, std::shared_ptr<arrow::io::OutputStream> sink,
    const std::shared_ptr<arrow::Schema>& schema);

}  // namespace

arrow::Result<std::unique_ptr<BatchSink>> MakeBatchSink(
    OutputFormat format, std::shared_ptr<arrow::io::OutputStream> sink,
    const std::shared_ptr<arrow::Schema>& schema) {
  if (format == OutputFormat::kCsv || format == OutputFormat::kJsonl) {
    ARROW_ASSIGN_OR_RAISE(auto text, MakeTextSink(format, std::move(sink),
                                                  delta::VariantsAsTextSchema(schema)));
    bool has_variants = false;
    for (const auto& field : schema->fields()) {
      has_variants = has_variants || delta::ContainsVariant(*field->type());
    }
    return std::make_unique<VariantTextSink>(std::move(text), has_variants);
  }
  if (format == OutputFormat::kArrowFile) {
    ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeFileWriter(sink, schema));
    return std::make_unique<WriterSink>(std::move(writer));
  }
  // kIpc is resolved by ResolveOutputFormat; unresolved, it keeps its old meaning.
  ARROW_ASSIGN_OR_RAISE(auto writer, arrow::ipc::MakeStreamWriter(sink, schema));
  return std::make_unique<WriterSink>(std::move(writer));
}

namespace {

arrow::Result<std::unique_ptr<BatchSink>> MakeTextSink(
    OutputFormat format, std::shared_ptr<arrow::io::OutputStream> sink,
    const std::shared_ptr<arrow::Schema>& schema) {
  if (format == OutputFormat::kCsv) {
    for (const auto& field : schema->fields()) {
      if (arrow::is_nested(field->type()->id())) {
        return InvalidInput(
            "column '" + field->name() + "' is " + field->type()->ToString() +
            ", which CSV cannot hold; use --format jsonl or arrow, or --columns");
      }
    }
    ARROW_ASSIGN_OR_RAISE(auto writer, arrow::csv::MakeCSVWriter(sink, schema));
    return std::make_unique<WriterSink>(std::move(writer));
  }
  return std::make_unique<JsonLinesSink>(std::move(sink));
}

}  // namespace

const std::map<std::string, InputFormat>& InputFormatNames() {
  static const std::map<std::string, InputFormat> names{
      {"csv", InputFormat::kCsv},    {"jsonl", InputFormat::kJsonl},
      {"ipc", InputFormat::kIpc},    {"arrow", InputFormat::kIpc},
      {"arrows", InputFormat::kIpc}, {"parquet", InputFormat::kParquet}};
  return names;
}

const std::map<std::string, OutputFormat>& OutputFormatNames() {
  static const std::map<std::string, OutputFormat> names{
      {"csv", OutputFormat::kCsv},
      {"jsonl", OutputFormat::kJsonl},
      {"arrow", OutputFormat::kArrowFile},
      {"arrows", OutputFormat::kArrowStream},
      {"ipc", OutputFormat::kIpc}};
  return names;
}

OutputFormat ResolveOutputFormat(std::optional<OutputFormat> format,
                                 const std::string& output) {
  const bool to_stdout = output.empty() || output == "-";
  if (!format && !to_stdout) {
    if (EndsWith(output, ".arrow")) format = OutputFormat::kArrowFile;
    if (EndsWith(output, ".arrows")) format = OutputFormat::kArrowStream;
    if (EndsWith(output, ".jsonl") || EndsWith(output, ".ndjson")) {
      format = OutputFormat::kJsonl;
    }
  }
  if (!format) return OutputFormat::kCsv;
  if (*format == OutputFormat::kIpc) {
    return to_stdout ? OutputFormat::kArrowStream : OutputFormat::kArrowFile;
  }
  return *format;
}

}  // namespace deltaline::cli
