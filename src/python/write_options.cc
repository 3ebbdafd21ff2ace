#include "python/write_options.h"

#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/predicate/predicate.h"
#include "storage/output_config.h"

namespace deltaline::python {
namespace {

nb::dict PartitionsDict(
    const std::map<std::string, delta::PartitionMetrics>& partitions) {
  nb::dict out;
  for (const auto& [key, m] : partitions) {
    nb::dict entry;
    entry["files_added"] = m.files_added;
    entry["rows_added"] = m.rows_added;
    entry["bytes_added"] = m.bytes_added;
    entry["files_removed"] = m.files_removed;
    entry["rows_removed"] = m.rows_removed;
    entry["bytes_removed"] = m.bytes_removed;
    entry["rows_copied"] = m.rows_copied;
    out[key.c_str()] = entry;
  }
  return out;
}

}  // namespace

WriteRequest ReadWriteRequest(const nb::dict& options) {
  WriteRequest request;
  if (Has(options, "mode")) request.mode = nb::cast<std::string>(options["mode"]);
  if (Has(options, "partition_by")) {
    request.partition_by = nb::cast<std::vector<std::string>>(options["partition_by"]);
  }
  if (Has(options, "predicate")) {
    request.predicate = nb::cast<std::string>(options["predicate"]);
  }
  if (Has(options, "replace_partitions")) {
    request.replace_partitions = nb::cast<bool>(options["replace_partitions"]);
  }
  if (Has(options, "delete_partitions")) {
    for (nb::handle item : nb::iter(options["delete_partitions"])) {
      delta::PartitionValues values;
      for (auto [key, value] : nb::cast<nb::dict>(item)) {
        const auto column = nb::cast<std::string>(key);
        if (value.is_none()) {
          values[column] = std::nullopt;
        } else {
          values[column] = nb::cast<std::string>(nb::str(value));
        }
      }
      request.delete_partitions.push_back(std::move(values));
    }
  }
  if (Has(options, "table_properties")) {
    request.table_properties =
        nb::cast<std::map<std::string, std::string>>(options["table_properties"]);
  }
  if (Has(options, "commit_metadata")) {
    request.commit_metadata =
        nb::cast<std::map<std::string, std::string>>(options["commit_metadata"]);
  }
  if (Has(options, "dataset"))
    request.dataset = nb::cast<std::string>(options["dataset"]);
  if (Has(options, "update_table_properties")) {
    request.update_table_properties = nb::cast<bool>(options["update_table_properties"]);
  }
  if (Has(options, "coerce_timestamps")) {
    request.coerce_timestamps = nb::cast<bool>(options["coerce_timestamps"]);
  }
  if (Has(options, "widen_unsigned")) {
    request.widen_unsigned = nb::cast<bool>(options["widen_unsigned"]);
  }
  if (Has(options, "run_id")) request.run_id = nb::cast<std::string>(options["run_id"]);
  if (Has(options, "run_dir"))
    request.run_dir = nb::cast<std::string>(options["run_dir"]);
  return request;
}

arrow::Result<storage::StorageWriteOptions> BuildWriteOptions(const std::string& config,
                                                              const WriteRequest& request,
                                                              delta::Reporter reporter) {
  storage::StorageWriteOptions options;
  options.reporter = std::move(reporter);
  options.run = {request.run_id, request.run_dir};
  ARROW_ASSIGN_OR_RAISE(
      auto parsed, storage::ParseOutputConfig(config, "DeltaWriteOptions", options.run,
                                              options.reporter));
  options.output = parsed.storage;
  options.write = parsed.write;
  options.delta.schema_mode = parsed.schema_mode;
  options.delta.retry = parsed.retry;
  ARROW_ASSIGN_OR_RAISE(options.delta.mode, delta::ParseSaveMode(request.mode));
  for (const auto& [key, value] : request.table_properties) {
    options.delta.table_properties[key] = value;
  }
  for (const auto& [key, value] : request.commit_metadata) {
    options.delta.user_metadata[key] = value;
  }
  options.delta.schema_conversion.coerce_timestamps = request.coerce_timestamps;
  options.delta.schema_conversion.widen_unsigned = request.widen_unsigned;
  options.dataset = request.dataset;
  options.update_table_properties = request.update_table_properties;
  return options;
}

arrow::Status ApplyTargetedOptions(const WriteRequest& request,
                                   const std::shared_ptr<arrow::Schema>& table_schema,
                                   storage::StorageWriteOptions* options) {
  options->delta.partition_by = request.partition_by;
  if (request.replace_partitions) {
    if (request.predicate) {
      return delta::InvalidInput("replace_partitions and predicate cannot be combined");
    }
    options->delta.mode = delta::SaveMode::kOverwrite;
    options->delta.replace_partitions = true;
  } else if (!request.delete_partitions.empty()) {
    return delta::InvalidInput("delete_partitions needs replace_partitions=True");
  }
  options->delta.delete_partitions = request.delete_partitions;
  if (request.predicate) {
    if (options->delta.mode != delta::SaveMode::kOverwrite) {
      return delta::InvalidInput("predicate (replaceWhere) needs mode='overwrite'");
    }
    if (!table_schema) {
      return delta::InvalidInput("predicate (replaceWhere) needs an existing table");
    }
    ARROW_ASSIGN_OR_RAISE(options->delta.replace_where,
                          delta::ParsePredicate(*request.predicate, *table_schema));
  }
  return arrow::Status::OK();
}

nb::dict ResultDict(const storage::WriteResult& written) {
  const delta::WriteResult& r = written.delta;
  nb::dict out;
  out["path"] = r.uri;
  out["version"] = r.version;
  out["operation"] = r.operation;
  out["committed"] = r.committed;
  out["files_added"] = r.files_added;
  out["files_removed"] = r.files_removed;
  out["rows_added"] = r.rows_added;
  // The library leaves rows_removed unknown (-1) until a commit removes files: with
  // no commit nothing was removed.
  const int64_t removed = r.committed ? r.rows_removed : 0;
  out["rows_removed"] =
      removed < 0 ? nb::object(nb::none()) : nb::object(nb::int_(removed));
  out["bytes_added"] = r.bytes_added;
  out["bytes_removed"] = r.bytes_removed;
  out["rows_copied"] = r.rows_copied;
  out["partitions"] = PartitionsDict(r.partitions);
  out["schema_changed"] = r.schema_changed;
  out["checkpoint_written"] = r.checkpoint_written;
  out["attempts"] = written.attempts;
  out["commit_attempts"] = r.commit_attempts;
  nb::dict user;
  for (const auto& [key, value] : written.user_metadata) user[key.c_str()] = value;
  out["commit_metadata"] = user;
  return out;
}

std::shared_ptr<arrow::Schema> ExistingSchema(const std::string& path) {
  auto store = delta::FileSystemLogStore::Open(path);
  if (!store.ok()) return nullptr;
  auto snapshot = delta::Snapshot::Load(**store);
  return snapshot.ok() ? (*snapshot)->schema() : nullptr;
}

}  // namespace deltaline::python
