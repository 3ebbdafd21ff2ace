#include "cli/commands/read_changes.h"

#include <iostream>

#include <nlohmann/json.hpp>

#include "delta/predicate/predicate.h"

namespace deltaline::cli {

arrow::Result<OpenedChanges> OpenChanges(delta::LogStore& store,
                                         const delta::ChangeFeedRequest& request,
                                         const std::vector<std::string>& columns,
                                         const std::string& filter,
                                         delta::ChangeFeedMetrics* metrics) {
  ARROW_ASSIGN_OR_RAISE(auto feed, delta::ChangeFeed::Make(store, request));
  delta::ChangeFeedOptions options;
  for (const auto& column : columns) {
    if (!column.empty()) options.columns.push_back(column);
  }
  options.metrics = metrics;
  if (!filter.empty()) {
    ARROW_ASSIGN_OR_RAISE(options.filter, delta::ParsePredicate(filter, *feed->schema()));
  }
  ARROW_ASSIGN_OR_RAISE(auto reader, feed->Scan(options));
  return OpenedChanges{std::move(reader), feed->range()};
}

void ReportChangeMetrics(const delta::ChangeFeedMetrics& metrics,
                         const delta::ChangeRange& range, const std::string& filter,
                         bool json) {
  if (json) {
    nlohmann::json out = {
        {"startVersion", range.start},           {"endVersion", range.end},
        {"commitsWithChanges", metrics.commits}, {"files", metrics.files},
        {"filesRead", metrics.files_read},       {"bytesRead", metrics.bytes_read},
        {"rowsRead", metrics.rows_read},         {"rowsReturned", metrics.rows_returned}};
    if (!filter.empty()) out["filter"] = filter;
    std::cerr << out.dump() << "\n";
    return;
  }
  std::cerr << "changes: versions " << range.start << " to " << range.end << "\n"
            << "filter: " << (filter.empty() ? "(none)" : filter) << "\n"
            << "commits with changes: " << metrics.commits << "\n"
            << "files: " << metrics.files << "\n"
            << "files read: " << metrics.files_read << "\n"
            << "bytes read: " << metrics.bytes_read << "\n"
            << "rows read: " << metrics.rows_read << "\n"
            << "rows returned: " << metrics.rows_returned << "\n";
}

}  // namespace deltaline::cli
