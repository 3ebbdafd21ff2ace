#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/change_feed_plan.h"

namespace deltaline::delta {

/// \brief What a change feed scan touched; final once the reader returned its last
/// batch.
struct ChangeFeedMetrics {
  int64_t commits = 0;     ///< commits of the range that have changes
  int64_t files = 0;       ///< change files planned (cdc, add and remove derived)
  int64_t files_read = 0;  ///< files opened so far
  int64_t bytes_read = 0;  ///< sum of the sizes the log gives for the files opened
  int64_t rows_read = 0;   ///< rows decoded, before DV selection and the row filter
  int64_t rows_returned = 0;
};

struct ChangeFeedOptions {
  /// Columns to return, in this order, from ChangeFeed::schema(); empty = all.
  std::vector<std::string> columns;
  /// Rows per batch read from Parquet. Default 64 Ki.
  int64_t batch_size = 64 * 1024;
  /// Rows to return: a predicate bound to ChangeFeed::schema() (it may use the three
  /// change columns). Rows where it is false or null are dropped. Default none.
  std::optional<arrow::compute::Expression> filter;
  /// Filled as the scan goes. Must outlive the reader. Default none.
  ChangeFeedMetrics* metrics = nullptr;
};

/// \brief The change data feed of a table between two versions, as Spark's
/// `table_changes` / `readChangeFeed` returns it: the rows inserted, deleted and
/// updated (pre- and post-image) by each commit, with `_change_type`,
/// `_commit_version` and `_commit_timestamp` after the table's columns.
///
/// Make() resolves the range and checks it whole before any row is read; Scan()
/// streams the changes commit after commit, in version order, each commit's files
/// one after another (see PlanCommitChanges for which files and rows).
class ChangeFeed {
 public:
  /// \brief Lists and reads the log for `request`. The schema is the latest
  /// version's (as Spark's default), rows of older files are read into it (missing
  /// columns null). `store` must outlive the feed and its readers.
  ///
  /// Errors: those of ResolveChangeRange (kInvalidInput, kVersionNotFound, naming the
  /// versions); kChangeDataNotRecorded, naming the version and the range, when
  /// `delta.enableChangeDataFeed` is not true at the start version or a commit in the
  /// range turns it off; kUnsupportedFeature for a reader feature deltaline does not
  /// read (deletion vectors it does apply); kTableNotFound; kProtocol.
  static arrow::Result<std::unique_ptr<ChangeFeed>> Make(
      LogStore& store, const ChangeFeedRequest& request);

  /// Table columns (latest schema), then _change_type (string), _commit_version
  /// (int64) and _commit_timestamp (timestamp[us, UTC]).
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  const ChangeRange& range() const { return range_; }

  /// \brief Streams the changes. Errors of a file surface from the reader: those of
  /// OpenDataFile, and kProtocol for a DV that does not decode.
  arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> Scan(
      const ChangeFeedOptions& options = {}) const;

  /// \brief The commits of the range that have changes, with the files to read.
  struct Commit {
    int64_t version = 0;
    int64_t timestamp_ms = 0;
    std::vector<ChangeFile> files;
  };
  const std::vector<Commit>& commits() const { return commits_; }

 private:
  ChangeFeed(LogStore& store, std::shared_ptr<const Snapshot> latest)
      : store_(store), latest_(std::move(latest)) {}

  LogStore& store_;
  std::shared_ptr<const Snapshot> latest_;
  std::shared_ptr<arrow::Schema> schema_;
  ChangeRange range_;
  std::vector<Commit> commits_;
};

/// \brief ChangeFeed::Make then Scan, collected into one table.
arrow::Result<std::shared_ptr<arrow::Table>> ReadChanges(
    LogStore& store, const ChangeFeedRequest& request,
    const ChangeFeedOptions& options = {});

}  // namespace deltaline::delta
