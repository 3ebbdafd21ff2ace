#pragma once

// The code property graph's rows (cpg_nodes, cpg_edges, cpg_props) from resolved
// files. Nodes: one per file (node_id = file_id, kind "file") and one per definition
// (node_id = def_id, kind = the definition's kind), whether or not any edge touches it.
// Edges, each owned by (file_id of) the file whose facts produce it:
//   CONTAINS  file → every definition in it
//   DEFINES   a definition → each definition directly in its scope
//   IMPORTS   the importing scope → the imported definition or module (resolved only)
//   CALLS     the calling scope → each callee definition in the codebase
//   INHERITS  a class → each base class in the codebase
// External targets (builtins, other packages) stay in call_targets and imports: an edge
// always joins two nodes of the graph.

#include <vector>

#include <arrow/status.h>

#include "anatomy/facts.h"

namespace deltaline::anatomy {

class RowWriter;

arrow::Status GraphNodeRows(const std::vector<const ResolvedFile*>& files, RowWriter& w);
arrow::Status GraphEdgeRows(const std::vector<const ResolvedFile*>& files, RowWriter& w);
arrow::Status GraphPropRows(const std::vector<const ResolvedFile*>& files, RowWriter& w);

}  // namespace deltaline::anatomy
