#include "engine/builder.h"

#include <arrow/compute/expression.h>

#include "delta/base/errors.h"
#include "delta/predicate/predicate.h"
#include "engine/delta_source.h"
#include "engine/execute.h"
#include "engine/insert_into.h"

namespace deltaline::engine {

namespace acero = arrow::acero;
namespace cp = arrow::compute;

// Appends steps to both plans of a Query; a friend so Query's fields stay private.
class QueryStep {
 public:
  static Query Fail(const Query& in, arrow::Status status) {
    Query out = in;
    out.status_ = std::move(status);
    out.schema_.reset();
    return out;
  }

  static Query Append(const Query& in, const std::string& step, std::string factory,
                      std::shared_ptr<acero::ExecNodeOptions> options,
                      const Query* right = nullptr) {
    Query out = in;
    std::vector<acero::Declaration::Input> inputs = {in.declaration_};
    std::vector<acero::Declaration::Input> shapes = {in.shape_};
    if (right != nullptr) {
      inputs.push_back(right->declaration_);
      shapes.push_back(right->shape_);
    }
    out.declaration_ = acero::Declaration(factory, std::move(inputs), options);
    out.shape_ = acero::Declaration(std::move(factory), std::move(shapes), options);
    arrow::Status shaped = Reshape(out);
    if (!shaped.ok()) {
      return Fail(in, delta::InvalidInput(step + ": " + shaped.message()));
    }
    return out;
  }

  // Arrow itself says what the node outputs: the shape plan is built (never run).
  static arrow::Status Reshape(Query& query) {
    ARROW_RETURN_NOT_OK(InitializeEngine());
    ARROW_ASSIGN_OR_RAISE(auto plan, acero::ExecPlan::Make());
    ARROW_ASSIGN_OR_RAISE(acero::ExecNode * node, query.shape_.AddToPlan(plan.get()));
    query.schema_ = node->output_schema();
    query.ordered_ = !node->ordering().is_unordered();
    return arrow::Status::OK();
  }

  static Query Start(acero::Declaration source, std::shared_ptr<arrow::Schema> schema) {
    Query out;
    out.declaration_ = std::move(source);
    out.shape_ = acero::Declaration(
        "table_source",
        acero::TableSourceNodeOptions(arrow::Table::MakeEmpty(schema).ValueOr(nullptr)));
    out.schema_ = std::move(schema);
    out.ordered_ = true;  // sources emit their rows in order
    return out;
  }
};

namespace {

std::string ColumnList(const arrow::Schema& schema) {
  std::string out;
  for (const auto& field : schema.fields())
    out += (out.empty() ? "" : ", ") + field->name();
  return out;
}

std::string Describe(const arrow::FieldRef& ref) {
  return ref.name() != nullptr ? "'" + *ref.name() + "'" : ref.ToString();
}

arrow::Status CheckColumn(const arrow::Schema& schema, const arrow::FieldRef& ref,
                          const std::string& step) {
  auto matches = ref.FindAll(schema);
  if (matches.size() == 1) return arrow::Status::OK();
  return delta::InvalidInput(step + ": " +
                             (matches.empty() ? "unknown column " : "ambiguous column ") +
                             Describe(ref) + " (columns: " + ColumnList(schema) + ")");
}

arrow::Status CheckColumns(const arrow::Schema& schema,
                           const std::vector<std::string>& names,
                           const std::string& step) {
  for (const auto& name : names) {
    ARROW_RETURN_NOT_OK(CheckColumn(schema, arrow::FieldRef(name), step));
  }
  return arrow::Status::OK();
}

// Column references first (so the error names the column), then Arrow's type check.
arrow::Result<cp::Expression> BindChecked(const cp::Expression& expression,
                                          const arrow::Schema& schema,
                                          const std::string& step) {
  for (const auto& ref : cp::FieldsInExpression(expression)) {
    ARROW_RETURN_NOT_OK(CheckColumn(schema, ref, step));
  }
  auto bound = expression.Bind(schema);
  if (!bound.ok()) {
    return delta::InvalidInput(step + ": " + expression.ToString() + ": " +
                               bound.status().message());
  }
  return bound;
}

std::vector<arrow::FieldRef> Refs(const std::vector<std::string>& names) {
  return {names.begin(), names.end()};
}

}  // namespace

Query From(const Catalog& catalog, const std::string& name) {
  auto entry = catalog.Entry(name);
  auto source = catalog.Source(name);
  if (!entry.ok() || !source.ok()) {
    return QueryStep::Fail(Query(), entry.ok() ? source.status() : entry.status());
  }
  return QueryStep::Start(std::move(*source), entry->schema);
}

Query Query::Filter(cp::Expression predicate) const {
  if (!ok()) return *this;
  auto bound = BindChecked(predicate, *schema_, "Filter");
  if (!bound.ok()) return QueryStep::Fail(*this, bound.status());
  if (!bound->type()->Equals(arrow::boolean())) {
    return QueryStep::Fail(
        *this, delta::InvalidInput("Filter: " + predicate.ToString() + " is " +
                                   bound->type()->ToString() + ", not boolean"));
  }
  return QueryStep::Append(*this, "Filter", "filter",
                           std::make_shared<acero::FilterNodeOptions>(predicate));
}

Query Query::Filter(const std::string& sql) const {
  if (!ok()) return *this;
  auto parsed = delta::ParsePredicate(sql, *schema_);
  if (!parsed.ok()) {
    // The parser's kind (kInvalidInput, kSchemaMismatch…) stays; the step is named.
    return QueryStep::Fail(
        *this, parsed.status().WithMessage("Filter: " + parsed.status().message()));
  }
  return Filter(*parsed);
}

Query Query::Project(const std::vector<std::string>& columns) const {
  if (!ok()) return *this;
  std::vector<cp::Expression> expressions;
  for (const auto& column : columns) expressions.push_back(cp::field_ref(column));
  return Project(expressions, columns);
}

Query Query::Project(const std::vector<cp::Expression>& expressions,
                     const std::vector<std::string>& names) const {
  if (!ok()) return *this;
  if (expressions.size() != names.size()) {
    return QueryStep::Fail(
        *this, delta::InvalidInput("Project: " + std::to_string(expressions.size()) +
                                   " expressions but " + std::to_string(names.size()) +
                                   " names"));
  }
  for (const auto& expression : expressions) {
    auto bound = BindChecked(expression, *schema_, "Project");
    if (!bound.ok()) return QueryStep::Fail(*this, bound.status());
  }
  return QueryStep::Append(
      *this, "Project", "project",
      std::make_shared<acero::ProjectNodeOptions>(expressions, names));
}

Query Query::Aggregate(std::vector<cp::Aggregate> aggregates,
                       const std::vector<std::string>& keys) const {
  if (!ok()) return *this;
  if (auto checked = CheckColumns(*schema_, keys, "Aggregate key"); !checked.ok()) {
    return QueryStep::Fail(*this, checked);
  }
  for (auto& aggregate : aggregates) {
    for (const auto& target : aggregate.target) {
      auto checked = CheckColumn(*schema_, target, "Aggregate " + aggregate.function);
      if (!checked.ok()) return QueryStep::Fail(*this, checked);
    }
    if (!keys.empty() && aggregate.function.rfind("hash_", 0) != 0) {
      aggregate.function = "hash_" + aggregate.function;
    }
  }
  return QueryStep::Append(
      *this, "Aggregate", "aggregate",
      std::make_shared<acero::AggregateNodeOptions>(std::move(aggregates), Refs(keys)));
}

Query Query::Join(const Query& right, const std::vector<std::string>& left_keys,
                  const std::vector<std::string>& right_keys, acero::JoinType type,
                  const std::string& left_suffix, const std::string& right_suffix) const {
  if (!ok()) return *this;
  if (!right.ok()) return QueryStep::Fail(*this, right.status());
  if (left_keys.empty() || left_keys.size() != right_keys.size()) {
    return QueryStep::Fail(
        *this,
        delta::InvalidInput("Join: needs as many right keys as left keys (" +
                            std::to_string(left_keys.size()) + " and " +
                            std::to_string(right_keys.size()) + "), at least one"));
  }
  for (const auto& [side_schema, keys, side] :
       {std::tuple{schema_, &left_keys, "Join left key"},
        std::tuple{right.schema_, &right_keys, "Join right key"}}) {
    if (auto checked = CheckColumns(*side_schema, *keys, side); !checked.ok()) {
      return QueryStep::Fail(*this, checked);
    }
  }
  auto options = std::make_shared<acero::HashJoinNodeOptions>(
      type, Refs(left_keys), Refs(right_keys), cp::literal(true), left_suffix,
      right_suffix);
  return QueryStep::Append(*this, "Join", "hashjoin", options, &right);
}

Query Query::OrderBy(const std::vector<cp::SortKey>& keys) const {
  if (!ok()) return *this;
  for (const auto& key : keys) {
    if (auto checked = CheckColumn(*schema_, key.target, "OrderBy"); !checked.ok()) {
      return QueryStep::Fail(*this, checked);
    }
  }
  return QueryStep::Append(
      *this, "OrderBy", "order_by",
      std::make_shared<acero::OrderByNodeOptions>(cp::Ordering(keys)));
}

Query Query::Limit(int64_t count, int64_t offset) const {
  if (!ok()) return *this;
  if (count < 0 || offset < 0) {
    return QueryStep::Fail(*this, delta::InvalidInput("Limit: count and offset must not "
                                                      "be negative"));
  }
  if (!ordered_) {
    return QueryStep::Fail(
        *this, delta::InvalidInput("Limit: the rows have no order here (after a join or "
                                   "an aggregate): call OrderBy first"));
  }
  return QueryStep::Append(*this, "Limit", "fetch",
                           std::make_shared<acero::FetchNodeOptions>(offset, count));
}

arrow::Result<std::shared_ptr<arrow::Table>> Query::ToTable(
    const RunOptions& options) const {
  ARROW_RETURN_NOT_OK(status_);
  return RunToTable(declaration_, options);
}

arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> Query::ToReader(
    const RunOptions& options) const {
  ARROW_RETURN_NOT_OK(status_);
  return RunToReader(declaration_, options);
}

arrow::Result<storage::WriteResult> Query::InsertInto(
    const std::string& uri, const storage::StorageWriteOptions& options) const {
  ARROW_RETURN_NOT_OK(status_);
  // kTableNotFound before the plan runs: an insert never creates its target.
  ARROW_RETURN_NOT_OK(OpenDeltaTable(uri).status());
  return WriteDelta(uri, options);
}

arrow::Result<storage::WriteResult> Query::WriteDelta(
    const std::string& uri, const storage::StorageWriteOptions& options) const {
  ARROW_RETURN_NOT_OK(status_);
  InsertOptions insert;
  insert.storage = options;
  return engine::InsertInto(declaration_, uri, insert);
}

}  // namespace deltaline::engine
