#pragma once

// A DatasetSpec from JSON, for declared pipelines. Keys (all optional but `name`):
//
//   {"name": "orders",
//    "schema": [{"name": "id", "type": "int64", "nullable": false}, ...],
//    "partitionBy": ["day"], "statsColumns": ["id"], "orderingKeys": ["id"],
//    "notNull": ["customer"], "uniqueKey": ["id"],
//    "checks": [{"name": "amount_positive", "expression": "amount > 0"}],
//    "onViolation": "quarantine" | "fail",
//    "writePolicy": {"compression": "zstd:9", "target_file_size_bytes": 134217728}}
//
// Schema types are Arrow type names as Arrow prints them (int8…int64, float, double,
// bool, string, binary, date32, timestamp[us], timestamp[us, tz=UTC],
// decimal128(10, 2)) or Delta type names (long, integer, date, timestamp…), or a
// Delta nested type object ({"type": "array", …}); they resolve through the Delta
// schema parser, so exactly the types a Delta table can hold are accepted.
// `nullable` defaults to true. `writePolicy` takes the keys of the output config's
// `delta_write` object (storage/output_config.h) and replaces the run's write policy
// for this dataset, starting from the defaults.
//
// Unknown keys fail with kInvalidInput naming their JSON path; a Parquet-era key
// anywhere (storage::ParquetEraKeys) fails naming its path and what replaces it.

#include <string>

#include <arrow/result.h>
#include <nlohmann/json.hpp>

#include "pipeline/dataset_spec.h"

namespace deltaline::pipeline {

/// \brief The spec in `node`; `path` (e.g. "outputs[0].spec") prefixes key paths in
/// messages.
arrow::Result<DatasetSpec> DatasetSpecFromJson(const nlohmann::json& node,
                                               const std::string& path);

/// \brief The spec in the JSON text `json_text`; `source` names it in messages.
arrow::Result<DatasetSpec> ParseDatasetSpec(const std::string& json_text,
                                            const std::string& source);

/// \brief A schema type name (see the file comment) as an Arrow type.
arrow::Result<std::shared_ptr<arrow::DataType>> ParseSpecType(const nlohmann::json& type,
                                                              const std::string& path);

}  // namespace deltaline::pipeline
