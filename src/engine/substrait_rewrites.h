#pragma once

// Pieces of the normalising pass (substrait_normalize.cc) shared by its relation
// handlers: the allow-list check and the translations of newer-Substrait forms.
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <arrow/status.h>
#include <nlohmann/json.hpp>

#include "engine/substrait_normalize.h"

namespace deltaline::engine {

struct SubstraitRewriteContext {
  std::vector<PlanRewrite>* rewrites = nullptr;
  /// The plan's Substrait minor version (0 when absent; max when the major is > 0).
  int64_t plan_minor = 0;

  void Record(std::string path, std::string what) {
    rewrites->push_back({std::move(path), std::move(what)});
  }
};

/// \brief kUnsupportedFeature ("substrait") naming `<path>.<field>` and why.
arrow::Status RefuseField(const std::string& path, const std::string& field,
                          const std::string& why);

/// \brief Refuses the first key of `object` not in `allowed`: a field Arrow 26's
/// consumer does not read, or one from a newer Substrait it does not know.
arrow::Status CheckFields(const nlohmann::json& object, const std::string& path,
                          std::initializer_list<const char*> allowed);

/// \brief `fetch` in its 0.44 spelling: literal `offsetExpr`/`countExpr` become
/// `offset`/`count`; "all rows" (count -1, a null count literal, or count unset when
/// `unset_count_is_all`) becomes the largest count; other expressions are refused.
arrow::Status TranslateFetch(nlohmann::json& fetch, const std::string& path,
                             bool unset_count_is_all, SubstraitRewriteContext* ctx);

/// \brief `aggregate.groupingExpressions` referenced by `groupings[].
/// expressionReferences` (Substrait ≥ 0.57) become per-grouping `groupingExpressions`;
/// more than one grouping set is refused.
arrow::Status TranslateGroupings(nlohmann::json& aggregate, const std::string& path,
                                 SubstraitRewriteContext* ctx);

}  // namespace deltaline::engine
