#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/engine/substrait/options.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "engine/catalog.h"
#include "engine/run_options.h"
#include "engine/substrait_normalize.h"

namespace deltaline::engine {

enum class PlanEncoding { kJson, kBinary };

/// \brief A Substrait plan as given, and its normalised form (what runs).
struct SubstraitPlan {
  PlanEncoding encoding = PlanEncoding::kJson;
  nlohmann::json original;  ///< the plan as given, in JSON form
  NormalizedPlan normalized;
};

/// \brief Loads a plan from its JSON text or its binary protobuf (told apart by the
/// bytes) and normalises it (NormalizeSubstraitPlan). A binary plan holding fields
/// Arrow's Substrait 0.44 schema does not know (from a newer Substrait) is
/// kUnsupportedFeature ("substrait"): converting it would drop them silently.
arrow::Result<SubstraitPlan> LoadSubstraitPlan(std::string_view bytes);

/// \brief LoadSubstraitPlan on the contents of `path` (kInvalidInput when unreadable).
arrow::Result<SubstraitPlan> ReadSubstraitPlanFile(const std::string& path);

struct SubstraitRunOptions {
  /// Maps a plan's `NamedTapRel` (kind, inputs, name, schema) to a declaration, e.g.
  /// the `delta_write` tap. Unset: Arrow's default, which refuses taps.
  arrow::engine::NamedTapProvider named_tap_provider;
  /// The policy, run and reporter the plan runs under (execute.h: the sink gate).
  RunOptions run;
};

/// \brief A plan bound to a catalog, ready to run.
struct PlanDeclaration {
  arrow::acero::Declaration declaration;
  std::shared_ptr<arrow::Schema> schema;  ///< the result's schema, output names applied
  /// How each named table was bound, e.g. "t → Delta table /data/t @ version 3".
  std::vector<std::string> bindings;
};

/// \brief Resolves a plan's named tables through `catalog`: the last element of the
/// table's names (or all of them joined by '.') names a binding. The plan's
/// `baseSchema` is bound to the catalog schema by column name: a column the table lacks
/// or holds with another type is kSchemaMismatch naming table and column; an unknown
/// table is kInvalidInput naming it and listing the bound names. `bindings`, when
/// given, receives one line per table bound.
arrow::engine::NamedTableProvider CatalogTableProvider(
    const Catalog& catalog, std::shared_ptr<std::vector<std::string>> bindings = nullptr);

/// \brief The declaration of `plan` over `catalog`, output names applied. This is where
/// passes over the built declaration (scan pushdown, the sink gate) belong, before it
/// runs. Conversion failures of Arrow's consumer become typed errors:
/// kUnsupportedFeature ("substrait") for what it does not implement, kInvalidInput
/// otherwise.
arrow::Result<PlanDeclaration> PlanToDeclaration(const SubstraitPlan& plan,
                                                 const Catalog& catalog,
                                                 const SubstraitRunOptions& options = {});

/// \brief Runs `plan` over `catalog`: its result as a stream of batches.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> RunSubstraitPlan(
    const SubstraitPlan& plan, const Catalog& catalog,
    const SubstraitRunOptions& options = {});

/// \brief The normalised plan's binary protobuf (what Arrow's consumer is given).
arrow::Result<std::shared_ptr<arrow::Buffer>> SerializeNormalizedPlan(
    const SubstraitPlan& plan);

}  // namespace deltaline::engine
