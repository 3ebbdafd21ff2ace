#include "anatomy/anatomy_outputs.h"

#include <map>
#include <utility>

#include <arrow/builder.h>
#include <arrow/compute/api.h>
#include <arrow/scalar.h>

#include "anatomy/ids.h"
#include "delta/base/errors.h"
#include "pipeline/checked_output.h"

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

pipeline::OutputWriter TargetedWriter(std::optional<std::set<Id>> replaced,
                                      pipeline::OutputWriter inner) {
  if (!inner) inner = pipeline::WriteOutputChecked;
  return [replaced = std::move(replaced), inner = std::move(inner)](
             const pipeline::Output& output, pipeline::NodeValue value,
             const std::string& lake, storage::StorageWriteOptions options)
             -> arrow::Result<pipeline::OutputWriteResult> {
    if (replaced) {
      auto* table = std::get_if<std::shared_ptr<arrow::Table>>(&value);
      if (table == nullptr || !*table) {
        return delta::InvalidInput("anatomy output '" + output.spec.name +
                                   "' is not a table");
      }
      const arrow::Schema& schema =
          output.spec.schema ? *output.spec.schema : *(*table)->schema();
      ARROW_ASSIGN_OR_RAISE(auto predicate, FilesPredicate(*replaced, schema));
      options.delta.mode = delta::SaveMode::kOverwrite;
      options.delta.replace_where = std::move(predicate);
    }
    return inner(output, std::move(value), lake, std::move(options));
  };
}

}  // namespace deltaline::anatomy
