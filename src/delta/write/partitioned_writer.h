#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <arrow/compute/row/grouper.h>
#include <arrow/filesystem/filesystem.h>
#include <arrow/record_batch.h>
#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/table/partition_path.h"
#include "delta/write/data_writer.h"
#include "delta/write/partition_metrics.h"

namespace deltaline::delta {

/// \brief Writes batches of the full table schema into Hive-style partition
/// directories, one DataFileWriter per partition, without the partition columns.
///
/// Rows are split with Arrow's Grouper on the partition columns. At most
/// `max_open_writers` partitions have an open file at a time; writing to another one
/// finishes the least recently used (its next rows start a new file), which bounds
/// memory to one row group buffer per open writer. With no partition columns it is a
/// single DataFileWriter at the root. Not thread-safe; nothing is committed.
class PartitionedWriter {
 public:
  /// `schema`: the table's canonical Arrow schema, partition columns included.
  /// `root`: the table root in `fs`, no trailing '/'.
  static arrow::Result<std::unique_ptr<PartitionedWriter>> Make(
      std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
      std::shared_ptr<arrow::Schema> schema, std::vector<std::string> partition_columns,
      DataWriterOptions options, int max_open_writers = 64);
  ~PartitionedWriter();

  arrow::Status Write(const arrow::RecordBatch& batch);
  /// Closes every open file. Returns one `add` per file, `path` URI-encoded under
  /// its partition directory and `partitionValues` set.
  arrow::Result<std::vector<Add>> Finish();
  /// Every partition written to so far, by PartitionKey::id.
  const std::map<std::string, PartitionKey>& partitions() const { return partitions_; }
  /// Table-relative paths (not encoded) of every file written so far, for cleanup.
  std::vector<std::string> written_paths() const;

 private:
  struct Open;
  PartitionedWriter() = default;
  arrow::Result<Open*> WriterFor(uint32_t group_id);
  arrow::Status Close(Open& open);
  arrow::Status RegisterNewGroups();

  std::shared_ptr<arrow::fs::FileSystem> fs_;
  std::string root_;
  std::shared_ptr<arrow::Schema> schema_;
  std::shared_ptr<arrow::Schema> data_schema_;
  std::vector<int> partition_indices_;
  std::vector<int> data_indices_;
  std::vector<std::string> partition_columns_;
  DataWriterOptions options_;
  int max_open_writers_ = 64;
  std::unique_ptr<arrow::compute::Grouper> grouper_;
  std::vector<PartitionKey> group_keys_;  ///< by group id
  std::map<uint32_t, std::unique_ptr<Open>> open_;
  int64_t use_clock_ = 0;
  std::vector<Add> finished_;
  std::vector<std::string> closed_paths_;
  std::map<std::string, PartitionKey> partitions_;
};

}  // namespace deltaline::delta
