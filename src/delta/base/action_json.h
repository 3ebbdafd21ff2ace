#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief Parses a commit file: one JSON action per line, blank lines ignored.
/// `source` names the file in errors, which also give the 1-based line number.
/// Fails with ErrorKind::kProtocol on malformed JSON or a malformed known action.
arrow::Result<std::vector<Action>> ParseCommitFile(std::string_view content,
                                                   std::string_view source);

/// \brief Parses one action object (`{"add": {...}}`).
arrow::Result<Action> ParseAction(const nlohmann::json& line);

/// \brief Serialises actions as a commit file: one compact JSON object per line,
/// each terminated by '\n'. Optional fields that are unset are omitted.
std::string SerializeCommitFile(const std::vector<Action>& actions);

/// \brief The `{"<type>": {...}}` object for one action.
nlohmann::json ActionToJson(const Action& action);

}  // namespace deltaline::delta
