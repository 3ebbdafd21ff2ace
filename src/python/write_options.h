#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <arrow/result.h>
#include <arrow/type_fwd.h>

#include "delta/base/reporter.h"
#include "delta/write/write.h"
#include "python/bindings.h"
#include "storage/storage_writer.h"

namespace deltaline::python {

/// \brief The per-write options of DeltaWriteOptions, read from Python (GIL held) into
/// plain C++ so the write itself runs without the GIL.
struct WriteRequest {
  std::string mode = "error";
  std::vector<std::string> partition_by;
  std::optional<std::string> predicate;  ///< replaceWhere, SQL
  bool replace_partitions = false;
  std::vector<delta::PartitionValues> delete_partitions;
  std::map<std::string, std::string> table_properties;
  std::map<std::string, std::string> commit_metadata;
  std::string dataset;
  bool update_table_properties = false;
  bool coerce_timestamps = false;
  bool widen_unsigned = false;
  std::string run_id;
  std::string run_dir;
};

/// \brief Reads the keys of `options` (the dict deltaline/_write.py builds).
WriteRequest ReadWriteRequest(const nb::dict& options);

/// \brief The storage options: the policies from `config` (a storage/output_config.h
/// JSON document) and the request's mode, properties, metadata and run.
arrow::Result<storage::StorageWriteOptions> BuildWriteOptions(const std::string& config,
                                                              const WriteRequest& request,
                                                              delta::Reporter reporter);

/// \brief partition_by, replace_partitions / delete_partitions and the replaceWhere
/// predicate, parsed against `table_schema` (null: no table yet, then a predicate is
/// refused), checked as `deltaline write` checks its flags.
arrow::Status ApplyTargetedOptions(const WriteRequest& request,
                                   const std::shared_ptr<arrow::Schema>& table_schema,
                                   storage::StorageWriteOptions* options);

/// \brief A write's result as the dict deltaline.WriteResult is built from (its
/// fields as keys); shared by the writes and insert_into.
nb::dict ResultDict(const storage::WriteResult& written);

/// \brief The schema of the Delta table at `path`, or null when there is none yet (a
/// replaceWhere predicate is parsed against it).
std::shared_ptr<arrow::Schema> ExistingSchema(const std::string& path);

}  // namespace deltaline::python
