// EncodeCheckpoint: actions -> one Parquet file in Spark's classic checkpoint layout.
// Columns are built one at a time from per-row pointers (nullptr = the row holds
// another action kind), so each child array is a plain builder loop and the struct
// validity comes from the same pointers.

#include <arrow/builder.h>
#include <arrow/io/memory.h>
#include <arrow/table.h>
#include <arrow/util/bit_util.h>
#include <arrow/util/checked_cast.h>
#include <parquet/arrow/writer.h>
#include <parquet/exception.h>

#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint.h"
#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta {
namespace {

using ArrayPtr = std::shared_ptr<arrow::Array>;
using TypePtr = std::shared_ptr<arrow::DataType>;

// Data page size limit (uncompressed bytes); Parquet's default is 1 MiB.
constexpr int64_t kCheckpointPageBytes = 64 * 1024;
// Rows per write batch (Parquet's default 1024 would make stats pages ~350 KiB).
constexpr int64_t kCheckpointWriteBatchRows = 128;

}  // namespace

namespace {

template <typename T>
using Rows = std::vector<const T*>;

/// Per-row pointers to a part of each row's value (nullptr stays nullptr).
template <typename Out, typename T, typename Get>
Rows<Out> Project(const Rows<T>& rows, Get get) {
  Rows<Out> out(rows.size(), nullptr);
  for (size_t row_idx = 0; row_idx < rows.size(); ++row_idx) {
    if (rows[row_idx] != nullptr) out[row_idx] = get(*rows[row_idx]);
  }
  return out;
}

// Get returns `const std::string*`, nullptr for null.
template <typename T, typename Get>
arrow::Result<ArrayPtr> Strings(const Rows<T>& rows, Get get) {
  arrow::StringBuilder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(rows.size())));
  for (const T* row : rows) {
    const std::string* value = row ? get(*row) : nullptr;
    ARROW_RETURN_NOT_OK(value ? builder.Append(*value) : builder.AppendNull());
  }
  return builder.Finish();
}

// Get returns `std::optional<V>`; Builder is the Arrow builder of V.
template <typename Builder, typename T, typename Get>
arrow::Result<ArrayPtr> Scalars(const Rows<T>& rows, Get get) {
  Builder builder;
  ARROW_RETURN_NOT_OK(builder.Reserve(static_cast<int64_t>(rows.size())));
  for (const T* row : rows) {
    auto value = row ? get(*row) : std::nullopt;
    ARROW_RETURN_NOT_OK(value ? builder.Append(*value) : builder.AppendNull());
  }
  return builder.Finish();
}

// Map is StringMap or PartitionValues; Get returns `const Map*`, nullptr for null.
template <typename T, typename Get>
arrow::Result<ArrayPtr> StringMaps(const Rows<T>& rows, Get get) {
  auto keys = std::make_shared<arrow::StringBuilder>();
  auto values = std::make_shared<arrow::StringBuilder>();
  arrow::MapBuilder builder(arrow::default_memory_pool(), keys, values,
                            arrow::map(arrow::utf8(), arrow::utf8()));
  for (const T* row : rows) {
    const auto* map = row ? get(*row) : nullptr;
    if (map == nullptr) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    ARROW_RETURN_NOT_OK(builder.Append());
    for (const auto& [key, value] : *map) {
      ARROW_RETURN_NOT_OK(keys->Append(key));
      if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::string>) {
        ARROW_RETURN_NOT_OK(values->Append(value));
      } else {
        ARROW_RETURN_NOT_OK(value ? values->Append(*value) : values->AppendNull());
      }
    }
  }
  return builder.Finish();
}

// Get returns `const std::vector<std::string>*`, nullptr for null.
template <typename T, typename Get>
arrow::Result<ArrayPtr> StringLists(const Rows<T>& rows, Get get) {
  auto elements = std::make_shared<arrow::StringBuilder>();
  arrow::ListBuilder builder(arrow::default_memory_pool(), elements,
                             arrow::list(arrow::utf8()));
  for (const T* row : rows) {
    const std::vector<std::string>* list = row ? get(*row) : nullptr;
    if (list == nullptr) {
      ARROW_RETURN_NOT_OK(builder.AppendNull());
      continue;
    }
    ARROW_RETURN_NOT_OK(builder.Append());
    for (const std::string& element : *list) {
      ARROW_RETURN_NOT_OK(elements->Append(element));
    }
  }
  return builder.Finish();
}

/// A struct column of `type`: null where `rows` has nullptr.
template <typename T>
arrow::Result<ArrayPtr> Struct(const Rows<T>& rows, const TypePtr& type,
                               std::vector<ArrayPtr> children) {
  const auto length = static_cast<int64_t>(rows.size());
  ARROW_ASSIGN_OR_RAISE(auto validity, arrow::AllocateEmptyBitmap(length));
  int64_t null_count = 0;
  for (int64_t row_idx = 0; row_idx < length; ++row_idx) {
    if (rows[row_idx] != nullptr) {
      arrow::bit_util::SetBit(validity->mutable_data(), row_idx);
    } else {
      ++null_count;
    }
  }
  return std::make_shared<arrow::StructArray>(type, length, std::move(children),
                                              std::move(validity), null_count);
}

template <typename T>
std::optional<T> Opt(const T& value) {
  return value;
}

template <typename T>
const T* Ptr(const std::optional<T>& value) {
  return value ? &*value : nullptr;
}

arrow::Result<ArrayPtr> DeletionVectors(const Rows<DeletionVectorDescriptor>& dvs,
                                        const TypePtr& type) {
  using Dv = DeletionVectorDescriptor;
  ARROW_ASSIGN_OR_RAISE(auto storage,
                        Strings(dvs, [](const Dv& d) { return &d.storage_type; }));
  ARROW_ASSIGN_OR_RAISE(auto path,
                        Strings(dvs, [](const Dv& d) { return &d.path_or_inline_dv; }));
  ARROW_ASSIGN_OR_RAISE(auto offset, Scalars<arrow::Int32Builder>(
                                         dvs, [](const Dv& d) { return d.offset; }));
  ARROW_ASSIGN_OR_RAISE(auto size, Scalars<arrow::Int32Builder>(dvs, [](const Dv& d) {
                          return Opt(d.size_in_bytes);
                        }));
  ARROW_ASSIGN_OR_RAISE(
      auto cardinality,
      Scalars<arrow::Int64Builder>(dvs, [](const Dv& d) { return Opt(d.cardinality); }));
  return Struct(dvs, type, {storage, path, offset, size, cardinality});
}

TypePtr ChildType(const TypePtr& struct_type, const char* name) {
  return arrow::internal::checked_cast<const arrow::StructType&>(*struct_type)
      .GetFieldByName(name)
      ->type();
}

arrow::Result<ArrayPtr> TxnColumn(const Rows<Txn>& rows, const TypePtr& type) {
  ARROW_ASSIGN_OR_RAISE(auto app_id,
                        Strings(rows, [](const Txn& t) { return &t.app_id; }));
  ARROW_ASSIGN_OR_RAISE(
      auto version,
      Scalars<arrow::Int64Builder>(rows, [](const Txn& t) { return Opt(t.version); }));
  ARROW_ASSIGN_OR_RAISE(
      auto last_updated,
      Scalars<arrow::Int64Builder>(rows, [](const Txn& t) { return t.last_updated; }));
  return Struct(rows, type, {app_id, version, last_updated});
}

// The *Column functions append children in CheckpointSchema() order; ValidateFull in
// BuildTable rejects any drift between the two.
arrow::Result<ArrayPtr> AddColumn(const Rows<Add>& rows, const TypePtr& type) {
  using arrow::Int64Builder;
  std::vector<ArrayPtr> children;
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const Add& a) { return &a.path; }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(), StringMaps(rows, [](const Add& a) {
                          return &a.partition_values;
                        }));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<Int64Builder>(rows, [](const Add& a) { return Opt(a.size); }));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<Int64Builder>(rows, [](const Add& a) { return Opt(a.modification_time); }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Scalars<arrow::BooleanBuilder>(
                            rows, [](const Add& a) { return Opt(a.data_change); }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        StringMaps(rows, [](const Add& a) { return Ptr(a.tags); }));
  auto dvs = Project<DeletionVectorDescriptor>(
      rows, [](const Add& a) { return Ptr(a.deletion_vector); });
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        DeletionVectors(dvs, ChildType(type, "deletionVector")));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<Int64Builder>(rows, [](const Add& a) { return a.base_row_id; }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Scalars<Int64Builder>(rows, [](const Add& a) {
                          return a.default_row_commit_version;
                        }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(), Strings(rows, [](const Add& a) {
                          return Ptr(a.clustering_provider);
                        }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const Add& a) { return Ptr(a.stats); }));
  return Struct(rows, type, std::move(children));
}

// Remove.stats is not written: checkpoint tombstones only serve VACUUM, and Spark's
// checkpoint schema has no remove.stats column.
arrow::Result<ArrayPtr> RemoveColumn(const Rows<Remove>& rows, const TypePtr& type) {
  using arrow::BooleanBuilder;
  using arrow::Int64Builder;
  std::vector<ArrayPtr> children;
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const Remove& r) { return &r.path; }));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<Int64Builder>(rows, [](const Remove& r) { return r.deletion_timestamp; }));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<BooleanBuilder>(rows, [](const Remove& r) { return Opt(r.data_change); }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Scalars<BooleanBuilder>(rows, [](const Remove& r) {
                          return r.extended_file_metadata;
                        }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(), StringMaps(rows, [](const Remove& r) {
                          return Ptr(r.partition_values);
                        }));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<Int64Builder>(rows, [](const Remove& r) { return r.size; }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        StringMaps(rows, [](const Remove& r) { return Ptr(r.tags); }));
  auto dvs = Project<DeletionVectorDescriptor>(
      rows, [](const Remove& r) { return Ptr(r.deletion_vector); });
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        DeletionVectors(dvs, ChildType(type, "deletionVector")));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<Int64Builder>(rows, [](const Remove& r) { return r.base_row_id; }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Scalars<Int64Builder>(rows, [](const Remove& r) {
                          return r.default_row_commit_version;
                        }));
  return Struct(rows, type, std::move(children));
}

arrow::Result<ArrayPtr> MetadataColumn(const Rows<Metadata>& rows, const TypePtr& type) {
  using M = Metadata;
  auto formats = Project<Format>(rows, [](const M& m) { return &m.format; });
  ARROW_ASSIGN_OR_RAISE(auto provider,
                        Strings(formats, [](const Format& f) { return &f.provider; }));
  ARROW_ASSIGN_OR_RAISE(auto options,
                        StringMaps(formats, [](const Format& f) { return &f.options; }));
  ARROW_ASSIGN_OR_RAISE(auto format,
                        Struct(formats, ChildType(type, "format"), {provider, options}));
  std::vector<ArrayPtr> children;
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const M& m) { return &m.id; }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const M& m) { return Ptr(m.name); }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const M& m) { return Ptr(m.description); }));
  children.push_back(format);
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        Strings(rows, [](const M& m) { return &m.schema_string; }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(), StringLists(rows, [](const M& m) {
                          return &m.partition_columns;
                        }));
  ARROW_ASSIGN_OR_RAISE(children.emplace_back(),
                        StringMaps(rows, [](const M& m) { return &m.configuration; }));
  ARROW_ASSIGN_OR_RAISE(
      children.emplace_back(),
      Scalars<arrow::Int64Builder>(rows, [](const M& m) { return m.created_time; }));
  return Struct(rows, type, std::move(children));
}

arrow::Result<ArrayPtr> ProtocolColumn(const Rows<Protocol>& rows, const TypePtr& type) {
  using P = Protocol;
  ARROW_ASSIGN_OR_RAISE(auto reader, Scalars<arrow::Int32Builder>(rows, [](const P& p) {
                          return Opt(p.min_reader_version);
                        }));
  ARROW_ASSIGN_OR_RAISE(auto writer, Scalars<arrow::Int32Builder>(rows, [](const P& p) {
                          return Opt(p.min_writer_version);
                        }));
  // Null lists for legacy protocols: the protocol requires them null below 3/7.
  ARROW_ASSIGN_OR_RAISE(auto reader_features, StringLists(rows, [](const P& p) {
                          return Ptr(p.reader_features);
                        }));
  ARROW_ASSIGN_OR_RAISE(auto writer_features, StringLists(rows, [](const P& p) {
                          return Ptr(p.writer_features);
                        }));
  return Struct(rows, type, {reader, writer, reader_features, writer_features});
}

arrow::Result<ArrayPtr> DomainColumn(const Rows<DomainMetadata>& rows,
                                     const TypePtr& type) {
  using D = DomainMetadata;
  ARROW_ASSIGN_OR_RAISE(auto domain, Strings(rows, [](const D& d) { return &d.domain; }));
  ARROW_ASSIGN_OR_RAISE(auto config,
                        Strings(rows, [](const D& d) { return &d.configuration; }));
  ARROW_ASSIGN_OR_RAISE(
      auto removed,
      Scalars<arrow::BooleanBuilder>(rows, [](const D& d) { return Opt(d.removed); }));
  return Struct(rows, type, {domain, config, removed});
}

template <typename T>
Rows<T> RowsOf(const std::vector<Action>& actions) {
  Rows<T> rows(actions.size(), nullptr);
  for (size_t row_idx = 0; row_idx < actions.size(); ++row_idx) {
    rows[row_idx] = std::get_if<T>(&actions[row_idx]);
  }
  return rows;
}

arrow::Result<std::shared_ptr<arrow::Table>> BuildTable(
    const std::vector<Action>& actions) {
  auto schema = checkpoint_internal::CheckpointSchema();
  auto type_of = [&](const char* name) { return schema->GetFieldByName(name)->type(); };
  std::vector<ArrayPtr> columns;
  ARROW_ASSIGN_OR_RAISE(columns.emplace_back(),
                        TxnColumn(RowsOf<Txn>(actions), type_of("txn")));
  ARROW_ASSIGN_OR_RAISE(columns.emplace_back(),
                        AddColumn(RowsOf<Add>(actions), type_of("add")));
  ARROW_ASSIGN_OR_RAISE(columns.emplace_back(),
                        RemoveColumn(RowsOf<Remove>(actions), type_of("remove")));
  ARROW_ASSIGN_OR_RAISE(columns.emplace_back(),
                        MetadataColumn(RowsOf<Metadata>(actions), type_of("metaData")));
  ARROW_ASSIGN_OR_RAISE(columns.emplace_back(),
                        ProtocolColumn(RowsOf<Protocol>(actions), type_of("protocol")));
  ARROW_ASSIGN_OR_RAISE(
      columns.emplace_back(),
      DomainColumn(RowsOf<DomainMetadata>(actions), type_of("domainMetadata")));
  auto table = arrow::Table::Make(schema, columns, static_cast<int64_t>(actions.size()));
  // Cheap next to the Parquet encode, and catches a schema/builder mismatch here
  // rather than as an unreadable file later.
  ARROW_RETURN_NOT_OK(table->ValidateFull());
  return table;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Buffer>> EncodeCheckpoint(
    const std::vector<Action>& actions) {
  for (size_t row_idx = 0; row_idx < actions.size(); ++row_idx) {
    if (std::holds_alternative<CommitInfo>(actions[row_idx]) ||
        std::holds_alternative<Cdc>(actions[row_idx])) {
      return InvalidInput("checkpoint cannot hold commitInfo or cdc actions (action " +
                          std::to_string(row_idx) + ")");
    }
  }
  ARROW_ASSIGN_OR_RAISE(auto table, BuildTable(actions));

  auto props = parquet::WriterProperties::Builder()
                   .compression(parquet::Compression::SNAPPY)
                   ->enable_page_checksum()  // lets readers detect torn pages
                   // Paths and stats are unique per file: a dictionary for them only
                   // grows until it spills to plain pages, and every reader must
                   // decode and hold it whole.
                   ->disable_dictionary("add.path")
                   ->disable_dictionary("add.stats")
                   ->disable_dictionary("remove.path")
                   // A reader holds one decompressed page per column it reads; small
                   // pages keep that small without hurting compression much. The page
                   // size is checked once per write batch, so that is bounded too.
                   ->data_pagesize(kCheckpointPageBytes)
                   ->write_batch_size(kCheckpointWriteBatchRows)
                   ->build();
  try {
    ARROW_ASSIGN_OR_RAISE(auto sink, arrow::io::BufferOutputStream::Create());
    ARROW_RETURN_NOT_OK(
        parquet::arrow::WriteTable(*table, arrow::default_memory_pool(), sink,
                                   parquet::DEFAULT_MAX_ROW_GROUP_LENGTH, props));
    return sink->Finish();
  } catch (const std::exception& e) {
    // WriteTable reports through Status, but parquet internals may still throw.
    return arrow::Status::IOError("writing checkpoint Parquet: ", e.what());
  }
}

}  // namespace deltaline::delta
