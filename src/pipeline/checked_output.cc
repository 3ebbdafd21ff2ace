#include "pipeline/checked_output.h"

#include <type_traits>
#include <utility>

#include "engine/execute.h"
#include "pipeline/spec_write.h"

namespace deltaline::pipeline {

arrow::Result<OutputWriteResult> WriteOutputChecked(
    const Output& output, NodeValue value, const std::string& lake,
    storage::StorageWriteOptions options) {
  const DatasetSpec& spec = output.spec;
  ARROW_ASSIGN_OR_RAISE(auto rules, SpecRules(spec));
  if (rules.empty() && !spec.schema &&
      std::holds_alternative<arrow::acero::Declaration>(value)) {
    ARROW_ASSIGN_OR_RAISE(options, SpecWriteOptions(spec, std::move(options)));
    return WriteOutputDefault(output, std::move(value), lake, std::move(options));
  }
  OutputWriteResult result;
  result.dataset = spec.name;
  result.uri = OutputUri(lake, spec.name);
  ARROW_ASSIGN_OR_RAISE(result.version_before, TableVersion(result.uri));
  OutputValue checked;
  if (auto* plan = std::get_if<arrow::acero::Declaration>(&value)) {
    engine::RunOptions run{options.output, options.run, options.reporter, true};
    ARROW_ASSIGN_OR_RAISE(auto reader, engine::RunToReader(std::move(*plan), run));
    checked = std::shared_ptr<arrow::RecordBatchReader>(std::move(reader));
  } else if (auto* reader =
                 std::get_if<std::shared_ptr<arrow::RecordBatchReader>>(&value)) {
    checked = std::move(*reader);
  } else {
    checked = std::get<std::shared_ptr<arrow::Table>>(std::move(value));
  }
  ARROW_ASSIGN_OR_RAISE(auto written,
                        WriteOutput(std::move(checked), spec, lake, std::move(options)));
  result.write = std::move(written.written.good);
  result.constraint_counts = std::move(written.counts.violations);
  return result;
}

}  // namespace deltaline::pipeline
