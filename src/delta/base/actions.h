#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace deltaline::delta {

/// Partition values as the protocol stores them: a string per column, or null.
using PartitionValues = std::map<std::string, std::optional<std::string>>;
using StringMap = std::map<std::string, std::string>;

struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  /// Present only for reader version 3 / writer version 7 (table features).
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;

  bool operator==(const Protocol&) const = default;
};

struct Format {
  std::string provider = "parquet";
  StringMap options;
  bool operator==(const Format&) const = default;
};

struct Metadata {
  std::string id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  /// The Delta schema JSON, kept verbatim as the log stores it.
  std::string schema_string;
  std::vector<std::string> partition_columns;
  StringMap configuration;
  std::optional<int64_t> created_time;

  bool operator==(const Metadata&) const = default;
};

struct DeletionVectorDescriptor {
  std::string storage_type;  ///< "u", "i" or "p"
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;

  /// The protocol's unique id: storageType + pathOrInlineDv [+ "@" + offset].
  std::string UniqueId() const;
  bool operator==(const DeletionVectorDescriptor&) const = default;
};

struct Add {
  std::string path;  ///< URI-encoded, relative to the table root (or absolute)
  PartitionValues partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;
  bool data_change = true;
  std::optional<std::string> stats;  ///< JSON string, as in the log
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;
  std::optional<std::string> clustering_provider;

  bool operator==(const Add&) const = default;
};

struct Remove {
  std::string path;
  std::optional<int64_t> deletion_timestamp;
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<PartitionValues> partition_values;
  std::optional<int64_t> size;
  std::optional<std::string> stats;
  std::optional<StringMap> tags;
  std::optional<DeletionVectorDescriptor> deletion_vector;
  std::optional<int64_t> base_row_id;
  std::optional<int64_t> default_row_commit_version;

  bool operator==(const Remove&) const = default;
};

/// \brief The `remove` that retires `add`: it carries the add's size, partition values,
/// stats, tags, deletion vector and row ids, so that readers of the change (CDF,
/// conflict checks, checkpoints keeping tombstones) need not look the add up.
inline Remove RemoveOf(const Add& add, int64_t deletion_timestamp_ms, bool data_change) {
  Remove remove;
  remove.path = add.path;
  remove.deletion_timestamp = deletion_timestamp_ms;
  remove.data_change = data_change;
  remove.extended_file_metadata = true;
  remove.partition_values = add.partition_values;
  remove.size = add.size;
  remove.stats = add.stats;
  remove.tags = add.tags;
  remove.deletion_vector = add.deletion_vector;
  remove.base_row_id = add.base_row_id;
  remove.default_row_commit_version = add.default_row_commit_version;
  return remove;
}

/// \brief Application transaction id (`txn`): makes a retried commit idempotent.
struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;
  bool operator==(const Txn&) const = default;
};

/// \brief commitInfo is free-form in the protocol; the known fields are typed and
/// everything else is kept in `extra` so that a read-then-write keeps it.
struct CommitInfo {
  std::optional<int64_t> timestamp;
  std::optional<int64_t> in_commit_timestamp;
  std::string operation;
  /// Values are JSON-encoded strings, as Spark writes them ("mode": "Append").
  StringMap operation_parameters;
  StringMap operation_metrics;
  std::optional<std::string> engine_info;
  std::optional<bool> is_blind_append;
  std::optional<int64_t> read_version;
  std::optional<std::string> isolation_level;
  /// Spark's `userMetadata` string; deltaline stores a JSON object of key/values.
  std::optional<std::string> user_metadata;
  nlohmann::json extra = nlohmann::json::object();

  bool operator==(const CommitInfo&) const = default;
};

/// \brief Change-data file (`cdc`, Spark's AddCDCFile): a Parquet file of change rows
/// (with a `_change_type` column) that a commit wrote beside its data files. Read by
/// the change data feed; deltaline never produces one.
struct Cdc {
  std::string path;  ///< URI-encoded, relative to the table root (or absolute)
  PartitionValues partition_values;
  int64_t size = 0;
  /// Always false in practice: the rows of a cdc file are not table data.
  bool data_change = false;
  std::optional<StringMap> tags;

  bool operator==(const Cdc&) const = default;
};

struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
  bool operator==(const DomainMetadata&) const = default;
};

/// \brief One line of a commit file. Lines of other action types are skipped on
/// read: the features that introduce them (v2 checkpoints…) are refused at the
/// protocol check, so nothing we accept depends on them.
using Action =
    std::variant<Protocol, Metadata, Add, Remove, CommitInfo, Txn, Cdc, DomainMetadata>;

}  // namespace deltaline::delta
