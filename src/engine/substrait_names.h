#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/result.h>
#include <arrow/type_fwd.h>

namespace deltaline::engine {

/// \brief `schema` with a Substrait root's names applied depth-first: each field, then
/// (for a struct) its children. kInvalidInput when the count does not match.
arrow::Result<std::shared_ptr<arrow::Schema>> RenameDepthFirst(
    const arrow::Schema& schema, const std::vector<std::string>& names);

/// \brief `input` (whose output is `schema`) followed by a project that gives its
/// columns the depth-first `names`, nested struct fields included, so that the
/// declaration itself (not just a reader over it) carries them. A rename inside a list
/// or map is kUnsupportedFeature naming the column.
arrow::Result<arrow::acero::Declaration> ApplyOutputNames(
    arrow::acero::Declaration input, const arrow::Schema& schema,
    const std::vector<std::string>& names);

}  // namespace deltaline::engine
