#include "delta/table/column_mapping.h"

#include <algorithm>
#include <charconv>

#include <arrow/util/key_value_metadata.h>

#include "delta/base/errors.h"
#include "delta/table/table_config.h"

namespace deltaline::delta {
namespace {

std::optional<std::string> MetadataValue(const arrow::Field& field,
                                         const std::string& key) {
  const auto& metadata = field.metadata();
  if (!metadata) return std::nullopt;
  int index = metadata->FindKey(key);
  if (index < 0) return std::nullopt;
  return metadata->value(index);
}

std::optional<int64_t> ParseId(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), id);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return id;
}

bool IsStorageKey(const std::string& key) {
  return key.rfind("delta.columnMapping.", 0) == 0 || key == kTypeChangesKey;
}

std::shared_ptr<const arrow::KeyValueMetadata> StripKeys(
    const std::shared_ptr<const arrow::KeyValueMetadata>& metadata) {
  if (!metadata) return nullptr;
  std::vector<std::string> keys, values;
  for (int64_t idx = 0; idx < metadata->size(); ++idx) {
    if (IsStorageKey(metadata->key(idx))) continue;
    keys.push_back(metadata->key(idx));
    values.push_back(metadata->value(idx));
  }
  if (keys.empty()) return nullptr;
  return arrow::key_value_metadata(std::move(keys), std::move(values));
}

}  // namespace

ColumnMapping ColumnMappingOf(const Protocol& protocol, const Metadata& metadata) {
  const auto& features = protocol.reader_features;
  bool supported =
      protocol.min_reader_version == 2 ||
      (protocol.min_reader_version == 3 && features &&
       std::find(features->begin(), features->end(), "columnMapping") != features->end());
  if (!supported) return ColumnMapping::kNone;
  std::string mode = ColumnMappingMode(metadata.configuration);
  if (mode == "name") return ColumnMapping::kName;
  if (mode == "id") return ColumnMapping::kId;
  return ColumnMapping::kNone;
}

arrow::Status CheckColumnMappingMode(const Metadata& metadata) {
  std::string mode = ColumnMappingMode(metadata.configuration);
  if (mode == "none" || mode == "name" || mode == "id") return arrow::Status::OK();
  return UnsupportedFeature("columnMapping", "column mapping mode '" + mode +
                                                 "' is not supported by deltaline");
}

std::string PhysicalName(const arrow::Field& field, ColumnMapping mode) {
  if (mode == ColumnMapping::kNone) return field.name();
  return MetadataValue(field, kPhysicalNameKey).value_or(field.name());
}

std::optional<int64_t> ColumnId(const arrow::Field& field, ColumnMapping mode) {
  if (mode != ColumnMapping::kId) return std::nullopt;
  return ParseId(MetadataValue(field, kColumnIdKey));
}

std::optional<int64_t> ParquetFieldId(const arrow::Field& file_field) {
  return ParseId(MetadataValue(file_field, kParquetFieldIdKey));
}

int FindFileField(const arrow::FieldVector& file_fields, const arrow::Field& table_field,
                  const arrow::FieldVector& table_fields, ColumnMapping mode) {
  const int count = static_cast<int>(file_fields.size());
  if (auto id = ColumnId(table_field, mode)) {
    for (int idx = 0; idx < count; ++idx) {
      if (ParquetFieldId(*file_fields[idx]) == id) return idx;
    }
  }
  const std::string name = PhysicalName(table_field, mode);
  for (int idx = 0; idx < count; ++idx) {
    if (file_fields[idx]->name() != name) continue;
    if (mode != ColumnMapping::kId) return idx;
    // Under id mode a file field's id, when a table field claims it, wins over names.
    auto file_id = ParquetFieldId(*file_fields[idx]);
    bool claimed =
        file_id &&
        std::any_of(table_fields.begin(), table_fields.end(), [&](const auto& other) {
          return other.get() != &table_field && ColumnId(*other, mode) == file_id;
        });
    if (!claimed) return idx;
  }
  return -1;
}

std::shared_ptr<arrow::DataType> WithoutStorageMetadata(
    const std::shared_ptr<arrow::DataType>& type) {
  switch (type->id()) {
    case arrow::Type::STRUCT: {
      arrow::FieldVector children;
      for (const auto& child : type->fields())
        children.push_back(WithoutStorageMetadata(child));
      return arrow::struct_(std::move(children));
    }
    case arrow::Type::LIST:
      return arrow::list(WithoutStorageMetadata(type->field(0)));
    case arrow::Type::LARGE_LIST:
      return arrow::large_list(WithoutStorageMetadata(type->field(0)));
    case arrow::Type::MAP: {
      const auto& map = static_cast<const arrow::MapType&>(*type);
      return std::make_shared<arrow::MapType>(WithoutStorageMetadata(map.key_field()),
                                              WithoutStorageMetadata(map.item_field()),
                                              map.keys_sorted());
    }
    default:
      return type;
  }
}

std::shared_ptr<arrow::Field> WithoutStorageMetadata(
    const std::shared_ptr<arrow::Field>& field) {
  return arrow::field(field->name(), WithoutStorageMetadata(field->type()),
                      field->nullable(), StripKeys(field->metadata()));
}

std::shared_ptr<arrow::Schema> WithoutStorageMetadata(const arrow::Schema& schema) {
  arrow::FieldVector fields;
  for (const auto& field : schema.fields())
    fields.push_back(WithoutStorageMetadata(field));
  return arrow::schema(std::move(fields), schema.metadata());
}

}  // namespace deltaline::delta
