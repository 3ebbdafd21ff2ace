#include "anatomy/state_table.h"

#include <algorithm>

#include <arrow/array.h>
#include <arrow/builder.h>
#include <arrow/type.h>

#include "anatomy/ids.h"
#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"
#include "pipeline/output_write.h"

namespace deltaline::anatomy {
namespace {

std::shared_ptr<arrow::Schema> StateSchema() {
  return arrow::schema({
      arrow::field("file_id", arrow::int64(), false),
      arrow::field("file_bucket", arrow::int32(), false),
      arrow::field("path", arrow::utf8(), false),
      arrow::field("size", arrow::int64()),
      arrow::field("mtime_ns", arrow::int64()),
      arrow::field("sha256", arrow::utf8()),
      arrow::field("exports_hash", arrow::utf8()),
      arrow::field("summary_json", arrow::utf8()),
      arrow::field("skip_reason", arrow::utf8()),
  });
}

template <typename ArrayType>
arrow::Result<std::shared_ptr<ArrayType>> Column(const arrow::Table& table,
                                                 const std::string& name) {
  auto column = table.GetColumnByName(name);
  if (!column) {
    return delta::SchemaMismatch("state table " + std::string(kStateTable) +
                                 " has no column '" + name + "'");
  }
  // The caller combined the chunks: one chunk, or none for an empty table.
  if (column->num_chunks() != 1 ||
      column->chunk(0)->type_id() != ArrayType::TypeClass::type_id) {
    return delta::SchemaMismatch("state table column '" + name + "' has type " +
                                 column->type()->ToString());
  }
  return std::static_pointer_cast<ArrayType>(column->chunk(0));
}

}  // namespace

const pipeline::DatasetSpec& StateSpec() {
  static const pipeline::DatasetSpec spec = [] {
    pipeline::DatasetSpec s;
    s.name = kStateTable;
    s.schema = StateSchema();
    s.partition_by = {"file_bucket"};
    s.stats_columns = {"file_id", "path"};
    s.not_null = {"file_id", "file_bucket", "path"};
    s.unique_key = {"file_id"};
    s.on_violation = pipeline::ViolationAction::kFailRun;
    return s;
  }();
  return spec;
}

arrow::Result<std::shared_ptr<arrow::Table>> BuildStateTable(
    const std::vector<FileState>& files) {
  arrow::Int64Builder file_id, size, mtime;
  arrow::Int32Builder bucket;
  arrow::StringBuilder path, sha, exports, summary, skip;
  for (const auto& file : files) {
    ARROW_RETURN_NOT_OK(file_id.Append(file.file_id));
    ARROW_RETURN_NOT_OK(bucket.Append(FileBucket(file.file_id)));
    ARROW_RETURN_NOT_OK(path.Append(file.path));
    ARROW_RETURN_NOT_OK(size.Append(file.size));
    ARROW_RETURN_NOT_OK(mtime.Append(file.mtime_ns));
    ARROW_RETURN_NOT_OK(sha.Append(file.sha256));
    ARROW_RETURN_NOT_OK(exports.Append(file.exports_hash));
    ARROW_RETURN_NOT_OK(summary.Append(file.summary_json));
    ARROW_RETURN_NOT_OK(skip.Append(file.skip_reason));
  }
  std::vector<std::shared_ptr<arrow::Array>> columns(9);
  ARROW_RETURN_NOT_OK(file_id.Finish(&columns[0]));
  ARROW_RETURN_NOT_OK(bucket.Finish(&columns[1]));
  ARROW_RETURN_NOT_OK(path.Finish(&columns[2]));
  ARROW_RETURN_NOT_OK(size.Finish(&columns[3]));
  ARROW_RETURN_NOT_OK(mtime.Finish(&columns[4]));
  ARROW_RETURN_NOT_OK(sha.Finish(&columns[5]));
  ARROW_RETURN_NOT_OK(exports.Finish(&columns[6]));
  ARROW_RETURN_NOT_OK(summary.Finish(&columns[7]));
  ARROW_RETURN_NOT_OK(skip.Finish(&columns[8]));
  return arrow::Table::Make(StateSchema(), columns);
}

arrow::Result<std::vector<FileState>> StateFromTable(const arrow::Table& input) {
  if (input.num_rows() == 0) return std::vector<FileState>{};
  ARROW_ASSIGN_OR_RAISE(auto combined, input.CombineChunks());
  const arrow::Table& table = *combined;
  ARROW_ASSIGN_OR_RAISE(auto file_id, Column<arrow::Int64Array>(table, "file_id"));
  ARROW_ASSIGN_OR_RAISE(auto path, Column<arrow::StringArray>(table, "path"));
  ARROW_ASSIGN_OR_RAISE(auto size, Column<arrow::Int64Array>(table, "size"));
  ARROW_ASSIGN_OR_RAISE(auto mtime, Column<arrow::Int64Array>(table, "mtime_ns"));
  ARROW_ASSIGN_OR_RAISE(auto sha, Column<arrow::StringArray>(table, "sha256"));
  ARROW_ASSIGN_OR_RAISE(auto exports, Column<arrow::StringArray>(table, "exports_hash"));
  ARROW_ASSIGN_OR_RAISE(auto summary, Column<arrow::StringArray>(table, "summary_json"));
  ARROW_ASSIGN_OR_RAISE(auto skip, Column<arrow::StringArray>(table, "skip_reason"));
  std::vector<FileState> files(static_cast<size_t>(table.num_rows()));
  for (int64_t i = 0; i < table.num_rows(); ++i) {
    FileState& file = files[static_cast<size_t>(i)];
    file.file_id = file_id->Value(i);
    file.path = path->GetString(i);
    file.size = size->Value(i);
    file.mtime_ns = mtime->Value(i);
    file.sha256 = sha->GetString(i);
    file.exports_hash = exports->GetString(i);
    file.summary_json = summary->GetString(i);
    file.skip_reason = skip->GetString(i);
  }
  std::sort(files.begin(), files.end(),
            [](const FileState& a, const FileState& b) { return a.path < b.path; });
  return files;
}

arrow::Result<StoredState> ReadState(const std::string& lake, const std::string& app_id) {
  StoredState state;
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(
                                        pipeline::OutputUri(lake, kStateTable)));
  auto snapshot = delta::Snapshot::Load(*store);
  if (!snapshot.ok()) {
    if (delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) return state;
    return snapshot.status();
  }
  state.exists = true;
  state.version = (*snapshot)->version();
  state.sequence = (*snapshot)->AppTransactionVersion(app_id);
  ARROW_ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(*store, *snapshot));
  ARROW_ASSIGN_OR_RAISE(state.files, StateFromTable(*table));
  return state;
}

}  // namespace deltaline::anatomy
