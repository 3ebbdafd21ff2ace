#include "delta/predicate/file_predicate.h"

#include <algorithm>

#include <arrow/array.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>

#include "delta/base/errors.h"
#include "delta/table/partition_path.h"

namespace deltaline::delta {
namespace {

namespace cp = arrow::compute;

arrow::Result<cp::Expression> PartitionEquals(const arrow::Schema& schema,
                                              const std::vector<std::string>& columns,
                                              const PartitionValues& values) {
  std::vector<cp::Expression> terms;
  for (const auto& column : columns) {
    auto field = schema.GetFieldByName(column);
    if (!field)
      return InvalidInput("partition column '" + column + "' is not in the schema");
    ARROW_ASSIGN_OR_RAISE(auto scalar, PartitionValueOf(values, column, field->type()));
    if (!scalar->is_valid) {
      terms.push_back(cp::is_null(cp::field_ref(column)));
    } else {
      terms.push_back(cp::equal(cp::field_ref(column), cp::literal(std::move(scalar))));
    }
  }
  return cp::and_(terms);
}

}  // namespace

arrow::Result<cp::Expression> BindPredicate(cp::Expression predicate,
                                            const arrow::Schema& schema) {
  ARROW_RETURN_NOT_OK(cp::Initialize());
  if (!predicate.IsBound()) {
    auto bound = predicate.Bind(schema);
    if (!bound.ok()) {
      return InvalidInput("predicate " + predicate.ToString() +
                          " does not fit the table schema: " + bound.status().message());
    }
    predicate = std::move(bound).ValueUnsafe();
  }
  if (predicate.type()->id() != arrow::Type::BOOL) {
    return InvalidInput("predicate " + predicate.ToString() + " is " +
                        predicate.type()->ToString() + ", not boolean");
  }
  return predicate;
}

arrow::Result<PartitionMatch> MatchPartitionValues(
    const cp::Expression& predicate, const arrow::Schema& schema,
    const std::vector<std::string>& partition_columns, const PartitionValues& values) {
  ARROW_ASSIGN_OR_RAISE(auto guarantee,
                        PartitionEquals(schema, partition_columns, values));
  ARROW_ASSIGN_OR_RAISE(auto simplified, cp::SimplifyWithGuarantee(predicate, guarantee));
  if (const arrow::Datum* literal = simplified.literal()) {
    if (!literal->is_scalar()) return PartitionMatch::kUnknown;
    const auto& scalar = *literal->scalar();
    if (!scalar.is_valid) return PartitionMatch::kNone;
    if (scalar.type->id() != arrow::Type::BOOL) return PartitionMatch::kUnknown;
    return static_cast<const arrow::BooleanScalar&>(scalar).value ? PartitionMatch::kAll
                                                                  : PartitionMatch::kNone;
  }
  return PartitionMatch::kUnknown;
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> PredicateIsTrue(
    const cp::Expression& predicate, const arrow::RecordBatch& batch) {
  ARROW_ASSIGN_OR_RAISE(auto input,
                        cp::MakeExecBatch(*batch.schema(), arrow::Datum(batch)));
  ARROW_ASSIGN_OR_RAISE(auto value, cp::ExecuteScalarExpression(predicate, input));
  if (value.is_scalar()) {
    ARROW_ASSIGN_OR_RAISE(auto array,
                          arrow::MakeArrayFromScalar(*value.scalar(), batch.num_rows()));
    value = array;
  }
  ARROW_ASSIGN_OR_RAISE(auto filled,
                        cp::CallFunction("coalesce", {value, arrow::Datum(false)}));
  return std::static_pointer_cast<arrow::BooleanArray>(filled.make_array());
}

arrow::Result<PartitionValues> NormalizePartitionValues(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const PartitionValues& values) {
  PartitionValues out;
  for (const auto& column : partition_columns) {
    auto field = schema.GetFieldByName(column);
    if (!field)
      return InvalidInput("partition column '" + column + "' is not in the schema");
    ARROW_ASSIGN_OR_RAISE(auto scalar, PartitionValueOf(values, column, field->type()));
    ARROW_ASSIGN_OR_RAISE(out[column], SerializePartitionValue(*scalar));
  }
  return out;
}

arrow::Result<cp::Expression> PartitionsPredicate(
    const arrow::Schema& schema, const std::vector<std::string>& partition_columns,
    const std::vector<PartitionValues>& partitions) {
  std::vector<cp::Expression> any;
  for (const auto& values : partitions) {
    ARROW_ASSIGN_OR_RAISE(auto term, PartitionEquals(schema, partition_columns, values));
    any.push_back(std::move(term));
  }
  if (any.empty()) return cp::literal(false);
  return cp::or_(any);
}

}  // namespace deltaline::delta
