// The anatomy tables' schemas and dataset specs (tables.h).

#include <map>

#include <arrow/type.h>

#include "anatomy/table_columns.h"
#include "anatomy/tables.h"
#include "delta/base/errors.h"

namespace deltaline::anatomy {
namespace {

using arrow::field;
using FieldVector = arrow::FieldVector;

FieldVector SpanFields() {
  return {field("start_byte", arrow::int64(), false),
          field("end_byte", arrow::int64(), false),
          field("start_line", arrow::int32(), false),
          field("start_col", arrow::int32(), false),
          field("end_line", arrow::int32(), false),
          field("end_col", arrow::int32(), false),
          field("start_char_col", arrow::int32(), false),
          field("end_char_col", arrow::int32(), false)};
}

FieldVector Concat(std::initializer_list<FieldVector> parts) {
  FieldVector all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

std::shared_ptr<arrow::Field> Bucket() {
  return field("file_bucket", arrow::int32(), false);
}

std::shared_ptr<arrow::DataType> Strings() { return arrow::list(arrow::utf8()); }

struct TableShape {
  FieldVector fields;
  std::vector<std::string> key;    ///< unique key (also NOT NULL)
  std::vector<std::string> stats;  ///< data-skipping columns
};

std::map<std::string, TableShape> MakeShapes() {
  std::map<std::string, TableShape> shapes;
  shapes["repo_files"] = {
      {field("file_id", arrow::int64(), false), field("path", arrow::utf8(), false),
       field("module", arrow::utf8(), false),
       field("is_package_init", arrow::boolean(), false),
       field("size", arrow::int64(), false), field("line_count", arrow::int64(), false),
       field("sha256", arrow::utf8(), false), field("encoding", arrow::utf8()),
       field("parse_status", arrow::utf8(), false), field("skip_reason", arrow::utf8()),
       field("has_error", arrow::boolean(), false),
       field("diagnostic_count", arrow::int32(), false), Bucket()},
      {"file_id"},
      {"file_id", "path", "module", "parse_status"}};
  shapes["definitions"] = {
      Concat(
          {{field("def_id", arrow::int64(), false),
            field("file_id", arrow::int64(), false),
            field("parent_def_id", arrow::int64()), field("kind", arrow::utf8(), false),
            field("is_async", arrow::boolean(), false),
            field("name", arrow::utf8(), false), field("qualname", arrow::utf8(), false),
            field("fqn", arrow::utf8(), false)},
           SpanFields(),
           {field("decorators", Strings(), false), field("bases", Strings(), false),
            field("positional_params", arrow::int32(), false),
            field("keyword_only_params", arrow::int32(), false),
            field("has_varargs", arrow::boolean(), false),
            field("has_kwargs", arrow::boolean(), false),
            field("has_docstring", arrow::boolean(), false), Bucket()}}),
      {"def_id"},
      {"def_id", "file_id", "kind", "name", "fqn", "start_line"}};
  shapes["imports"] = {
      Concat({{field("import_id", arrow::int64(), false),
               field("file_id", arrow::int64(), false),
               field("enclosing_def_id", arrow::int64(), false),
               field("kind", arrow::utf8(), false), field("module", arrow::utf8(), false),
               field("level", arrow::int32(), false), field("name", arrow::utf8(), false),
               field("alias", arrow::utf8()), field("bound_name", arrow::utf8()),
               field("is_star", arrow::boolean(), false)},
              SpanFields(),
              {field("target_module", arrow::utf8()),
               field("target_file_id", arrow::int64()),
               field("target_def_id", arrow::int64()),
               field("status", arrow::utf8(), false), Bucket()}}),
      {"import_id"},
      {"import_id", "file_id", "module", "target_module", "target_file_id", "status"}};
  shapes["call_sites"] = {
      Concat(
          {{field("call_id", arrow::int64(), false),
            field("file_id", arrow::int64(), false),
            field("caller_def_id", arrow::int64(), false)},
           SpanFields(),
           {field("callee_text", arrow::utf8(), false),
            field("callee_shape", arrow::utf8(), false),
            field("receiver_text", arrow::utf8()), field("attribute_name", arrow::utf8()),
            field("positional_args", arrow::int32(), false),
            field("keyword_args", arrow::int32(), false),
            field("star_args", arrow::int32(), false),
            field("double_star_args", arrow::int32(), false),
            field("in_comprehension", arrow::boolean(), false),
            field("is_decorator", arrow::boolean(), false), Bucket()}}),
      {"call_id"},
      {"call_id", "file_id", "caller_def_id", "callee_shape"}};
  shapes["call_targets"] = {
      {field("call_id", arrow::int64(), false), field("file_id", arrow::int64(), false),
       field("rank", arrow::int32(), false), field("callee_def_id", arrow::int64()),
       field("external_name", arrow::utf8()), field("method", arrow::utf8(), false),
       field("confidence", arrow::float64(), false), Bucket()},
      {"call_id", "rank"},
      {"call_id", "file_id", "callee_def_id", "method", "confidence"}};
  shapes["syntax_diagnostics"] = {
      Concat(
          {{field("diagnostic_id", arrow::int64(), false),
            field("file_id", arrow::int64(), false), field("kind", arrow::utf8(), false)},
           SpanFields(),
           {field("expected", arrow::utf8()), field("snippet", arrow::utf8(), false),
            field("message", arrow::utf8(), false), Bucket()}}),
      {"diagnostic_id"},
      {"diagnostic_id", "file_id", "kind"}};
  shapes["cpg_nodes"] = {
      Concat(
          {{field("node_id", arrow::int64(), false), field("kind", arrow::utf8(), false),
            field("file_id", arrow::int64(), false), field("path", arrow::utf8(), false)},
           SpanFields(),
           {field("name", arrow::utf8(), false),
            field("qualified_name", arrow::utf8(), false), Bucket()}}),
      {"node_id"},
      {"node_id", "kind", "file_id", "qualified_name"}};
  shapes["cpg_edges"] = {
      {field("edge_id", arrow::int64(), false), field("kind", arrow::utf8(), false),
       field("src", arrow::int64(), false), field("dst", arrow::int64(), false),
       field("file_id", arrow::int64(), false), field("site_start_byte", arrow::int64()),
       field("site_end_byte", arrow::int64()), field("site_line", arrow::int32()),
       field("method", arrow::utf8()), field("confidence", arrow::float64(), false),
       Bucket()},
      {"edge_id"},
      {"edge_id", "kind", "src", "dst", "file_id"}};
  shapes["cpg_props"] = {
      {field("node_id", arrow::int64(), false), field("file_id", arrow::int64(), false),
       field("key", arrow::utf8(), false), field("ordinal", arrow::int32(), false),
       field("value_type", arrow::utf8(), false), field("value_string", arrow::utf8()),
       field("value_int", arrow::int64()), field("value_bool", arrow::boolean()),
       field("value_double", arrow::float64()), Bucket()},
      {"node_id", "key", "ordinal"},
      {"node_id", "file_id", "key"}};
  return shapes;
}

const std::map<std::string, TableShape>& Shapes() {
  static const auto* shapes = new std::map<std::string, TableShape>(MakeShapes());
  return *shapes;
}

}  // namespace

const std::vector<std::string>& AnatomyTableNames() {
  static const auto* names = new std::vector<std::string>{
      "repo_files",         "definitions", "imports",   "call_sites", "call_targets",
      "syntax_diagnostics", "cpg_nodes",   "cpg_edges", "cpg_props"};
  return *names;
}

arrow::Result<std::shared_ptr<arrow::Schema>> AnatomySchema(const std::string& table) {
  const auto it = Shapes().find(table);
  if (it == Shapes().end()) {
    return delta::InvalidInput("unknown anatomy table '" + table + "'");
  }
  return arrow::schema(it->second.fields);
}

arrow::Result<pipeline::DatasetSpec> AnatomySpec(const std::string& table) {
  ARROW_ASSIGN_OR_RAISE(auto schema, AnatomySchema(table));
  const TableShape& shape = Shapes().at(table);
  pipeline::DatasetSpec spec;
  spec.name = table;
  spec.schema = std::move(schema);
  spec.partition_by = {"file_bucket"};
  spec.stats_columns = shape.stats;
  spec.unique_key = shape.key;
  spec.not_null = shape.key;
  spec.not_null.push_back("file_id");
  // Rows that break a spec here are extractor bugs: fail loudly rather than quarantine.
  spec.on_violation = pipeline::ViolationAction::kFailRun;
  return spec;
}

}  // namespace deltaline::anatomy
