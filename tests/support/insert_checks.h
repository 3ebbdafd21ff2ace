#pragma once
// Helpers of the engine's insert tests: a table's rows, its latest commit with
// timestamps and ids removed, and its rows as delta-rs reads them. Header-only.

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include <arrow/acero/exec_plan.h>
#include <arrow/acero/options.h>
#include <arrow/result.h>
#include <arrow/table.h>
#include <nlohmann/json.hpp>

#include "engine/delta_source.h"
#include "support/deltars_reader.h"

namespace deltaline::engine::testing {

namespace detail {

inline void EraseTimings(nlohmann::json* metrics) {
  for (auto it = metrics->begin(); it != metrics->end();) {
    if (it.key().find("Time") != std::string::npos) {
      it = metrics->erase(it);
    } else {
      ++it;
    }
  }
}

inline nlohmann::json Normalise(nlohmann::json action) {
  if (action.contains("commitInfo")) {
    auto& info = action["commitInfo"];
    for (const char* key : {"timestamp", "txnId", "inCommitTimestamp"}) info.erase(key);
    if (info.contains("operationMetrics")) EraseTimings(&info["operationMetrics"]);
  } else if (action.contains("metaData")) {
    action["metaData"].erase("id");
    action["metaData"].erase("createdTime");
  } else if (action.contains("add") || action.contains("remove")) {
    auto& file = action.contains("add") ? action["add"] : action["remove"];
    for (const char* key : {"path", "size", "modificationTime", "deletionTimestamp"}) {
      file.erase(key);
    }
  }
  return action;
}

}  // namespace detail

inline arrow::Result<std::shared_ptr<arrow::Table>> ReadDelta(const std::string& uri) {
  ARROW_ASSIGN_OR_RAISE(auto handle, OpenDeltaTable(uri));
  ARROW_ASSIGN_OR_RAISE(auto source, DeltaSourceDeclaration(handle));
  return arrow::acero::DeclarationToTable(std::move(source));
}

inline arrow::Result<nlohmann::json> NormalisedCommit(const std::string& uri,
                                                      int64_t version) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld.json", static_cast<long long>(version));
  std::ifstream in(uri + "/_delta_log/" + name);
  if (!in) return arrow::Status::IOError("no commit ", version, " in ", uri);
  nlohmann::json other = nlohmann::json::array(), files = nlohmann::json::array();
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto action = detail::Normalise(nlohmann::json::parse(line));
    (action.contains("add") || action.contains("remove") ? files : other)
        .push_back(std::move(action));
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.dump() < b.dump(); });
  return nlohmann::json{{"actions", other}, {"files", files}};
}

inline arrow::Result<std::string> DeltaRsRows(const std::string& uri) {
  return deltaline::testing::ReadWithDeltaRs(
      uri,
      "rows = sorted(json.dumps(r, sort_keys=True) for r in "
      "t.to_pyarrow_table().to_pylist())\n"
      "print('\\n'.join(rows))\n");
}

inline arrow::acero::Declaration TableSource(std::shared_ptr<arrow::Table> table,
                                             int64_t batch_rows = 2) {
  return arrow::acero::Declaration(
      "table_source", arrow::acero::TableSourceNodeOptions(std::move(table), batch_rows));
}

}  // namespace deltaline::engine::testing
