#pragma once

#include <memory>
#include <string>

#include <arrow/acero/exec_plan.h>
#include <arrow/result.h>

#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"
#include "engine/catalog.h"

namespace deltaline::engine {

/// \brief A Delta table pinned at one snapshot: what a catalog binding holds.
struct DeltaTableHandle {
  std::string uri;
  std::shared_ptr<delta::LogStore> store;
  std::shared_ptr<const delta::Snapshot> snapshot;
};

/// \brief Loads the snapshot of `uri` that `at` selects (reader features checked).
arrow::Result<std::shared_ptr<DeltaTableHandle>> OpenDeltaTable(
    const std::string& uri, const DeltaVersionSpec& at = {});

/// \brief A source declaration that streams the rows of `table`'s snapshot in the
/// table's Arrow schema, exactly as `deltaline read` does (partition columns, missing
/// columns as null, deletion vectors, column mapping, type widening).
arrow::Result<arrow::acero::Declaration> DeltaSourceDeclaration(
    std::shared_ptr<DeltaTableHandle> table);

}  // namespace deltaline::engine
