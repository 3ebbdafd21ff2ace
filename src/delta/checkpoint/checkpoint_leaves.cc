// Checkpoint rows -> actions over leaf cursors (checkpoint_leaf_cursor.cc): the same
// fields, defaults and errors as the Arrow-based decoder (checkpoint_rows.cc), which
// handles every layout this one declines.

#include <algorithm>
#include <limits>
#include <utility>

#include <parquet/file_reader.h>
#include <parquet/metadata.h>

#include "delta/checkpoint/checkpoint_leaves_internal.h"

namespace deltaline::delta::checkpoint_internal {
namespace {

using parquet::schema::GroupNode;

std::optional<std::string> Str(const Leaf& leaf) {
  if (leaf.cursor == nullptr || !leaf.cursor->has_value()) return std::nullopt;
  return std::string(leaf.cursor->bytes());
}

std::optional<int64_t> Int(const Leaf& leaf) {
  if (leaf.cursor == nullptr || !leaf.cursor->has_value()) return std::nullopt;
  return leaf.cursor->integer();
}

arrow::Result<std::optional<int32_t>> Int32(const Leaf& leaf) {
  std::optional<int64_t> wide = Int(leaf);
  if (!wide) return std::nullopt;
  if (*wide < std::numeric_limits<int32_t>::min() ||
      *wide > std::numeric_limits<int32_t>::max()) {
    return arrow::Status::Invalid(leaf.name, " value ", *wide, " does not fit int32");
  }
  return static_cast<int32_t>(*wide);
}

std::optional<bool> Bool(const Leaf& leaf) {
  if (leaf.cursor == nullptr || !leaf.cursor->has_value()) return std::nullopt;
  return leaf.cursor->boolean();
}

template <typename T>
arrow::Result<T> Required(std::optional<T> value, const Leaf& leaf, int64_t row) {
  if (!value) return arrow::Status::Invalid(leaf.name, " is null in row ", row);
  return std::move(*value);
}

template <typename T>
arrow::Result<T> Required(arrow::Result<std::optional<T>> read, const Leaf& leaf,
                          int64_t row) {
  ARROW_ASSIGN_OR_RAISE(std::optional<T> value, std::move(read));
  return Required(std::move(value), leaf, row);
}

// Calls `add(key, value)` for each entry with a key; nullopt for a null map.
template <typename Out, typename AddEntry>
arrow::Result<std::optional<Out>> ReadPairs(const MapLeaves& map, AddEntry add) {
  if (map.self.IsNull()) return std::nullopt;
  const auto& keys = map.keys->entries();
  const auto& values = map.values->entries();
  if (keys.size() != values.size()) {
    return arrow::Status::Invalid(map.self.name, " has ", keys.size(), " keys and ",
                                  values.size(), " values in one row");
  }
  Out out;
  for (size_t entry_idx = 0; entry_idx < keys.size(); ++entry_idx) {
    // Map keys are non-null by definition; a null one names nothing.
    if (keys[entry_idx]) add(out, *keys[entry_idx], values[entry_idx]);
  }
  return out;
}

// A null value carries no setting: dropped, as the Arrow path does.
arrow::Result<std::optional<StringMap>> ReadMap(const MapLeaves& map) {
  return ReadPairs<StringMap>(map, [](StringMap& out, const std::string& key,
                                      const std::optional<std::string>& value) {
    if (value) out.insert_or_assign(key, *value);
  });
}

arrow::Result<std::optional<PartitionValues>> ReadPartitionValues(const MapLeaves& map) {
  return ReadPairs<PartitionValues>(map, [](PartitionValues& out, const std::string& key,
                                            const std::optional<std::string>& value) {
    out.insert_or_assign(key, value);
  });
}

std::optional<std::vector<std::string>> ReadList(const ListLeaf& list) {
  if (list.self.IsNull()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& element : list.elements->entries()) {
    if (element) out.push_back(*element);  // null elements mean nothing in Delta
  }
  return out;
}

struct DvLeaves {
  Group self;
  Leaf storage_type, path_or_inline_dv, offset, size_in_bytes, cardinality;

  static DvLeaves Bind(Layout& layout, const GroupNode* parent,
                       const std::string& prefix) {
    DvLeaves c;
    const std::string name = prefix + ".deletionVector";
    const GroupNode* node = layout.GroupField(parent, "deletionVector");
    const size_t first = layout.Open();
    c.storage_type = layout.String(node, name, "storageType");
    c.path_or_inline_dv = layout.String(node, name, "pathOrInlineDv");
    c.offset = layout.Int(node, name, "offset");
    c.size_in_bytes = layout.Int(node, name, "sizeInBytes");
    c.cardinality = layout.Int(node, name, "cardinality");
    c.self = layout.Close(node, first, name);
    return c;
  }

  arrow::Result<std::optional<DeletionVectorDescriptor>> Decode(int64_t row) const {
    if (self.IsNull()) return std::nullopt;
    DeletionVectorDescriptor dv;
    ARROW_ASSIGN_OR_RAISE(dv.storage_type,
                          Required(Str(storage_type), storage_type, row));
    ARROW_ASSIGN_OR_RAISE(dv.path_or_inline_dv,
                          Required(Str(path_or_inline_dv), path_or_inline_dv, row));
    ARROW_ASSIGN_OR_RAISE(dv.offset, Int32(offset));
    ARROW_ASSIGN_OR_RAISE(dv.size_in_bytes,
                          Required(Int32(size_in_bytes), size_in_bytes, row));
    ARROW_ASSIGN_OR_RAISE(dv.cardinality, Required(Int(cardinality), cardinality, row));
    return dv;
  }
};

struct TxnLeaves {
  Group self;
  Leaf app_id, version, last_updated;

  static TxnLeaves Bind(Layout& layout) {
    TxnLeaves c;
    const GroupNode* node = layout.GroupField(layout.root(), "txn");
    const size_t first = layout.Open();
    c.app_id = layout.String(node, "txn", "appId");
    c.version = layout.Int(node, "txn", "version");
    c.last_updated = layout.Int(node, "txn", "lastUpdated");
    c.self = layout.Close(node, first, "txn");
    return c;
  }

  arrow::Result<Txn> Decode(int64_t row) const {
    Txn txn;
    ARROW_ASSIGN_OR_RAISE(txn.app_id, Required(Str(app_id), app_id, row));
    ARROW_ASSIGN_OR_RAISE(txn.version, Required(Int(version), version, row));
    txn.last_updated = Int(last_updated);
    return txn;
  }
};

struct AddLeaves {
  Group self;
  Leaf path, size, modification_time, data_change, base_row_id,
      default_row_commit_version, clustering_provider, stats;
  MapLeaves partition_values, tags;
  DvLeaves dv;

  static AddLeaves Bind(Layout& layout) {
    AddLeaves c;
    const GroupNode* node = layout.GroupField(layout.root(), "add");
    const size_t first = layout.Open();
    c.path = layout.String(node, "add", "path");
    c.partition_values = layout.Map(node, "add", "partitionValues");
    c.size = layout.Int(node, "add", "size");
    c.modification_time = layout.Int(node, "add", "modificationTime");
    c.data_change = layout.Bool(node, "add", "dataChange");
    c.tags = layout.Map(node, "add", "tags");
    c.dv = DvLeaves::Bind(layout, node, "add");
    c.base_row_id = layout.Int(node, "add", "baseRowId");
    c.default_row_commit_version = layout.Int(node, "add", "defaultRowCommitVersion");
    c.clustering_provider = layout.String(node, "add", "clusteringProvider");
    c.stats = layout.String(node, "add", "stats");
    // Stats rebuilt from stats_parsed where `stats` is null: the Arrow path's job.
    layout.Unsupported(node, "stats_parsed");
    c.self = layout.Close(node, first, "add");
    return c;
  }

  arrow::Result<Add> Decode(int64_t row) const {
    Add add;
    ARROW_ASSIGN_OR_RAISE(add.path, Required(Str(path), path, row));
    ARROW_ASSIGN_OR_RAISE(auto values, ReadPartitionValues(partition_values));
    add.partition_values = std::move(values).value_or(PartitionValues{});
    ARROW_ASSIGN_OR_RAISE(add.size, Required(Int(size), size, row));
    add.modification_time = Int(modification_time).value_or(0);
    // Spark writes dataChange=false for every checkpointed add; absent means the same.
    add.data_change = Bool(data_change).value_or(false);
    ARROW_ASSIGN_OR_RAISE(add.tags, ReadMap(tags));
    ARROW_ASSIGN_OR_RAISE(add.deletion_vector, dv.Decode(row));
    add.base_row_id = Int(base_row_id);
    add.default_row_commit_version = Int(default_row_commit_version);
    add.clustering_provider = Str(clustering_provider);
    add.stats = Str(stats);
    return add;
  }
};

struct RemoveLeaves {
  Group self;
  Leaf path, deletion_timestamp, data_change, extended_file_metadata, size, stats,
      base_row_id, default_row_commit_version;
  MapLeaves partition_values, tags;
  DvLeaves dv;

  static RemoveLeaves Bind(Layout& layout) {
    RemoveLeaves c;
    const GroupNode* node = layout.GroupField(layout.root(), "remove");
    const size_t first = layout.Open();
    c.path = layout.String(node, "remove", "path");
    c.deletion_timestamp = layout.Int(node, "remove", "deletionTimestamp");
    c.data_change = layout.Bool(node, "remove", "dataChange");
    c.extended_file_metadata = layout.Bool(node, "remove", "extendedFileMetadata");
    c.partition_values = layout.Map(node, "remove", "partitionValues");
    c.size = layout.Int(node, "remove", "size");
    c.stats = layout.String(node, "remove", "stats");
    c.tags = layout.Map(node, "remove", "tags");
    c.dv = DvLeaves::Bind(layout, node, "remove");
    c.base_row_id = layout.Int(node, "remove", "baseRowId");
    c.default_row_commit_version = layout.Int(node, "remove", "defaultRowCommitVersion");
    c.self = layout.Close(node, first, "remove");
    return c;
  }

  arrow::Result<Remove> Decode(int64_t row) const {
    Remove remove;
    ARROW_ASSIGN_OR_RAISE(remove.path, Required(Str(path), path, row));
    remove.deletion_timestamp = Int(deletion_timestamp);
    remove.data_change = Bool(data_change).value_or(false);
    remove.extended_file_metadata = Bool(extended_file_metadata);
    ARROW_ASSIGN_OR_RAISE(remove.partition_values, ReadPartitionValues(partition_values));
    remove.size = Int(size);
    remove.stats = Str(stats);
    ARROW_ASSIGN_OR_RAISE(remove.tags, ReadMap(tags));
    ARROW_ASSIGN_OR_RAISE(remove.deletion_vector, dv.Decode(row));
    remove.base_row_id = Int(base_row_id);
    remove.default_row_commit_version = Int(default_row_commit_version);
    return remove;
  }
};

struct MetadataLeaves {
  Group self, format;
  Leaf id, name, description, provider, schema_string, created_time;
  MapLeaves options, configuration;
  ListLeaf partition_columns;

  static MetadataLeaves Bind(Layout& layout) {
    MetadataLeaves c;
    const GroupNode* node = layout.GroupField(layout.root(), "metaData");
    const size_t first = layout.Open();
    c.id = layout.String(node, "metaData", "id");
    c.name = layout.String(node, "metaData", "name");
    c.description = layout.String(node, "metaData", "description");
    const GroupNode* format = layout.GroupField(node, "format");
    const size_t first_format = layout.Open();
    c.provider = layout.String(format, "metaData.format", "provider");
    c.options = layout.Map(format, "metaData.format", "options");
    c.format = layout.Close(format, first_format, "metaData.format");
    c.schema_string = layout.String(node, "metaData", "schemaString");
    c.partition_columns = layout.List(node, "metaData", "partitionColumns");
    c.configuration = layout.Map(node, "metaData", "configuration");
    c.created_time = layout.Int(node, "metaData", "createdTime");
    c.self = layout.Close(node, first, "metaData");
    return c;
  }

  arrow::Result<Metadata> Decode(int64_t row) const {
    Metadata metadata;
    ARROW_ASSIGN_OR_RAISE(metadata.id, Required(Str(id), id, row));
    metadata.name = Str(name);
    metadata.description = Str(description);
    // A null format (or provider) means the protocol's only format, parquet.
    if (!format.IsNull()) {
      if (auto value = Str(provider)) metadata.format.provider = std::move(*value);
      ARROW_ASSIGN_OR_RAISE(auto options_value, ReadMap(options));
      metadata.format.options = std::move(options_value).value_or(StringMap{});
    }
    ARROW_ASSIGN_OR_RAISE(metadata.schema_string,
                          Required(Str(schema_string), schema_string, row));
    metadata.partition_columns =
        ReadList(partition_columns).value_or(std::vector<std::string>{});
    ARROW_ASSIGN_OR_RAISE(auto config, ReadMap(configuration));
    metadata.configuration = std::move(config).value_or(StringMap{});
    metadata.created_time = Int(created_time);
    return metadata;
  }
};

struct ProtocolLeaves {
  Group self;
  Leaf min_reader, min_writer;
  ListLeaf reader_features, writer_features;

  static ProtocolLeaves Bind(Layout& layout) {
    ProtocolLeaves c;
    const GroupNode* node = layout.GroupField(layout.root(), "protocol");
    const size_t first = layout.Open();
    c.min_reader = layout.Int(node, "protocol", "minReaderVersion");
    c.min_writer = layout.Int(node, "protocol", "minWriterVersion");
    c.reader_features = layout.List(node, "protocol", "readerFeatures");
    c.writer_features = layout.List(node, "protocol", "writerFeatures");
    c.self = layout.Close(node, first, "protocol");
    return c;
  }

  arrow::Result<Protocol> Decode(int64_t row) const {
    Protocol protocol;
    ARROW_ASSIGN_OR_RAISE(protocol.min_reader_version,
                          Required(Int32(min_reader), min_reader, row));
    ARROW_ASSIGN_OR_RAISE(protocol.min_writer_version,
                          Required(Int32(min_writer), min_writer, row));
    protocol.reader_features = ReadList(reader_features);
    protocol.writer_features = ReadList(writer_features);
    return protocol;
  }
};

struct DomainLeaves {
  Group self;
  Leaf domain, configuration, removed;

  static DomainLeaves Bind(Layout& layout) {
    DomainLeaves c;
    const GroupNode* node = layout.GroupField(layout.root(), "domainMetadata");
    const size_t first = layout.Open();
    c.domain = layout.String(node, "domainMetadata", "domain");
    c.configuration = layout.String(node, "domainMetadata", "configuration");
    c.removed = layout.Bool(node, "domainMetadata", "removed");
    c.self = layout.Close(node, first, "domainMetadata");
    return c;
  }

  arrow::Result<DomainMetadata> Decode(int64_t row) const {
    DomainMetadata out;
    ARROW_ASSIGN_OR_RAISE(out.domain, Required(Str(domain), domain, row));
    ARROW_ASSIGN_OR_RAISE(out.configuration,
                          Required(Str(configuration), configuration, row));
    out.removed = Bool(removed).value_or(false);
    return out;
  }
};

template <typename Leaves>
arrow::Status DecodeInto(const Leaves& leaves, int64_t row, std::vector<Action>* out) {
  if (leaves.self.IsNull()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto action, leaves.Decode(row));
  out->emplace_back(std::move(action));
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<bool> DecodeWithColumnReaders(parquet::ParquetFileReader& file,
                                            int64_t batch_rows,
                                            const CheckpointBatchConsumer& consume,
                                            arrow::Status* consumer_status) {
  std::shared_ptr<parquet::FileMetaData> metadata = file.metadata();
  Layout layout(*metadata->schema());
  const TxnLeaves txn = TxnLeaves::Bind(layout);
  const AddLeaves add = AddLeaves::Bind(layout);
  const RemoveLeaves remove = RemoveLeaves::Bind(layout);
  const MetadataLeaves meta = MetadataLeaves::Bind(layout);
  const ProtocolLeaves protocol = ProtocolLeaves::Bind(layout);
  const DomainLeaves domain = DomainLeaves::Bind(layout);
  if (!layout.supported()) return false;

  std::vector<Action> actions;
  actions.reserve(static_cast<size_t>(std::min<int64_t>(batch_rows, 4096)));
  int64_t row = 0;
  int64_t rows_in_batch = 0;
  auto flush = [&]() -> arrow::Status {
    *consumer_status = consume(actions);
    actions.clear();
    rows_in_batch = 0;
    return *consumer_status;
  };
  for (int group_idx = 0; group_idx < metadata->num_row_groups(); ++group_idx) {
    std::shared_ptr<parquet::RowGroupReader> group = file.RowGroup(group_idx);
    for (const auto& cursor : layout.cursors())
      cursor->Reset(group->Column(cursor->column()));
    const int64_t group_rows = group->metadata()->num_rows();
    for (int64_t group_row = 0; group_row < group_rows; ++group_row, ++row) {
      for (const auto& cursor : layout.cursors())
        ARROW_RETURN_NOT_OK(cursor->NextRow(row));
      // Rows hold one action each; should a file put several in one row, all are kept.
      ARROW_RETURN_NOT_OK(DecodeInto(txn, row, &actions));
      ARROW_RETURN_NOT_OK(DecodeInto(add, row, &actions));
      ARROW_RETURN_NOT_OK(DecodeInto(remove, row, &actions));
      ARROW_RETURN_NOT_OK(DecodeInto(meta, row, &actions));
      ARROW_RETURN_NOT_OK(DecodeInto(protocol, row, &actions));
      ARROW_RETURN_NOT_OK(DecodeInto(domain, row, &actions));
      if (++rows_in_batch >= batch_rows) ARROW_RETURN_NOT_OK(flush());
    }
    for (const auto& cursor : layout.cursors()) ARROW_RETURN_NOT_OK(cursor->ExpectEnd());
  }
  if (!actions.empty()) ARROW_RETURN_NOT_OK(flush());
  return true;
}

}  // namespace deltaline::delta::checkpoint_internal
