#pragma once

// The JSON of a Parquet migration's report (`deltaline migrate-parquet --report` /
// `--json`, the Python migrate_parquet): the plan, what was written, and the
// verification.
#include <nlohmann/json.hpp>

#include "delta/ops/convert_to_delta.h"
#include "delta/ops/migration_verify.h"
#include "delta/ops/parquet_layout.h"

namespace deltaline::storage {

nlohmann::json MigrationPlanJson(const delta::ParquetLayout& layout);
nlohmann::json VerifyJson(const delta::VerifyResult& verify);

/// \brief One line per mismatch, for people.
std::string MismatchText(const delta::VerifyMismatch& mismatch);

}  // namespace deltaline::storage
