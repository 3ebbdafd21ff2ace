#pragma once

// Internals of the checkpoint codec (checkpoint_*.cc), shared by its files and its
// tests. Not installed.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <arrow/array.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/type.h>
#include <parquet/file_reader.h>

#include "delta/base/actions.h"
#include "delta/checkpoint/checkpoint.h"

namespace deltaline::delta::checkpoint_internal {

/// \brief The Arrow schema EncodeCheckpoint writes: Spark's classic checkpoint columns
/// (txn, add, remove, metaData, protocol, domainMetadata), all nullable, with Spark's
/// names and widths (int32 protocol versions and DV offset/size, int64 elsewhere).
std::shared_ptr<arrow::Schema> CheckpointSchema();

/// \brief Appends the actions of `batch` in row order. Columns are the top-level
/// action structs (txn, add, remove, metaData, protocol, domainMetadata); any may be
/// missing. Fails with Status::Invalid (not yet naming the file) on a null required
/// field or a column of the wrong type. `batch` must have passed ValidateFull.
arrow::Status DecodeBatch(const arrow::RecordBatch& batch, std::vector<Action>* out);

/// \brief Decodes the checkpoint straight from Parquet's column readers when its
/// layout is one they handle (checkpoint_leaves_internal.h: the action columns
/// deltaline and Spark write, with JSON stats), handing `consume` the actions of
/// about `batch_rows` rows at a time. Returns false, having read nothing, for any
/// other layout (it fails only after taking the file): DecodeBatch over Arrow batches
/// reads those. Same actions and errors as that path; decoding errors are
/// Status::Invalid (not yet naming the file), and an error from `consume` is returned
/// and also stored in `*consumer_status`.
arrow::Result<bool> DecodeWithColumnReaders(parquet::ParquetFileReader& file,
                                            int64_t batch_rows,
                                            const CheckpointBatchConsumer& consume,
                                            arrow::Status* consumer_status);

/// \brief DecodeCheckpointBatches with the choice of decoder left to the caller:
/// `allow_column_readers` false forces the Arrow path, so that tests can compare the
/// two. `*used_column_readers` (if given) tells which one decoded.
arrow::Status DecodeCheckpointWith(std::shared_ptr<arrow::Buffer> bytes,
                                   std::string_view source,
                                   const CheckpointBatchConsumer& consume,
                                   int64_t batch_rows, bool allow_column_readers,
                                   bool* used_column_readers);

/// \brief One column of a decoded checkpoint batch, addressed by its dotted path
/// ("add.deletionVector.offset") for error messages. `array` is null when the file
/// lacks the column: every value of a missing column reads as null.
struct ColumnRef {
  std::shared_ptr<arrow::Array> array;
  std::string name;

  bool IsNull(int64_t row) const { return array == nullptr || array->IsNull(row); }
};

/// \brief The child `field` of a struct column; missing if `parent` or the field is.
/// Fails when `parent` exists but is not a struct.
arrow::Result<ColumnRef> Child(const ColumnRef& parent, std::string_view field);

// Typed reads of one cell. Null (or a missing column) reads as std::nullopt. They
// accept the physical variations seen across writers: any integer width, string or
// binary in their large/view forms, maps stored as lists of key/value structs. Any
// other type fails with Status::Invalid naming the column.
arrow::Result<std::optional<std::string>> ReadString(const ColumnRef& col, int64_t row);
arrow::Result<std::optional<int64_t>> ReadInt64(const ColumnRef& col, int64_t row);
/// Fails when the stored value does not fit an int32.
arrow::Result<std::optional<int32_t>> ReadInt32(const ColumnRef& col, int64_t row);
arrow::Result<std::optional<bool>> ReadBool(const ColumnRef& col, int64_t row);

/// Map entries in file order; a null value stays std::nullopt.
using StringPairs = std::vector<std::pair<std::string, std::optional<std::string>>>;
arrow::Result<std::optional<StringPairs>> ReadStringMap(const ColumnRef& col,
                                                        int64_t row);
/// Null elements are dropped: no Delta list field gives them a meaning.
arrow::Result<std::optional<std::vector<std::string>>> ReadStringList(
    const ColumnRef& col, int64_t row);

/// \brief Renders one `add.stats_parsed` struct cell as the JSON string `add.stats`
/// would hold: nested objects for structs, null fields left out (a missing stat means
/// unknown), decimals exact, dates "YYYY-MM-DD", timestamps ISO-8601 UTC with "Z".
/// Values JSON cannot carry (NaN, binary, out-of-range dates) are left out too.
arrow::Result<std::optional<std::string>> StatsStructToJson(const ColumnRef& col,
                                                            int64_t row);

}  // namespace deltaline::delta::checkpoint_internal
