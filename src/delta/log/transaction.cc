#include "delta/log/transaction.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "delta/base/action_json.h"
#include "delta/base/clock.h"
#include "delta/base/errors.h"
#include "delta/base/filenames.h"
#include "delta/log/checkpoint_writer.h"
#include "delta/log/log_cleanup.h"
#include "delta/predicate/file_predicate.h"
#include "delta/table/table_config.h"
#include "delta/table/table_features.h"
#include "deltaline/version.h"

namespace deltaline::delta {
namespace {

bool WinnerIsBlindAppend(const std::vector<Action>& winner) {
  for (const auto& action : winner) {
    if (const auto* ci = std::get_if<CommitInfo>(&action)) {
      if (ci->is_blind_append) return *ci->is_blind_append;
    }
  }
  // No commitInfo flag: judge by content, as a reader of a foreign log must.
  for (const auto& action : winner) {
    if (std::holds_alternative<Remove>(action) ||
        std::holds_alternative<Metadata>(action) ||
        std::holds_alternative<Protocol>(action)) {
      return false;
    }
  }
  return true;
}

}  // namespace

Transaction::Transaction(LogStore* store, std::shared_ptr<const Snapshot> read_snapshot)
    : store_(store), read_snapshot_(std::move(read_snapshot)) {}

void Transaction::SetAppTransaction(std::string app_id, int64_t version) {
  app_txn_ = Txn{std::move(app_id), version, NowMs()};
}

void Transaction::SetReadPredicate(arrow::compute::Expression predicate,
                                   std::shared_ptr<arrow::Schema> schema) {
  read_predicate_ = std::move(predicate);
  read_schema_ = std::move(schema);
}

bool Transaction::IsBlindAppend() const {
  if (read_whole_table_ || read_predicate_) return false;
  for (const auto& action : actions_) {
    if (std::holds_alternative<Remove>(action) ||
        std::holds_alternative<Metadata>(action) ||
        std::holds_alternative<Protocol>(action)) {
      return false;
    }
    if (const auto* add = std::get_if<Add>(&action); add && !add->data_change)
      return false;
  }
  return true;
}

arrow::Status Transaction::CheckWinner(int64_t winner_version,
                                       const std::vector<Action>& winner) const {
  const std::string at = " (winning commit " + std::to_string(winner_version) + " of '" +
                         store_->uri() + "')";
  std::set<std::string> our_removes;
  bool we_change_metadata = false;
  for (const auto& action : actions_) {
    if (const auto* rm = std::get_if<Remove>(&action)) our_removes.insert(rm->path);
    if (std::holds_alternative<Metadata>(action) ||
        std::holds_alternative<Protocol>(action)) {
      we_change_metadata = true;
    }
  }
  const bool winner_blind = WinnerIsBlindAppend(winner);
  for (const auto& action : winner) {
    if (std::holds_alternative<Protocol>(action)) {
      return Conflict(ConflictKind::kProtocolChanged,
                      "the protocol was changed concurrently" + at);
    }
    if (std::holds_alternative<Metadata>(action)) {
      return Conflict(ConflictKind::kMetadataChanged,
                      "the table metadata was changed concurrently" + at);
    }
    if (const auto* txn = std::get_if<Txn>(&action)) {
      if (app_txn_ && txn->app_id == app_txn_->app_id) {
        return Conflict(ConflictKind::kConcurrentTransaction,
                        "application transaction '" + txn->app_id +
                            "' was committed concurrently" + at);
      }
    }
    if (const auto* rm = std::get_if<Remove>(&action)) {
      // dataChange=false removes count too (as in Spark): a compaction that rewrote
      // a file we removed or read would otherwise bring its rows back beside ours.
      // Read before delete-delete, in Spark's order: the kind names the first cause.
      if (read_files_.count(rm->path)) {
        return Conflict(
            ConflictKind::kConcurrentDeleteRead,
            "file '" + rm->path + "', which this transaction read, was removed" + at);
      }
      if (our_removes.count(rm->path)) {
        return Conflict(ConflictKind::kConcurrentDeleteDelete,
                        "file '" + rm->path + "' was removed concurrently" + at);
      }
      if (read_whole_table_ && read_snapshot_ &&
          read_snapshot_->state().files.count(FileKey(rm->path, rm->deletion_vector))) {
        return Conflict(
            ConflictKind::kConcurrentDeleteRead,
            "file '" + rm->path + "', which this transaction read, was removed" + at);
      }
    }
    if (const auto* add = std::get_if<Add>(&action)) {
      if (!add->data_change) continue;
      bool tolerated = isolation_ == IsolationLevel::kWriteSerializable && winner_blind &&
                       !we_change_metadata;
      if (tolerated) continue;
      if (read_whole_table_ || we_change_metadata) {
        return Conflict(
            ConflictKind::kConcurrentAppend,
            "files were added concurrently to data this transaction read" + at);
      }
      if (read_predicate_ && read_snapshot_) {
        auto match = MatchPartitionValues(*read_predicate_, *read_schema_,
                                          read_snapshot_->partition_columns(),
                                          add->partition_values);
        // A file we cannot judge is one the predicate could match.
        if (!match.ok() || *match != PartitionMatch::kNone) {
          return Conflict(ConflictKind::kConcurrentAppend,
                          "file '" + add->path + "' was added concurrently where this " +
                              "transaction's predicate " + read_predicate_->ToString() +
                              " reads" + at);
        }
      }
    }
  }
  return arrow::Status::OK();
}

std::vector<Action> Transaction::CommitActions(int64_t version, int attempt) const {
  CommitInfo info;
  info.timestamp = NowMs();
  info.operation = operation_;
  info.operation_parameters = operation_parameters_;
  info.operation_metrics = operation_metrics_;
  info.engine_info = std::string("deltaline/") + kVersion;
  info.is_blind_append = IsBlindAppend();
  if (read_snapshot_) info.read_version = read_snapshot_->version();
  info.isolation_level =
      isolation_ == IsolationLevel::kSerializable ? "Serializable" : "WriteSerializable";
  if (!user_metadata_.empty()) {
    info.user_metadata =
        nlohmann::json(user_metadata_)
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::vector<Action> out;
  out.reserve(actions_.size() + 2);
  out.emplace_back(std::move(info));
  if (app_txn_) out.emplace_back(*app_txn_);
  out.insert(out.end(), actions_.begin(), actions_.end());
  return out;
}

arrow::Result<CommitResult> Transaction::Commit(const CommitRetryPolicy& policy) {
  // Enforce the table's own rules before anything is published.
  if (read_snapshot_) {
    Protocol protocol = read_snapshot_->protocol();
    if (protocol.writer_features) {
      std::erase_if(*protocol.writer_features, [this](const std::string& feature) {
        return allowed_writer_features_.count(feature) > 0;
      });
    }
    ARROW_RETURN_NOT_OK(CheckWriteSupported(protocol, read_snapshot_->metadata()));
    if (AppendOnly(read_snapshot_->metadata().configuration)) {
      for (const auto& action : actions_) {
        const auto* rm = std::get_if<Remove>(&action);
        if (rm && rm->data_change) {
          return InvalidInput(
              "table '" + store_->uri() +
              "' is append-only (delta.appendOnly=true): cannot remove '" + rm->path +
              "'");
        }
      }
    }
  }
  CommitResult result;
  int64_t version = read_snapshot_ ? read_snapshot_->version() + 1 : 0;
  const int max_attempts = std::max(1, policy.max_attempts);
  for (int attempt = 0; attempt < max_attempts; ++attempt) {
    result.attempts = attempt + 1;
    std::string body = SerializeCommitFile(CommitActions(version, attempt));
    arrow::Status put = store_->PutIfAbsent(CommitFileName(version), body);
    if (put.ok()) {
      result.version = version;
      arrow::Status cp = MaybeCheckpoint(version, result);
      if (!cp.ok()) result.checkpoint_warning = cp.ToString();
      return result;
    }
    if (!put.IsAlreadyExists()) return put;
    if (!read_snapshot_) {
      return TableAlreadyExists("table '" + store_->uri() +
                                "' was created concurrently by another writer");
    }
    // Lost the race for `version`: every commit from there on is a winner to check.
    while (true) {
      auto winner = ReadCommit(*store_, version);
      if (!winner.ok()) {
        if (IsKind(winner.status(), ErrorKind::kVersionNotFound)) break;
        return winner.status();
      }
      ARROW_RETURN_NOT_OK(CheckWinner(version, *winner));
      ++version;
    }
    if (attempt + 1 < max_attempts) SleepBeforeRetry(policy, attempt + 1);
  }
  return Conflict(ConflictKind::kRetriesExhausted,
                  "gave up committing to '" + store_->uri() + "' after " +
                      std::to_string(max_attempts) + " attempts (last tried version " +
                      std::to_string(version) + ")");
}

arrow::Status Transaction::MaybeCheckpoint(int64_t version, CommitResult& result) {
  int64_t interval = kDefaultCheckpointInterval;
  const Metadata* metadata = nullptr;
  for (const auto& action : actions_) {
    if (const auto* m = std::get_if<Metadata>(&action)) metadata = m;
  }
  if (metadata == nullptr && read_snapshot_) metadata = &read_snapshot_->metadata();
  if (metadata != nullptr) {
    ARROW_ASSIGN_OR_RAISE(interval, CheckpointInterval(metadata->configuration));
  }
  if (version == 0 || version % interval != 0) return arrow::Status::OK();
  SnapshotRequest request;
  request.version = version;
  ARROW_ASSIGN_OR_RAISE(auto snapshot, Snapshot::Load(*store_, request));
  ARROW_RETURN_NOT_OK(WriteCheckpoint(*store_, *snapshot));
  result.checkpoint_written = true;
  // As Spark's doLogCleanup after a checkpoint: the new checkpoint may be the one
  // that lets older logs go. A failure leaves extra files, never a broken table.
  const StringMap& configuration = snapshot->metadata().configuration;
  if (!ExpiredLogCleanupEnabled(configuration)) return arrow::Status::OK();
  LogCleanupOptions cleanup;
  ARROW_ASSIGN_OR_RAISE(cleanup.retention_ms, LogRetentionMs(configuration));
  auto cleaned = CleanupExpiredLogs(*store_, cleanup);
  if (!cleaned.ok()) {
    result.checkpoint_warning = "expired log cleanup after the checkpoint of version " +
                                std::to_string(version) +
                                " failed: " + cleaned.status().ToString();
  }
  return arrow::Status::OK();
}

}  // namespace deltaline::delta
