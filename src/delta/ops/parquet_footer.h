#pragma once

#include <memory>
#include <string>

#include <arrow/filesystem/filesystem.h>
#include <arrow/status.h>

#include "delta/ops/parquet_layout.h"

namespace deltaline::delta {

/// \brief Reads the footer of `root/file->path` (no data page) and fills the file's
/// metadata, num_rows, schema (field metadata dropped; INT96 leaves as
/// timestamp[ns, UTC], the instants Spark and Hive meant), int96_columns and
/// exact_stats_columns. A file that is not Parquet fails with IOError naming it.
///
/// A leaf's statistics are exact in a row group when it has a null count and either
/// holds only nulls or has min and max that the writer marked exact. Writers older
/// than the exactness flags never truncated fixed-width values, so for those the
/// missing flag counts as exact; byte arrays (strings) need the flag.
arrow::Status ReadParquetFooter(arrow::fs::FileSystem& fs, const std::string& root,
                                ParquetSourceFile* file);

}  // namespace deltaline::delta
