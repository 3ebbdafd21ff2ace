// Typed cell reads over decoded checkpoint columns. Writers disagree on physical
// types (int32 vs int64, large strings, maps as lists of key/value structs), so every
// read dispatches on the Arrow type it finds rather than on the one Spark writes.

#include <limits>

#include <arrow/array.h>
#include <arrow/type_traits.h>
#include <arrow/util/checked_cast.h>

#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta::checkpoint_internal {
namespace {

using arrow::internal::checked_cast;

arrow::Status WrongType(const ColumnRef& col, std::string_view expected) {
  return arrow::Status::Invalid(col.name, " has type ", col.array->type()->ToString(),
                                ", expected ", expected);
}

template <typename ArrayType>
std::string ViewOf(const arrow::Array& array, int64_t row) {
  return std::string(checked_cast<const ArrayType&>(array).GetView(row));
}

template <typename ArrayType>
arrow::Result<int64_t> IntOf(const ColumnRef& col, int64_t row) {
  auto value = checked_cast<const ArrayType&>(*col.array).Value(row);
  if constexpr (std::is_same_v<decltype(value), uint64_t>) {
    if (value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return arrow::Status::Invalid(col.name, " value ", value, " does not fit int64");
    }
  }
  return static_cast<int64_t>(value);
}

// Entries of a map, or of a list of structs standing in for one (older writers).
struct Entries {
  ColumnRef keys;
  ColumnRef values;
  int64_t begin = 0;
  int64_t end = 0;
};

arrow::Result<Entries> EntriesOf(const ColumnRef& col, int64_t row) {
  std::shared_ptr<arrow::Array> entries;
  Entries out;
  switch (col.array->type_id()) {
    case arrow::Type::MAP:
    case arrow::Type::LIST: {
      const auto& list = checked_cast<const arrow::ListArray&>(*col.array);
      entries = list.values();
      out.begin = list.value_offset(row);
      out.end = out.begin + list.value_length(row);
      break;
    }
    case arrow::Type::LARGE_LIST: {
      const auto& list = checked_cast<const arrow::LargeListArray&>(*col.array);
      entries = list.values();
      out.begin = list.value_offset(row);
      out.end = out.begin + list.value_length(row);
      break;
    }
    default:
      return WrongType(col, "map<string, string>");
  }
  if (entries->type_id() != arrow::Type::STRUCT || entries->num_fields() < 2) {
    return WrongType(col, "map<string, string>");
  }
  // Most maps are empty (partitionValues of unpartitioned tables, tags): skip the
  // field lookups and column names, which cost more than the rest of the row.
  if (out.begin == out.end) return out;
  const auto& entry_struct = checked_cast<const arrow::StructArray&>(*entries);
  // Spark names the pair key/value; Arrow's default list-of-struct reading may not.
  auto key = entry_struct.GetFieldByName("key");
  auto value = entry_struct.GetFieldByName("value");
  out.keys = ColumnRef{key ? key : entry_struct.field(0), col.name + ".key"};
  out.values = ColumnRef{value ? value : entry_struct.field(1), col.name + ".value"};
  return out;
}

}  // namespace

arrow::Result<ColumnRef> Child(const ColumnRef& parent, std::string_view field) {
  ColumnRef out{nullptr, parent.name + "." + std::string(field)};
  if (parent.array == nullptr) return out;
  if (parent.array->type_id() != arrow::Type::STRUCT) {
    return WrongType(parent, "struct");
  }
  out.array = checked_cast<const arrow::StructArray&>(*parent.array)
                  .GetFieldByName(std::string(field));
  return out;
}

arrow::Result<std::optional<std::string>> ReadString(const ColumnRef& col, int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  const arrow::Array& array = *col.array;
  switch (array.type_id()) {
    case arrow::Type::STRING:
      return ViewOf<arrow::StringArray>(array, row);
    case arrow::Type::LARGE_STRING:
      return ViewOf<arrow::LargeStringArray>(array, row);
    case arrow::Type::STRING_VIEW:
      return ViewOf<arrow::StringViewArray>(array, row);
    case arrow::Type::BINARY:
      return ViewOf<arrow::BinaryArray>(array, row);
    case arrow::Type::LARGE_BINARY:
      return ViewOf<arrow::LargeBinaryArray>(array, row);
    case arrow::Type::BINARY_VIEW:
      return ViewOf<arrow::BinaryViewArray>(array, row);
    case arrow::Type::DICTIONARY: {
      const auto& dict = checked_cast<const arrow::DictionaryArray&>(array);
      return ReadString(ColumnRef{dict.dictionary(), col.name}, dict.GetValueIndex(row));
    }
    default:
      return WrongType(col, "string");
  }
}

arrow::Result<std::optional<int64_t>> ReadInt64(const ColumnRef& col, int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  switch (col.array->type_id()) {
    case arrow::Type::INT8:
      return IntOf<arrow::Int8Array>(col, row);
    case arrow::Type::INT16:
      return IntOf<arrow::Int16Array>(col, row);
    case arrow::Type::INT32:
      return IntOf<arrow::Int32Array>(col, row);
    case arrow::Type::INT64:
      return IntOf<arrow::Int64Array>(col, row);
    case arrow::Type::UINT8:
      return IntOf<arrow::UInt8Array>(col, row);
    case arrow::Type::UINT16:
      return IntOf<arrow::UInt16Array>(col, row);
    case arrow::Type::UINT32:
      return IntOf<arrow::UInt32Array>(col, row);
    case arrow::Type::UINT64:
      return IntOf<arrow::UInt64Array>(col, row);
    default:
      return WrongType(col, "an integer");
  }
}

arrow::Result<std::optional<int32_t>> ReadInt32(const ColumnRef& col, int64_t row) {
  ARROW_ASSIGN_OR_RAISE(std::optional<int64_t> wide, ReadInt64(col, row));
  if (!wide) return std::nullopt;
  if (*wide < std::numeric_limits<int32_t>::min() ||
      *wide > std::numeric_limits<int32_t>::max()) {
    return arrow::Status::Invalid(col.name, " value ", *wide, " does not fit int32");
  }
  return static_cast<int32_t>(*wide);
}

arrow::Result<std::optional<bool>> ReadBool(const ColumnRef& col, int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  if (col.array->type_id() != arrow::Type::BOOL) return WrongType(col, "boolean");
  return checked_cast<const arrow::BooleanArray&>(*col.array).Value(row);
}

arrow::Result<std::optional<StringPairs>> ReadStringMap(const ColumnRef& col,
                                                        int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  ARROW_ASSIGN_OR_RAISE(Entries entries, EntriesOf(col, row));
  StringPairs out;
  out.reserve(static_cast<size_t>(entries.end - entries.begin));
  for (int64_t entry_idx = entries.begin; entry_idx < entries.end; ++entry_idx) {
    ARROW_ASSIGN_OR_RAISE(auto key, ReadString(entries.keys, entry_idx));
    // Map keys are non-null by definition; a null one can only come from a
    // list-of-struct encoding and names nothing, so it is dropped.
    if (!key) continue;
    ARROW_ASSIGN_OR_RAISE(auto value, ReadString(entries.values, entry_idx));
    out.emplace_back(std::move(*key), std::move(value));
  }
  return out;
}

arrow::Result<std::optional<std::vector<std::string>>> ReadStringList(
    const ColumnRef& col, int64_t row) {
  if (col.IsNull(row)) return std::nullopt;
  std::shared_ptr<arrow::Array> values;
  int64_t begin = 0;
  int64_t end = 0;
  switch (col.array->type_id()) {
    case arrow::Type::LIST: {
      const auto& list = checked_cast<const arrow::ListArray&>(*col.array);
      values = list.values();
      begin = list.value_offset(row);
      end = begin + list.value_length(row);
      break;
    }
    case arrow::Type::LARGE_LIST: {
      const auto& list = checked_cast<const arrow::LargeListArray&>(*col.array);
      values = list.values();
      begin = list.value_offset(row);
      end = begin + list.value_length(row);
      break;
    }
    default:
      return WrongType(col, "list<string>");
  }
  ColumnRef elements{values, col.name + ".element"};
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(end - begin));
  for (int64_t element_idx = begin; element_idx < end; ++element_idx) {
    ARROW_ASSIGN_OR_RAISE(auto element, ReadString(elements, element_idx));
    if (element) out.push_back(std::move(*element));
  }
  return out;
}

}  // namespace deltaline::delta::checkpoint_internal
