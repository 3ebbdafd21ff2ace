// Rewriting one partition's files: streamed (bin-packing) or sorted in memory
// (Z-order), into files of even size.
#include <arrow/compute/api.h>
#include <arrow/table.h>

#include "delta/base/errors.h"
#include "delta/ops/optimize_internal.h"
#include "delta/ops/optimize_writer.h"
#include "delta/ops/zorder.h"
#include "delta/scan/data_file_reader.h"

namespace deltaline::delta {
namespace {

struct JobWriter {
  std::unique_ptr<EvenFileWriter> writer;
  std::string directory;  ///< table-relative partition directory ("" at the root)
};

arrow::Result<JobWriter> MakeJobWriter(LogStore& store, const OptimizePlan& plan,
                                       const OptimizeJob& job) {
  JobWriter out;
  out.directory = job.key.directory;
  std::string directory = store.root();
  if (!out.directory.empty()) {
    directory += "/" + out.directory;
    ARROW_RETURN_NOT_OK(store.filesystem()->CreateDir(directory, /*recursive=*/true));
  }
  double bytes_per_row = 1.0;
  if (job.rows && *job.rows > 0) {
    bytes_per_row = static_cast<double>(job.input_bytes) / static_cast<double>(*job.rows);
  }
  ARROW_ASSIGN_OR_RAISE(
      out.writer, EvenFileWriter::Make(store.filesystem(), directory, plan.data_schema,
                                       plan.writer_options, plan.target_size, job.rows,
                                       bytes_per_row));
  return out;
}

void CollectWritten(const JobWriter& job_writer, std::vector<std::string>& written) {
  for (const auto& path : job_writer.writer->written_paths()) {
    written.push_back(job_writer.directory.empty() ? path
                                                   : job_writer.directory + "/" + path);
  }
}

arrow::Status StreamInputs(LogStore& store, const OptimizePlan& plan,
                           const OptimizeJob& job, EvenFileWriter& writer, int64_t& rows,
                           const std::function<void(int64_t)>& on_file) {
  const auto& partitions = plan.snapshot->partition_columns();
  for (const auto& file : job.inputs) {
    ARROW_ASSIGN_OR_RAISE(auto reader,
                          OpenDataFile(store, plan.data_schema, partitions, file));
    while (true) {
      ARROW_ASSIGN_OR_RAISE(auto batch, reader->Next());
      if (!batch) break;
      rows += batch->num_rows();
      ARROW_RETURN_NOT_OK(writer.Write(*batch));
    }
    if (on_file) on_file(file.size);
  }
  return arrow::Status::OK();
}

// The whole partition is held in memory: the Z-order key ranks every row against
// all the others.
arrow::Status SortInputs(LogStore& store, const OptimizePlan& plan,
                         const OptimizeJob& job, EvenFileWriter& writer, int64_t& rows,
                         const std::function<void(int64_t)>& on_file) {
  const auto& partitions = plan.snapshot->partition_columns();
  std::vector<std::shared_ptr<arrow::Table>> tables;
  for (const auto& file : job.inputs) {
    ARROW_ASSIGN_OR_RAISE(auto table,
                          ReadDataFile(store, plan.data_schema, partitions, file));
    tables.push_back(std::move(table));
    if (on_file) on_file(file.size);
  }
  ARROW_ASSIGN_OR_RAISE(auto all, arrow::ConcatenateTables(tables));
  ARROW_ASSIGN_OR_RAISE(auto batch, all->CombineChunksToBatch());
  if (batch->num_rows() == 0) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto keys, ZOrderKeys(*batch, plan.zorder_by));
  ARROW_ASSIGN_OR_RAISE(auto order, arrow::compute::SortIndices(*keys));
  ARROW_ASSIGN_OR_RAISE(auto sorted, arrow::compute::Take(batch, order));
  ARROW_ASSIGN_OR_RAISE(auto sorted_keys, arrow::compute::Take(*keys, *order));
  const auto& key_array = static_cast<const arrow::UInt64Array&>(*sorted_keys);
  const auto& rows_sorted = *sorted.record_batch();
  rows += rows_sorted.num_rows();
  // Files end where a Z-cell ends, within a tenth of their planned rows.
  int64_t offset = 0;
  while (offset < rows_sorted.num_rows()) {
    ARROW_ASSIGN_OR_RAISE(int64_t planned, writer.RowsUntilCut());
    int64_t cut = rows_sorted.num_rows();
    if (planned < rows_sorted.num_rows() - offset) {
      cut = SnapToZCell(key_array, offset + planned, planned / 10);
    }
    ARROW_RETURN_NOT_OK(writer.WriteToCut(*rows_sorted.Slice(offset, cut - offset)));
    offset = cut;
  }
  return arrow::Status::OK();
}

}  // namespace

arrow::Result<std::vector<Add>> RewriteJob(LogStore& store, const OptimizePlan& plan,
                                           const OptimizeJob& job, int64_t& rows,
                                           std::vector<std::string>& written,
                                           const std::function<void(int64_t)>& on_file) {
  ARROW_ASSIGN_OR_RAISE(JobWriter job_writer, MakeJobWriter(store, plan, job));
  const int64_t rows_before = rows;
  arrow::Status st =
      plan.zorder_by.empty()
          ? StreamInputs(store, plan, job, *job_writer.writer, rows, on_file)
          : SortInputs(store, plan, job, *job_writer.writer, rows, on_file);
  auto adds = st.ok() ? job_writer.writer->Finish() : arrow::Result<std::vector<Add>>(st);
  CollectWritten(job_writer, written);
  ARROW_RETURN_NOT_OK(adds.status());
  if (job.rows && rows - rows_before != *job.rows) {
    return ProtocolError("optimize of partition '" + job.key.directory + "' read " +
                         std::to_string(rows - rows_before) +
                         " rows where the files' stats and deletion vectors count " +
                         std::to_string(*job.rows) + "; nothing was committed");
  }
  for (auto& add : *adds) {
    add.path = EncodeDataFilePath(job_writer.directory, add.path);
    add.partition_values = job.key.values;
    add.data_change = false;
  }
  return std::move(*adds);
}

}  // namespace deltaline::delta
