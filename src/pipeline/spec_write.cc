#include "pipeline/spec_write.h"

#include "delta/base/errors.h"

namespace deltaline::pipeline {

using delta::InvalidInput;

arrow::Result<std::map<std::string, std::string>> SpecConstraints(
    const DatasetSpec& spec) {
  ARROW_ASSIGN_OR_RAISE(auto rules, SpecRules(spec));
  std::map<std::string, std::string> constraints;
  for (const auto& rule : rules) constraints[rule.name] = rule.expression;
  return constraints;
}

arrow::Result<storage::StorageWriteOptions> SpecWriteOptions(
    const DatasetSpec& spec, storage::StorageWriteOptions base) {
  if (spec.name.empty() || spec.name == "." || spec.name == ".." ||
      spec.name.find_first_of("/\\") != std::string::npos) {
    return InvalidInput("dataset name '" + spec.name + "' must be one path component");
  }
  base.dataset = spec.name;
  if (!spec.partition_by.empty()) base.delta.partition_by = spec.partition_by;
  if (!spec.ordering_keys.empty()) base.ordering_keys = spec.ordering_keys;
  ARROW_ASSIGN_OR_RAISE(auto constraints, SpecConstraints(spec));
  for (auto& [name, expression] : constraints) {
    base.constraints[name] = std::move(expression);
  }
  if (spec.write_policy) base.write = *spec.write_policy;
  if (!spec.stats_columns.empty()) base.write.stats_columns = spec.stats_columns;
  return base;
}

arrow::Result<SpecWriteResult> WriteOutput(OutputValue value, const DatasetSpec& spec,
                                             const std::string& lake_uri,
                                             storage::StorageWriteOptions base,
                                             const SpecCheckOptions& check_options) {
  ARROW_ASSIGN_OR_RAISE(auto options, SpecWriteOptions(spec, std::move(base)));
  SpecWriteResult result;
  result.uri = lake_uri + "/" + spec.name;
  std::shared_ptr<arrow::RecordBatchReader> good, errors, error_stats;
  std::shared_ptr<SpecCheck> check;  // keeps the stream check alive while it writes
  if (auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&value)) {
    // A table is already in memory: checking it whole first means a kFailRun
    // violation leaves not even uncommitted data files behind.
    ARROW_ASSIGN_OR_RAISE(auto checked, CheckTable(spec, *table, check_options));
    good = std::make_shared<arrow::TableBatchReader>(checked.good);
    ARROW_ASSIGN_OR_RAISE(auto rules, SpecRules(spec));
    if (!rules.empty()) {
      errors = std::make_shared<arrow::TableBatchReader>(checked.errors);
      error_stats = std::make_shared<arrow::TableBatchReader>(checked.error_stats);
    }
    result.counts = std::move(checked.counts);
  } else {
    auto reader = std::get<std::shared_ptr<arrow::RecordBatchReader>>(value);
    ARROW_ASSIGN_OR_RAISE(check, SpecCheck::Make(spec, std::move(reader), check_options));
    good = check->good();
    if (check->has_rules()) {
      errors = check->errors();
      error_stats = check->error_stats();
    }
  }
  ARROW_ASSIGN_OR_RAISE(
      result.written,
      storage::WriteFinalizeResultDelta(good, errors, error_stats, lake_uri, options));
  if (check) {
    // A stream's counts are final once every reader it feeds is drained; a spec
    // without rules has no side reader, and a skipped (already applied) main commit
    // may not have read the stream at all, so its counts stay as far as it got.
    result.counts = check->counts();
  }
  return result;
}

}  // namespace deltaline::pipeline
