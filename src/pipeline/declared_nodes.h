#pragma once

// The node kinds of a declared pipeline (pipeline_file.h) as pipeline::Node functions.
// Each maker checks the node against its inputs' schemas when the pipeline is parsed
// (bad SQL, unknown columns, a plan that does not fit its tables) and reports the
// node's output schema, so the next node can be checked in turn.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include "engine/catalog.h"
#include "engine/run_options.h"
#include "engine/substrait_plan.h"
#include "pipeline/pipeline.h"

namespace deltaline::pipeline {

/// \brief A node made from its declaration, with the schema it produces.
struct DeclaredNode {
  Node node;
  std::shared_ptr<arrow::Schema> schema;
};

/// \brief What every declared node may need when it runs: the pipeline's inputs (a
/// name missing from NodeInputs that the catalog binds is read from it) and the options
/// of the plans it runs itself.
struct NodeContext {
  std::shared_ptr<const engine::Catalog> inputs;
  engine::RunOptions run;
};

/// \brief Rows of `input` where the SQL predicate `where` (delta::ParsePredicate) is
/// true. The node's value is a declaration: it streams, nothing is materialised.
arrow::Result<DeclaredNode> MakeFilterNode(const std::string& name,
                                           const std::string& input,
                                           const std::string& where,
                                           const arrow::Schema& input_schema,
                                           NodeContext context);

/// \brief The named columns of `input`, in the order given (a declaration).
arrow::Result<DeclaredNode> MakeSelectNode(const std::string& name,
                                           const std::string& input,
                                           const std::vector<std::string>& columns,
                                           const arrow::Schema& input_schema,
                                           NodeContext context);

/// \brief The named tables a plan reads (the last part of each `namedTable.names`),
/// sorted, without duplicates.
std::vector<std::string> PlanTableNames(const engine::SubstraitPlan& plan);

/// \brief The Substrait plan `plan` over its named tables, which are the node's inputs.
/// A table that is a pipeline input binds to the input's pinned catalog entry (the
/// scan keeps its pushdown); a table that is an upstream node's value is materialised
/// to an Arrow table first (a plan may read a table several times, a stream only
/// once). The value is the plan's declaration.
arrow::Result<DeclaredNode> MakeSubstraitNode(
    const std::string& name, std::shared_ptr<const engine::SubstraitPlan> plan,
    const std::map<std::string, std::shared_ptr<arrow::Schema>>& input_schemas,
    NodeContext context);

/// \brief A node value as a declaration (a table or stream becomes its source).
arrow::acero::Declaration ValueToDeclaration(NodeValue value);

/// \brief A node value as a whole table; a declaration runs through engine/execute.h.
arrow::Result<std::shared_ptr<arrow::Table>> MaterializeValue(
    NodeValue value, const engine::RunOptions& options);

}  // namespace deltaline::pipeline
