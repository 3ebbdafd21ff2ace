#include "delta/log_replay.h"

#include "delta/errors.h"

namespace deltaline::delta {

std::string FileKey(const std::string& path,
                    const std::optional<DeletionVectorDescriptor>& dv) {
  if (!dv) return path;
  return path + '\0' + dv->UniqueId();
}

namespace {

struct Applier {
  TableState& state;
  int64_t version;
  const std::string& source;
  int protocols = 0;
  int metadatas = 0;

  arrow::Status operator()(const Protocol& p) {
    if (++protocols > 1) return ProtocolError(source + ": more than one protocol action");
    state.protocol = p;
    return arrow::Status::OK();
  }
  arrow::Status operator()(const Metadata& m) {
    if (++metadatas > 1) return ProtocolError(source + ": more than one metaData action");
    state.metadata = m;
    return arrow::Status::OK();
  }
  arrow::Status operator()(const Add& a) {
    std::string key = FileKey(a.path, a.deletion_vector);
    state.tombstones.erase(key);
    state.files[key] = a;
    return arrow::Status::OK();
  }
  arrow::Status operator()(const Remove& r) {
    std::string key = FileKey(r.path, r.deletion_vector);
    state.files.erase(key);
    state.tombstones[key] = r;
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
  Applier applier{state, version, source};
  state.last_commit_timestamp.reset();
  for (const auto& action : actions) {
    ARROW_RETURN_NOT_OK(std::visit(applier, action));
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
