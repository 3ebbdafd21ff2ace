#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <arrow/status.h>

#include "delta/base/actions.h"

namespace deltaline::delta {

/// \brief The reconciled state of a table at one version: a pure function of the
/// actions replayed into it, in version order. No IO.
struct TableState {
  int64_t version = -1;
  std::optional<Protocol> protocol;
  std::optional<Metadata> metadata;
  /// Live files, keyed by FileKey(path, deletion vector).
  std::map<std::string, Add> files;
  /// Removed files, keyed like `files`; kept for checkpoints until they expire.
  std::map<std::string, Remove> tombstones;
  std::map<std::string, Txn> txns;                ///< by appId
  std::map<std::string, DomainMetadata> domains;  ///< by domain, removed ones dropped
  /// commitInfo timestamp (or inCommitTimestamp) of the last commit replayed.
  std::optional<int64_t> last_commit_timestamp;
};

/// \brief Reconciliation key of a file: its path plus its deletion vector's unique
/// id, as the protocol defines file identity.
std::string FileKey(const std::string& path,
                    const std::optional<DeletionVectorDescriptor>& dv);

/// \brief Applies one commit's (or one checkpoint's) actions at `version`. Checks
/// the per-commit invariants: at most one protocol and one metaData per version.
/// `source` names the file in errors.
arrow::Status ApplyActions(TableState& state, const std::vector<Action>& actions,
                           int64_t version, const std::string& source);

/// \brief What the per-version checks have seen so far at one version.
struct VersionCounts {
  int protocols = 0;
  int metadatas = 0;
};

/// \brief Applies one batch of a version whose actions arrive in several batches (a
/// checkpoint decoded a row batch at a time, the parts of a multi-part checkpoint).
/// Pass the same `counts` for every batch of the version, starting from `{}`, so the
/// at-most-one checks span the batches. Moves out of `actions` instead of copying
/// paths and stats; the vector is left with moved-from actions.
arrow::Status ApplyActionBatch(TableState& state, std::vector<Action>& actions,
                               int64_t version, const std::string& source,
                               VersionCounts& counts);

/// \brief The actions of a checkpoint for `state`: protocol, metaData, txns, domain
/// metadata, live adds and the tombstones deleted at or after `min_tombstone_ms`.
std::vector<Action> CheckpointActions(const TableState& state, int64_t min_tombstone_ms);

}  // namespace deltaline::delta
