// The only place outside delta/ allowed to write Parquet files (see
// tests/parquet_sink_scan_test.cc): an explicit, gated export of a Delta version.
#include "storage/export_parquet.h"

#include <filesystem>

#include <arrow/filesystem/filesystem.h>
#include <arrow/io/interfaces.h>
#include <parquet/arrow/writer.h>

#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "delta/write/data_writer.h"
#include "storage/storage_writer.h"

namespace deltaline::storage {
namespace {

std::string PartName(size_t file_idx) {
  char name[32];
  std::snprintf(name, sizeof(name), "part-%05zu.parquet", file_idx);
  return name;
}

arrow::Status CheckEmptyOrMissing(arrow::fs::FileSystem& fs, const std::string& dir) {
  ARROW_ASSIGN_OR_RAISE(auto info, fs.GetFileInfo(dir));
  if (info.type() == arrow::fs::FileType::NotFound) return arrow::Status::OK();
  if (info.type() != arrow::fs::FileType::Directory) {
    return delta::InvalidInput("export target '" + dir +
                               "' exists and is not a directory");
  }
  arrow::fs::FileSelector selector;
  selector.base_dir = dir;
  ARROW_ASSIGN_OR_RAISE(auto entries, fs.GetFileInfo(selector));
  if (!entries.empty()) {
    return delta::InvalidInput("export target '" + dir + "' is not empty");
  }
  return arrow::Status::OK();
}

class Exporter {
 public:
  Exporter(std::shared_ptr<arrow::fs::FileSystem> fs, std::string dir,
           ExportReport* report, int64_t max_rows_per_file)
      : fs_(std::move(fs)),
        dir_(std::move(dir)),
        report_(report),
        max_rows_(max_rows_per_file) {}

  arrow::Status Write(const std::shared_ptr<arrow::RecordBatch>& batch) {
    int64_t offset = 0;
    while (offset < batch->num_rows()) {
      if (!writer_) ARROW_RETURN_NOT_OK(Open(batch->schema()));
      int64_t take = std::min(batch->num_rows() - offset, max_rows_ - rows_in_file_);
      ARROW_RETURN_NOT_OK(writer_->WriteRecordBatch(*batch->Slice(offset, take)));
      offset += take;
      rows_in_file_ += take;
      report_->rows += take;
      if (rows_in_file_ >= max_rows_) ARROW_RETURN_NOT_OK(Close());
    }
    return arrow::Status::OK();
  }

  arrow::Status Close() {
    if (!writer_) return arrow::Status::OK();
    ARROW_RETURN_NOT_OK(writer_->Close());
    ARROW_ASSIGN_OR_RAISE(int64_t size, sink_->Tell());
    ARROW_RETURN_NOT_OK(sink_->Close());
    report_->bytes += size;
    writer_.reset();
    sink_.reset();
    rows_in_file_ = 0;
    return arrow::Status::OK();
  }

  void Abort() {
    writer_.reset();
    if (sink_) (void)sink_->Abort();
    for (const auto& file : report_->files) (void)fs_->DeleteFile(dir_ + "/" + file);
  }

 private:
  arrow::Status Open(const std::shared_ptr<arrow::Schema>& schema) {
    std::string name = PartName(report_->files.size());
    ARROW_ASSIGN_OR_RAISE(sink_, fs_->OpenOutputStream(dir_ + "/" + name));
    report_->files.push_back(name);
    ARROW_ASSIGN_OR_RAISE(writer_, parquet::arrow::FileWriter::Open(
                                       *schema, arrow::default_memory_pool(), sink_,
                                       delta::DefaultDataWriterProperties(),
                                       delta::DataFileArrowWriterProperties()));
    return arrow::Status::OK();
  }

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string dir_;
  ExportReport* report_;
  int64_t max_rows_;
  std::shared_ptr<arrow::io::OutputStream> sink_;
  std::unique_ptr<parquet::arrow::FileWriter> writer_;
  int64_t rows_in_file_ = 0;
};

}  // namespace

nlohmann::json ExportReport::ToJson() const {
  return {{"refused", refused}, {"table", table},       {"version", version},
          {"outDir", out_dir},  {"files", files},       {"rows", rows},
          {"bytes", bytes},     {"report", report_path}};
}

arrow::Result<ExportReport> ExportParquet(const std::string& table_uri,
                                          const std::string& out_dir,
                                          const OutputStoragePolicy& policy,
                                          const ExportOptions& options) {
  ExportReport report;
  report.table = table_uri;
  report.out_dir = out_dir;
  // The gate comes before anything is opened: a refused export writes no byte.
  ARROW_ASSIGN_OR_RAISE(auto decision, CheckSink({"export-parquet", "parquet", out_dir},
                                                 policy, options.run,
                                                 /*is_export=*/true, options.reporter));
  if (decision == SinkDecision::kRefused) {
    report.refused = true;
    return report;
  }
  if (options.max_rows_per_file <= 0) {
    return delta::InvalidInput("max_rows_per_file must be positive");
  }
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(table_uri));
  delta::SnapshotRequest request;
  request.version = options.version;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, delta::Snapshot::Load(*store, request));
  report.table = store->uri();
  report.version = snapshot->version();

  std::string dir;
  std::string target = out_dir;
  if (target.find("://") == std::string::npos) {
    // Arrow wants absolute local paths; the CLI takes relative ones.
    std::error_code ec;
    auto absolute = std::filesystem::absolute(target, ec);
    if (!ec) target = absolute.lexically_normal().string();
  }
  ARROW_ASSIGN_OR_RAISE(auto out_fs, arrow::fs::FileSystemFromUriOrPath(target, &dir));
  ARROW_RETURN_NOT_OK(CheckEmptyOrMissing(*out_fs, dir));
  ARROW_RETURN_NOT_OK(out_fs->CreateDir(dir, /*recursive=*/true));
  ARROW_ASSIGN_OR_RAISE(auto reader, delta::ScanSnapshot(*store, snapshot));
  Exporter exporter(out_fs, dir, &report, options.max_rows_per_file);
  auto written = [&]() -> arrow::Status {
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
      if (!batch) break;
      ARROW_RETURN_NOT_OK(exporter.Write(batch));
      options.reporter.Progress("export", report.rows, -1);
    }
    ARROW_RETURN_NOT_OK(exporter.Close());
    if (report.rows > 0) options.reporter.Progress("export", report.rows, report.rows);
    report.report_path = dir + "/export_report.json";
    nlohmann::json body = report.ToJson();
    ARROW_ASSIGN_OR_RAISE(body["schemaFingerprint"],
                          SchemaFingerprint(*snapshot->schema()));
    body["exportedAtMs"] = delta::NowMs();
    body["policy"] = OutputPolicyJson(policy);
    ARROW_ASSIGN_OR_RAISE(auto out, out_fs->OpenOutputStream(report.report_path));
    std::string text = body.dump(2);
    ARROW_RETURN_NOT_OK(out->Write(text.data(), static_cast<int64_t>(text.size())));
    return out->Close();
  }();
  if (!written.ok()) {
    exporter.Abort();
    return written;
  }
  return report;
}

}  // namespace deltaline::storage
