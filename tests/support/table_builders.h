#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/table.h>
#include <arrow/type.h>

namespace deltaline::testing {

/// \brief A table from one JSON array per column (arrow::json::ArrayFromJSONString).
/// Aborts on JSON that does not fit the column's type: a broken fixture, not a result.
std::shared_ptr<arrow::Table> TableFromJson(const std::shared_ptr<arrow::Schema>& schema,
                                            const std::vector<std::string>& json_columns);
std::shared_ptr<arrow::Table> TableFromJson(
    const std::vector<std::shared_ptr<arrow::Field>>& fields,
    const std::vector<std::string>& json_columns);

/// \brief The same as one record batch.
std::shared_ptr<arrow::RecordBatch> BatchFromJson(
    const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& json_columns);

/// \brief One int64 column `id`: `IdsTable("[1, 2]")`.
std::shared_ptr<arrow::Table> IdsTable(const std::string& ids);

/// \brief id int64, p int32 (the partition column of the partitioned-write tests),
/// x int64.
std::shared_ptr<arrow::Table> PxTable(const std::string& ids, const std::string& ps,
                                      const std::string& xs);

}  // namespace deltaline::testing
