#include "obs/run_store.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include <arrow/api.h>
#include <arrow/compute/api.h>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "delta/scan/scan.h"

namespace deltaline::obs {
namespace {

using nlohmann::json;

std::shared_ptr<arrow::Schema> RunsSchema() {
  auto ts = arrow::timestamp(arrow::TimeUnit::MICRO, "UTC");
  return arrow::schema(
      {arrow::field("run_id", arrow::utf8(), false),
       arrow::field("pipeline_id", arrow::utf8()),
       arrow::field("sequence", arrow::int64()), arrow::field("started_at", ts),
       arrow::field("ended_at", ts), arrow::field("outcome", arrow::utf8()),
       arrow::field("error", arrow::utf8()), arrow::field("outputs", arrow::int64()),
       arrow::field("committed_outputs", arrow::int64()),
       arrow::field("rows_added", arrow::int64()),
       arrow::field("manifest", arrow::utf8())});
}

template <typename Builder, typename Value>
arrow::Result<std::shared_ptr<arrow::Array>> One(std::shared_ptr<arrow::DataType> type,
                                                 const Value& value) {
  Builder builder(type, arrow::default_memory_pool());
  ARROW_RETURN_NOT_OK(builder.Append(value));
  return builder.Finish();
}

arrow::Result<std::shared_ptr<arrow::Array>> Text(const json& value) {
  arrow::StringBuilder builder;
  if (value.is_string()) {
    ARROW_RETURN_NOT_OK(builder.Append(value.get<std::string>()));
  } else {
    ARROW_RETURN_NOT_OK(builder.AppendNull());
  }
  return builder.Finish();
}

int64_t Number(const json& object, const char* key) {
  return object.contains(key) && object[key].is_number_integer()
             ? object[key].get<int64_t>()
             : 0;
}

// The `_runs` row of a manifest; microseconds, as Delta stores timestamps.
arrow::Result<std::shared_ptr<arrow::Table>> RunRowTable(const json& manifest) {
  auto schema = RunsSchema();
  const json totals = manifest.value("totals", json::object());
  std::vector<std::shared_ptr<arrow::Array>> columns;
  auto add = [&columns](arrow::Result<std::shared_ptr<arrow::Array>> array) {
    ARROW_RETURN_NOT_OK(array.status());
    columns.push_back(std::move(array).ValueUnsafe());
    return arrow::Status::OK();
  };
  auto number = [&](int64_t value) {
    return add(One<arrow::Int64Builder>(arrow::int64(), value));
  };
  auto time = [&](const char* key) {
    return add(One<arrow::TimestampBuilder>(schema->field(3)->type(),
                                            Number(manifest, key) * 1000));
  };
  ARROW_RETURN_NOT_OK(add(Text(manifest.value("runId", json(nullptr)))));
  ARROW_RETURN_NOT_OK(add(Text(manifest.value("pipelineId", json(nullptr)))));
  ARROW_RETURN_NOT_OK(number(Number(manifest, "sequence")));
  ARROW_RETURN_NOT_OK(time("startedAt"));
  ARROW_RETURN_NOT_OK(time("endedAt"));
  ARROW_RETURN_NOT_OK(add(Text(manifest.value("outcome", json(nullptr)))));
  ARROW_RETURN_NOT_OK(add(Text(manifest.value("error", json(nullptr)))));
  ARROW_RETURN_NOT_OK(number(Number(totals, "outputs")));
  ARROW_RETURN_NOT_OK(number(Number(totals, "committedOutputs")));
  ARROW_RETURN_NOT_OK(number(Number(totals, "rowsAdded")));
  ARROW_RETURN_NOT_OK(add(Text(json(manifest.dump()))));
  return arrow::Table::Make(schema, columns, 1);
}

// The rows of `_runs` (those matching `filter`, when given); none when there is no
// `_runs` table yet.
arrow::Result<std::vector<RunRow>> ReadRuns(
    const std::string& lake_uri, std::optional<arrow::compute::Expression> filter) {
  ARROW_ASSIGN_OR_RAISE(auto store,
                        delta::FileSystemLogStore::Open(RunsTableUri(lake_uri)));
  auto snapshot = delta::Snapshot::Load(*store);
  if (!snapshot.ok() &&
      delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) {
    return std::vector<RunRow>{};
  }
  ARROW_RETURN_NOT_OK(snapshot.status());
  delta::ScanOptions scan;
  if (filter) {
    // Binding looks the comparison up in the registry, which starts empty.
    ARROW_RETURN_NOT_OK(arrow::compute::Initialize());
    ARROW_ASSIGN_OR_RAISE(scan.filter, filter->Bind(*(*snapshot)->schema()));
  }
  ARROW_ASSIGN_OR_RAISE(auto table, delta::ReadSnapshot(*store, *snapshot, scan));
  ARROW_ASSIGN_OR_RAISE(auto batch, table->CombineChunksToBatch());
  auto text = [&batch](const char* name, int64_t row) -> std::string {
    auto array =
        std::static_pointer_cast<arrow::StringArray>(batch->GetColumnByName(name));
    return array->IsNull(row) ? std::string() : array->GetString(row);
  };
  auto number = [&batch](const char* name, int64_t row) -> int64_t {
    auto array =
        std::static_pointer_cast<arrow::Int64Array>(batch->GetColumnByName(name));
    return array->IsNull(row) ? 0 : array->Value(row);
  };
  auto millis = [&batch](const char* name, int64_t row) -> int64_t {
    auto array =
        std::static_pointer_cast<arrow::TimestampArray>(batch->GetColumnByName(name));
    return array->IsNull(row) ? 0 : array->Value(row) / 1000;
  };
  std::vector<RunRow> rows;
  for (int64_t row = 0; row < batch->num_rows(); ++row) {
    rows.push_back({text("run_id", row), text("pipeline_id", row),
                    number("sequence", row), millis("started_at", row),
                    millis("ended_at", row), text("outcome", row), text("error", row),
                    number("outputs", row), number("committed_outputs", row),
                    number("rows_added", row), text("manifest", row)});
  }
  std::stable_sort(rows.begin(), rows.end(), [](const RunRow& a, const RunRow& b) {
    return std::tie(a.started_ms, a.sequence) < std::tie(b.started_ms, b.sequence);
  });
  return rows;
}

}  // namespace

std::string RunsTableUri(const std::string& lake_uri) {
  std::string base = lake_uri;
  while (base.size() > 1 && base.back() == '/') base.pop_back();
  return base + "/_runs";
}

arrow::Status WriteManifest(const json& manifest, const std::string& run_dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(run_dir, error);
  if (error) {
    return arrow::Status::IOError("cannot create run directory ", run_dir, ": ",
                                  error.message());
  }
  const fs::path target = fs::path(run_dir) / "manifest.json";
  const fs::path aside = fs::path(run_dir) / ".manifest.json.tmp";
  {
    std::ofstream out(aside, std::ios::binary | std::ios::trunc);
    out << manifest.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    out.flush();
    if (!out) return arrow::Status::IOError("cannot write ", aside.string());
  }
  fs::rename(aside, target, error);
  if (error) {
    return arrow::Status::IOError("cannot rename ", aside.string(), " to ",
                                  target.string(), ": ", error.message());
  }
  return arrow::Status::OK();
}

arrow::Result<storage::WriteResult> AppendRunRow(
    const json& manifest, const std::string& lake_uri,
    const storage::StorageWriteOptions& options) {
  if (!manifest.is_object() || !manifest.value("runId", json()).is_string() ||
      manifest["runId"].get<std::string>().empty()) {
    return delta::InvalidInput("a run manifest needs a non-empty runId");
  }
  ARROW_ASSIGN_OR_RAISE(auto table, RunRowTable(manifest));
  // Only the policies carry over: a caller passing a dataset's options must not give
  // `_runs` that dataset's partitioning, keys, constraints or txn.
  storage::StorageWriteOptions append;
  append.output = options.output;
  append.write = options.write;
  append.update_table_properties = options.update_table_properties;
  append.run = options.run;
  append.on_retry = options.on_retry;
  append.reporter = options.reporter;
  append.delta.retry = options.delta.retry;
  append.delta.mode = delta::SaveMode::kAppend;
  append.dataset = "_runs";
  return storage::WriteTableDelta(*table, RunsTableUri(lake_uri), append);
}

arrow::Result<std::vector<RunRow>> ListRuns(const std::string& lake_uri) {
  return ReadRuns(lake_uri, std::nullopt);
}

arrow::Result<json> FindRun(const std::string& lake_uri, const std::string& run_id) {
  namespace cp = arrow::compute;
  ARROW_ASSIGN_OR_RAISE(auto rows, ReadRuns(lake_uri, cp::equal(cp::field_ref("run_id"),
                                                                cp::literal(run_id))));
  if (rows.empty()) {
    return arrow::Status(arrow::StatusCode::KeyError,
                         "no run '" + run_id + "' in " + RunsTableUri(lake_uri),
                         std::make_shared<RunNotFoundDetail>());
  }
  json manifest = json::parse(rows.back().manifest, nullptr, false);
  if (manifest.is_discarded()) {
    return delta::ProtocolError("the manifest of run '" + run_id + "' in " +
                                RunsTableUri(lake_uri) + " is not valid JSON");
  }
  return manifest;
}

bool IsRunNotFound(const arrow::Status& status) {
  return status.detail() != nullptr &&
         std::string(status.detail()->type_id()) == RunNotFoundDetail::kTypeId;
}

}  // namespace deltaline::obs
