#pragma once

// Test and benchmark support: deletion vectors written the way Delta's writers write
// them (a DV file of format version 1 with one RoaringBitmapArray framed by its size
// and CRC-32, or inline Z85 text), and a commit that attaches them to live files.
// The roaring bytes come from roaring_test_util.h, the independent test encoder.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"

namespace deltaline::testing {

/// \brief Writes `rows` (ascending, distinct, >= 0) as a `u` DV: a new file
/// `[<prefix>/]deletion_vector_<uuid>.bin` under the table root. `prefix` must be
/// Z85 characters that make a directory name (Delta uses two letters, or none).
arrow::Result<delta::DeletionVectorDescriptor> WriteDeletionVectorFile(
    delta::LogStore& store, const std::vector<int64_t>& rows,
    const std::string& prefix = "");

/// \brief `rows` as an inline (`i`) DV.
arrow::Result<delta::DeletionVectorDescriptor> InlineDeletionVector(
    const std::vector<int64_t>& rows);

/// \brief One commit that gives each live file named in `dvs` (by add.path) the DV
/// mapped to it: a remove of the file as it is and an add of the same file with the
/// DV (stats kept, as Spark keeps them, with tightBounds false). Adds the
/// deletionVectors reader and writer feature to the protocol when it lacks it, which
/// makes the table refuse deltaline's writes from then on: so this works once per
/// table. Returns the version committed.
arrow::Result<int64_t> CommitDeletionVectors(
    delta::LogStore& store,
    const std::map<std::string, delta::DeletionVectorDescriptor>& dvs);

}  // namespace deltaline::testing
