// The rows of the extraction tables (repo_files … syntax_diagnostics) from resolved
// files; the graph's rows are in graph_rows.cc.

#include <functional>
#include <map>

#include "anatomy/graph_rows.h"
#include "anatomy/ids.h"
#include "anatomy/table_columns.h"
#include "anatomy/tables.h"
#include "delta/base/errors.h"

namespace deltaline::anatomy {
namespace {

using Files = std::vector<const ResolvedFile*>;

std::string ParseStatus(const FileFacts& facts) {
  if (!facts.file.skip_reason.empty()) return "skipped";
  return facts.has_error ? "parsed_with_errors" : "parsed";
}

arrow::Status RepoFiles(const Files& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const SourceFile& f = r->facts.file;
    w.I64(f.file_id).Str(f.path).Str(f.module).Bool(f.is_package_init).I64(f.size);
    w.I64(f.line_count).Str(f.sha256).OptStr(f.encoding).Str(ParseStatus(r->facts));
    w.OptStr(f.skip_reason).Bool(r->facts.has_error);
    w.I32(static_cast<int32_t>(r->facts.diagnostics.size())).I32(FileBucket(f.file_id));
    ARROW_RETURN_NOT_OK(w.EndRow());
  }
  return arrow::Status::OK();
}

arrow::Status Definitions(const Files& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const Id file_id = r->facts.file.file_id;
    for (const Definition& d : r->facts.definitions) {
      w.I64(d.def_id).I64(file_id).OptI64(d.parent_def_id).Str(d.kind).Bool(d.is_async);
      w.Str(d.name).Str(d.qualname).Str(d.fqn).SpanColumns(d.span);
      w.Strs(d.decorators).Strs(d.bases).I32(d.positional_params);
      w.I32(d.keyword_only_params).Bool(d.has_varargs).Bool(d.has_kwargs);
      w.Bool(d.has_docstring).I32(FileBucket(file_id));
      ARROW_RETURN_NOT_OK(w.EndRow());
    }
  }
  return arrow::Status::OK();
}

arrow::Status Imports(const Files& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const Id file_id = r->facts.file.file_id;
    for (const Import& i : r->facts.imports) {
      w.I64(i.import_id).I64(file_id).I64(i.enclosing_def_id).Str(i.kind).Str(i.module);
      w.I32(i.level).Str(i.name).OptStr(i.alias).OptStr(i.bound_name).Bool(i.is_star);
      w.SpanColumns(i.span).OptStr(i.target_module).OptI64(i.target_file_id);
      w.OptI64(i.target_def_id).Str(i.status.empty() ? "unresolved" : i.status);
      w.I32(FileBucket(file_id));
      ARROW_RETURN_NOT_OK(w.EndRow());
    }
  }
  return arrow::Status::OK();
}

arrow::Status CallSites(const Files& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const Id file_id = r->facts.file.file_id;
    for (const CallSite& c : r->facts.call_sites) {
      w.I64(c.call_id).I64(file_id).I64(c.caller_def_id).SpanColumns(c.span);
      w.Str(c.callee_text).Str(c.callee_shape).OptStr(c.receiver_text);
      w.OptStr(c.attribute_name).I32(c.positional_args).I32(c.keyword_args);
      w.I32(c.star_args).I32(c.double_star_args).Bool(c.in_comprehension);
      w.Bool(c.is_decorator).I32(FileBucket(file_id));
      ARROW_RETURN_NOT_OK(w.EndRow());
    }
  }
  return arrow::Status::OK();
}

arrow::Status CallTargets(const Files& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const Id file_id = r->facts.file.file_id;
    for (const CallTarget& t : r->call_targets) {
      w.I64(t.call_id).I64(file_id).I32(t.rank).OptI64(t.callee_def_id);
      w.OptStr(t.external_name).Str(t.method).F64(t.confidence).I32(FileBucket(file_id));
      ARROW_RETURN_NOT_OK(w.EndRow());
    }
  }
  return arrow::Status::OK();
}

arrow::Status Diagnostics(const Files& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const Id file_id = r->facts.file.file_id;
    for (const SyntaxDiagnostic& d : r->facts.diagnostics) {
      w.I64(d.diagnostic_id).I64(file_id).Str(d.kind).SpanColumns(d.span);
      w.OptStr(d.expected).Str(d.snippet).Str(d.message).I32(FileBucket(file_id));
      ARROW_RETURN_NOT_OK(w.EndRow());
    }
  }
  return arrow::Status::OK();
}

using RowsFn = std::function<arrow::Status(const Files&, RowWriter&)>;

const std::map<std::string, RowsFn>& RowFunctions() {
  static const auto* fns = new std::map<std::string, RowsFn>{
      {"repo_files", RepoFiles},     {"definitions", Definitions},
      {"imports", Imports},          {"call_sites", CallSites},
      {"call_targets", CallTargets}, {"syntax_diagnostics", Diagnostics},
      {"cpg_nodes", GraphNodeRows},  {"cpg_edges", GraphEdgeRows},
      {"cpg_props", GraphPropRows}};
  return *fns;
}

}  // namespace

arrow::Result<std::shared_ptr<arrow::Table>> BuildAnatomyTable(const std::string& table,
                                                               const Files& files) {
  const auto it = RowFunctions().find(table);
  if (it == RowFunctions().end()) {
    return delta::InvalidInput("unknown anatomy table '" + table + "'");
  }
  ARROW_ASSIGN_OR_RAISE(auto writer, RowWriter::Make(table));
  ARROW_RETURN_NOT_OK(it->second(files, *writer));
  return writer->Finish();
}

}  // namespace deltaline::anatomy
