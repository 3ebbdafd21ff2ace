#include "pipeline/spec_check.h"

#include <deque>

#include <arrow/api.h>
#include <arrow/array/util.h>
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>
#include <arrow/compute/row/grouper.h>
#include <arrow/scalar.h>
#include <arrow/util/byte_size.h>

#include "delta/base/errors.h"
#include "delta/predicate/predicate.h"

namespace deltaline::pipeline {
namespace {

namespace cp = arrow::compute;
using delta::InvalidInput;
using BatchPtr = std::shared_ptr<arrow::RecordBatch>;

arrow::Result<std::shared_ptr<arrow::BooleanArray>> AsMask(const arrow::Datum& datum,
                                                           int64_t length) {
  std::shared_ptr<arrow::Array> array;
  if (datum.is_scalar()) {
    ARROW_ASSIGN_OR_RAISE(array, arrow::MakeArrayFromScalar(*datum.scalar(), length));
  } else {
    array = datum.make_array();
  }
  return std::static_pointer_cast<arrow::BooleanArray>(array);
}

arrow::Result<BatchPtr> FilterRows(const BatchPtr& batch,
                                   const std::shared_ptr<arrow::BooleanArray>& mask) {
  ARROW_ASSIGN_OR_RAISE(auto filtered, cp::Filter(batch, mask));
  return filtered.record_batch();
}

// "{id=3, amount=-5}": enough of the row to find it, for a failed run's message.
std::string DescribeRow(const arrow::RecordBatch& batch, int64_t row) {
  std::string out = "{";
  for (int col = 0; col < batch.num_columns(); ++col) {
    auto scalar = batch.column(col)->GetScalar(row);
    out += (col ? ", " : "") + batch.schema()->field(col)->name() + "=" +
           (scalar.ok() ? (*scalar)->ToString() : "?");
  }
  return out + "}";
}

int64_t FirstTrue(const arrow::BooleanArray& mask) {
  for (int64_t i = 0; i < mask.length(); ++i) {
    if (mask.IsValid(i) && mask.Value(i)) return i;
  }
  return -1;
}

}  // namespace

class SpecCheck::State {
 public:
  DatasetSpec spec;
  SpecCheckOptions options;
  std::shared_ptr<arrow::RecordBatchReader> input;
  std::vector<SpecRule> rules;
  /// Per rule except the unique key: true where a row breaks it (never null).
  std::vector<cp::Expression> broken;
  std::shared_ptr<arrow::Schema> good_schema;
  std::shared_ptr<arrow::Schema> error_schema;
  std::vector<int> projection;  ///< input column of each good_schema field
  std::vector<int> key_columns;
  std::unique_ptr<cp::Grouper> keys;
  std::vector<bool> key_seen;  ///< by grouper id: a kept row already has this key
  std::deque<BatchPtr> error_batches;
  int64_t error_bytes = 0;
  SpecCheckCounts counts;
  bool done = false;

  arrow::Status Prepare();
  /// The next non-empty batch of good rows; null at the end.
  arrow::Result<BatchPtr> Next();
  arrow::Status Drain() {
    while (!done) ARROW_RETURN_NOT_OK(Next().status());
    return arrow::Status::OK();
  }

 private:
  arrow::Result<BatchPtr> CheckBatch(const BatchPtr& batch);
  /// Charges the rows of `newly` to `rule`: an error (kFailRun) or `_errors` rows.
  arrow::Status Charge(size_t rule, const BatchPtr& batch,
                       const std::shared_ptr<arrow::BooleanArray>& newly);
  arrow::Result<std::shared_ptr<arrow::BooleanArray>> Duplicates(const BatchPtr& batch);
};

arrow::Status SpecCheck::State::Prepare() {
  // Arrow's compute kernels beyond the core ones are registered on demand.
  ARROW_RETURN_NOT_OK(cp::Initialize());
  const std::string where = "dataset '" + spec.name + "': ";
  auto input_schema = input->schema();
  ARROW_RETURN_NOT_OK(CheckSchema(spec, *input_schema));
  ARROW_ASSIGN_OR_RAISE(rules, SpecRules(spec));
  good_schema = spec.schema ? spec.schema : input_schema;
  for (const auto& field : good_schema->fields()) {
    projection.push_back(input_schema->GetFieldIndex(field->name()));
  }
  auto require = [&](const std::vector<std::string>& columns, const std::string& what) {
    for (const auto& column : columns) {
      if (good_schema->GetFieldIndex(column) < 0) {
        return InvalidInput(where + what + " column '" + column +
                            "' is not a column of the output");
      }
    }
    return arrow::Status::OK();
  };
  ARROW_RETURN_NOT_OK(require(spec.not_null, "NOT NULL"));
  ARROW_RETURN_NOT_OK(require(spec.unique_key, "unique key"));
  ARROW_RETURN_NOT_OK(require(spec.partition_by, "partition"));
  ARROW_RETURN_NOT_OK(require(spec.ordering_keys, "ordering key"));
  arrow::FieldVector error_fields;
  for (const auto& field : good_schema->fields()) {
    if (!rules.empty() &&
        (field->name() == kRuleColumn || field->name() == kErrorColumn)) {
      return InvalidInput(where + "column '" + field->name() +
                          "' is reserved for the _errors side table");
    }
    error_fields.push_back(field->WithNullable(true));
  }
  error_fields.push_back(arrow::field(kRuleColumn, arrow::utf8(), false));
  error_fields.push_back(arrow::field(kErrorColumn, arrow::utf8(), false));
  error_schema = arrow::schema(std::move(error_fields));
  for (const auto& rule : rules) {
    counts.violations[rule.name] = 0;
    cp::Expression expr;
    if (rule.kind == RuleKind::kNotNull) {
      expr = cp::call("is_null", {cp::field_ref(rule.columns[0])});
    } else if (rule.kind == RuleKind::kCheck) {
      auto parsed = delta::ParsePredicate(rule.expression, *good_schema);
      if (!parsed.ok()) {
        return parsed.status().WithMessage(where + "CHECK '" + rule.name +
                                           "': " + parsed.status().message());
      }
      // SQL CHECK: only TRUE passes; FALSE and NULL break the rule.
      expr = cp::call("invert", {cp::call("coalesce", {*parsed, cp::literal(false)})});
    } else {
      continue;
    }
    ARROW_ASSIGN_OR_RAISE(expr, expr.Bind(*good_schema));
    broken.push_back(std::move(expr));
  }
  if (!spec.unique_key.empty()) {
    std::vector<arrow::TypeHolder> types;
    for (const auto& column : spec.unique_key) {
      key_columns.push_back(good_schema->GetFieldIndex(column));
      types.emplace_back(good_schema->field(key_columns.back())->type());
    }
    ARROW_ASSIGN_OR_RAISE(keys, cp::Grouper::Make(types));
  }
  return arrow::Status::OK();
}

arrow::Result<BatchPtr> SpecCheck::State::Next() {
  while (!done) {
    BatchPtr batch;
    ARROW_RETURN_NOT_OK(input->ReadNext(&batch));
    if (!batch) {
      done = true;
      break;
    }
    ARROW_ASSIGN_OR_RAISE(auto good, CheckBatch(batch));
    if (good->num_rows() > 0) return good;
  }
  return nullptr;
}

arrow::Result<BatchPtr> SpecCheck::State::CheckBatch(const BatchPtr& input_batch) {
  const int64_t rows = input_batch->num_rows();
  arrow::ArrayVector columns;
  for (int index : projection) columns.push_back(input_batch->column(index));
  BatchPtr batch = arrow::RecordBatch::Make(good_schema, rows, std::move(columns));
  counts.rows_in += rows;
  std::shared_ptr<arrow::BooleanArray> charged;  // rows already charged to a rule
  for (size_t rule = 0; rule < broken.size(); ++rule) {
    ARROW_ASSIGN_OR_RAISE(
        auto result, cp::ExecuteScalarExpression(broken[rule], cp::ExecBatch(*batch)));
    ARROW_ASSIGN_OR_RAISE(auto newly, AsMask(result, rows));
    if (charged) {
      ARROW_ASSIGN_OR_RAISE(auto fresh, cp::AndNot(newly, charged));
      newly = std::static_pointer_cast<arrow::BooleanArray>(fresh.make_array());
    }
    if (newly->true_count() == 0) continue;
    ARROW_RETURN_NOT_OK(Charge(rule, batch, newly));
    if (charged) {
      ARROW_ASSIGN_OR_RAISE(auto both, cp::Or(charged, newly));
      charged = std::static_pointer_cast<arrow::BooleanArray>(both.make_array());
    } else {
      charged = newly;
    }
  }
  BatchPtr candidates = batch;
  if (charged) {
    ARROW_ASSIGN_OR_RAISE(auto keep, cp::Invert(charged));
    ARROW_ASSIGN_OR_RAISE(candidates,
                          FilterRows(batch, std::static_pointer_cast<arrow::BooleanArray>(
                                                keep.make_array())));
  }
  if (keys && candidates->num_rows() > 0) {
    ARROW_ASSIGN_OR_RAISE(auto duplicates, Duplicates(candidates));
    if (duplicates->true_count() > 0) {
      ARROW_RETURN_NOT_OK(Charge(rules.size() - 1, candidates, duplicates));
      ARROW_ASSIGN_OR_RAISE(auto keep, cp::Invert(duplicates));
      ARROW_ASSIGN_OR_RAISE(
          candidates,
          FilterRows(candidates,
                     std::static_pointer_cast<arrow::BooleanArray>(keep.make_array())));
    }
  }
  counts.rows_good += candidates->num_rows();
  return candidates;
}

arrow::Result<std::shared_ptr<arrow::BooleanArray>> SpecCheck::State::Duplicates(
    const BatchPtr& batch) {
  std::vector<arrow::Datum> values;
  for (int column : key_columns) values.emplace_back(batch->column(column));
  cp::ExecBatch key_batch(std::move(values), batch->num_rows());
  ARROW_ASSIGN_OR_RAISE(auto ids, keys->Consume(cp::ExecSpan(key_batch)));
  const uint32_t groups = keys->num_groups();
  if (static_cast<int64_t>(groups) > options.max_unique_keys) {
    return SpecLimitExceeded(
        "dataset '" + spec.name + "': the unique key (" + rules.back().expression +
        ") has more than " + std::to_string(options.max_unique_keys) +
        " distinct values, the limit of SpecCheckOptions::max_unique_keys; duplicates "
        "across the stream cannot be ruled out within it");
  }
  key_seen.resize(groups, false);
  auto id_array = std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
  arrow::BooleanBuilder duplicates;
  ARROW_RETURN_NOT_OK(duplicates.Reserve(id_array->length()));
  for (int64_t row = 0; row < id_array->length(); ++row) {
    const uint32_t id = id_array->Value(row);
    duplicates.UnsafeAppend(key_seen[id]);
    key_seen[id] = true;
  }
  ARROW_ASSIGN_OR_RAISE(auto mask, duplicates.Finish());
  return std::static_pointer_cast<arrow::BooleanArray>(mask);
}

arrow::Status SpecCheck::State::Charge(
    size_t rule, const BatchPtr& batch,
    const std::shared_ptr<arrow::BooleanArray>& newly) {
  const SpecRule& broken_rule = rules[rule];
  if (spec.on_violation == ViolationAction::kFailRun) {
    return ConstraintViolation("dataset '" + spec.name + "': a row breaks rule '" +
                               broken_rule.name + "' (" + broken_rule.expression +
                               "): " + DescribeRow(*batch, FirstTrue(*newly)) +
                               "; the spec fails the run, nothing was committed");
  }
  ARROW_ASSIGN_OR_RAISE(auto bad, FilterRows(batch, newly));
  const int64_t rows = bad->num_rows();
  counts.violations[broken_rule.name] += rows;
  arrow::ArrayVector columns = bad->columns();
  for (const std::string& text : {broken_rule.name, broken_rule.expression}) {
    ARROW_ASSIGN_OR_RAISE(auto constant,
                          arrow::MakeArrayFromScalar(arrow::StringScalar(text), rows));
    columns.push_back(std::move(constant));
  }
  auto errors = arrow::RecordBatch::Make(error_schema, rows, std::move(columns));
  error_bytes += arrow::util::TotalBufferSize(*errors);
  if (error_bytes > options.max_error_bytes) {
    return SpecLimitExceeded("dataset '" + spec.name + "': the rows breaking its rules " +
                             "take more than " + std::to_string(options.max_error_bytes) +
                             " bytes, the limit of SpecCheckOptions::max_error_bytes");
  }
  error_batches.push_back(std::move(errors));
  return arrow::Status::OK();
}

namespace {

class GoodReader : public arrow::RecordBatchReader {
 public:
  explicit GoodReader(std::shared_ptr<SpecCheck::State> state)
      : state_(std::move(state)) {}
  std::shared_ptr<arrow::Schema> schema() const override;
  arrow::Status ReadNext(BatchPtr* batch) override;

 private:
  std::shared_ptr<SpecCheck::State> state_;
};

// Serves `_errors` (or `_error_stats` when `stats`) once the input is drained.
class SideReader : public arrow::RecordBatchReader {
 public:
  SideReader(std::shared_ptr<SpecCheck::State> state, bool stats)
      : state_(std::move(state)), stats_(stats) {}
  std::shared_ptr<arrow::Schema> schema() const override;
  arrow::Status ReadNext(BatchPtr* batch) override;

 private:
  arrow::Result<BatchPtr> StatsBatch() const;
  std::shared_ptr<SpecCheck::State> state_;
  bool stats_;
  bool stats_served_ = false;
};

std::shared_ptr<arrow::Schema> StatsSchema() {
  return arrow::schema({arrow::field("rule", arrow::utf8(), false),
                        arrow::field("kind", arrow::utf8(), false),
                        arrow::field("expression", arrow::utf8(), false),
                        arrow::field("rows", arrow::int64(), false)});
}

}  // namespace

std::shared_ptr<arrow::Schema> GoodReader::schema() const { return state_->good_schema; }

arrow::Status GoodReader::ReadNext(BatchPtr* batch) {
  return state_->Next().Value(batch);
}

std::shared_ptr<arrow::Schema> SideReader::schema() const {
  return stats_ ? StatsSchema() : state_->error_schema;
}

arrow::Status SideReader::ReadNext(BatchPtr* batch) {
  ARROW_RETURN_NOT_OK(state_->Drain());
  *batch = nullptr;
  if (stats_) {
    if (stats_served_) return arrow::Status::OK();
    stats_served_ = true;
    return StatsBatch().Value(batch);
  }
  if (state_->error_batches.empty()) return arrow::Status::OK();
  *batch = std::move(state_->error_batches.front());
  state_->error_batches.pop_front();
  return arrow::Status::OK();
}

arrow::Result<BatchPtr> SideReader::StatsBatch() const {
  arrow::StringBuilder rule, kind, expression;
  arrow::Int64Builder rows;
  for (const auto& spec_rule : state_->rules) {
    ARROW_RETURN_NOT_OK(rule.Append(spec_rule.name));
    ARROW_RETURN_NOT_OK(kind.Append(RuleKindName(spec_rule.kind)));
    ARROW_RETURN_NOT_OK(expression.Append(spec_rule.expression));
    ARROW_RETURN_NOT_OK(rows.Append(state_->counts.violations.at(spec_rule.name)));
  }
  arrow::ArrayVector columns(4);
  ARROW_RETURN_NOT_OK(rule.Finish(&columns[0]));
  ARROW_RETURN_NOT_OK(kind.Finish(&columns[1]));
  ARROW_RETURN_NOT_OK(expression.Finish(&columns[2]));
  ARROW_RETURN_NOT_OK(rows.Finish(&columns[3]));
  return arrow::RecordBatch::Make(StatsSchema(), columns[0]->length(), columns);
}

arrow::Result<std::shared_ptr<SpecCheck>> SpecCheck::Make(
    DatasetSpec spec, std::shared_ptr<arrow::RecordBatchReader> input,
    SpecCheckOptions options) {
  if (!input) return InvalidInput("dataset '" + spec.name + "' has no input");
  auto state = std::make_shared<State>();
  state->spec = std::move(spec);
  state->options = options;
  state->input = std::move(input);
  ARROW_RETURN_NOT_OK(state->Prepare());
  return std::shared_ptr<SpecCheck>(new SpecCheck(std::move(state)));
}

SpecCheck::~SpecCheck() = default;

std::shared_ptr<arrow::RecordBatchReader> SpecCheck::good() {
  return std::make_shared<GoodReader>(state_);
}
std::shared_ptr<arrow::RecordBatchReader> SpecCheck::errors() {
  return std::make_shared<SideReader>(state_, /*stats=*/false);
}
std::shared_ptr<arrow::RecordBatchReader> SpecCheck::error_stats() {
  return std::make_shared<SideReader>(state_, /*stats=*/true);
}
bool SpecCheck::has_rules() const { return !state_->rules.empty(); }
const SpecCheckCounts& SpecCheck::counts() const { return state_->counts; }

arrow::Result<CheckedTable> CheckTable(const DatasetSpec& spec,
                                       std::shared_ptr<arrow::Table> table,
                                       SpecCheckOptions options) {
  if (!table) return InvalidInput("dataset '" + spec.name + "' has no table");
  auto reader = std::make_shared<arrow::TableBatchReader>(table);
  ARROW_ASSIGN_OR_RAISE(auto check, SpecCheck::Make(spec, reader, options));
  CheckedTable out;
  ARROW_ASSIGN_OR_RAISE(out.good, check->good()->ToTable());
  ARROW_ASSIGN_OR_RAISE(out.errors, check->errors()->ToTable());
  ARROW_ASSIGN_OR_RAISE(out.error_stats, check->error_stats()->ToTable());
  out.counts = check->counts();
  return out;
}

}  // namespace deltaline::pipeline
