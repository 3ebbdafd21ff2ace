#include "anatomy/tables.h"

#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <gtest/gtest.h>

#include "anatomy/ids.h"
#include "anatomy/table_columns.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "pipeline/checked_output.h"
#include "test_util.h"

namespace deltaline::anatomy {
namespace {

Definition Def(const std::string& path, const std::string& kind,
               const std::string& qualname, std::optional<Id> parent, int line) {
  Definition d;
  d.def_id = StableId({"def", path, kind, qualname, "0"});
  d.parent_def_id = parent;
  d.kind = kind;
  d.name = qualname.empty() ? "m" : qualname.substr(qualname.rfind('.') + 1);
  d.qualname = qualname;
  d.fqn = qualname.empty() ? "m" : "m." + qualname;
  d.span.start_line = line;
  return d;
}

// m.py: def f(): g(); len(x)   def g(): ...   class A(Base): ...   (Base external)
ResolvedFile SampleFile() {
  ResolvedFile r;
  SourceFile& f = r.facts.file;
  f.path = "m.py";
  f.file_id = StableId({"file", f.path});
  f.module = "m";
  f.size = 40;
  f.line_count = 4;
  f.sha256 = Sha256Hex("x");
  f.encoding = "utf-8";
  auto& defs = r.facts.definitions;
  defs.push_back(Def("m.py", "module", "", std::nullopt, 1));
  defs.push_back(Def("m.py", "function", "f", defs[0].def_id, 1));
  defs.push_back(Def("m.py", "function", "g", defs[0].def_id, 2));
  defs.push_back(Def("m.py", "class", "A", defs[0].def_id, 3));
  defs[3].bases = {"Base"};
  defs[1].decorators = {"cache", "functools.wraps(g)"};
  CallSite call_g;
  call_g.call_id = StableId({"call", "m.py", "10", "13"});
  call_g.caller_def_id = defs[1].def_id;
  call_g.callee_text = "g";
  call_g.callee_shape = "name";
  CallSite call_len = call_g;
  call_len.call_id = StableId({"call", "m.py", "15", "21"});
  call_len.callee_text = "len";
  r.facts.call_sites = {call_g, call_len};
  r.call_targets.push_back({call_g.call_id, 0, defs[2].def_id, "", "global", 1.0});
  r.call_targets.push_back(
      {call_len.call_id, 0, std::nullopt, "builtins.len", "builtin", 1.0});
  r.inheritance.push_back({defs[3].def_id, 0, std::nullopt, "base.Base", "import", 1.0});
  return r;
}

int64_t CountWhere(const arrow::Table& table, const std::string& column,
                   const std::string& value) {
  auto chunked = table.GetColumnByName(column);
  int64_t n = 0;
  for (const auto& chunk : chunked->chunks()) {
    const auto& strings = static_cast<const arrow::StringArray&>(*chunk);
    for (int64_t i = 0; i < strings.length(); ++i) {
      if (strings.IsValid(i) && strings.GetView(i) == value) ++n;
    }
  }
  return n;
}

TEST(AnatomyTablesTest, EveryTableMatchesItsSpecSchema) {
  const ResolvedFile file = SampleFile();
  for (const auto& name : AnatomyTableNames()) {
    ASSERT_OK_AND_ASSIGN(auto spec, AnatomySpec(name));
    ASSERT_OK_AND_ASSIGN(auto table, BuildAnatomyTable(name, {&file}));
    EXPECT_TRUE(table->schema()->Equals(*spec.schema)) << name;
    EXPECT_EQ(spec.partition_by, std::vector<std::string>{"file_bucket"});
    EXPECT_NE(table->schema()->GetFieldIndex("file_id"), -1) << name;
    ASSERT_OK(table->ValidateFull());
  }
  EXPECT_FALSE(AnatomySpec("nope").ok());
}

TEST(AnatomyTablesTest, GraphHasEveryDefinitionAndOnlyInternalEdges) {
  const ResolvedFile file = SampleFile();
  ASSERT_OK_AND_ASSIGN(auto nodes, BuildAnatomyTable("cpg_nodes", {&file}));
  // The file node plus four definitions; g and A have no incoming CALLS yet are nodes.
  EXPECT_EQ(nodes->num_rows(), 5);
  EXPECT_EQ(CountWhere(*nodes, "kind", "file"), 1);
  EXPECT_EQ(CountWhere(*nodes, "kind", "class"), 1);
  ASSERT_OK_AND_ASSIGN(auto edges, BuildAnatomyTable("cpg_edges", {&file}));
  EXPECT_EQ(CountWhere(*edges, "kind", "CONTAINS"), 4);
  EXPECT_EQ(CountWhere(*edges, "kind", "DEFINES"), 3);
  // f → g only: the builtin and the external base make no edge.
  EXPECT_EQ(CountWhere(*edges, "kind", "CALLS"), 1);
  EXPECT_EQ(CountWhere(*edges, "kind", "INHERITS"), 0);
  ASSERT_OK_AND_ASSIGN(auto targets, BuildAnatomyTable("call_targets", {&file}));
  EXPECT_EQ(CountWhere(*targets, "external_name", "builtins.len"), 1);
  ASSERT_OK_AND_ASSIGN(auto props, BuildAnatomyTable("cpg_props", {&file}));
  EXPECT_EQ(CountWhere(*props, "key", "decorator"), 2);
  EXPECT_EQ(CountWhere(*props, "value_string", "functools.wraps(g)"), 1);
  EXPECT_EQ(CountWhere(*props, "key", "base"), 1);
}

// `make()()`: the inner and the outer call start at the same byte and may resolve to
// the same definition; their CALLS edges must still have distinct ids (the unique key).
TEST(AnatomyTablesTest, NestedCallsSharingAStartByteGetDistinctEdges) {
  ResolvedFile file = SampleFile();
  const Id g = file.facts.definitions[2].def_id;
  CallSite inner = file.facts.call_sites[0];
  inner.call_id = StableId({"call", "m.py", "30", "36"});
  inner.span.start_byte = 30;
  inner.span.end_byte = 36;
  CallSite outer = inner;
  outer.call_id = StableId({"call", "m.py", "30", "38"});
  outer.span.end_byte = 38;
  file.facts.call_sites.push_back(inner);
  file.facts.call_sites.push_back(outer);
  file.call_targets.push_back({inner.call_id, 0, g, "", "name_only", 0.2});
  file.call_targets.push_back({outer.call_id, 0, g, "", "name_only", 0.2});
  ASSERT_OK_AND_ASSIGN(auto edges, BuildAnatomyTable("cpg_edges", {&file}));
  EXPECT_EQ(CountWhere(*edges, "kind", "CALLS"), 3);
  ASSERT_OK_AND_ASSIGN(auto ids, arrow::compute::Unique(edges->GetColumnByName("edge_id")));
  EXPECT_EQ(ids->length(), edges->num_rows());
}

TEST(AnatomyTablesTest, EveryRowCarriesItsFilesBucket) {
  const ResolvedFile file = SampleFile();
  ASSERT_OK_AND_ASSIGN(auto defs, BuildAnatomyTable("definitions", {&file}));
  ASSERT_OK_AND_ASSIGN(auto buckets,
                       arrow::compute::Unique(defs->GetColumnByName("file_bucket")));
  ASSERT_EQ(buckets->length(), 1);
  EXPECT_EQ(std::static_pointer_cast<arrow::Int32Array>(buckets)->Value(0),
            FileBucket(file.facts.file.file_id));
}

TEST(AnatomyTablesTest, AMisshapenRowIsAnErrorNamingTheColumn) {
  ASSERT_OK_AND_ASSIGN(auto writer, RowWriter::Make("call_targets"));
  writer->I64(1).I64(2).Str("not a rank");
  auto status = writer->EndRow();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("call_targets.rank"), std::string::npos) << status;
  ASSERT_OK_AND_ASSIGN(auto short_row, RowWriter::Make("call_targets"));
  short_row->I64(1);
  EXPECT_FALSE(short_row->EndRow().ok());
}

// Every table goes through the checked output path (its spec: schema, partitioning by
// bucket, keys) into a real Delta table and reads back equal, list columns included.
TEST(AnatomyTablesTest, EveryTableCommitsThroughItsSpecAndReadsBack) {
  testing::TempDir dir;
  const ResolvedFile file = SampleFile();
  for (const auto& name : AnatomyTableNames()) {
    ASSERT_OK_AND_ASSIGN(auto spec, AnatomySpec(name));
    ASSERT_OK_AND_ASSIGN(auto table, BuildAnatomyTable(name, {&file}));
    storage::StorageWriteOptions options;
    options.delta.mode = delta::SaveMode::kOverwrite;
    options.delta.partition_by = spec.partition_by;
    ASSERT_OK_AND_ASSIGN(auto result,
                         pipeline::WriteOutputChecked(pipeline::Output{name, spec}, table,
                                                      dir.path(), options));
    EXPECT_EQ(result.write.delta.rows_added, table->num_rows()) << name;
    ASSERT_OK_AND_ASSIGN(auto store, delta::FileSystemLogStore::Open(result.uri));
    ASSERT_OK_AND_ASSIGN(auto snapshot, delta::Snapshot::Load(*store));
    EXPECT_EQ(snapshot->partition_columns(), spec.partition_by) << name;
    ASSERT_OK_AND_ASSIGN(auto back, delta::ReadSnapshot(*store, snapshot));
    ASSERT_OK_AND_ASSIGN(back, back->SelectColumns([&] {
      std::vector<int> order;
      for (const auto& f : table->schema()->fields()) {
        order.push_back(back->schema()->GetFieldIndex(f->name()));
      }
      return order;
    }()));
    EXPECT_TRUE(testing::TablesEqualUnordered(*table, *back)) << name;
  }
}

}  // namespace
}  // namespace deltaline::anatomy
