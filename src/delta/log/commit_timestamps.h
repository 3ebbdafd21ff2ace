#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <arrow/result.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief Where a table's in-commit timestamps (the `inCommitTimestamp` writer
/// feature) start, from its latest metaData. PROTOCOL.md, "In-Commit Timestamps".
struct InCommitTimestampSpan {
  /// `delta.enableInCommitTimestamps` is `true`.
  bool enabled = false;
  /// `delta.inCommitTimestampEnablementVersion`; 0 when the table had ICT from its
  /// creation (the property is absent then).
  int64_t first_version = 0;
  /// `delta.inCommitTimestampEnablementTimestamp`: the enabling commit's ICT (ms).
  std::optional<int64_t> first_timestamp_ms;
};

/// \brief Reads the span from a table configuration. An unparsable enablement
/// version or timestamp is a kProtocol error (time travel would pick wrong versions).
arrow::Result<InCommitTimestampSpan> InCommitTimestampSpanOf(const StringMap& config);

/// \brief The timestamp of one commit, as time travel and `history` use it.
/// - versions covered by `span`: the commitInfo's `inCommitTimestamp`;
/// - other versions of a table with in-commit timestamps: the file modification time
///   (`mtime_ms`), as the protocol says;
/// - tables without them: commitInfo.timestamp, else the modification time.
int64_t CommitTimestampOf(const std::vector<Action>& actions, int64_t version,
                          int64_t mtime_ms, const InCommitTimestampSpan& span);

/// \brief Raises the timestamps (version → ms, in version order) that are not in-commit
/// timestamps so that they strictly increase, as Spark's history does; in-commit
/// timestamps are monotonic by the writer's rule and are left as committed.
void MakeMonotonic(std::map<int64_t, int64_t>& timestamps,
                   const InCommitTimestampSpan& span);

/// \brief The newest version committed at or before `timestamp_ms`, or nullopt. With
/// in-commit timestamps, a time at or after the enablement timestamp is looked up
/// among the versions that have them only, an earlier time among the others only.
std::optional<int64_t> VersionAtTimestamp(const std::map<int64_t, int64_t>& timestamps,
                                          const InCommitTimestampSpan& span,
                                          int64_t timestamp_ms);

}  // namespace deltaline::delta
