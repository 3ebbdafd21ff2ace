#include "storage/migrate_parquet.h"

namespace deltaline::storage {

arrow::Result<WriteResult> MigrateParquetCopy(const delta::ParquetLayout& layout,
                                              const std::string& uri,
                                              const MigrateParquetOptions& options) {
  StorageWriteOptions write = options.write;
  write.delta.mode = delta::SaveMode::kError;
  write.delta.partition_by = layout.partition_names();
  // Exact or failing: uint64 only when every value fits, ns only when whole µs.
  write.delta.schema_conversion.widen_unsigned = true;
  write.delta.schema_conversion.coerce_timestamps = true;
  auto reader = delta::ReadParquetLayout(layout, options.progress);
  return WriteDatasetDelta(*reader, uri, write);
}

}  // namespace deltaline::storage
