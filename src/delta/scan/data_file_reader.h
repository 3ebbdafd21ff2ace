#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"

namespace deltaline::delta {

/// \brief The filesystem path of a data file: `add.path` is a URI reference, relative
/// to the table root or absolute (`file:` URIs); either way it is URI-decoded.
std::string DataFilePath(const LogStore& store, const std::string& path);

/// \brief Every row of one data file as a table of `schema` (the table's full Arrow
/// schema): partition columns filled from `partitionValues`, columns the file lacks
/// read as null. Deletion vectors are refused (kUnsupportedFeature).
arrow::Result<std::shared_ptr<arrow::Table>> ReadDataFile(
    LogStore& store, const std::shared_ptr<arrow::Schema>& schema,
    const std::vector<std::string>& partition_columns, const Add& file);

}  // namespace deltaline::delta
