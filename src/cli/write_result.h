#pragma once

#include <nlohmann/json.hpp>

#include "storage/storage_writer.h"

namespace deltaline::cli {

/// \brief What `write --json` and `query --into … --json` print for one commit.
nlohmann::json WriteResultJson(const storage::WriteResult& written);

/// \brief The one-line note of a write without --json ("committed version 3 of …").
void PrintWriteNote(const storage::WriteResult& written);

}  // namespace deltaline::cli
