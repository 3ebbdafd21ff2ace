#include "delta/log/log_replay.h"

#include <type_traits>
#include <utility>

#include "delta/base/errors.h"

namespace deltaline::delta {

std::string FileKey(const std::string& path,
                    const std::optional<DeletionVectorDescriptor>& dv) {
  if (!dv) return path;
  return path + '\0' + dv->UniqueId();
}

namespace {

// Visits const actions (copied into the state) or movable ones (moved into it).
struct Applier {
  TableState& state;
  const std::string& source;
  VersionCounts& counts;

  arrow::Status operator()(const Protocol& p) {
    if (++counts.protocols > 1) {
      return ProtocolError(source + ": more than one protocol action");
    }
    state.protocol = p;
    return arrow::Status::OK();
  }
  arrow::Status operator()(const Metadata& m) {
    if (++counts.metadatas > 1) {
      return ProtocolError(source + ": more than one metaData action");
    }
    state.metadata = m;
    return arrow::Status::OK();
  }
  template <typename A>
  requires std::is_same_v<std::remove_cvref_t<A>, Add> arrow::Status operator()(A&& a) {
    std::string key = FileKey(a.path, a.deletion_vector);
    state.tombstones.erase(key);
    // Checkpoints (ours, and Spark's mostly) list files in path order: hinting at the
    // end makes those inserts constant time, and costs nothing when wrong.
    state.files.insert_or_assign(state.files.end(), std::move(key), std::forward<A>(a));
    return arrow::Status::OK();
  }
  template <typename R>
  requires std::is_same_v<std::remove_cvref_t<R>, Remove> arrow::Status operator()(
      R&& r) {
    std::string key = FileKey(r.path, r.deletion_vector);
    state.files.erase(key);
    state.tombstones.insert_or_assign(std::move(key), std::forward<R>(r));
    return arrow::Status::OK();
  }
  arrow::Status operator()(const Txn& t) {
    state.txns[t.app_id] = t;
    return arrow::Status::OK();
  }
  arrow::Status operator()(const CommitInfo& ci) {
    if (ci.in_commit_timestamp) {
      state.last_commit_timestamp = ci.in_commit_timestamp;
    } else if (ci.timestamp) {
      state.last_commit_timestamp = ci.timestamp;
    }
    return arrow::Status::OK();
  }
  arrow::Status operator()(const Cdc&) { return arrow::Status::OK(); }
  arrow::Status operator()(const DomainMetadata& d) {
    if (d.removed) {
      state.domains.erase(d.domain);
    } else {
      state.domains[d.domain] = d;
    }
    return arrow::Status::OK();
  }
};

}  // namespace

arrow::Status ApplyActions(TableState& state, const std::vector<Action>& actions,
                           int64_t version, const std::string& source) {
  VersionCounts counts;
  Applier applier{state, source, counts};
  state.last_commit_timestamp.reset();
  for (const auto& action : actions) {
    ARROW_RETURN_NOT_OK(std::visit(applier, action));
  }
  state.version = version;
  return arrow::Status::OK();
}

arrow::Status ApplyActionBatch(TableState& state, std::vector<Action>& actions,
                               int64_t version, const std::string& source,
                               VersionCounts& counts) {
  Applier applier{state, source, counts};
  // A version's timestamp comes from its own commitInfo, not an earlier version's.
  if (state.version != version) state.last_commit_timestamp.reset();
  for (auto& action : actions) {
    ARROW_RETURN_NOT_OK(std::visit(applier, std::move(action)));
  }
  state.version = version;
  return arrow::Status::OK();
}

std::vector<Action> CheckpointActions(const TableState& state, int64_t min_tombstone_ms) {
  std::vector<Action> out;
  if (state.protocol) out.emplace_back(*state.protocol);
  if (state.metadata) out.emplace_back(*state.metadata);
  for (const auto& [app, txn] : state.txns) out.emplace_back(txn);
  for (const auto& [domain, dm] : state.domains) out.emplace_back(dm);
  for (const auto& [key, add] : state.files) {
    Add copy = add;
    copy.data_change = false;  // a checkpoint restates files, it changes no data
    out.emplace_back(std::move(copy));
  }
  for (const auto& [key, remove] : state.tombstones) {
    if (remove.deletion_timestamp.value_or(0) >= min_tombstone_ms) {
      Remove copy = remove;
      copy.data_change = false;
      out.emplace_back(std::move(copy));
    }
  }
  return out;
}

}  // namespace deltaline::delta
