#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/compute/api_aggregate.h>
#include <arrow/compute/expression.h>
#include <arrow/compute/ordering.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/table.h>

#include "engine/catalog.h"
#include "engine/run_options.h"
#include "storage/storage_writer.h"

namespace deltaline::engine {

/// \brief A thin, typed builder over Acero declarations for pipeline authors:
///
///     auto written = From(catalog, "orders")
///                        .Filter("status = 'open'")
///                        .Aggregate({{"sum", nullptr, "amount", "total"}}, {"region"})
///                        .OrderBy({arrow::compute::SortKey("total")})
///                        .WriteDelta(out_uri);
///
/// Each step appends one Acero node and checks itself against the schema the previous
/// steps produce (Arrow computes it from a copy of the plan whose sources are empty
/// tables, so nothing is read): an unknown column, a mistyped expression or a join key
/// missing on either side is a kInvalidInput error naming the step and the column,
/// detected at the call. The builder then carries that error: later steps are skipped
/// and every terminal method returns it, so chains stay fluent; `status()` tells it at
/// once. A Query is a value: each step returns a new one and leaves its receiver as it
/// was.
///
/// Results leave through execute.h (the sink gate runs first) or into Delta tables:
/// InsertInto and WriteDelta are the only write methods. There is no Parquet method:
/// Parquet copies of a Delta table come from the export module
/// (storage/export_parquet.h).
class Query {
 public:
  /// \brief Rows where `predicate` is true (null counts as false, as in SQL).
  Query Filter(arrow::compute::Expression predicate) const;
  /// \brief The same with a SQL predicate (delta::ParsePredicate's grammar), parsed
  /// against the current schema.
  Query Filter(const std::string& sql) const;
  /// \brief The named columns, in the order given.
  Query Project(const std::vector<std::string>& columns) const;
  /// \brief One output column per expression, named by `names` (same length).
  Query Project(const std::vector<arrow::compute::Expression>& expressions,
                const std::vector<std::string>& names) const;
  /// \brief Group by `keys` (none: one row) and aggregate. Functions are named as for
  /// a whole-table aggregate ("sum", "count", "min"…); with keys the grouped kernel
  /// ("hash_sum"…) is used. Output: the keys, then the aggregates (Arrow 26's order).
  Query Aggregate(std::vector<arrow::compute::Aggregate> aggregates,
                  const std::vector<std::string>& keys = {}) const;
  /// \brief Hash join with `right` on equal keys. A column name present on both sides
  /// gets `right_suffix` on the right (and `left_suffix` on the left).
  Query Join(const Query& right, const std::vector<std::string>& left_keys,
             const std::vector<std::string>& right_keys,
             arrow::acero::JoinType type = arrow::acero::JoinType::INNER,
             const std::string& left_suffix = "",
             const std::string& right_suffix = "_right") const;
  Query OrderBy(const std::vector<arrow::compute::SortKey>& keys) const;
  /// \brief The first `count` rows after `offset`. The input must be ordered (OrderBy,
  /// or a source with an implicit order): a limit of unordered rows is refused rather
  /// than returning arbitrary rows.
  Query Limit(int64_t count, int64_t offset = 0) const;

  arrow::Result<std::shared_ptr<arrow::Table>> ToTable(
      const RunOptions& options = {}) const;
  arrow::Result<std::unique_ptr<arrow::RecordBatchReader>> ToReader(
      const RunOptions& options = {}) const;

  /// \brief Streams the rows into the existing Delta table at `uri` as one commit, with
  /// `options.delta.mode` (append, overwrite, replaceWhere…; the default, error, fails
  /// on the existing table, so an append says kAppend); kTableNotFound when there is
  /// no table there. The plan runs under `options.output`, `options.run` and
  /// `options.reporter`.
  arrow::Result<storage::WriteResult> InsertInto(
      const std::string& uri, const storage::StorageWriteOptions& options = {}) const;
  /// \brief The same, creating the table when missing.
  arrow::Result<storage::WriteResult> WriteDelta(
      const std::string& uri, const storage::StorageWriteOptions& options = {}) const;

  /// \brief The Acero declaration built so far (no sink); run it through execute.h.
  const arrow::acero::Declaration& Declaration() const { return declaration_; }
  /// \brief The output schema of the steps so far; null when status() is an error.
  const std::shared_ptr<arrow::Schema>& schema() const { return schema_; }
  const arrow::Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }

 private:
  Query() = default;  // a query starts with From()
  friend Query From(const Catalog& catalog, const std::string& name);
  friend class QueryStep;

  arrow::acero::Declaration declaration_;
  /// The same plan over empty tables: what the schema is computed from.
  arrow::acero::Declaration shape_;
  std::shared_ptr<arrow::Schema> schema_;
  bool ordered_ = false;
  arrow::Status status_;
};

/// \brief A query reading the catalog's `name` (kInvalidInput in status() when unknown).
Query From(const Catalog& catalog, const std::string& name);

}  // namespace deltaline::engine
