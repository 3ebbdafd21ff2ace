#pragma once

#include <memory>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/result.h>
#include <arrow/type.h>

#include "delta/base/actions.h"
#include "delta/table/column_mapping.h"

namespace deltaline::delta {

/// \brief What a file's partition values and statistics say about a predicate.
enum class FileMatch {
  kNone,  ///< no row can satisfy the predicate: skip the file
  kSome,  ///< unknown: read the file and filter its rows
  kAll,   ///< every row satisfies it (the file can be removed whole by replaceWhere)
};

/// \brief Which evidence excluded a file (kNone verdicts only).
enum class SkipReason { kNotSkipped, kPartition, kStats };

struct FileVerdict {
  FileMatch match = FileMatch::kSome;
  SkipReason reason = SkipReason::kNotSkipped;
};

/// \brief Decides per `add` whether it can hold rows matching a predicate, from its
/// `partitionValues` and `add.stats`. Each file becomes an Arrow guarantee
/// expression and the predicate is simplified with
/// arrow::compute::SimplifyWithGuarantee: literal false/null means no row matches,
/// literal true means all do.
///
/// Conservative by construction: missing stats, a missing column in them, a
/// malformed stats string or a type the reader does not trust (float min/max, where
/// NaN is left out; long string maxima that may be bare prefixes; decimals beyond
/// double precision) only ever give kSome. Timestamp maxima are widened by the
/// sub-millisecond part the protocol truncates away.
class FilePruner {
 public:
  /// \param predicate bound to `schema` (see ParsePredicate)
  /// \param schema the full table schema (data and partition columns)
  /// \param partition_columns the table's partition columns
  /// \param column_mapping how `add.stats` and `partitionValues` name the columns:
  /// by the physical names in `schema`'s field metadata unless kNone
  static arrow::Result<std::unique_ptr<FilePruner>> Make(
      arrow::compute::Expression predicate, std::shared_ptr<arrow::Schema> schema,
      std::vector<std::string> partition_columns,
      ColumnMapping column_mapping = ColumnMapping::kNone);

  /// \brief The verdict for one file. Fails only when a partition value cannot be
  /// parsed as its column's type (kProtocol), as a scan would.
  arrow::Result<FileVerdict> Evaluate(const Add& add) const;

  ~FilePruner();

 private:
  struct Column;
  FilePruner();
  arrow::Result<arrow::compute::Expression> PartitionGuarantee(const Add& add) const;
  arrow::compute::Expression StatsGuarantee(const Add& add) const;

  arrow::compute::Expression predicate_;
  std::shared_ptr<arrow::Schema> schema_;
  std::vector<std::string> partition_columns_;
  std::vector<Column> columns_;  ///< referenced leaf columns
};

}  // namespace deltaline::delta
