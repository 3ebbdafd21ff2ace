#include "anatomy/anatomy_outputs.h"

#include <map>
#include <utility>

#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/scalar.h>

#include "anatomy/ids.h"
#include "delta/base/errors.h"
#include "pipeline/checked_output.h"
#include "pipeline/spec_check.h"

namespace deltaline::anatomy {
namespace cp = arrow::compute;

pipeline::Pipeline OutputsPipeline(const std::string& id,
                                   const std::vector<TableOutput>& tables) {
  pipeline::Pipeline pipe;
  pipe.id = id;
  for (const auto& table : tables) {
    pipeline::Node node;
    node.name = table.spec.name;
    auto rows = table.rows;
    node.run = [rows](pipeline::NodeInputs) -> arrow::Result<pipeline::NodeValue> {
      return pipeline::NodeValue(rows);
    };
    pipe.nodes.push_back(std::move(node));
    pipe.outputs.push_back({table.spec.name, table.spec});
  }
  return pipe;
}

std::set<int32_t> BucketsOf(const std::set<Id>& file_ids) {
  std::set<int32_t> buckets;
  for (Id id : file_ids) buckets.insert(FileBucket(id));
  return buckets;
}

arrow::Result<cp::Expression> FilesPredicate(const std::set<Id>& file_ids,
                                             const arrow::Schema& schema) {
  if (file_ids.empty()) return delta::InvalidInput("FilesPredicate of no files");
  auto bucket_field = schema.GetFieldByName("file_bucket");
  auto id_field = schema.GetFieldByName("file_id");
  if (!bucket_field || !id_field || id_field->type()->id() != arrow::Type::INT64) {
    return delta::SchemaMismatch(
        "an anatomy table needs file_bucket and file_id (int64) columns: " +
        schema.ToString());
  }
  std::map<int32_t, std::vector<Id>> by_bucket;
  for (Id id : file_ids) by_bucket[FileBucket(id)].push_back(id);
  std::vector<cp::Expression> disjuncts;
  for (const auto& entry : by_bucket) {
    ARROW_ASSIGN_OR_RAISE(
        auto bucket,
        arrow::MakeScalar(bucket_field->type(), static_cast<int64_t>(entry.first)));
    arrow::Int64Builder ids;
    ARROW_RETURN_NOT_OK(ids.AppendValues(entry.second));
    ARROW_ASSIGN_OR_RAISE(auto id_array, ids.Finish());
    disjuncts.push_back(
        cp::and_(cp::equal(cp::field_ref("file_bucket"), cp::literal(bucket)),
                 cp::call("is_in", {cp::field_ref("file_id")},
                          cp::SetLookupOptions(arrow::Datum(id_array)))));
  }
  return cp::or_(disjuncts);
}

namespace {

// The spec's rules are checked here, on the whole table, and the write gets the spec
// without them: a rule makes the checked writer write `<name>_errors` and
// `<name>_error_stats` beside the table with the main write's options, and a targeted
// replace's predicate names columns those side tables lack. Anatomy specs fail the run
// on a violation (a bug of the extractor, not bad input), so no side table is needed.
arrow::Result<std::pair<pipeline::Output, std::shared_ptr<arrow::Table>>> Checked(
    const pipeline::Output& output, std::shared_ptr<arrow::Table> table) {
  pipeline::DatasetSpec strict = output.spec;
  strict.on_violation = pipeline::ViolationAction::kFailRun;
  ARROW_ASSIGN_OR_RAISE(auto checked, pipeline::CheckTable(strict, std::move(table)));
  pipeline::Output unchecked = output;
  unchecked.spec.not_null.clear();
  unchecked.spec.unique_key.clear();
  unchecked.spec.checks.clear();
  // The checked rows already have the spec's schema; a schema's non-nullable fields
  // would be rules again.
  unchecked.spec.schema = nullptr;
  return std::make_pair(std::move(unchecked), std::move(checked.good));
}

}  // namespace

pipeline::OutputWriter TargetedWriter(std::optional<std::set<Id>> replaced,
                                      pipeline::OutputWriter inner) {
  if (!inner) inner = pipeline::WriteOutputChecked;
  return [replaced = std::move(replaced), inner = std::move(inner)](
             const pipeline::Output& output, pipeline::NodeValue value,
             const std::string& lake, storage::StorageWriteOptions options)
             -> arrow::Result<pipeline::OutputWriteResult> {
    auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&value);
    if (table == nullptr || !*table) {
      return delta::InvalidInput("anatomy output '" + output.spec.name +
                                 "' is not a table");
    }
    ARROW_ASSIGN_OR_RAISE(auto checked, Checked(output, std::move(*table)));
    if (replaced) {
      ARROW_ASSIGN_OR_RAISE(auto predicate,
                            FilesPredicate(*replaced, *checked.second->schema()));
      options.delta.mode = delta::SaveMode::kOverwrite;
      options.delta.replace_where = std::move(predicate);
    }
    return inner(checked.first, pipeline::NodeValue(std::move(checked.second)), lake,
                 std::move(options));
  };
}

}  // namespace deltaline::anatomy
