#pragma once

#include <string>
#include <vector>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

namespace deltaline::engine {

/// \brief One change the normalising pass made to a plan, for `query --explain`.
struct PlanRewrite {
  std::string path;  ///< where in the plan, e.g. "relations[0].root.input.fetch"
  std::string what;  ///< what was changed and why
};

/// \brief A Substrait plan (JSON form) that Arrow 26's consumer (Substrait 0.44) runs as
/// written, with the rewrites that made it so.
struct NormalizedPlan {
  nlohmann::json plan;
  std::vector<PlanRewrite> rewrites;
  /// The root's output names, depth-first (nested struct fields included). The pass
  /// moves them out of the plan (Arrow's consumer does not apply them to its
  /// declaration, and refuses nested ones): ApplyOutputNames applies them.
  std::vector<std::string> output_names;
  bool has_root_names = false;
};

/// \brief Rewrites what Arrow's consumer would silently mishandle and refuses what it
/// cannot run, so that no part of a plan is dropped on the way:
/// - a `filter` on a `read` becomes a filter relation above the read (the consumer
///   ignores it for named tables, and uses it only for pruning on local files);
/// - the root's names are moved out (see NormalizedPlan::output_names);
/// - newer-Substrait forms are translated to their 0.44 spelling: `fetch.countExpr` /
///   `offsetExpr` literals (`count` unset or -1 meaning all rows in plans ≥ 0.63),
///   `aggregate.groupingExpressions` + `groupings[].expressionReferences`;
/// - an inner join's `postJoinFilter` becomes a filter above the join; a read's
///   `bestEffortFilter` (optional by the spec) is dropped and recorded;
/// - every other field is checked against a per-relation list of the fields the 0.44
///   consumer honours; anything else is kUnsupportedFeature ("substrait") naming the
///   relation path and the field.
arrow::Result<NormalizedPlan> NormalizeSubstraitPlan(nlohmann::json plan);

}  // namespace deltaline::engine
