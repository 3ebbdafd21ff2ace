// The V2-spec parts of a checkpoint: the checkpointMetadata and sidecar rows of a
// Parquet checkpoint (read on their own, only when the file has those columns), and
// the whole of a UUID-named JSON checkpoint. Bytes come from storage and may be torn:
// every failure is a protocol error naming the file, never a crash.

#include "delta/checkpoint/checkpoint_v2.h"

#include <algorithm>
#include <string>

#include <arrow/io/memory.h>
#include <arrow/memory_pool.h>
#include <arrow/record_batch.h>
#include <parquet/arrow/reader.h>
#include <parquet/arrow/schema.h>
#include <parquet/file_reader.h>
#include <nlohmann/json.hpp>

#include "delta/base/action_json.h"
#include "delta/base/errors.h"
#include "delta/checkpoint/checkpoint_internal.h"

namespace deltaline::delta {
namespace {

using checkpoint_internal::Child;
using checkpoint_internal::ColumnRef;
using checkpoint_internal::ReadInt64;
using checkpoint_internal::ReadString;
using checkpoint_internal::ReadStringMap;

constexpr char kMetadataColumn[] = "checkpointMetadata";
constexpr char kSidecarColumn[] = "sidecar";

void CollectLeaves(const parquet::arrow::SchemaField& field, std::vector<int>* out) {
  if (field.is_leaf()) out->push_back(field.column_index);
  for (const auto& child : field.children) CollectLeaves(child, out);
}

arrow::Result<std::optional<StringMap>> ReadTags(const ColumnRef& col, int64_t row) {
  ARROW_ASSIGN_OR_RAISE(auto pairs, ReadStringMap(col, row));
  if (!pairs) return std::nullopt;
  StringMap out;
  for (auto& [key, value] : *pairs) {
    if (value) out[key] = std::move(*value);
  }
  return out;
}

arrow::Result<int64_t> RequiredInt(const ColumnRef& col, int64_t row) {
  ARROW_ASSIGN_OR_RAISE(auto value, ReadInt64(col, row));
  if (!value) return arrow::Status::Invalid(col.name, " is null in row ", row);
  return *value;
}

arrow::Status ReadRefRows(const arrow::RecordBatch& batch, V2CheckpointRefs* refs) {
  const ColumnRef meta{batch.GetColumnByName(std::string(kMetadataColumn)),
                       std::string(kMetadataColumn)};
  const ColumnRef sidecar{batch.GetColumnByName(std::string(kSidecarColumn)),
                          std::string(kSidecarColumn)};
  ARROW_ASSIGN_OR_RAISE(auto meta_version, Child(meta, "version"));
  ARROW_ASSIGN_OR_RAISE(auto meta_tags, Child(meta, "tags"));
  ARROW_ASSIGN_OR_RAISE(auto path, Child(sidecar, "path"));
  ARROW_ASSIGN_OR_RAISE(auto size, Child(sidecar, "sizeInBytes"));
  ARROW_ASSIGN_OR_RAISE(auto mtime, Child(sidecar, "modificationTime"));
  ARROW_ASSIGN_OR_RAISE(auto tags, Child(sidecar, "tags"));
  for (int64_t row = 0; row < batch.num_rows(); ++row) {
    if (!meta.IsNull(row)) {
      if (refs->metadata) return arrow::Status::Invalid("two checkpointMetadata rows");
      CheckpointMetadata cm;
      ARROW_ASSIGN_OR_RAISE(cm.version, RequiredInt(meta_version, row));
      ARROW_ASSIGN_OR_RAISE(cm.tags, ReadTags(meta_tags, row));
      refs->metadata = std::move(cm);
    }
    if (!sidecar.IsNull(row)) {
      SidecarFile file;
      ARROW_ASSIGN_OR_RAISE(auto name, ReadString(path, row));
      if (!name || name->empty()) {
        return arrow::Status::Invalid(path.name, " is null or empty in row ", row);
      }
      file.path = std::move(*name);
      ARROW_ASSIGN_OR_RAISE(file.size_in_bytes, RequiredInt(size, row));
      ARROW_ASSIGN_OR_RAISE(file.modification_time, RequiredInt(mtime, row));
      ARROW_ASSIGN_OR_RAISE(file.tags, ReadTags(tags, row));
      refs->sidecars.push_back(std::move(file));
    }
  }
  return arrow::Status::OK();
}

arrow::Status ReadRefs(std::shared_ptr<arrow::Buffer> bytes, V2CheckpointRefs* refs) {
  // Bounded, so that a corrupt header claiming a huge page fails as an error instead
  // of exhausting memory; the two columns are small in any real checkpoint.
  const int64_t limit = std::max<int64_t>(int64_t{1} << 28, bytes->size() * 64);
  arrow::CappedMemoryPool capped(arrow::system_memory_pool(), limit);
  arrow::MemoryPool* pool = &capped;
  auto input = std::make_shared<arrow::io::BufferReader>(std::move(bytes));
  parquet::ReaderProperties props(pool);
  props.set_page_checksum_verification(true);
  auto file = parquet::ParquetFileReader::Open(input, props);
  // Only the two small columns are read, and only when the file has them: a V1
  // checkpoint costs one footer parse here.
  ARROW_ASSIGN_OR_RAISE(auto reader,
                        parquet::arrow::FileReader::Make(pool, std::move(file)));
  std::vector<int> leaves;
  for (const auto& top : reader->manifest().schema_fields) {
    const std::string& name = top.field->name();
    if (name == kMetadataColumn || name == kSidecarColumn) CollectLeaves(top, &leaves);
  }
  if (leaves.empty()) return arrow::Status::OK();
  std::vector<int> row_groups(static_cast<size_t>(reader->num_row_groups()));
  for (size_t idx = 0; idx < row_groups.size(); ++idx)
    row_groups[idx] = static_cast<int>(idx);
  ARROW_ASSIGN_OR_RAISE(auto batches, reader->GetRecordBatchReader(row_groups, leaves));
  while (true) {
    std::shared_ptr<arrow::RecordBatch> batch;
    ARROW_RETURN_NOT_OK(batches->ReadNext(&batch));
    if (batch == nullptr) break;
    ARROW_RETURN_NOT_OK(batch->ValidateFull());
    ARROW_RETURN_NOT_OK(ReadRefRows(*batch, refs));
  }
  return arrow::Status::OK();
}

// One line of a JSON checkpoint into `actions` or `refs`.
arrow::Status ParseJsonLine(const nlohmann::json& line, std::vector<Action>& actions,
                            V2CheckpointRefs* refs) {
  if (!line.is_object()) return ProtocolError("an action must be a JSON object");
  if (auto it = line.find(kMetadataColumn); it != line.end()) {
    if (refs->metadata) return ProtocolError("more than one checkpointMetadata action");
    ARROW_ASSIGN_OR_RAISE(refs->metadata, ParseCheckpointMetadata(*it));
    return arrow::Status::OK();
  }
  if (auto it = line.find(kSidecarColumn); it != line.end()) {
    ARROW_ASSIGN_OR_RAISE(auto sidecar, ParseSidecarFile(*it));
    refs->sidecars.push_back(std::move(sidecar));
    return arrow::Status::OK();
  }
  auto action = ParseAction(line);
  if (action.status().IsNotImplemented()) return arrow::Status::OK();  // unknown type
  ARROW_RETURN_NOT_OK(action.status());
  if (std::holds_alternative<CommitInfo>(*action) ||
      std::holds_alternative<Cdc>(*action)) {
    return arrow::Status::OK();
  }
  actions.push_back(std::move(action).ValueUnsafe());
  return arrow::Status::OK();
}

}  // namespace

arrow::Status DecodeV2CheckpointRefs(std::shared_ptr<arrow::Buffer> bytes,
                                     std::string_view source, V2CheckpointRefs* refs) {
  if (bytes == nullptr)
    return ProtocolError(std::string(source) + ": no checkpoint bytes");
  arrow::Status status;
  try {
    status = ReadRefs(std::move(bytes), refs);
  } catch (const std::exception& e) {
    // Thrift and Parquet internals throw on corrupt metadata.
    status = arrow::Status::IOError(e.what());
  }
  if (!status.ok()) {
    return ProtocolError(std::string(source) +
                         ": unreadable checkpoint: " + status.message());
  }
  return arrow::Status::OK();
}

arrow::Status DecodeJsonCheckpoint(std::shared_ptr<arrow::Buffer> bytes,
                                   std::string_view source,
                                   const CheckpointBatchConsumer& consume,
                                   V2CheckpointRefs* refs, int64_t batch_rows) {
  if (bytes == nullptr)
    return ProtocolError(std::string(source) + ": no checkpoint bytes");
  const std::string_view content(reinterpret_cast<const char*>(bytes->data()),
                                 static_cast<size_t>(bytes->size()));
  const size_t limit = static_cast<size_t>(std::max<int64_t>(1, batch_rows));
  std::vector<Action> actions;
  size_t line_no = 0;
  size_t pos = 0;
  while (pos < content.size()) {
    size_t end = content.find('\n', pos);
    if (end == std::string_view::npos) end = content.size();
    const std::string_view line = content.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    auto where = [&] {
      return std::string(source) + ":" + std::to_string(line_no) + ": ";
    };
    nlohmann::json parsed = nlohmann::json::parse(line.begin(), line.end(), nullptr,
                                                  /*allow_exceptions=*/false);
    if (parsed.is_discarded()) return ProtocolError(where() + "malformed JSON");
    arrow::Status st = ParseJsonLine(parsed, actions, refs);
    if (!st.ok()) return ProtocolError(where() + st.message());
    if (actions.size() >= limit) {
      ARROW_RETURN_NOT_OK(consume(actions));
      actions.clear();
    }
  }
  if (!actions.empty()) ARROW_RETURN_NOT_OK(consume(actions));
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
