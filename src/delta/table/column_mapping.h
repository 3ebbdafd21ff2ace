#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <arrow/result.h>
#include <arrow/type.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief How a table's columns are found in its data files, `partitionValues` and
/// `add.stats` (PROTOCOL.md, "Column Mapping").
enum class ColumnMapping {
  kNone,  ///< by the logical (display) name
  kName,  ///< by `delta.columnMapping.physicalName`
  kId,    ///< data files by Parquet field id, the log by physical name
};

/// Field metadata keys of a column-mapped schema.
inline constexpr const char* kPhysicalNameKey = "delta.columnMapping.physicalName";
inline constexpr const char* kColumnIdKey = "delta.columnMapping.id";
/// The field metadata key under which Arrow's Parquet reader exposes a field id.
inline constexpr const char* kParquetFieldIdKey = "PARQUET:field_id";
/// The field metadata key recording a column's type widenings.
inline constexpr const char* kTypeChangesKey = "delta.typeChanges";

/// \brief The mode the table's reader must honour: `delta.columnMapping.mode`, taken
/// into account only when the protocol supports column mapping (reader version 2, or
/// 3 with the `columnMapping` reader feature), as the protocol says. An unknown mode
/// reads as kNone here: CheckColumnMappingMode refuses it when the snapshot loads.
ColumnMapping ColumnMappingOf(const Protocol& protocol, const Metadata& metadata);

/// \brief Fails with kUnsupportedFeature ("columnMapping") for a mode other than
/// none, name and id.
arrow::Status CheckColumnMappingMode(const Metadata& metadata);

/// \brief The name of `field` in data files, `partitionValues` keys and stats: its
/// physical name under kName and kId (the logical name when the field has none, as in
/// files written before column mapping was switched on), its name under kNone.
std::string PhysicalName(const arrow::Field& field, ColumnMapping mode);

/// \brief The column id of `field` under kId (`delta.columnMapping.id`), else nullopt.
std::optional<int64_t> ColumnId(const arrow::Field& field, ColumnMapping mode);

/// \brief The Parquet field id Arrow's reader attached to a file field, if any.
std::optional<int64_t> ParquetFieldId(const arrow::Field& file_field);

/// \brief Which of `file_fields` (one struct level of a data file's Arrow schema)
/// holds `table_field`, one of `table_fields` (the same level of the table schema);
/// -1 when none does (the column reads as null). Under kId the field id decides; a
/// file field without a field id, or with one no table field has, is matched by its
/// physical name instead, as delta-kernel-rs does.
int FindFileField(const arrow::FieldVector& file_fields, const arrow::Field& table_field,
                  const arrow::FieldVector& table_fields, ColumnMapping mode);

/// \brief `field` without the storage-only metadata (column mapping keys and
/// `delta.typeChanges`), at every depth: what a scan returns. Other metadata stays.
std::shared_ptr<arrow::Field> WithoutStorageMetadata(
    const std::shared_ptr<arrow::Field>& field);
std::shared_ptr<arrow::DataType> WithoutStorageMetadata(
    const std::shared_ptr<arrow::DataType>& type);
std::shared_ptr<arrow::Schema> WithoutStorageMetadata(const arrow::Schema& schema);

}  // namespace deltaline::delta
