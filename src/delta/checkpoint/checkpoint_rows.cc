// Checkpoint rows -> actions. Fields are looked up by name, so missing optional
// fields, extra fields and reordered fields from other writers all decode; required
// fields that are null fail, naming the column and row.

#include <arrow/record_batch.h>

#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta {
namespace checkpoint_internal {
namespace {

template <typename T>
arrow::Result<T> Required(arrow::Result<std::optional<T>> read, const ColumnRef& col,
                          int64_t row) {
  ARROW_ASSIGN_OR_RAISE(std::optional<T> value, std::move(read));
  if (!value) return arrow::Status::Invalid(col.name, " is null in row ", row);
  return std::move(*value);
}

// Delta string maps have no null values; a null one (allowed by Spark's map type)
// carries no setting, so it is dropped rather than turned into "".
arrow::Result<std::optional<StringMap>> ReadMap(const ColumnRef& col, int64_t row) {
  ARROW_ASSIGN_OR_RAISE(auto pairs, ReadStringMap(col, row));
  if (!pairs) return std::nullopt;
  StringMap out;
  for (auto& [key, value] : *pairs) {
    if (value) out.insert_or_assign(std::move(key), std::move(*value));
  }
  return out;
}

arrow::Result<std::optional<PartitionValues>> ReadPartitionValues(const ColumnRef& col,
                                                                  int64_t row) {
  ARROW_ASSIGN_OR_RAISE(auto pairs, ReadStringMap(col, row));
  if (!pairs) return std::nullopt;
  PartitionValues out;
  for (auto& [key, value] : *pairs) {
    out.insert_or_assign(std::move(key), std::move(value));
  }
  return out;
}

struct DvColumns {
  ColumnRef self, storage_type, path_or_inline_dv, offset, size_in_bytes, cardinality;

  static arrow::Result<DvColumns> Bind(const ColumnRef& parent) {
    DvColumns c;
    ARROW_ASSIGN_OR_RAISE(c.self, Child(parent, "deletionVector"));
    ARROW_ASSIGN_OR_RAISE(c.storage_type, Child(c.self, "storageType"));
    ARROW_ASSIGN_OR_RAISE(c.path_or_inline_dv, Child(c.self, "pathOrInlineDv"));
    ARROW_ASSIGN_OR_RAISE(c.offset, Child(c.self, "offset"));
    ARROW_ASSIGN_OR_RAISE(c.size_in_bytes, Child(c.self, "sizeInBytes"));
    ARROW_ASSIGN_OR_RAISE(c.cardinality, Child(c.self, "cardinality"));
    return c;
  }

  arrow::Result<std::optional<DeletionVectorDescriptor>> Decode(int64_t row) const {
    if (self.IsNull(row)) return std::nullopt;
    DeletionVectorDescriptor dv;
    ARROW_ASSIGN_OR_RAISE(dv.storage_type,
                          Required(ReadString(storage_type, row), storage_type, row));
    ARROW_ASSIGN_OR_RAISE(
        dv.path_or_inline_dv,
        Required(ReadString(path_or_inline_dv, row), path_or_inline_dv, row));
    ARROW_ASSIGN_OR_RAISE(dv.offset, ReadInt32(offset, row));
    ARROW_ASSIGN_OR_RAISE(dv.size_in_bytes,
                          Required(ReadInt32(size_in_bytes, row), size_in_bytes, row));
    ARROW_ASSIGN_OR_RAISE(dv.cardinality,
                          Required(ReadInt64(cardinality, row), cardinality, row));
    return dv;
  }
};

struct TxnColumns {
  ColumnRef self, app_id, version, last_updated;

  static arrow::Result<TxnColumns> Bind(ColumnRef self) {
    TxnColumns c;
    c.self = std::move(self);
    ARROW_ASSIGN_OR_RAISE(c.app_id, Child(c.self, "appId"));
    ARROW_ASSIGN_OR_RAISE(c.version, Child(c.self, "version"));
    ARROW_ASSIGN_OR_RAISE(c.last_updated, Child(c.self, "lastUpdated"));
    return c;
  }

  arrow::Result<Txn> Decode(int64_t row) const {
    Txn txn;
    ARROW_ASSIGN_OR_RAISE(txn.app_id, Required(ReadString(app_id, row), app_id, row));
    ARROW_ASSIGN_OR_RAISE(txn.version, Required(ReadInt64(version, row), version, row));
    ARROW_ASSIGN_OR_RAISE(txn.last_updated, ReadInt64(last_updated, row));
    return txn;
  }
};

struct AddColumns {
  ColumnRef self, path, partition_values, size, modification_time, data_change, tags,
      base_row_id, default_row_commit_version, clustering_provider, stats, stats_parsed;
  DvColumns dv;

  static arrow::Result<AddColumns> Bind(ColumnRef self) {
    AddColumns c;
    c.self = std::move(self);
    ARROW_ASSIGN_OR_RAISE(c.path, Child(c.self, "path"));
    ARROW_ASSIGN_OR_RAISE(c.partition_values, Child(c.self, "partitionValues"));
    ARROW_ASSIGN_OR_RAISE(c.size, Child(c.self, "size"));
    ARROW_ASSIGN_OR_RAISE(c.modification_time, Child(c.self, "modificationTime"));
    ARROW_ASSIGN_OR_RAISE(c.data_change, Child(c.self, "dataChange"));
    ARROW_ASSIGN_OR_RAISE(c.tags, Child(c.self, "tags"));
    ARROW_ASSIGN_OR_RAISE(c.base_row_id, Child(c.self, "baseRowId"));
    ARROW_ASSIGN_OR_RAISE(c.default_row_commit_version,
                          Child(c.self, "defaultRowCommitVersion"));
    ARROW_ASSIGN_OR_RAISE(c.clustering_provider, Child(c.self, "clusteringProvider"));
    ARROW_ASSIGN_OR_RAISE(c.stats, Child(c.self, "stats"));
    ARROW_ASSIGN_OR_RAISE(c.stats_parsed, Child(c.self, "stats_parsed"));
    ARROW_ASSIGN_OR_RAISE(c.dv, DvColumns::Bind(c.self));
    return c;
  }

  arrow::Result<Add> Decode(int64_t row) const {
    Add add;
    ARROW_ASSIGN_OR_RAISE(add.path, Required(ReadString(path, row), path, row));
    ARROW_ASSIGN_OR_RAISE(auto values, ReadPartitionValues(partition_values, row));
    add.partition_values = std::move(values).value_or(PartitionValues{});
    ARROW_ASSIGN_OR_RAISE(add.size, Required(ReadInt64(size, row), size, row));
    ARROW_ASSIGN_OR_RAISE(auto mtime, ReadInt64(modification_time, row));
    add.modification_time = mtime.value_or(0);
    // Spark writes dataChange=false for every checkpointed add; absent means the same.
    ARROW_ASSIGN_OR_RAISE(auto change, ReadBool(data_change, row));
    add.data_change = change.value_or(false);
    ARROW_ASSIGN_OR_RAISE(add.tags, ReadMap(tags, row));
    ARROW_ASSIGN_OR_RAISE(add.deletion_vector, dv.Decode(row));
    ARROW_ASSIGN_OR_RAISE(add.base_row_id, ReadInt64(base_row_id, row));
    ARROW_ASSIGN_OR_RAISE(add.default_row_commit_version,
                          ReadInt64(default_row_commit_version, row));
    ARROW_ASSIGN_OR_RAISE(add.clustering_provider, ReadString(clustering_provider, row));
    ARROW_ASSIGN_OR_RAISE(add.stats, ReadString(stats, row));
    if (!add.stats) {
      ARROW_ASSIGN_OR_RAISE(add.stats, StatsStructToJson(stats_parsed, row));
    }
    return add;
  }
};

struct RemoveColumns {
  ColumnRef self, path, deletion_timestamp, data_change, extended_file_metadata,
      partition_values, size, stats, tags, base_row_id, default_row_commit_version;
  DvColumns dv;

  static arrow::Result<RemoveColumns> Bind(ColumnRef self) {
    RemoveColumns c;
    c.self = std::move(self);
    ARROW_ASSIGN_OR_RAISE(c.path, Child(c.self, "path"));
    ARROW_ASSIGN_OR_RAISE(c.deletion_timestamp, Child(c.self, "deletionTimestamp"));
    ARROW_ASSIGN_OR_RAISE(c.data_change, Child(c.self, "dataChange"));
    ARROW_ASSIGN_OR_RAISE(c.extended_file_metadata,
                          Child(c.self, "extendedFileMetadata"));
    ARROW_ASSIGN_OR_RAISE(c.partition_values, Child(c.self, "partitionValues"));
    ARROW_ASSIGN_OR_RAISE(c.size, Child(c.self, "size"));
    ARROW_ASSIGN_OR_RAISE(c.stats, Child(c.self, "stats"));
    ARROW_ASSIGN_OR_RAISE(c.tags, Child(c.self, "tags"));
    ARROW_ASSIGN_OR_RAISE(c.base_row_id, Child(c.self, "baseRowId"));
    ARROW_ASSIGN_OR_RAISE(c.default_row_commit_version,
                          Child(c.self, "defaultRowCommitVersion"));
    ARROW_ASSIGN_OR_RAISE(c.dv, DvColumns::Bind(c.self));
    return c;
  }

  arrow::Result<Remove> Decode(int64_t row) const {
    Remove remove;
    ARROW_ASSIGN_OR_RAISE(remove.path, Required(ReadString(path, row), path, row));
    ARROW_ASSIGN_OR_RAISE(remove.deletion_timestamp, ReadInt64(deletion_timestamp, row));
    ARROW_ASSIGN_OR_RAISE(auto change, ReadBool(data_change, row));
    remove.data_change = change.value_or(false);
    ARROW_ASSIGN_OR_RAISE(remove.extended_file_metadata,
                          ReadBool(extended_file_metadata, row));
    ARROW_ASSIGN_OR_RAISE(remove.partition_values,
                          ReadPartitionValues(partition_values, row));
    ARROW_ASSIGN_OR_RAISE(remove.size, ReadInt64(size, row));
    ARROW_ASSIGN_OR_RAISE(remove.stats, ReadString(stats, row));
    ARROW_ASSIGN_OR_RAISE(remove.tags, ReadMap(tags, row));
    ARROW_ASSIGN_OR_RAISE(remove.deletion_vector, dv.Decode(row));
    ARROW_ASSIGN_OR_RAISE(remove.base_row_id, ReadInt64(base_row_id, row));
    ARROW_ASSIGN_OR_RAISE(remove.default_row_commit_version,
                          ReadInt64(default_row_commit_version, row));
    return remove;
  }
};

struct MetadataColumns {
  ColumnRef self, id, name, description, format, provider, options, schema_string,
      partition_columns, configuration, created_time;

  static arrow::Result<MetadataColumns> Bind(ColumnRef self) {
    MetadataColumns c;
    c.self = std::move(self);
    ARROW_ASSIGN_OR_RAISE(c.id, Child(c.self, "id"));
    ARROW_ASSIGN_OR_RAISE(c.name, Child(c.self, "name"));
    ARROW_ASSIGN_OR_RAISE(c.description, Child(c.self, "description"));
    ARROW_ASSIGN_OR_RAISE(c.format, Child(c.self, "format"));
    ARROW_ASSIGN_OR_RAISE(c.provider, Child(c.format, "provider"));
    ARROW_ASSIGN_OR_RAISE(c.options, Child(c.format, "options"));
    ARROW_ASSIGN_OR_RAISE(c.schema_string, Child(c.self, "schemaString"));
    ARROW_ASSIGN_OR_RAISE(c.partition_columns, Child(c.self, "partitionColumns"));
    ARROW_ASSIGN_OR_RAISE(c.configuration, Child(c.self, "configuration"));
    ARROW_ASSIGN_OR_RAISE(c.created_time, Child(c.self, "createdTime"));
    return c;
  }

  arrow::Result<Metadata> Decode(int64_t row) const {
    Metadata metadata;
    ARROW_ASSIGN_OR_RAISE(metadata.id, Required(ReadString(id, row), id, row));
    ARROW_ASSIGN_OR_RAISE(metadata.name, ReadString(name, row));
    ARROW_ASSIGN_OR_RAISE(metadata.description, ReadString(description, row));
    // A null format (or provider) means the protocol's only format, parquet.
    if (!format.IsNull(row)) {
      ARROW_ASSIGN_OR_RAISE(auto provider_value, ReadString(provider, row));
      if (provider_value) metadata.format.provider = std::move(*provider_value);
      ARROW_ASSIGN_OR_RAISE(auto options_value, ReadMap(options, row));
      metadata.format.options = std::move(options_value).value_or(StringMap{});
    }
    ARROW_ASSIGN_OR_RAISE(metadata.schema_string,
                          Required(ReadString(schema_string, row), schema_string, row));
    ARROW_ASSIGN_OR_RAISE(auto columns, ReadStringList(partition_columns, row));
    metadata.partition_columns = std::move(columns).value_or(std::vector<std::string>{});
    ARROW_ASSIGN_OR_RAISE(auto config, ReadMap(configuration, row));
    metadata.configuration = std::move(config).value_or(StringMap{});
    ARROW_ASSIGN_OR_RAISE(metadata.created_time, ReadInt64(created_time, row));
    return metadata;
  }
};

struct ProtocolColumns {
  ColumnRef self, min_reader, min_writer, reader_features, writer_features;

  static arrow::Result<ProtocolColumns> Bind(ColumnRef self) {
    ProtocolColumns c;
    c.self = std::move(self);
    ARROW_ASSIGN_OR_RAISE(c.min_reader, Child(c.self, "minReaderVersion"));
    ARROW_ASSIGN_OR_RAISE(c.min_writer, Child(c.self, "minWriterVersion"));
    ARROW_ASSIGN_OR_RAISE(c.reader_features, Child(c.self, "readerFeatures"));
    ARROW_ASSIGN_OR_RAISE(c.writer_features, Child(c.self, "writerFeatures"));
    return c;
  }

  arrow::Result<Protocol> Decode(int64_t row) const {
    Protocol protocol;
    ARROW_ASSIGN_OR_RAISE(protocol.min_reader_version,
                          Required(ReadInt32(min_reader, row), min_reader, row));
    ARROW_ASSIGN_OR_RAISE(protocol.min_writer_version,
                          Required(ReadInt32(min_writer, row), min_writer, row));
    ARROW_ASSIGN_OR_RAISE(protocol.reader_features, ReadStringList(reader_features, row));
    ARROW_ASSIGN_OR_RAISE(protocol.writer_features, ReadStringList(writer_features, row));
    return protocol;
  }
};

struct DomainColumns {
  ColumnRef self, domain, configuration, removed;

  static arrow::Result<DomainColumns> Bind(ColumnRef self) {
    DomainColumns c;
    c.self = std::move(self);
    ARROW_ASSIGN_OR_RAISE(c.domain, Child(c.self, "domain"));
    ARROW_ASSIGN_OR_RAISE(c.configuration, Child(c.self, "configuration"));
    ARROW_ASSIGN_OR_RAISE(c.removed, Child(c.self, "removed"));
    return c;
  }

  arrow::Result<DomainMetadata> Decode(int64_t row) const {
    DomainMetadata out;
    ARROW_ASSIGN_OR_RAISE(out.domain, Required(ReadString(domain, row), domain, row));
    ARROW_ASSIGN_OR_RAISE(out.configuration,
                          Required(ReadString(configuration, row), configuration, row));
    ARROW_ASSIGN_OR_RAISE(auto removed_value, ReadBool(removed, row));
    out.removed = removed_value.value_or(false);
    return out;
  }
};

template <typename Columns>
arrow::Status DecodeInto(const Columns& columns, int64_t row, std::vector<Action>* out) {
  if (columns.self.IsNull(row)) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto action, columns.Decode(row));
  out->emplace_back(std::move(action));
  return arrow::Status::OK();
}

}  // namespace

arrow::Status DecodeBatch(const arrow::RecordBatch& batch, std::vector<Action>* out) {
  auto top = [&](const char* name) {
    return ColumnRef{batch.GetColumnByName(name), name};
  };
  ARROW_ASSIGN_OR_RAISE(auto txn, TxnColumns::Bind(top("txn")));
  ARROW_ASSIGN_OR_RAISE(auto add, AddColumns::Bind(top("add")));
  ARROW_ASSIGN_OR_RAISE(auto remove, RemoveColumns::Bind(top("remove")));
  ARROW_ASSIGN_OR_RAISE(auto metadata, MetadataColumns::Bind(top("metaData")));
  ARROW_ASSIGN_OR_RAISE(auto protocol, ProtocolColumns::Bind(top("protocol")));
  ARROW_ASSIGN_OR_RAISE(auto domain, DomainColumns::Bind(top("domainMetadata")));
  // Rows hold one action each; should a file put several in one row, all are kept.
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    ARROW_RETURN_NOT_OK(DecodeInto(txn, row, out));
    ARROW_RETURN_NOT_OK(DecodeInto(add, row, out));
    ARROW_RETURN_NOT_OK(DecodeInto(remove, row, out));
    ARROW_RETURN_NOT_OK(DecodeInto(metadata, row, out));
    ARROW_RETURN_NOT_OK(DecodeInto(protocol, row, out));
    ARROW_RETURN_NOT_OK(DecodeInto(domain, row, out));
  }
  return arrow::Status::OK();
}

}  // namespace checkpoint_internal
}  // namespace deltaline::delta
