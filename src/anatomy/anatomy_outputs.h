#pragma once

// How an anatomy run's tables reach the lake: a pipeline with one node per table (its
// value is the table built in memory) and one output per table, run by the pipeline
// runner (runner.h), so every commit carries the run's `txn` and a retried run skips
// the outputs it already committed. An incremental run writes each table with one
// targeted replace: the rows of the files it touched are replaced, within their
// buckets only (FilesPredicate).

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "anatomy/facts.h"
#include "pipeline/output_write.h"
#include "pipeline/pipeline.h"
#include "pipeline/runner.h"

namespace deltaline::anatomy {

/// \brief One table to write: its spec (spec.name is the dataset) and its rows.
struct TableOutput {
  pipeline::DatasetSpec spec;
  std::shared_ptr<arrow::Table> rows;
};

/// \brief The pipeline `id` writing `tables`: node `spec.name` yields the rows, and
/// feeds the output of that spec.
pipeline::Pipeline OutputsPipeline(const std::string& id,
                                   const std::vector<TableOutput>& tables);

/// \brief True for the rows of `file_ids`: `(file_bucket = b AND file_id IN (...)) OR
/// ...`, one disjunct per bucket, so files of other buckets are decided from their
/// partition values alone and never read or rewritten. `schema` gives the two
/// columns' types. `file_ids` must not be empty.
arrow::Result<arrow::compute::Expression> FilesPredicate(const std::set<Id>& file_ids,
                                                         const arrow::Schema& schema);

/// \brief The writer an anatomy run gives the runner. The table is checked against
/// its spec's rules first (NOT NULL, unique key, checks; a violation fails the write,
/// whatever the spec's on_violation: no `_errors` side tables). With `replaced` set,
/// the write becomes an overwrite of FilesPredicate(*replaced) (a targeted replace:
/// only those files' rows go, the new rows come in, one commit); unset, the runner's
/// mode applies as is (a full run's overwrite). Then `inner` writes, given the output
/// with its spec's rules removed (empty = pipeline::WriteOutputChecked, which still
/// checks the schema and applies the spec's write options).
pipeline::OutputWriter TargetedWriter(std::optional<std::set<Id>> replaced,
                                      pipeline::OutputWriter inner);

/// \brief The buckets (FileBucket) of `file_ids`.
std::set<int32_t> BucketsOf(const std::set<Id>& file_ids);

}  // namespace deltaline::anatomy
