#include "storage/migrate_parquet.h"

#include "delta/log/log_store.h"
#include "delta/ops/convert_to_delta.h"
#include "storage/migrate_parquet_report.h"

namespace deltaline::storage {
namespace {

using Progress = std::function<void(const MigrateProgress&)>;

arrow::Result<nlohmann::json> Convert(const delta::ParquetLayout& layout,
                                      delta::LogStore& target, const Progress& progress) {
  delta::ConvertToDeltaOptions convert;
  if (progress) {
    convert.progress = [&progress](int64_t done, int64_t total) {
      progress({"convert", done, total, -1, ""});
    };
  }
  ARROW_ASSIGN_OR_RAISE(auto converted, delta::ConvertToDelta(target, layout, convert));
  return nlohmann::json{
      {"version", converted.version}, {"operation", "CONVERT"},
      {"numFiles", converted.files},  {"bytes", converted.bytes},
      {"rows", converted.rows},       {"filesWithStats", converted.files_with_stats}};
}

arrow::Result<nlohmann::json> Copy(const delta::ParquetLayout& layout,
                                   const std::string& target,
                                   const MigrateOptions& options) {
  MigrateParquetOptions copy;
  copy.write.reporter = options.reporter;
  if (options.progress) {
    const int64_t total = static_cast<int64_t>(layout.files.size());
    copy.progress = [&options, total](int64_t done, int64_t bytes) {
      options.progress({"copy", done, total, bytes, ""});
    };
  }
  ARROW_ASSIGN_OR_RAISE(auto written, MigrateParquetCopy(layout, target, copy));
  return nlohmann::json{{"version", written.delta.version},
                        {"operation", written.delta.operation},
                        {"numFiles", written.delta.files_added},
                        {"bytes", written.delta.bytes_added},
                        {"rows", written.delta.rows_added}};
}

}  // namespace

arrow::Result<WriteResult> MigrateParquetCopy(const delta::ParquetLayout& layout,
                                              const std::string& uri,
                                              const MigrateParquetOptions& options) {
  StorageWriteOptions write = options.write;
  write.delta.mode = delta::SaveMode::kError;
  write.delta.partition_by = layout.partition_names();
  // Exact or failing: uint64 only when every value fits, ns only when whole µs.
  write.delta.schema_conversion.widen_unsigned = true;
  write.delta.schema_conversion.coerce_timestamps = true;
  auto reader = delta::ReadParquetLayout(layout, options.progress);
  return WriteDatasetDelta(*reader, uri, write);
}

arrow::Result<MigrateOutcome> MigrateParquet(const MigrateOptions& options) {
  const Progress& progress = options.progress;
  delta::ParquetLayoutOptions layout_options = options.layout;
  layout_options.progress = nullptr;
  if (progress) {
    layout_options.progress = [&progress](int64_t done, int64_t total, int64_t bytes) {
      progress({"footers", done, total, bytes, ""});
    };
  }
  ARROW_ASSIGN_OR_RAISE(auto source, delta::FileSystemLogStore::Open(options.source));
  MigrateOutcome out;
  ARROW_ASSIGN_OR_RAISE(
      out.layout,
      delta::PlanParquetLayout(source->filesystem(), source->root(), layout_options));
  const std::string target = options.in_place ? options.source : options.destination;
  out.report = {{"source", source->uri()},
                {"destination", target},
                {"mode", options.in_place ? "in-place" : "copy"},
                {"dryRun", options.dry_run},
                {"plan", MigrationPlanJson(out.layout)}};
  if (options.dry_run) return out;
  ARROW_ASSIGN_OR_RAISE(auto target_store, delta::FileSystemLogStore::Open(target));
  out.destination_uri = target_store->uri();
  if (options.in_place) {
    ARROW_ASSIGN_OR_RAISE(out.report["result"],
                          Convert(out.layout, *target_store, progress));
  } else {
    ARROW_ASSIGN_OR_RAISE(out.report["result"], Copy(out.layout, target, options));
  }
  if (!options.verify) return out;
  delta::VerifyOptions verify;
  if (progress) {
    verify.progress = [&progress](const std::string& side, int64_t done, int64_t total) {
      progress({"verify", done, total, -1, side});
    };
  }
  ARROW_ASSIGN_OR_RAISE(out.verified,
                        delta::VerifyMigration(out.layout, *target_store, verify));
  out.report["verification"] = VerifyJson(*out.verified);
  if (!out.verified->ok) {
    out.failure = "verification failed:";
    for (const auto& mismatch : out.verified->mismatches) {
      out.failure += "\n  " + MismatchText(mismatch);
    }
  }
  return out;
}

}  // namespace deltaline::storage
