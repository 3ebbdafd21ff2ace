#include "pipeline/output_write.h"

#include <type_traits>
#include <utility>

#include "delta/base/errors.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "engine/insert_into.h"

namespace deltaline::pipeline {

std::string OutputUri(const std::string& lake, const std::string& dataset) {
  if (!lake.empty() && lake.back() == '/') return lake + dataset;
  return lake + "/" + dataset;
}

arrow::Result<std::optional<int64_t>> TableVersion(const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(auto store, delta::FileSystemLogStore::Open(uri));
  auto snapshot = delta::Snapshot::Load(*store);
  if (!snapshot.ok()) {
    if (delta::IsKind(snapshot.status(), delta::ErrorKind::kTableNotFound)) {
      return std::optional<int64_t>();
    }
    return snapshot.status();
  }
  return std::optional<int64_t>((*snapshot)->version());
}

arrow::Result<OutputWriteResult> WriteOutputDefault(
    const Output& output, NodeValue value, const std::string& lake,
    storage::StorageWriteOptions options) {
  OutputWriteResult result;
  result.dataset = output.spec.name;
  result.uri = OutputUri(lake, output.spec.name);
  ARROW_ASSIGN_OR_RAISE(result.version_before, TableVersion(result.uri));
  const std::string& uri = result.uri;
  auto write = std::visit(
      [&](auto&& v) -> arrow::Result<storage::WriteResult> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, arrow::acero::Declaration>) {
          engine::InsertOptions insert;
          insert.storage = std::move(options);
          return engine::InsertInto(std::move(v), uri, insert);
        } else if constexpr (std::is_same_v<T,
                                            std::shared_ptr<arrow::RecordBatchReader>>) {
          if (!v)
            return delta::InvalidInput("output '" + output.spec.name + "': null stream");
          return storage::WriteDatasetDelta(*v, uri, options);
        } else {
          if (!v)
            return delta::InvalidInput("output '" + output.spec.name + "': null table");
          return storage::WriteTableDelta(*v, uri, options);
        }
      },
      value);
  ARROW_ASSIGN_OR_RAISE(result.write, std::move(write));
  return result;
}

}  // namespace deltaline::pipeline
