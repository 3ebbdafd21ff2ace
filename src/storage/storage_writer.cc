#include "storage/storage_writer.h"

#include <algorithm>
#include <cstdio>

#include <parquet/xxhasher.h>

#include "delta/base/errors.h"
#include "delta/base/retry.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/ops/table_properties_update.h"
#include "storage/partition_diagnostics.h"

namespace deltaline::storage {
namespace {

using delta::InvalidInput;

std::string LastComponent(const std::string& uri) {
  std::string trimmed = uri;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  auto slash = trimmed.find_last_of('/');
  return slash == std::string::npos ? trimmed : trimmed.substr(slash + 1);
}

// Policy table properties meet an existing table: equal is fine, different is an
// explicit committed update or an error, never a silent no-op. `changes_table` is
// false when the operation will not touch an existing table (SaveMode kError/kIgnore).
arrow::Status ReconcileTableProperties(delta::LogStore& store,
                                       const delta::StringMap& wanted,
                                       const StorageWriteOptions& options,
                                       bool changes_table) {
  auto snapshot = delta::Snapshot::Load(store);
  if (!snapshot.ok()) {
    if (delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) {
      return arrow::Status::OK();
    }
    return snapshot.status();
  }
  if (!changes_table) return arrow::Status::OK();  // refused or skipped by the write
  std::string differing;
  for (const auto& [key, value] : wanted) {
    std::string current = (*snapshot)->Config(key);
    if (current != value) {
      differing += (differing.empty() ? "" : ", ") + key + "=" + value + " (table has " +
                   (current.empty() ? "unset" : current) + ")";
    }
  }
  if (differing.empty()) return arrow::Status::OK();
  if (!options.update_table_properties) {
    return InvalidInput(
        "table '" + store.uri() +
        "' exists with other table properties than the write policy: " + differing +
        ". Properties change only by an explicit update "
        "(update_table_properties / --update-properties)");
  }
  return delta::SetTableProperties(store, wanted, options.delta.retry).status();
}

// The Delta writer's options with what the policies decide filled in; the caller's
// `options.delta` is the starting point, so nothing is copied field by field.
arrow::Result<delta::WriteOptions> CoreOptions(const arrow::Schema& input,
                                               const std::string& uri,
                                               const StorageWriteOptions& options,
                                               nlohmann::json* policy) {
  for (const auto& [key, value] : options.delta.user_metadata) {
    if (key.rfind("deltaline.", 0) == 0) {
      return InvalidInput("user metadata key '" + key + "' is reserved (deltaline.*)");
    }
  }
  delta::WriteOptions core = options.delta;
  for (const auto& [key, value] : ToTableProperties(options.write)) {
    core.table_properties[key] = value;
  }
  ARROW_ASSIGN_OR_RAISE(core.writer_properties, ToWriterProperties(options.write));
  *policy = EffectivePolicyJson(options);
  core.user_metadata["deltaline.dataset"] =
      options.dataset.empty() ? LastComponent(uri) : options.dataset;
  ARROW_ASSIGN_OR_RAISE(core.user_metadata["deltaline.schemaFingerprint"],
                        SchemaFingerprint(input, options.delta.schema_conversion));
  core.user_metadata["deltaline.policy"] = policy->dump();
  if (!options.ordering_keys.empty()) {
    core.user_metadata["deltaline.orderingKeys"] =
        nlohmann::json(options.ordering_keys).dump();
  }
  if (!options.constraints.empty()) {
    core.user_metadata["deltaline.constraints"] =
        nlohmann::json(options.constraints).dump();
  }
  if (!options.side_table_of.empty()) {
    core.user_metadata["deltaline.sideTableOf"] = options.side_table_of;
  }
  return core;
}

// A non-Delta format in the policy is a forbidden sink; in development the write
// still lands in Delta, which is the only thing this surface writes.
arrow::Status CheckFormat(const std::string& uri, const StorageWriteOptions& options) {
  return CheckSink({"storage-write", options.output.format, uri}, options.output,
                   options.run,
                   /*is_export=*/false, options.reporter)
      .status();
}

// Wraps the Delta writer's result and records its per-partition counts in the run's
// diagnostics. The data is committed whatever happens there; a diagnostics failure
// must not turn a landed commit into a reported failure, so it is a warning.
WriteResult Finish(delta::WriteResult done, delta::WriteOptions core,
                   nlohmann::json policy, const StorageWriteOptions& options) {
  WriteResult result;
  result.delta = std::move(done);
  result.user_metadata = std::move(core.user_metadata);
  result.policy = std::move(policy);
  result.attempts = 1;
  if (!options.run.run_dir.empty()) {
    arrow::Status logged = AppendPartitionMetrics(
        options.run, result.user_metadata["deltaline.dataset"], result.delta);
    if (!logged.ok()) {
      options.reporter.Warn("partition metrics of " + result.delta.uri + " v" +
                            std::to_string(result.delta.version) + " not recorded in " +
                            PartitionMetricsTablePath(options.run) + ": " +
                            logged.ToString());
    }
  }
  return result;
}

arrow::Result<WriteResult> WriteOnce(arrow::RecordBatchReader& reader,
                                     const std::string& uri,
                                     const StorageWriteOptions& options) {
  ARROW_RETURN_NOT_OK(CheckFormat(uri, options));
  nlohmann::json policy;
  ARROW_ASSIGN_OR_RAISE(auto core, CoreOptions(*reader.schema(), uri, options, &policy));
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  const bool changes_table = options.delta.mode != delta::SaveMode::kError &&
                             options.delta.mode != delta::SaveMode::kIgnore;
  ARROW_RETURN_NOT_OK(ReconcileTableProperties(*store, ToTableProperties(options.write),
                                               options, changes_table));
  ARROW_ASSIGN_OR_RAISE(auto done, delta::WriteBatches(*store, reader, core));
  return Finish(std::move(done), std::move(core), std::move(policy), options);
}

}  // namespace

arrow::Result<std::string> SchemaFingerprint(
    const arrow::Schema& schema, const delta::SchemaConversionOptions& options) {
  ARROW_ASSIGN_OR_RAISE(auto json, delta::ArrowToDeltaSchemaJson(schema, options));
  const uint64_t hash = parquet::XxHasher().Hash(std::string_view(json));
  char hex[17];
  std::snprintf(hex, sizeof(hex), "%016llx", static_cast<unsigned long long>(hash));
  return std::string("xxh64:") + hex;
}

nlohmann::json EffectivePolicyJson(const StorageWriteOptions& options) {
  return {{"output", OutputPolicyJson(options.output)},
          {"write", WritePolicyJson(options.write)},
          {"schema_mode", delta::SchemaModeName(options.delta.schema_mode)},
          {"commit_retry", RetryPolicyJson(options.delta.retry)}};
}

arrow::Result<WriteResult> WriteTableDelta(const arrow::Table& table,
                                           const std::string& uri,
                                           const StorageWriteOptions& options) {
  return WriteReplayableDelta(
      [&table]() -> arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> {
        return std::make_shared<arrow::TableBatchReader>(table);
      },
      uri, options);
}

arrow::Result<WriteResult> WriteReplayableDelta(const ReaderFactory& open,
                                                const std::string& uri,
                                                const StorageWriteOptions& options) {
  const int max_attempts = std::max(1, options.delta.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    ARROW_ASSIGN_OR_RAISE(auto reader, open());
    auto written = WriteOnce(*reader, uri, options);
    if (written.ok()) {
      written->attempts = attempt;
      return written;
    }
    // Only a typed concurrent-append conflict is worth redoing: the table moved on
    // under a write that read it. Everything else is final.
    if (delta::GetConflictKind(written.status()) !=
            delta::ConflictKind::kConcurrentAppend ||
        attempt >= max_attempts) {
      return written.status();
    }
    if (options.on_retry) options.on_retry(attempt + 1, written.status());
    delta::SleepBeforeRetry(options.delta.retry, attempt);
  }
}

arrow::Result<WriteResult> WriteDatasetDelta(arrow::RecordBatchReader& reader,
                                             const std::string& uri,
                                             const StorageWriteOptions& options) {
  return WriteOnce(reader, uri, options);
}

arrow::Result<WriteResult> Delete(const std::string& uri,
                                  const arrow::compute::Expression& predicate,
                                  const StorageWriteOptions& options) {
  ARROW_RETURN_NOT_OK(CheckFormat(uri, options));
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  // A delete rewrites files of an existing table, so the policy's properties must
  // agree with the table's (or be updated) as for an append.
  ARROW_RETURN_NOT_OK(ReconcileTableProperties(*store, ToTableProperties(options.write),
                                               options, /*changes_table=*/true));
  std::shared_ptr<const delta::Snapshot> snapshot = options.delta.read_snapshot;
  if (!snapshot) {
    ARROW_ASSIGN_OR_RAISE(snapshot, delta::Snapshot::Load(*store));
  }
  // The rows a delete keeps have the table's schema: that is what it fingerprints.
  nlohmann::json policy;
  ARROW_ASSIGN_OR_RAISE(auto core,
                        CoreOptions(*snapshot->schema(), uri, options, &policy));
  core.read_snapshot = snapshot;
  ARROW_ASSIGN_OR_RAISE(auto done, delta::Delete(*store, predicate, core));
  return Finish(std::move(done), std::move(core), std::move(policy), options);
}

arrow::Result<std::map<std::string, WriteResult>> WriteNamedDatasetsDelta(
    const std::map<std::string, std::shared_ptr<arrow::RecordBatchReader>>& datasets,
    const std::string& base_uri, const StorageWriteOptions& options) {
  std::map<std::string, WriteResult> results;
  for (const auto& [name, reader] : datasets) {
    if (name.empty() || name == "." || name == ".." ||
        name.find_first_of("/\\") != std::string::npos) {
      return InvalidInput("dataset name '" + name + "' must be one path component");
    }
    if (!reader) return InvalidInput("dataset '" + name + "' has no reader");
    StorageWriteOptions named = options;
    named.dataset = name;
    auto written = WriteDatasetDelta(*reader, base_uri + "/" + name, named);
    if (!written.ok()) {
      return written.status().WithMessage("dataset '" + name +
                                          "': " + written.status().message());
    }
    results.emplace(name, std::move(*written));
  }
  return results;
}

arrow::Result<FinalizeResult> WriteFinalizeResultDelta(
    std::shared_ptr<arrow::RecordBatchReader> good,
    std::shared_ptr<arrow::RecordBatchReader> errors,
    std::shared_ptr<arrow::RecordBatchReader> error_stats, const std::string& base_uri,
    const StorageWriteOptions& options) {
  if (options.dataset.empty()) {
    return InvalidInput("WriteFinalizeResultDelta needs options.dataset");
  }
  if (!good) return InvalidInput("dataset '" + options.dataset + "' has no reader");
  FinalizeResult out;
  ARROW_ASSIGN_OR_RAISE(
      out.good, WriteDatasetDelta(*good, base_uri + "/" + options.dataset, options));
  // Side tables describe themselves: their own name and schema, no main-table claims.
  auto side =
      [&](const std::shared_ptr<arrow::RecordBatchReader>& reader,
          const std::string& suffix) -> arrow::Result<std::optional<WriteResult>> {
    if (!reader) return std::nullopt;
    StorageWriteOptions side_options = options;
    side_options.dataset = options.dataset + suffix;
    side_options.ordering_keys.clear();
    side_options.constraints.clear();
    // Partition and stats columns name the main table's columns, which a side table
    // (e.g. `_error_stats`) need not have.
    side_options.delta.partition_by.clear();
    side_options.write.stats_columns.clear();
    side_options.side_table_of = options.dataset;
    ARROW_ASSIGN_OR_RAISE(
        auto written,
        WriteDatasetDelta(*reader, base_uri + "/" + side_options.dataset, side_options));
    return std::optional<WriteResult>(std::move(written));
  };
  ARROW_ASSIGN_OR_RAISE(out.errors, side(errors, "_errors"));
  ARROW_ASSIGN_OR_RAISE(out.error_stats, side(error_stats, "_error_stats"));
  return out;
}

}  // namespace deltaline::storage
