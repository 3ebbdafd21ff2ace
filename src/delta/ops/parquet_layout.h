#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/filesystem/filesystem.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type.h>
#include <parquet/metadata.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief How the files of a legacy Parquet dataset must agree on their schema.
enum class ParquetSchemaMode {
  kStrict,  ///< every file's schema equals the first file's (default)
  kMerge,   ///< the union by name; a column missing from a file reads as null
};

struct ParquetLayoutOptions {
  /// The partition columns. nullopt (`auto`): inferred from the `name=value`
  /// directories; a list: the directories must be exactly these, in this order.
  std::optional<std::vector<std::string>> partition_by;
  ParquetSchemaMode schema_mode = ParquetSchemaMode::kStrict;
  /// Called after each footer read with (files done, files total, bytes done).
  /// Default none.
  std::function<void(int64_t, int64_t, int64_t)> progress;
};

/// \brief A partition column inferred from the directory names, as Spark infers it:
/// every non-null value a canonical integer → int (long when one does not fit), every
/// non-null value a valid `yyyy-mm-dd` → date, else string. Nulls decide nothing; a
/// column with only nulls is a string. Integers with leading zeros or `+` stay
/// strings (Spark would turn `007` into 7, which changes the value).
struct PartitionColumn {
  std::string name;
  std::shared_ptr<arrow::DataType> type;
};

/// \brief One data file of the source and what its footer says.
struct ParquetSourceFile {
  std::string path;  ///< relative to the source root, as on disk ('/'-separated)
  int64_t size = 0;
  int64_t modification_time = 0;  ///< ms since the epoch
  /// Hive-unescaped values by partition column; `__HIVE_DEFAULT_PARTITION__` and
  /// the empty value are null. Dates and integers are in their canonical text.
  PartitionValues partition_values;
  int64_t num_rows = 0;
  std::shared_ptr<arrow::Schema> schema;  ///< the file's columns (no field metadata)
  std::shared_ptr<parquet::FileMetaData> metadata;
  /// Top-level columns whose footer statistics are exact in every row group (null
  /// count and, unless all null, min and max), in schema order.
  std::vector<std::string> exact_stats_columns;
  /// Leaves stored as INT96 (legacy timestamps), as dotted paths.
  std::vector<std::string> int96_columns;
};

/// \brief The plan of a migration: what the source holds and the table it becomes.
struct ParquetLayout {
  std::shared_ptr<arrow::fs::FileSystem> fs;
  std::string root;                      ///< the source root in `fs`
  std::vector<ParquetSourceFile> files;  ///< sorted by path
  /// Hidden names not migrated (`_`/`.` prefixed, as Spark's CONVERT skips them),
  /// relative to the root, sorted; a hidden directory is listed once.
  std::vector<std::string> skipped;
  std::vector<PartitionColumn> partition_columns;
  std::shared_ptr<arrow::Schema> data_schema;  ///< the unified file columns
  /// The table's schema: data columns, then partition columns.
  std::shared_ptr<arrow::Schema> schema;
  /// The distinct partition directories in canonical form (`a=1/b=x`), sorted.
  std::vector<std::string> partitions;
  ParquetSchemaMode schema_mode = ParquetSchemaMode::kStrict;
  int64_t total_bytes = 0;
  int64_t total_rows = 0;  ///< from the footers

  std::vector<std::string> partition_names() const;
};

/// \brief Lists the Parquet dataset under `root` and reads every footer (no data
/// page): files, partitions, the unified schema, stats availability.
///
/// Errors: kTableNotFound when `root` does not exist or holds no data file;
/// kTableAlreadyExists when it holds a `_delta_log` (it is a Delta table already);
/// kInvalidInput for an inconsistent partition layout (different depths, names or
/// order; the message lists the paths of each layout), for directories that are not
/// the `partition_by` given, and for a partition column also stored in a file
/// (refused by name: deltaline does not guess which one is right); kSchemaMismatch
/// naming the file and the column (strict: any difference to the first file; merge:
/// the same column with two types); a file that is not Parquet fails naming it.
arrow::Result<ParquetLayout> PlanParquetLayout(std::shared_ptr<arrow::fs::FileSystem> fs,
                                               const std::string& root,
                                               const ParquetLayoutOptions& options = {});

/// \brief Reads one source file as batches of `layout.schema` (columns the file lacks
/// are null, partition columns are filled from the directory values, typed). Reads
/// one row group at a time.
arrow::Result<std::shared_ptr<arrow::RecordBatchReader>> OpenParquetSourceFile(
    const ParquetLayout& layout, const ParquetSourceFile& file);

/// \brief All source files, one after the other, as one stream of `layout.schema`.
/// `on_file` (optional) is called after each file with (files done, bytes done).
std::shared_ptr<arrow::RecordBatchReader> ReadParquetLayout(
    const ParquetLayout& layout, std::function<void(int64_t, int64_t)> on_file = {});

/// \brief The typed value of `file`'s partition column `column_idx` (null scalar for
/// a null partition).
arrow::Result<std::shared_ptr<arrow::Scalar>> PartitionScalar(
    const ParquetLayout& layout, const ParquetSourceFile& file, size_t column_idx);

/// \brief Decodes Hive's `%XX` escapes (every valid one; others are left as is).
std::string UnescapeHivePathName(std::string_view text);

/// \brief Infers a partition column type from its values (see PartitionColumn).
std::shared_ptr<arrow::DataType> InferPartitionType(
    const std::vector<std::optional<std::string>>& values);

}  // namespace deltaline::delta
