#pragma once

// Checks an output against its DatasetSpec while it streams to its commit.
//
// The check is a filtering reader: `good()` yields the rows that satisfy every rule
// (batch by batch, never the whole output), and the rows that break one are buffered
// for `errors()`, the `_errors` side table. Memory is bounded by the spec's own
// demands: the buffered error rows (SpecCheckOptions::max_error_bytes) and one entry
// per distinct unique-key value (SpecCheckOptions::max_unique_keys). Going past
// either fails the check with a SpecLimitExceeded error naming the limit — a check
// that cannot be done correctly is refused, never passed silently.
//
// Rules, in the order a row is checked (a row is charged to the FIRST rule it breaks,
// so per-rule counts add up to the rows left out):
//   1. `not_null_<col>` for every non-nullable field of spec.schema, then every
//      spec.not_null column (once each);
//   2. the spec's CHECK constraints, by their names, in spec order (a row where the
//      predicate is false or NULL breaks it);
//   3. `unique_<col>[_<col>…]` for spec.unique_key: the first row with a key value (in
//      stream order, among rows that passed 1 and 2) is kept, later rows with the same
//      value break it. NULL key values compare equal to each other.
//
// `_errors` rows are the output's columns (all nullable) plus `_rule` (the rule's
// name) and `_error` (its expression, e.g. "id IS NOT NULL"). `_error_stats` has one
// row per rule of the spec: `rule`, `kind` (not_null|check|unique), `expression`,
// `rows` (0 included), so every run leaves a record of every rule.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/status.h>
#include <arrow/table.h>

#include "pipeline/dataset_spec.h"

namespace deltaline::pipeline {

inline constexpr const char* kRuleColumn = "_rule";
inline constexpr const char* kErrorColumn = "_error";

enum class RuleKind { kNotNull, kCheck, kUnique };
const char* RuleKindName(RuleKind kind);

/// \brief One rule of a spec as it is checked and recorded.
struct SpecRule {
  std::string name;  ///< not_null_<col>, the CHECK's name, unique_<cols>
  RuleKind kind;
  std::string expression;  ///< "id IS NOT NULL", the CHECK's SQL, "UNIQUE (a, b)"
  std::vector<std::string> columns;  ///< the NOT NULL column / the key (not CHECKs)
};

/// \brief The rules of `spec` in checking order (see the file comment). Fails with
/// kInvalidInput on an unnamed CHECK or two rules with one name.
arrow::Result<std::vector<SpecRule>> SpecRules(const DatasetSpec& spec);

/// \brief What the check saw, for the run manifest.
struct SpecCheckCounts {
  int64_t rows_in = 0;
  int64_t rows_good = 0;
  /// Rows charged to each rule, every rule of the spec present (0 included).
  std::map<std::string, int64_t> violations;
  int64_t rows_bad() const { return rows_in - rows_good; }
};

struct SpecCheckOptions {
  /// Distinct unique-key values remembered across the stream.
  int64_t max_unique_keys = 50'000'000;
  /// Bytes of buffered `_errors` rows.
  int64_t max_error_bytes = int64_t{256} << 20;
};

/// \brief StatusDetail of a spec check failure. Read it back with the predicates below.
class SpecErrorDetail : public arrow::StatusDetail {
 public:
  enum class Kind { kConstraintViolation, kLimitExceeded };
  static constexpr const char* kTypeId = "deltaline::pipeline::SpecErrorDetail";

  explicit SpecErrorDetail(Kind kind) : kind_(kind) {}
  const char* type_id() const override { return kTypeId; }
  /// "ConstraintViolation" or "SpecLimitExceeded", as the CLI prints it.
  std::string ToString() const override;
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

/// \brief A row broke a rule under ViolationAction::kFailRun (arrow Invalid + detail).
arrow::Status ConstraintViolation(std::string message);
/// \brief The check would need more memory than a SpecCheckOptions limit allows.
arrow::Status SpecLimitExceeded(std::string message);
bool IsConstraintViolation(const arrow::Status& st);
bool IsSpecLimitExceeded(const arrow::Status& st);

/// \brief When spec.schema is set: `output` must have exactly its columns (any order)
/// with equal types, else kSchemaMismatch naming the dataset and the column.
/// Nullability is not compared: a non-nullable spec field is a NOT NULL rule instead.
arrow::Status CheckSchema(const DatasetSpec& spec, const arrow::Schema& output);

/// \brief The check of one output. Read `good()` to the end first; `errors()` then
/// serves the buffered violations (reading it earlier drains the rest of the input,
/// discarding good rows: that is what a re-run whose main commit was already applied
/// needs), `error_stats()` the per-rule counts.
class SpecCheck {
 public:
  /// Checks the schema and the spec's columns before reading anything; `input` is
  /// read only through good()/errors().
  static arrow::Result<std::shared_ptr<SpecCheck>> Make(
      DatasetSpec spec, std::shared_ptr<arrow::RecordBatchReader> input,
      SpecCheckOptions options = {});
  ~SpecCheck();

  /// Rows that pass, with spec.schema (column order, nullability, metadata) when set,
  /// else the input's schema. Under kFailRun the first violation is its error.
  std::shared_ptr<arrow::RecordBatchReader> good();
  std::shared_ptr<arrow::RecordBatchReader> errors();
  std::shared_ptr<arrow::RecordBatchReader> error_stats();
  /// False when the spec has no rule: no side tables are needed.
  bool has_rules() const;
  /// Final once good() (or errors()) reached the end.
  const SpecCheckCounts& counts() const;

  class State;

 private:
  explicit SpecCheck(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

/// \brief A whole table through the check.
struct CheckedTable {
  std::shared_ptr<arrow::Table> good;
  std::shared_ptr<arrow::Table> errors;
  std::shared_ptr<arrow::Table> error_stats;
  SpecCheckCounts counts;
};
arrow::Result<CheckedTable> CheckTable(const DatasetSpec& spec,
                                       std::shared_ptr<arrow::Table> table,
                                       SpecCheckOptions options = {});

}  // namespace deltaline::pipeline
