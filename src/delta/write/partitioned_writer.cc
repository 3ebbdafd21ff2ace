#include "delta/write/partitioned_writer.h"

#include <algorithm>

#include <arrow/array.h>
#include <arrow/compute/api.h>
#include <arrow/compute/exec.h>

#include "delta/base/errors.h"

namespace deltaline::delta {

struct PartitionedWriter::Open {
  std::unique_ptr<DataFileWriter> writer;
  uint32_t group_id = 0;
  int64_t last_use = 0;
};

arrow::Result<std::unique_ptr<PartitionedWriter>> PartitionedWriter::Make(
    std::shared_ptr<arrow::fs::FileSystem> fs, std::string root,
    std::shared_ptr<arrow::Schema> schema, std::vector<std::string> partition_columns,
    DataWriterOptions options, int max_open_writers) {
  std::unique_ptr<PartitionedWriter> out(new PartitionedWriter());
  out->fs_ = std::move(fs);
  out->root_ = std::move(root);
  out->options_ = std::move(options);
  out->max_open_writers_ = std::max(1, max_open_writers);
  std::vector<arrow::TypeHolder> key_types;
  for (const auto& column : partition_columns) {
    int index = schema->GetFieldIndex(column);
    if (index < 0) {
      return InvalidInput("partition column '" + column +
                          "' is not a column of the table (" + schema->ToString() + ")");
    }
    ARROW_RETURN_NOT_OK(CheckPartitionColumnType(column, *schema->field(index)->type()));
    out->partition_indices_.push_back(index);
    key_types.emplace_back(schema->field(index)->type());
  }
  std::vector<std::shared_ptr<arrow::Field>> data_fields;
  for (int index = 0; index < schema->num_fields(); ++index) {
    if (std::find(out->partition_indices_.begin(), out->partition_indices_.end(),
                  index) == out->partition_indices_.end()) {
      out->data_indices_.push_back(index);
      data_fields.push_back(schema->field(index));
    }
  }
  out->data_schema_ = arrow::schema(std::move(data_fields), schema->metadata());
  out->schema_ = std::move(schema);
  out->partition_columns_ = std::move(partition_columns);
  if (!out->partition_columns_.empty()) {
    ARROW_ASSIGN_OR_RAISE(out->grouper_, arrow::compute::Grouper::Make(key_types));
  } else {
    out->group_keys_.push_back(PartitionKey{});
  }
  return out;
}

PartitionedWriter::~PartitionedWriter() = default;

arrow::Status PartitionedWriter::RegisterNewGroups() {
  const uint32_t groups = grouper_->num_groups();
  if (groups == group_keys_.size()) return arrow::Status::OK();
  ARROW_ASSIGN_OR_RAISE(auto uniques, grouper_->GetUniques());
  for (uint32_t group_id = static_cast<uint32_t>(group_keys_.size()); group_id < groups;
       ++group_id) {
    PartitionValues values;
    for (size_t key_idx = 0; key_idx < partition_columns_.size(); ++key_idx) {
      ARROW_ASSIGN_OR_RAISE(auto scalar,
                            uniques.values[key_idx].make_array()->GetScalar(group_id));
      ARROW_ASSIGN_OR_RAISE(values[partition_columns_[key_idx]],
                            SerializePartitionValue(*scalar));
    }
    ARROW_ASSIGN_OR_RAISE(auto key, MakePartitionKey(partition_columns_, values));
    group_keys_.push_back(std::move(key));
  }
  return arrow::Status::OK();
}

arrow::Result<PartitionedWriter::Open*> PartitionedWriter::WriterFor(uint32_t group_id) {
  ++use_clock_;
  if (auto it = open_.find(group_id); it != open_.end()) {
    it->second->last_use = use_clock_;
    return it->second.get();
  }
  if (static_cast<int>(open_.size()) >= max_open_writers_) {
    auto lru =
        std::min_element(open_.begin(), open_.end(), [](const auto& a, const auto& b) {
          return a.second->last_use < b.second->last_use;
        });
    ARROW_RETURN_NOT_OK(Close(*lru->second));
  }
  const PartitionKey& key = group_keys_[group_id];
  std::string directory = root_;
  if (!key.directory.empty()) {
    directory += "/" + key.directory;
    ARROW_RETURN_NOT_OK(fs_->CreateDir(directory, /*recursive=*/true));
  }
  auto open = std::make_unique<Open>();
  ARROW_ASSIGN_OR_RAISE(open->writer,
                        DataFileWriter::Make(fs_, directory, data_schema_, options_));
  open->group_id = group_id;
  open->last_use = use_clock_;
  partitions_.emplace(key.id, key);
  Open* raw = open.get();
  open_.emplace(group_id, std::move(open));
  return raw;
}

arrow::Status PartitionedWriter::Close(Open& open) {
  const PartitionKey& key = group_keys_[open.group_id];
  for (const auto& path : open.writer->written_paths()) {
    closed_paths_.push_back(key.directory.empty() ? path : key.directory + "/" + path);
  }
  auto finished = open.writer->Finish();
  const uint32_t group_id = open.group_id;
  open_.erase(group_id);  // destroys `open`
  ARROW_RETURN_NOT_OK(finished.status());
  for (auto& add : *finished) {
    add.path = EncodeDataFilePath(key.directory, add.path);
    add.partition_values = key.values;
    finished_.push_back(std::move(add));
  }
  return arrow::Status::OK();
}

arrow::Status PartitionedWriter::Write(const arrow::RecordBatch& batch) {
  if (batch.num_rows() == 0) return arrow::Status::OK();
  std::vector<std::shared_ptr<arrow::Array>> data_columns;
  for (int index : data_indices_) data_columns.push_back(batch.column(index));
  auto data =
      arrow::RecordBatch::Make(data_schema_, batch.num_rows(), std::move(data_columns));
  if (partition_columns_.empty()) {
    ARROW_ASSIGN_OR_RAISE(Open * open, WriterFor(0));
    return open->writer->Write(*data);
  }
  std::vector<arrow::Datum> key_columns;
  for (int index : partition_indices_) key_columns.emplace_back(batch.column(index));
  arrow::compute::ExecBatch keys(std::move(key_columns), batch.num_rows());
  ARROW_ASSIGN_OR_RAISE(auto ids, grouper_->Consume(arrow::compute::ExecSpan(keys)));
  ARROW_RETURN_NOT_OK(RegisterNewGroups());
  auto id_array = std::static_pointer_cast<arrow::UInt32Array>(ids.make_array());
  ARROW_ASSIGN_OR_RAISE(auto groupings, arrow::compute::Grouper::MakeGroupings(
                                            *id_array, grouper_->num_groups()));
  for (uint32_t group_id = 0; group_id < grouper_->num_groups(); ++group_id) {
    const int64_t rows = groupings->value_length(group_id);
    if (rows == 0) continue;
    std::shared_ptr<arrow::RecordBatch> part = data;
    if (rows != batch.num_rows()) {
      ARROW_ASSIGN_OR_RAISE(auto taken,
                            arrow::compute::Take(data, groupings->value_slice(group_id)));
      part = taken.record_batch();
    }
    ARROW_ASSIGN_OR_RAISE(Open * open, WriterFor(group_id));
    ARROW_RETURN_NOT_OK(open->writer->Write(*part));
  }
  return arrow::Status::OK();
}

arrow::Result<std::vector<Add>> PartitionedWriter::Finish() {
  while (!open_.empty()) ARROW_RETURN_NOT_OK(Close(*open_.begin()->second));
  return std::move(finished_);
}

std::vector<std::string> PartitionedWriter::written_paths() const {
  std::vector<std::string> out = closed_paths_;
  for (const auto& [group_id, open] : open_) {
    const std::string& directory = group_keys_[group_id].directory;
    for (const auto& path : open->writer->written_paths()) {
      out.push_back(directory.empty() ? path : directory + "/" + path);
    }
  }
  return out;
}

}  // namespace deltaline::delta
