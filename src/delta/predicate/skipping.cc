#include "delta/predicate/skipping.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include <arrow/compute/api.h>
#include <arrow/util/decimal.h>
#include <nlohmann/json.hpp>

#include "delta/base/errors.h"
#include "delta/table/partition_path.h"

namespace deltaline::delta {

namespace cp = arrow::compute;

struct FilePruner::Column {
  arrow::FieldRef ref;            ///< as the predicate spells it
  std::vector<std::string> path;  ///< physical names from the top-level column down
  std::shared_ptr<arrow::DataType> type;
  bool partition = false;
};

namespace {

// Strings in stats are cut to a prefix by writers (32 characters by default); a max
// ending in U+FFFD is a proper upper bound, a long max without it may be a bare
// prefix, i.e. below the real maximum.
constexpr std::string_view kTieBreaker = "\xEF\xBF\xBD";
constexpr size_t kMaybeTruncatedChars = 32;
// Decimal stats arrive as JSON numbers (doubles): exact to about 15 digits.
constexpr int kMaxDecimalPrecisionFromDouble = 15;

size_t CountChars(std::string_view text) {
  size_t count = 0;
  for (char c : text) count += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return count;
}

const nlohmann::json* Lookup(const nlohmann::json& root, const char* key,
                             const std::vector<std::string>& path) {
  auto section = root.find(key);
  if (section == root.end()) return nullptr;
  const nlohmann::json* node = &*section;
  for (const auto& part : path) {
    if (!node->is_object()) return nullptr;
    auto child = node->find(part);
    if (child == node->end()) return nullptr;
    node = &*child;
  }
  return node->is_null() ? nullptr : node;
}

int64_t UnitsPerMilli(arrow::TimeUnit::type unit) {
  switch (unit) {
    case arrow::TimeUnit::MICRO:
      return 1000;
    case arrow::TimeUnit::NANO:
      return 1000000;
    default:
      return 1;
  }
}

std::shared_ptr<arrow::Scalar> TimestampBound(
    const nlohmann::json& value, const std::shared_ptr<arrow::DataType>& type,
    bool is_max) {
  if (!value.is_string()) return nullptr;
  const auto& ts_type = static_cast<const arrow::TimestampType&>(*type);
  std::string text = value.get<std::string>();
  if (text.size() > 10 && text[10] == ' ') text[10] = 'T';
  if (ts_type.timezone().empty()) {
    if (!text.empty() && text.back() == 'Z') text.pop_back();
  } else if (!text.empty() && text.back() != 'Z' &&
             text.find_first_of("+-", std::min<size_t>(text.size(), 11)) ==
                 std::string::npos) {
    text += "Z";
  }
  auto cast = cp::Cast(arrow::Datum(std::make_shared<arrow::StringScalar>(text)), type);
  if (!cast.ok()) return nullptr;
  int64_t units = static_cast<const arrow::TimestampScalar&>(*cast->scalar()).value;
  // Stats keep milliseconds: the true max can be up to 1 ms - 1 unit above the stat.
  // The min is widened as well, in case a writer truncated toward zero before 1970.
  const int64_t slack = UnitsPerMilli(ts_type.unit()) - 1;
  units = is_max ? units + slack : units - slack;
  return std::make_shared<arrow::TimestampScalar>(units, type);
}

std::shared_ptr<arrow::Scalar> DecimalBound(const nlohmann::json& value,
                                            const std::shared_ptr<arrow::DataType>& type,
                                            bool is_max) {
  const auto& dec_type = static_cast<const arrow::DecimalType&>(*type);
  if (!value.is_number() || type->id() != arrow::Type::DECIMAL128 ||
      dec_type.precision() > kMaxDecimalPrecisionFromDouble) {
    return nullptr;
  }
  auto real = arrow::Decimal128::FromReal(value.get<double>(), dec_type.precision(),
                                          dec_type.scale());
  if (!real.ok()) return nullptr;
  // One unit of the scale either way covers the double's rounding.
  arrow::Decimal128 bound =
      is_max ? *real + arrow::Decimal128(1) : *real - arrow::Decimal128(1);
  if (!bound.FitsInPrecision(dec_type.precision())) return nullptr;
  return std::make_shared<arrow::Decimal128Scalar>(bound, type);
}

// The stat as a scalar of the column's type, widened where writers lose precision;
// nullptr when the reader cannot trust it.
std::shared_ptr<arrow::Scalar> StatBound(const nlohmann::json& value,
                                         const std::shared_ptr<arrow::DataType>& type,
                                         bool is_max) {
  const auto id = type->id();
  if (arrow::is_integer(id)) {
    if (!value.is_number_integer()) return nullptr;
    std::string text = value.is_number_unsigned() ? std::to_string(value.get<uint64_t>())
                                                  : std::to_string(value.get<int64_t>());
    auto parsed = arrow::Scalar::Parse(type, text);
    return parsed.ok() ? *parsed : nullptr;
  }
  switch (id) {
    case arrow::Type::DATE32: {
      if (!value.is_string()) return nullptr;
      auto parsed = arrow::Scalar::Parse(type, value.get<std::string>());
      return parsed.ok() ? *parsed : nullptr;
    }
    case arrow::Type::TIMESTAMP:
      return TimestampBound(value, type, is_max);
    case arrow::Type::DECIMAL128:
      return DecimalBound(value, type, is_max);
    case arrow::Type::STRING:
    case arrow::Type::LARGE_STRING: {
      if (!value.is_string()) return nullptr;
      std::string text = value.get<std::string>();
      bool tie_broken = text.size() >= kTieBreaker.size() &&
                        text.compare(text.size() - kTieBreaker.size(), kTieBreaker.size(),
                                     kTieBreaker) == 0;
      if (is_max && !tie_broken && CountChars(text) >= kMaybeTruncatedChars)
        return nullptr;
      auto parsed = arrow::Scalar::Parse(type, text);
      return parsed.ok() ? *parsed : nullptr;
    }
    default:
      // Floats: Parquet and Delta writers leave NaN out of min/max, and `x != c` or
      // `NOT x < c` is true for NaN, so a finite range proves nothing. Booleans and
      // binaries carry no min/max in Delta.
      return nullptr;
  }
}

std::optional<int64_t> Count(const nlohmann::json* node) {
  if (!node || !node->is_number_integer()) return std::nullopt;
  return node->get<int64_t>();
}

bool IsBoolLiteral(const cp::Expression& expr, std::optional<bool> value) {
  const arrow::Datum* datum = expr.literal();
  if (!datum || !datum->is_scalar() || datum->type()->id() != arrow::Type::BOOL) {
    return datum && datum->is_scalar() && !datum->scalar()->is_valid && !value;
  }
  const auto& scalar = static_cast<const arrow::BooleanScalar&>(*datum->scalar());
  if (!scalar.is_valid) return !value.has_value();
  return value.has_value() && scalar.value == *value;
}

// No row passes a filter that is false or null everywhere.
bool MatchesNone(const cp::Expression& expr) {
  return IsBoolLiteral(expr, false) || IsBoolLiteral(expr, std::nullopt);
}

// With a guarantee `x <= max OR is_null(x)`, Arrow simplifies `x > c` (c > max) to
// `invert(true_unless_null(x))`: false on every row where x is valid, null elsewhere.
// true_unless_null is {true, null}-valued, and the Kleene operators above it are
// monotone (a null input that became true or false can only turn a null result into
// true or false), so if the predicate cannot be true with true_unless_null := true it
// cannot be true for any row.
cp::Expression AssumeValid(const cp::Expression& expr) {
  const cp::Expression::Call* call = expr.call();
  if (!call) return expr;
  if (call->function_name == "true_unless_null") return cp::literal(true);
  std::vector<cp::Expression> arguments;
  for (const auto& argument : call->arguments) arguments.push_back(AssumeValid(argument));
  return cp::call(call->function_name, std::move(arguments), call->options);
}

}  // namespace

FilePruner::FilePruner() = default;
FilePruner::~FilePruner() = default;

arrow::Result<std::unique_ptr<FilePruner>> FilePruner::Make(
    cp::Expression predicate, std::shared_ptr<arrow::Schema> schema,
    std::vector<std::string> partition_columns, ColumnMapping column_mapping) {
  ARROW_RETURN_NOT_OK(cp::Initialize());
  std::unique_ptr<FilePruner> pruner(new FilePruner());
  if (!predicate.IsBound()) {
    ARROW_ASSIGN_OR_RAISE(predicate, predicate.Bind(*schema));
  }
  for (const auto& ref : cp::FieldsInExpression(predicate)) {
    ARROW_ASSIGN_OR_RAISE(auto path, ref.FindOne(*schema));
    Column column{ref, {}, nullptr, false};
    const arrow::FieldVector* fields = &schema->fields();
    for (int index : path.indices()) {
      const auto& field = (*fields)[index];
      column.path.push_back(PhysicalName(*field, column_mapping));
      column.type = field->type();
      fields = &field->type()->fields();
    }
    // partitionColumns holds logical names, partitionValues physical ones.
    column.partition =
        column.path.size() == 1 &&
        std::find(partition_columns.begin(), partition_columns.end(),
                  schema->field(path.indices()[0])->name()) != partition_columns.end();
    bool seen =
        std::any_of(pruner->columns_.begin(), pruner->columns_.end(),
                    [&](const Column& other) { return other.path == column.path; });
    if (!seen) pruner->columns_.push_back(std::move(column));
  }
  pruner->predicate_ = std::move(predicate);
  pruner->schema_ = std::move(schema);
  pruner->partition_columns_ = std::move(partition_columns);
  return pruner;
}

arrow::Result<cp::Expression> FilePruner::PartitionGuarantee(const Add& add) const {
  std::vector<cp::Expression> facts;
  for (const auto& column : columns_) {
    if (!column.partition) continue;
    ARROW_ASSIGN_OR_RAISE(
        auto value, PartitionValueOf(add.partition_values, column.path[0], column.type));
    facts.push_back(value->is_valid
                        ? cp::equal(cp::field_ref(column.ref), cp::literal(value))
                        : cp::is_null(cp::field_ref(column.ref)));
  }
  return facts.empty() ? cp::literal(true) : cp::and_(facts);
}

cp::Expression FilePruner::StatsGuarantee(const Add& add) const {
  if (!add.stats || add.stats->empty()) return cp::literal(true);
  auto stats = nlohmann::json::parse(*add.stats, nullptr, /*allow_exceptions=*/false);
  if (stats.is_discarded() || !stats.is_object()) return cp::literal(true);
  auto num_records = Count(stats.contains("numRecords") ? &stats["numRecords"] : nullptr);
  // Wide bounds (after deletion vectors): min/max still bound the rows, counts do not.
  bool tight = !stats.contains("tightBounds") || stats["tightBounds"] != false;
  std::vector<cp::Expression> facts;
  for (const auto& column : columns_) {
    if (column.partition) continue;
    auto field = cp::field_ref(column.ref);
    auto null_count = Count(Lookup(stats, "nullCount", column.path));
    // A struct's leaf may count rows where the struct itself is null differently
    // across writers; for nested columns only min/max are used.
    const bool nested = column.path.size() > 1;
    if (!nested && tight && null_count && num_records && *null_count == *num_records) {
      facts.push_back(cp::is_null(field));
      continue;
    }
    const bool no_nulls = !nested && null_count && *null_count == 0;
    std::shared_ptr<arrow::Scalar> min, max;
    if (const auto* node = Lookup(stats, "minValues", column.path)) {
      min = StatBound(*node, column.type, false);
    }
    if (const auto* node = Lookup(stats, "maxValues", column.path)) {
      max = StatBound(*node, column.type, true);
    }
    // Arrow's simplifier reads a guarantee `x >= a OR is_null(x)` per bound.
    auto bound = [&](cp::Expression comparison) {
      return no_nulls ? comparison : cp::or_(std::move(comparison), cp::is_null(field));
    };
    if (min && max && min->Equals(*max)) {
      facts.push_back(bound(cp::equal(field, cp::literal(min))));
      continue;
    }
    if (min) facts.push_back(bound(cp::greater_equal(field, cp::literal(min))));
    if (max) facts.push_back(bound(cp::less_equal(field, cp::literal(max))));
    if (!min && !max && no_nulls) facts.push_back(cp::is_valid(field));
  }
  return facts.empty() ? cp::literal(true) : cp::and_(facts);
}

arrow::Result<FileVerdict> FilePruner::Evaluate(const Add& add) const {
  ARROW_ASSIGN_OR_RAISE(auto partition_facts, PartitionGuarantee(add));
  ARROW_ASSIGN_OR_RAISE(partition_facts, partition_facts.Bind(*schema_));
  ARROW_ASSIGN_OR_RAISE(auto after_partition,
                        cp::SimplifyWithGuarantee(predicate_, partition_facts));
  if (MatchesNone(after_partition))
    return FileVerdict{FileMatch::kNone, SkipReason::kPartition};
  if (IsBoolLiteral(after_partition, true)) return FileVerdict{FileMatch::kAll, {}};
  auto stats_facts = StatsGuarantee(add);
  if (IsBoolLiteral(stats_facts, true)) return FileVerdict{};
  auto bound = stats_facts.Bind(*schema_);
  // A stat that does not bind (a type the simplifier cannot compare) is no evidence.
  if (!bound.ok()) return FileVerdict{};
  auto after_stats = cp::SimplifyWithGuarantee(after_partition, *bound);
  if (!after_stats.ok()) return FileVerdict{};
  if (MatchesNone(*after_stats)) return FileVerdict{FileMatch::kNone, SkipReason::kStats};
  if (IsBoolLiteral(*after_stats, true)) return FileVerdict{FileMatch::kAll, {}};
  auto rebound = AssumeValid(*after_stats).Bind(*schema_);
  if (!rebound.ok()) return FileVerdict{};
  auto folded = cp::SimplifyWithGuarantee(*std::move(rebound), cp::literal(true));
  if (folded.ok() && MatchesNone(*folded)) {
    return FileVerdict{FileMatch::kNone, SkipReason::kStats};
  }
  return FileVerdict{};
}

}  // namespace deltaline::delta
