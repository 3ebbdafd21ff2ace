#pragma once

#include <string>

#include <arrow/result.h>
#include <arrow/type.h>
#include <parquet/metadata.h>

#include "delta/data_writer.h"

namespace deltaline::delta {

/// \brief `add.stats` JSON for one Parquet data file, from the column statistics the
/// Parquet writer already computed (footer), aggregated over row groups.
/// `schema` is the Arrow schema of the file. Columns without usable statistics
/// are left out of minValues/maxValues (a reader treats them as unknown).
arrow::Result<std::string> StatsJsonFromParquet(const parquet::FileMetaData& metadata,
                                                const arrow::Schema& schema,
                                                const StatsOptions& options);

}  // namespace deltaline::delta
