#pragma once

#include <cstdint>

#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/log/transaction.h"

namespace deltaline::delta {

struct TablePropertiesUpdate {
  int64_t version = -1;    ///< the committed version; the current one when unchanged
  bool committed = false;  ///< false when every property already had its value
  StringMap changed;       ///< the properties whose value changed
};

/// \brief Sets table properties of an existing table as one committed metadata update,
/// recorded in history as operation `SET TBLPROPERTIES` (Spark's name) with the
/// properties as its parameter. Values are validated as at creation
/// (ValidateTableProperties). Keys already at the given value are not rewritten; when
/// none changes nothing is committed. A concurrent commit of any other metadata
/// change fails it with kConcurrentModification/kMetadataChanged.
arrow::Result<TablePropertiesUpdate> SetTableProperties(
    LogStore& store, const StringMap& properties, const CommitRetryPolicy& retry = {});

}  // namespace deltaline::delta
