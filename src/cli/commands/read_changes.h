#pragma once

// `deltaline read --changes`: the change data feed half of the read command.

#include <memory>
#include <string>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "delta/log/log_store.h"
#include "delta/scan/change_feed.h"

namespace deltaline::cli {

struct OpenedChanges {
  std::shared_ptr<arrow::RecordBatchReader> reader;
  delta::ChangeRange range;  ///< the versions the request resolved to
};

/// \brief The change rows of `request` as a reader: `columns` (empty = all, the three
/// change columns included) of the rows where the SQL `filter` holds (empty = all).
/// `store` and `metrics` must outlive the reader.
arrow::Result<OpenedChanges> OpenChanges(delta::LogStore& store,
                                         const delta::ChangeFeedRequest& request,
                                         const std::vector<std::string>& columns,
                                         const std::string& filter,
                                         delta::ChangeFeedMetrics* metrics);

/// \brief Prints `metrics` on stderr: one JSON object with `json`, else text.
void ReportChangeMetrics(const delta::ChangeFeedMetrics& metrics,
                         const delta::ChangeRange& range, const std::string& filter,
                         bool json);

}  // namespace deltaline::cli
