#pragma once

// The parts of CloneTable (clone.cc): the verified file copier (clone_files.cc) and
// the protocol rules (clone_protocol.cc). Not installed.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <arrow/status.h>

#include "delta/base/actions.h"
#include "delta/log/log_store.h"
#include "delta/ops/clone.h"

namespace deltaline::delta::clone_internal {

/// One file to copy from the source's filesystem to the target's.
struct CopyJob {
  std::string source_path;    ///< path of the source filesystem
  std::string target_path;    ///< path of the target filesystem
  std::string name;           ///< relative path under the target root, for messages
  int64_t expected_size = 0;  ///< add.size, or the size listed for a DV file
  bool deletion_vector = false;
};

/// What the copier did; `written` is filled even when it fails.
struct CopyOutcome {
  int64_t copied_files = 0;  ///< data files copied
  int64_t copied_bytes = 0;
  int64_t copied_dv_files = 0;
  int64_t reused_files = 0;          ///< identical files already at the target path
  std::vector<std::string> written;  ///< target paths this call created
};

/// \brief Copies `jobs` in parallel on Arrow's IO pool. Each copy is hashed (CRC-32)
/// as it is written and read back; size or CRC mismatches fail naming the file. A file
/// already at a target path is reused when identical, refused otherwise: nothing is
/// ever overwritten.
arrow::Status CopyVerified(LogStore& source, LogStore& target,
                           const std::vector<CopyJob>& jobs,
                           const std::function<void(const CloneProgress&)>& progress,
                           CopyOutcome& outcome);

/// \brief Deletes `paths` from the target's filesystem (best effort: cleanup after a
/// failure must not mask the failure).
void DeleteWritten(LogStore& target, const std::vector<std::string>& paths);

/// \brief kUnsupportedFeature naming the first writer feature of `protocol` that a
/// clone cannot carry correctly (the clone writes version 0 as a writer of the table).
arrow::Status CheckCloneSupported(const Protocol& protocol);

}  // namespace deltaline::delta::clone_internal
