#include "engine/catalog.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <arrow/acero/options.h>
#include <arrow/io/file.h>
#include <arrow/ipc/reader.h>
#include <arrow/json/reader.h>
#include <parquet/arrow/reader.h>

#include "delta/base/errors.h"
#include "delta/base/time_text.h"
#include "engine/delta_source.h"

namespace deltaline::engine {
namespace {

namespace fs = std::filesystem;

// The batches of an IPC file one at a time, holding the file open.
class IpcFileBatches : public arrow::RecordBatchReader {
 public:
  explicit IpcFileBatches(std::shared_ptr<arrow::ipc::RecordBatchFileReader> file)
      : file_(std::move(file)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return file_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    if (next_ >= file_->num_record_batches()) {
      batch->reset();
      return arrow::Status::OK();
    }
    return file_->ReadRecordBatch(next_++).Value(batch);
  }

 private:
  std::shared_ptr<arrow::ipc::RecordBatchFileReader> file_;
  int next_ = 0;
};

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenIpcFile(
    const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto reader, arrow::ipc::RecordBatchFileReader::Open(file));
  return std::make_shared<IpcFileBatches>(std::move(reader));
}

// Keeps the Parquet file reader alive behind its batch reader.
class ParquetBatches : public arrow::RecordBatchReader {
 public:
  ParquetBatches(std::unique_ptr<parquet::arrow::FileReader> file,
                 std::unique_ptr<arrow::RecordBatchReader> batches)
      : file_(std::move(file)), batches_(std::move(batches)) {}
  std::shared_ptr<arrow::Schema> schema() const override { return batches_->schema(); }
  arrow::Status ReadNext(std::shared_ptr<arrow::RecordBatch>* batch) override {
    return batches_->ReadNext(batch);
  }

 private:
  std::unique_ptr<parquet::arrow::FileReader> file_;
  std::unique_ptr<arrow::RecordBatchReader> batches_;
};

arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenParquetFile(
    const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path));
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        parquet::arrow::OpenFile(file, arrow::default_memory_pool()));
  ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader());
  return std::make_shared<ParquetBatches>(std::move(reader), std::move(batches));
}

arrow::Result<std::shared_ptr<arrow::Table>> ReadJsonLines(const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto file, arrow::io::ReadableFile::Open(path));
  ARROW_ASSIGN_OR_RAISE(
      auto reader, arrow::json::TableReader::Make(arrow::default_memory_pool(), file,
                                                  arrow::json::ReadOptions::Defaults(),
                                                  arrow::json::ParseOptions::Defaults()));
  return reader->Read();
}

std::string FileMagic(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string magic(n, '\0');
  in.read(magic.data(), static_cast<std::streamsize>(n));
  magic.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return magic;
}

arrow::acero::Declaration ReaderSource(std::shared_ptr<arrow::RecordBatchReader> r) {
  return {"record_batch_reader_source",
          arrow::acero::RecordBatchReaderSourceNodeOptions(std::move(r))};
}

}  // namespace

const char* SourceKindName(SourceKind kind) {
  switch (kind) {
    case SourceKind::kDelta:
      return "delta";
    case SourceKind::kArrowIpcFile:
      return "arrow";
    case SourceKind::kParquetFile:
      return "parquet";
    case SourceKind::kJsonLines:
      return "jsonl";
    case SourceKind::kMemory:
      return "memory";
  }
  return "?";
}

class Catalog::Impl {
 public:
  struct Bound {
    CatalogEntry entry;
    std::shared_ptr<DeltaTableHandle> delta;
    std::shared_ptr<arrow::Table> table;  // in-memory and JSON lines
  };

  arrow::Status Add(Bound bound) {
    if (bound.entry.name.empty()) return delta::InvalidInput("a table name is empty");
    if (tables_.count(bound.entry.name)) {
      return delta::InvalidInput("table name '" + bound.entry.name + "' is bound twice");
    }
    tables_.emplace(bound.entry.name, std::move(bound));
    return arrow::Status::OK();
  }

  arrow::Result<const Bound*> Find(const std::string& name) const {
    auto it = tables_.find(name);
    if (it != tables_.end()) return &it->second;
    std::string known;
    for (const auto& [n, unused] : tables_) known += (known.empty() ? "" : ", ") + n;
    return delta::InvalidInput("no table named '" + name + "' in the catalog (known: " +
                               (known.empty() ? "none" : known) + ")");
  }

  std::map<std::string, Bound> tables_;
};

Catalog::Catalog() : impl_(std::make_unique<Impl>()) {}
Catalog::~Catalog() = default;
Catalog::Catalog(Catalog&&) noexcept = default;
Catalog& Catalog::operator=(Catalog&&) noexcept = default;

arrow::Status Catalog::AddDelta(const std::string& name, const std::string& uri,
                                const DeltaVersionSpec& at) {
  Impl::Bound bound;
  ARROW_ASSIGN_OR_RAISE(bound.delta, OpenDeltaTable(uri, at));
  bound.entry = {name, SourceKind::kDelta, uri, bound.delta->snapshot->version(),
                 bound.delta->snapshot->schema()};
  return impl_->Add(std::move(bound));
}

arrow::Status Catalog::AddArrowIpcFile(const std::string& name, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto reader, OpenIpcFile(path));
  return impl_->Add(
      {{name, SourceKind::kArrowIpcFile, path, {}, reader->schema()}, nullptr, nullptr});
}

arrow::Status Catalog::AddParquetFile(const std::string& name, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto reader, OpenParquetFile(path));
  return impl_->Add(
      {{name, SourceKind::kParquetFile, path, {}, reader->schema()}, nullptr, nullptr});
}

arrow::Status Catalog::AddJsonLines(const std::string& name, const std::string& path) {
  ARROW_ASSIGN_OR_RAISE(auto table, ReadJsonLines(path));
  return impl_->Add(
      {{name, SourceKind::kJsonLines, path, {}, table->schema()}, nullptr, table});
}

arrow::Status Catalog::AddTable(const std::string& name,
                                std::shared_ptr<arrow::Table> table) {
  if (!table) return delta::InvalidInput("table '" + name + "' is null");
  return impl_->Add(
      {{name, SourceKind::kMemory, "", {}, table->schema()}, nullptr, table});
}

arrow::Status Catalog::AddBinding(const std::string& binding) {
  ARROW_ASSIGN_OR_RAISE(auto parsed, ParseBinding(binding));
  std::error_code ec;
  const fs::path path(parsed.uri);
  if (fs::is_directory(path / "_delta_log", ec)) {
    DeltaVersionSpec at;
    if (!parsed.at.empty()) {
      ARROW_ASSIGN_OR_RAISE(at, ParseVersionSpec(parsed.at));
    }
    return AddDelta(parsed.name, parsed.uri, at);
  }
  if (!parsed.at.empty()) {
    return delta::InvalidInput("binding '" + binding + "': @" + parsed.at +
                               " selects a version, but " + parsed.uri +
                               " is not a Delta table (no _delta_log)");
  }
  if (!fs::is_regular_file(path, ec)) {
    return delta::InvalidInput("binding '" + binding + "': " + parsed.uri +
                               " is neither a Delta table (a directory with "
                               "_delta_log) nor a file");
  }
  if (FileMagic(parsed.uri, 6) == "ARROW1") {
    return AddArrowIpcFile(parsed.name, parsed.uri);
  }
  if (FileMagic(parsed.uri, 4) == "PAR1") return AddParquetFile(parsed.name, parsed.uri);
  const std::string ext = path.extension().string();
  if (ext == ".jsonl" || ext == ".ndjson" || ext == ".json") {
    return AddJsonLines(parsed.name, parsed.uri);
  }
  return delta::InvalidInput("binding '" + binding + "': cannot tell what " + parsed.uri +
                             " holds (not a Delta table, no ARROW1 or PAR1 magic, not "
                             ".jsonl/.ndjson/.json)");
}

arrow::Result<arrow::acero::Declaration> Catalog::Source(const std::string& name) const {
  return Source(name, nullptr);
}

arrow::Result<arrow::acero::Declaration> Catalog::Source(
    const std::string& name, std::shared_ptr<DeltaScanMetrics>* metrics) const {
  if (metrics) metrics->reset();
  ARROW_ASSIGN_OR_RAISE(const auto* bound, impl_->Find(name));
  switch (bound->entry.kind) {
    case SourceKind::kDelta: {
      auto counts = std::make_shared<DeltaScanMetrics>();
      if (metrics) *metrics = counts;
      return DeltaSourceDeclaration(bound->delta, std::move(counts));
    }
    case SourceKind::kArrowIpcFile: {
      ARROW_ASSIGN_OR_RAISE(auto reader, OpenIpcFile(bound->entry.uri));
      return ReaderSource(std::move(reader));
    }
    case SourceKind::kParquetFile: {
      ARROW_ASSIGN_OR_RAISE(auto reader, OpenParquetFile(bound->entry.uri));
      return ReaderSource(std::move(reader));
    }
    case SourceKind::kJsonLines:
    case SourceKind::kMemory:
      return arrow::acero::Declaration(
          "table_source", arrow::acero::TableSourceNodeOptions(bound->table));
  }
  return arrow::Status::UnknownError("unreachable source kind");
}

arrow::Result<CatalogEntry> Catalog::Entry(const std::string& name) const {
  ARROW_ASSIGN_OR_RAISE(const auto* bound, impl_->Find(name));
  return bound->entry;
}

std::vector<std::string> Catalog::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, unused] : impl_->tables_) names.push_back(name);
  return names;
}

arrow::Result<ParsedBinding> ParseBinding(const std::string& binding) {
  const auto eq = binding.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == binding.size()) {
    return delta::InvalidInput("binding '" + binding + "' is not NAME=URI[@VERSION]");
  }
  ParsedBinding parsed{binding.substr(0, eq), binding.substr(eq + 1), ""};
  const auto last_sep = parsed.uri.find_last_of('/');
  const auto at = parsed.uri.find('@', last_sep == std::string::npos ? 0 : last_sep);
  if (at != std::string::npos) {
    parsed.at = parsed.uri.substr(at + 1);
    parsed.uri.resize(at);
    if (parsed.at.empty() || parsed.uri.empty()) {
      return delta::InvalidInput("binding '" + binding + "' is not NAME=URI[@VERSION]");
    }
  }
  return parsed;
}

arrow::Result<DeltaVersionSpec> ParseVersionSpec(const std::string& at) {
  DeltaVersionSpec spec;
  if (!at.empty() && std::all_of(at.begin(), at.end(), ::isdigit)) {
    try {
      spec.version = std::stoll(at);
    } catch (const std::out_of_range&) {
      return delta::InvalidInput("version '" + at + "' is out of range");
    }
    return spec;
  }
  ARROW_ASSIGN_OR_RAISE(
      spec.timestamp_ms,
      delta::ParseTimestampMs(at, "@VERSION (a version number or a time)"));
  return spec;
}

}  // namespace deltaline::engine
