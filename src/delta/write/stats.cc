#include "delta/write/stats.h"

#include <charconv>
#include <cmath>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <utility>

#include <arrow/extension_type.h>
#include <arrow/util/checked_cast.h>
#include <arrow/util/decimal.h>
#include <arrow/util/utf8.h>
#include <parquet/schema.h>
#include <parquet/statistics.h>
#include <parquet/types.h>

#include "delta/write/stats_internal.h"

namespace deltaline::delta {
namespace {

using arrow::internal::checked_cast;

enum class Kind { kNullCountOnly, kInt, kFloat, kDecimal, kString, kDate, kTimestamp };

struct LeafInfo {
  Kind kind = Kind::kNullCountOnly;
  parquet::Type::type physical = parquet::Type::UNDEFINED;
  int32_t type_length = 0;  // FIXED_LEN_BYTE_ARRAY only
  int32_t scale = 0;        // decimals
  bool utc = false;         // timestamps: "Z" suffix
  int64_t units_per_milli = 1000;
};

struct Bound {
  int64_t i = 0;
  double d = 0;
  arrow::Decimal256 dec;
  std::string s;
};

const arrow::DataType& StorageType(const arrow::DataType& type) {
  if (type.id() == arrow::Type::EXTENSION) {
    return StorageType(*checked_cast<const arrow::ExtensionType&>(type).storage_type());
  }
  if (type.id() == arrow::Type::DICTIONARY) {
    return StorageType(*checked_cast<const arrow::DictionaryType&>(type).value_type());
  }
  return type;
}

LeafInfo Classify(const arrow::DataType& type, const parquet::ColumnDescriptor& descr) {
  LeafInfo info;
  info.physical = descr.physical_type();
  info.type_length = descr.type_length();
  const bool int_physical =
      info.physical == parquet::Type::INT32 || info.physical == parquet::Type::INT64;
  switch (type.id()) {
    case arrow::Type::INT8:
    case arrow::Type::INT16:
    case arrow::Type::INT32:
    case arrow::Type::INT64:
      if (int_physical) info.kind = Kind::kInt;
      break;
    case arrow::Type::FLOAT:
    case arrow::Type::DOUBLE:
      if (info.physical == parquet::Type::FLOAT ||
          info.physical == parquet::Type::DOUBLE) {
        info.kind = Kind::kFloat;
      }
      break;
    case arrow::Type::DECIMAL128:
    case arrow::Type::DECIMAL256:
      info.kind = Kind::kDecimal;
      info.scale = checked_cast<const arrow::DecimalType&>(type).scale();
      break;
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING:
    case arrow::Type::STRING_VIEW:
      if (info.physical == parquet::Type::BYTE_ARRAY) info.kind = Kind::kString;
      break;
    case arrow::Type::DATE32:
    case arrow::Type::DATE64:
      if (info.physical == parquet::Type::INT32) info.kind = Kind::kDate;
      break;
    case arrow::Type::TIMESTAMP: {
      const auto& logical = descr.logical_type();
      if (info.physical != parquet::Type::INT64 || !logical || !logical->is_timestamp())
        break;
      switch (checked_cast<const parquet::TimestampLogicalType&>(*logical).time_unit()) {
        case parquet::LogicalType::TimeUnit::MILLIS:
          info.units_per_milli = 1;
          break;
        case parquet::LogicalType::TimeUnit::MICROS:
          info.units_per_milli = 1000;
          break;
        case parquet::LogicalType::TimeUnit::NANOS:
          info.units_per_milli = 1000000;
          break;
        default:
          return info;
      }
      info.kind = Kind::kTimestamp;
      info.utc = !checked_cast<const arrow::TimestampType&>(type).timezone().empty();
      break;
    }
    default:  // booleans, binary and the rest: Delta keeps only their null counts
      break;
  }
  return info;
}

template <typename DType>
const typename DType::c_type* TypedBound(const parquet::Statistics& stats,
                                         bool want_max) {
  const auto* typed = dynamic_cast<const parquet::TypedStatistics<DType>*>(&stats);
  if (typed == nullptr) return nullptr;
  return want_max ? &typed->max() : &typed->min();
}

// One end of a row group's range, in the comparable form for its kind.
std::optional<Bound> Decode(const parquet::Statistics& stats, const LeafInfo& info,
                            bool want_max) {
  Bound bound;
  switch (info.physical) {
    case parquet::Type::INT32: {
      const auto* value = TypedBound<parquet::Int32Type>(stats, want_max);
      if (value == nullptr) return std::nullopt;
      bound.i = *value;
      bound.dec =
          arrow::Decimal256(arrow::BasicDecimal256(arrow::BasicDecimal128(*value)));
      return bound;
    }
    case parquet::Type::INT64: {
      const auto* value = TypedBound<parquet::Int64Type>(stats, want_max);
      if (value == nullptr) return std::nullopt;
      bound.i = *value;
      bound.dec =
          arrow::Decimal256(arrow::BasicDecimal256(arrow::BasicDecimal128(*value)));
      return bound;
    }
    case parquet::Type::FLOAT: {
      const auto* value = TypedBound<parquet::FloatType>(stats, want_max);
      if (value == nullptr) return std::nullopt;
      bound.d = *value;
      return bound;
    }
    case parquet::Type::DOUBLE: {
      const auto* value = TypedBound<parquet::DoubleType>(stats, want_max);
      if (value == nullptr) return std::nullopt;
      bound.d = *value;
      return bound;
    }
    case parquet::Type::BYTE_ARRAY: {
      const auto* value = TypedBound<parquet::ByteArrayType>(stats, want_max);
      if (value == nullptr || (value->len > 0 && value->ptr == nullptr))
        return std::nullopt;
      bound.s.assign(reinterpret_cast<const char*>(value->ptr), value->len);
      break;
    }
    case parquet::Type::FIXED_LEN_BYTE_ARRAY: {
      const auto* value = TypedBound<parquet::FLBAType>(stats, want_max);
      if (value == nullptr || value->ptr == nullptr) return std::nullopt;
      bound.s.assign(reinterpret_cast<const char*>(value->ptr), info.type_length);
      break;
    }
    default:
      return std::nullopt;
  }
  if (info.kind == Kind::kDecimal) {
    // Byte-array decimals are big-endian two's complement.
    auto dec =
        arrow::Decimal256::FromBigEndian(reinterpret_cast<const uint8_t*>(bound.s.data()),
                                         static_cast<int32_t>(bound.s.size()));
    if (!dec.ok()) return std::nullopt;
    bound.dec = *dec;
  }
  return bound;
}

bool Less(const LeafInfo& info, const Bound& a, const Bound& b) {
  switch (info.kind) {
    case Kind::kFloat:
      return a.d < b.d;
    case Kind::kDecimal:
      return a.dec < b.dec;
    // UTF-8 byte order is code point order, the order Parquet and Spark use.
    case Kind::kString:
      return a.s < b.s;
    default:
      return a.i < b.i;
  }
}

struct Aggregate {
  bool nulls_known = true;
  int64_t nulls = 0;
  bool bounds_known = true;
  std::optional<Bound> min;
  std::optional<Bound> max;
};

Aggregate AggregateLeaf(const parquet::FileMetaData& metadata, int leaf,
                        const LeafInfo& info) {
  Aggregate agg;
  for (int rg_idx = 0; rg_idx < metadata.num_row_groups(); ++rg_idx) {
    auto chunk = metadata.RowGroup(rg_idx)->ColumnChunk(leaf);
    std::shared_ptr<parquet::Statistics> stats =
        chunk->is_stats_set() ? chunk->statistics() : nullptr;
    if (stats == nullptr) {
      agg.nulls_known = agg.bounds_known = false;
      continue;
    }
    if (stats->HasNullCount()) {
      agg.nulls += stats->null_count();
    } else {
      agg.nulls_known = false;
    }
    if (info.kind == Kind::kNullCountOnly) continue;
    if (!stats->HasMinMax()) {
      // An all-null row group has no range and needs none; otherwise it is unknown.
      const bool all_null =
          stats->HasNullCount() && stats->null_count() >= chunk->num_values();
      if (!all_null) agg.bounds_known = false;
      continue;
    }
    std::optional<Bound> low = Decode(*stats, info, /*want_max=*/false);
    std::optional<Bound> high = Decode(*stats, info, /*want_max=*/true);
    if (!low || !high) {
      agg.bounds_known = false;
      continue;
    }
    if (!agg.min || Less(info, *low, *agg.min)) agg.min = std::move(low);
    if (!agg.max || Less(info, *agg.max, *high)) agg.max = std::move(high);
  }
  return agg;
}

std::optional<std::string> FormatFloat(const LeafInfo& info, double value) {
  if (!std::isfinite(value)) return std::nullopt;  // JSON has no infinities
  char buffer[64];
  std::to_chars_result result =
      info.physical == parquet::Type::FLOAT
          ? std::to_chars(buffer, buffer + sizeof(buffer), static_cast<float>(value))
          : std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (result.ec != std::errc()) return std::nullopt;
  return std::string(buffer, result.ptr);
}

std::optional<std::string> Format(const LeafInfo& info, const Bound& bound, bool is_max,
                                  const StatsOptions& options) {
  switch (info.kind) {
    case Kind::kInt:
      return std::to_string(bound.i);
    case Kind::kFloat:
      return FormatFloat(info, bound.d);
    case Kind::kDecimal:
      return bound.dec.ToString(info.scale);
    case Kind::kString: {
      arrow::util::InitializeUTF8();
      if (!arrow::util::ValidateUTF8(bound.s)) return std::nullopt;
      const int prefix = options.string_prefix_length;
      std::string cut = is_max ? TruncateStringMax(bound.s, prefix)
                               : TruncateStringMin(bound.s, prefix);
      return QuoteJson(cut);
    }
    case Kind::kDate: {
      std::optional<std::string> text = FormatDate(bound.i);
      if (!text) return std::nullopt;
      return "\"" + *text + "\"";
    }
    case Kind::kTimestamp: {
      std::optional<std::string> text =
          FormatTimestampMillis(FloorDiv(bound.i, info.units_per_milli), info.utc);
      if (!text) return std::nullopt;
      return "\"" + *text + "\"";
    }
    case Kind::kNullCountOnly:
      break;
  }
  return std::nullopt;
}

struct WalkContext {
  const parquet::FileMetaData& metadata;
  const StatsOptions& options;
  const std::vector<bool>& leaf_has_nan;
  bool nan_known;
  StatsColumnSelector selector;
  int next_leaf = 0;
};

void AddLeafStats(WalkContext& ctx, int leaf, const std::string& name,
                  const arrow::DataType& type, JsonObject* min, JsonObject* max,
                  JsonObject* nulls) {
  const LeafInfo info = Classify(type, *ctx.metadata.schema()->Column(leaf));
  const Aggregate agg = AggregateLeaf(ctx.metadata, leaf, info);
  if (agg.nulls_known) nulls->AddRaw(name, std::to_string(agg.nulls));
  if (info.kind == Kind::kNullCountOnly || !agg.bounds_known || !agg.min) return;
  if (info.kind == Kind::kFloat && (!ctx.nan_known || ctx.leaf_has_nan[leaf])) return;
  if (auto text = Format(info, *agg.min, /*is_max=*/false, ctx.options)) {
    min->AddRaw(name, std::move(*text));
  }
  if (auto text = Format(info, *agg.max, /*is_max=*/true, ctx.options)) {
    max->AddRaw(name, std::move(*text));
  }
}

void WalkField(WalkContext& ctx, const arrow::Field& field,
               std::vector<std::string>* path, JsonObject* min, JsonObject* max,
               JsonObject* nulls) {
  path->push_back(field.name());
  const arrow::DataType& type = StorageType(*field.type());
  if (type.id() == arrow::Type::STRUCT) {
    JsonObject* child_min = min->AddChild(field.name());
    JsonObject* child_max = max->AddChild(field.name());
    JsonObject* child_nulls = nulls->AddChild(field.name());
    for (const auto& child : type.fields()) {
      WalkField(ctx, *child, path, child_min, child_max, child_nulls);
    }
  } else if (type.num_fields() > 0) {
    // Arrays and maps: still one indexed column for Spark, but the footer holds no
    // per-row range or null count for them, so they get no stats.
    ctx.selector.Take(*path);
    ctx.next_leaf += CountParquetLeaves(type);
  } else {
    const int leaf = ctx.next_leaf++;
    if (ctx.selector.Take(*path)) {
      AddLeafStats(ctx, leaf, field.name(), type, min, max, nulls);
    }
  }
  path->pop_back();
}

arrow::Result<std::string> BuildStatsJson(const parquet::FileMetaData& metadata,
                                          const arrow::Schema& schema,
                                          const StatsOptions& options,
                                          const std::vector<bool>& leaf_has_nan) {
  int leaves = 0;
  for (const auto& field : schema.fields()) leaves += CountParquetLeaves(*field->type());
  if (metadata.schema() == nullptr || leaves != metadata.num_columns()) {
    return arrow::Status::Invalid("stats: the Arrow schema has ", leaves,
                                  " leaf columns, the Parquet file ",
                                  metadata.num_columns());
  }
  WalkContext ctx{metadata, options, leaf_has_nan,
                  static_cast<int>(leaf_has_nan.size()) >= leaves,
                  StatsColumnSelector(options)};
  JsonObject min;
  JsonObject max;
  JsonObject nulls;
  std::vector<std::string> path;
  for (const auto& field : schema.fields()) {
    WalkField(ctx, *field, &path, &min, &max, &nulls);
  }
  std::string out = "{\"numRecords\":" + std::to_string(metadata.num_rows());
  const std::pair<const char*, const JsonObject*> sections[] = {
      {"minValues", &min}, {"maxValues", &max}, {"nullCount", &nulls}};
  for (const auto& [key, object] : sections) {
    if (object->empty()) continue;
    out.append(",\"").append(key).append("\":");
    object->AppendTo(&out);
  }
  out.push_back('}');
  return out;
}

}  // namespace

arrow::Result<std::string> StatsJsonFromParquet(const parquet::FileMetaData& metadata,
                                                const arrow::Schema& schema,
                                                const StatsOptions& options) {
  return StatsJsonFromParquet(metadata, schema, options, {});
}

arrow::Result<std::string> StatsJsonFromParquet(const parquet::FileMetaData& metadata,
                                                const arrow::Schema& schema,
                                                const StatsOptions& options,
                                                const std::vector<bool>& leaf_has_nan) {
  // Footer accessors throw ParquetException on malformed metadata.
  try {
    return BuildStatsJson(metadata, schema, options, leaf_has_nan);
  } catch (const std::exception& e) {
    return arrow::Status::IOError("stats: cannot read Parquet statistics: ", e.what());
  }
}

}  // namespace deltaline::delta
