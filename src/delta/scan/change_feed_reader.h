#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "delta/log/log_store.h"
#include "delta/scan/change_feed.h"

namespace deltaline::delta {

/// \brief The reader behind ChangeFeed::Scan: the files of `commits`, in order, each
/// through OpenDataFile, its rows selected by the file's DV fields, with the three
/// change columns appended, then filtered and projected as `options` say. `schema` is
/// ChangeFeed::schema(). `store` must outlive the reader. kInvalidInput for an
/// unknown column or a filter that does not bind.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> MakeChangeReader(
    LogStore& store, std::vector<std::string> partition_columns,
    std::shared_ptr<arrow::Schema> schema, std::vector<ChangeFeed::Commit> commits,
    const ChangeFeedOptions& options);

}  // namespace deltaline::delta
