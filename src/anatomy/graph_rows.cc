#include "anatomy/graph_rows.h"

#include <string>
#include <unordered_map>

#include "anatomy/ids.h"
#include "anatomy/table_columns.h"

namespace deltaline::anatomy {
namespace {

Span FileSpan(const SourceFile& file) {
  Span span;
  span.end_byte = static_cast<int64_t>(file.size);
  span.start_line = 1;
  span.end_line = static_cast<int32_t>(file.line_count > 0 ? file.line_count : 1);
  return span;
}

struct Edge {
  const char* kind;
  Id src;
  Id dst;
  const Span* site;  ///< null: a structural edge
  std::string_view method;
  double confidence;
  int32_t discriminator;  ///< rank / base index: two edges of one site stay distinct
  // (calls nested as in `f()()` share a start byte, never a whole span)
};

arrow::Status WriteEdge(const Edge& e, Id file_id, RowWriter& w) {
  const Id edge_id = StableId(
      {"edge", e.kind, std::to_string(e.src), std::to_string(e.dst),
       std::to_string(e.site ? e.site->start_byte : -1),
       std::to_string(e.site ? e.site->end_byte : -1), std::to_string(e.discriminator)});
  w.I64(edge_id).Str(e.kind).I64(e.src).I64(e.dst).I64(file_id);
  if (e.site) {
    w.I64(e.site->start_byte).I64(e.site->end_byte).I32(e.site->start_line);
  } else {
    w.OptI64(std::nullopt).OptI64(std::nullopt).OptI32(std::nullopt);
  }
  w.OptStr(e.method).F64(e.confidence).I32(FileBucket(file_id));
  return w.EndRow();
}

arrow::Status FileEdges(const ResolvedFile& r, RowWriter& w) {
  const FileFacts& facts = r.facts;
  const Id file_id = facts.file.file_id;
  for (const Definition& d : facts.definitions) {
    ARROW_RETURN_NOT_OK(
        WriteEdge({"CONTAINS", file_id, d.def_id, nullptr, "", 1.0, 0}, file_id, w));
    if (d.parent_def_id) {
      ARROW_RETURN_NOT_OK(WriteEdge(
          {"DEFINES", *d.parent_def_id, d.def_id, nullptr, "", 1.0, 0}, file_id, w));
    }
  }
  for (const Import& i : facts.imports) {
    if (!i.target_def_id) continue;
    ARROW_RETURN_NOT_OK(WriteEdge(
        {"IMPORTS", i.enclosing_def_id, *i.target_def_id, &i.span, "import", 1.0, 0},
        file_id, w));
  }
  std::unordered_map<Id, const CallSite*> calls;
  calls.reserve(facts.call_sites.size());
  for (const CallSite& c : facts.call_sites) calls.emplace(c.call_id, &c);
  for (const CallTarget& t : r.call_targets) {
    if (!t.callee_def_id) continue;
    const auto it = calls.find(t.call_id);
    if (it == calls.end()) continue;
    const CallSite& c = *it->second;
    ARROW_RETURN_NOT_OK(WriteEdge({"CALLS", c.caller_def_id, *t.callee_def_id, &c.span,
                                   t.method, t.confidence, t.rank},
                                  file_id, w));
  }
  std::unordered_map<Id, const Definition*> defs;
  for (const Definition& d : facts.definitions) defs.emplace(d.def_id, &d);
  for (const Inheritance& h : r.inheritance) {
    if (!h.base_def_id) continue;
    const auto it = defs.find(h.class_def_id);
    const Span* site = it == defs.end() ? nullptr : &it->second->span;
    ARROW_RETURN_NOT_OK(WriteEdge({"INHERITS", h.class_def_id, *h.base_def_id, site,
                                   h.method, h.confidence, h.index},
                                  file_id, w));
  }
  return arrow::Status::OK();
}

/// One property row; exactly one of the value columns is set.
class Props {
 public:
  Props(RowWriter& w, Id node_id, Id file_id) : w_(w), node_(node_id), file_(file_id) {}
  arrow::Status Text(const char* key, std::string_view value, int32_t ordinal = 0) {
    Head(key, ordinal, "string").OptStr(value.empty() ? std::string_view("") : value);
    w_.OptI64(std::nullopt).OptBool(std::nullopt).OptF64(std::nullopt);
    return End();
  }
  arrow::Status Int(const char* key, int64_t value) {
    Head(key, 0, "int").OptStr("").I64(value).OptBool(std::nullopt).OptF64(std::nullopt);
    return End();
  }
  arrow::Status Flag(const char* key, bool value) {
    Head(key, 0, "bool").OptStr("").OptI64(std::nullopt).Bool(value).OptF64(std::nullopt);
    return End();
  }

 private:
  RowWriter& Head(const char* key, int32_t ordinal, const char* type) {
    return w_.I64(node_).I64(file_).Str(key).I32(ordinal).Str(type);
  }
  arrow::Status End() { return w_.I32(FileBucket(file_)).EndRow(); }
  RowWriter& w_;
  Id node_;
  Id file_;
};

arrow::Status FileProps(const FileFacts& facts, RowWriter& w) {
  const SourceFile& f = facts.file;
  Props p(w, f.file_id, f.file_id);
  ARROW_RETURN_NOT_OK(p.Text("sha256", f.sha256));
  ARROW_RETURN_NOT_OK(p.Int("size", f.size));
  ARROW_RETURN_NOT_OK(p.Int("line_count", f.line_count));
  if (!f.encoding.empty()) ARROW_RETURN_NOT_OK(p.Text("encoding", f.encoding));
  if (!f.skip_reason.empty()) ARROW_RETURN_NOT_OK(p.Text("skip_reason", f.skip_reason));
  return p.Flag("has_error", facts.has_error);
}

arrow::Status DefinitionProps(const Definition& d, Id file_id, RowWriter& w) {
  Props p(w, d.def_id, file_id);
  ARROW_RETURN_NOT_OK(p.Int("start_line", d.span.start_line));
  if (d.kind == "module" || d.kind == "class") {
    ARROW_RETURN_NOT_OK(p.Flag("has_docstring", d.has_docstring));
  } else {
    ARROW_RETURN_NOT_OK(p.Flag("is_async", d.is_async));
    ARROW_RETURN_NOT_OK(p.Flag("has_docstring", d.has_docstring));
    ARROW_RETURN_NOT_OK(p.Int("positional_params", d.positional_params));
    ARROW_RETURN_NOT_OK(p.Int("keyword_only_params", d.keyword_only_params));
    ARROW_RETURN_NOT_OK(p.Flag("has_varargs", d.has_varargs));
    ARROW_RETURN_NOT_OK(p.Flag("has_kwargs", d.has_kwargs));
  }
  for (size_t i = 0; i < d.decorators.size(); ++i) {
    ARROW_RETURN_NOT_OK(p.Text("decorator", d.decorators[i], static_cast<int32_t>(i)));
  }
  for (size_t i = 0; i < d.bases.size(); ++i) {
    ARROW_RETURN_NOT_OK(p.Text("base", d.bases[i], static_cast<int32_t>(i)));
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Status GraphNodeRows(const std::vector<const ResolvedFile*>& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    const SourceFile& f = r->facts.file;
    const int32_t bucket = FileBucket(f.file_id);
    w.I64(f.file_id).Str("file").I64(f.file_id).Str(f.path).SpanColumns(FileSpan(f));
    w.Str(f.path).Str(f.path).I32(bucket);
    ARROW_RETURN_NOT_OK(w.EndRow());
    for (const Definition& d : r->facts.definitions) {
      w.I64(d.def_id).Str(d.kind).I64(f.file_id).Str(f.path).SpanColumns(d.span);
      w.Str(d.name).Str(d.fqn).I32(bucket);
      ARROW_RETURN_NOT_OK(w.EndRow());
    }
  }
  return arrow::Status::OK();
}

arrow::Status GraphEdgeRows(const std::vector<const ResolvedFile*>& files, RowWriter& w) {
  for (const ResolvedFile* r : files) ARROW_RETURN_NOT_OK(FileEdges(*r, w));
  return arrow::Status::OK();
}

arrow::Status GraphPropRows(const std::vector<const ResolvedFile*>& files, RowWriter& w) {
  for (const ResolvedFile* r : files) {
    ARROW_RETURN_NOT_OK(FileProps(r->facts, w));
    for (const Definition& d : r->facts.definitions) {
      ARROW_RETURN_NOT_OK(DefinitionProps(d, r->facts.file.file_id, w));
    }
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::anatomy
