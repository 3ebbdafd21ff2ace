// The rules of a spec, the schema check and the typed errors of spec_check.h: what
// the check decides before it reads a row.

#include <set>

#include "delta/base/errors.h"
#include "pipeline/spec_check.h"

namespace deltaline::pipeline {
namespace {

using delta::InvalidInput;

std::string Join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

arrow::Status WithSpecDetail(SpecErrorDetail::Kind kind, std::string message) {
  return arrow::Status(arrow::StatusCode::Invalid, std::move(message),
                       std::make_shared<SpecErrorDetail>(kind));
}

bool HasSpecDetail(const arrow::Status& st, SpecErrorDetail::Kind kind) {
  if (st.ok() || !st.detail()) return false;
  if (std::string(st.detail()->type_id()) != SpecErrorDetail::kTypeId) return false;
  return static_cast<const SpecErrorDetail&>(*st.detail()).kind() == kind;
}

}  // namespace

const char* RuleKindName(RuleKind kind) {
  switch (kind) {
    case RuleKind::kNotNull:
      return "not_null";
    case RuleKind::kCheck:
      return "check";
    case RuleKind::kUnique:
      return "unique";
  }
  return "unknown";
}

std::string SpecErrorDetail::ToString() const {
  return kind_ == Kind::kConstraintViolation ? "ConstraintViolation"
                                             : "SpecLimitExceeded";
}

arrow::Status ConstraintViolation(std::string message) {
  return WithSpecDetail(SpecErrorDetail::Kind::kConstraintViolation, std::move(message));
}

arrow::Status SpecLimitExceeded(std::string message) {
  return WithSpecDetail(SpecErrorDetail::Kind::kLimitExceeded, std::move(message));
}

bool IsConstraintViolation(const arrow::Status& st) {
  return HasSpecDetail(st, SpecErrorDetail::Kind::kConstraintViolation);
}

bool IsSpecLimitExceeded(const arrow::Status& st) {
  return HasSpecDetail(st, SpecErrorDetail::Kind::kLimitExceeded);
}

arrow::Result<std::vector<SpecRule>> SpecRules(const DatasetSpec& spec) {
  std::vector<SpecRule> rules;
  std::set<std::string> not_null_columns;
  auto add_not_null = [&](const std::string& column) {
    if (!not_null_columns.insert(column).second) return;
    rules.push_back(
        {"not_null_" + column, RuleKind::kNotNull, column + " IS NOT NULL", {column}});
  };
  if (spec.schema) {
    for (const auto& field : spec.schema->fields()) {
      if (!field->nullable()) add_not_null(field->name());
    }
  }
  for (const auto& column : spec.not_null) add_not_null(column);
  for (const auto& check : spec.checks) {
    if (check.name.empty()) {
      return InvalidInput("dataset '" + spec.name + "': CHECK '" + check.expression +
                          "' has no name");
    }
    rules.push_back({check.name, RuleKind::kCheck, check.expression, {}});
  }
  if (!spec.unique_key.empty()) {
    rules.push_back({"unique_" + Join(spec.unique_key, "_"), RuleKind::kUnique,
                     "UNIQUE (" + Join(spec.unique_key, ", ") + ")", spec.unique_key});
  }
  std::set<std::string> names;
  for (const auto& rule : rules) {
    if (!names.insert(rule.name).second) {
      return InvalidInput("dataset '" + spec.name + "': two constraints are named '" +
                          rule.name + "'");
    }
  }
  return rules;
}

arrow::Status CheckSchema(const DatasetSpec& spec, const arrow::Schema& output) {
  if (!spec.schema) return arrow::Status::OK();
  const std::string where = "dataset '" + spec.name + "': ";
  for (const auto& field : spec.schema->fields()) {
    auto found = output.GetAllFieldIndices(field->name());
    if (found.empty()) {
      return delta::SchemaMismatch(where + "column '" + field->name() +
                                   "' of the spec is missing from the output");
    }
    if (found.size() > 1) {
      return delta::SchemaMismatch(where + "column '" + field->name() +
                                   "' appears more than once in the output");
    }
    const auto& type = output.field(found[0])->type();
    if (!type->Equals(*field->type())) {
      return delta::SchemaMismatch(where + "column '" + field->name() + "' is " +
                                   type->ToString() + " in the output, the spec says " +
                                   field->type()->ToString());
    }
  }
  for (const auto& field : output.fields()) {
    if (spec.schema->GetFieldIndex(field->name()) < 0) {
      return delta::SchemaMismatch(where + "column '" + field->name() +
                                   "' of the output is not in the spec");
    }
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::pipeline
