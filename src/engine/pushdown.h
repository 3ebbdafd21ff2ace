#pragma once

#include <arrow/acero/exec_plan.h>
#include <arrow/status.h>

namespace deltaline::engine {

/// \brief Pushes filters and column needs of `plan` into its `scan` nodes (Delta
/// scans from DeltaSourceDeclaration, or any Arrow dataset scan), in place, before
/// the plan runs.
///
/// - Filter pushdown: the filters of a chain `filter`+ directly above a scan are
///   AND-ed into the scan's ScanOptions::filter, where the dataset uses them to skip
///   files (a Delta scan: partition values and stats, as `read --filter`). The filter
///   nodes stay: the scan node never filters rows. A filter naming anything outside
///   the dataset's schema is not pushed.
/// - Projection pushdown: for `project` or `aggregate` directly above a scan, or above
///   a chain of filters over one, the scan reads only the top-level columns those
///   nodes and the filters reference. Projects stacked under the top one (Substrait's
///   ProjectRel and its emit) are followed: only the expressions the top one uses
///   count. Anything else above a scan (sort, join, fetch,
///   union, an unknown node, the plan's root) leaves it reading every column, and a
///   reference the pass cannot resolve to a table column leaves it unnarrowed too.
///
/// Scan options are copied before they are changed, so declarations that share them
/// (a copied Declaration) are not affected. Running the pass twice changes nothing
/// more. Errors only when an expression cannot be inspected.
arrow::Status PushDownIntoScans(arrow::acero::Declaration& plan);

}  // namespace deltaline::engine
