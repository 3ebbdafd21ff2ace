#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <arrow/compute/expression.h>
#include <arrow/result.h>

#include "delta/base/actions.h"
#include "delta/base/retry.h"
#include "delta/log/log_store.h"
#include "delta/log/snapshot.h"

namespace deltaline::delta {

/// \brief Which concurrent changes our commit tolerates (Spark's isolation levels).
enum class IsolationLevel {
  /// Blind appends by others never conflict (Spark's default, WriteSerializable).
  kWriteSerializable,
  /// Any file added by others that our read would have seen conflicts.
  kSerializable,
};

struct CommitResult {
  int64_t version = -1;
  int attempts = 0;
  /// Set when the commit landed but the checkpoint that followed failed; the table
  /// is fine (a checkpoint is an optimisation), the caller may want to log it.
  std::optional<std::string> checkpoint_warning;
  bool checkpoint_written = false;
};

/// \brief One optimistic transaction: read version → actions → commit.
///
/// Commit() writes `_delta_log/<v>.json` by put-if-absent. When another writer took
/// v first, every winning commit since the read version is checked for a real
/// conflict (metadata/protocol change, removal of a file we read or remove, the same
/// txn appId, an append we should have read under kSerializable); if there is none
/// the commit is retried at the next version. The commit file is never rewritten.
class Transaction {
 public:
  /// `read_snapshot` is null when creating a table (the commit goes to version 0).
  /// `store` must outlive the transaction.
  Transaction(LogStore* store, std::shared_ptr<const Snapshot> read_snapshot);

  void AddAction(Action action) { actions_.push_back(std::move(action)); }
  void SetOperation(std::string operation, StringMap parameters) {
    operation_ = std::move(operation);
    operation_parameters_ = std::move(parameters);
  }
  void SetOperationMetrics(StringMap metrics) { operation_metrics_ = std::move(metrics); }
  /// Key/value pairs stored in commitInfo.userMetadata as a JSON object.
  void SetUserMetadata(StringMap metadata) { user_metadata_ = std::move(metadata); }
  /// The transaction read every file of the snapshot (overwrite, delete…).
  void MarkReadWholeTable() { read_whole_table_ = true; }
  /// \brief The transaction read only the rows matching `predicate` (bound to
  /// `schema`, the table's Arrow schema): replaceWhere, delete, partition replace.
  /// A winner that added data files this predicate could match (judged on their
  /// partition values) is a kConcurrentAppend, unless it was a blind append under
  /// kWriteSerializable; added files in other partitions do not conflict.
  void SetReadPredicate(arrow::compute::Expression predicate,
                        std::shared_ptr<arrow::Schema> schema);
  /// \brief A file this transaction read (to remove or rewrite it): a winner that
  /// removed it is a kConcurrentDeleteRead.
  void AddReadFile(std::string path) { read_files_.insert(std::move(path)); }
  void SetIsolationLevel(IsolationLevel level) { isolation_ = level; }
  /// \brief The caller handles this writer feature itself, so the commit's write
  /// support check skips it (OPTIMIZE purges deletion vectors: it only removes files
  /// that carry them and adds files without).
  void AllowWriterFeature(std::string feature) {
    allowed_writer_features_.insert(std::move(feature));
  }
  /// Records (appId, version) in the commit; conflicts with a winner that did too.
  void SetAppTransaction(std::string app_id, int64_t version);

  /// True when the commit only adds data files (no removes, metadata or read).
  bool IsBlindAppend() const;

  arrow::Result<CommitResult> Commit(const CommitRetryPolicy& policy = {});

  const std::vector<Action>& actions() const { return actions_; }

 private:
  arrow::Status CheckWinner(int64_t winner_version,
                            const std::vector<Action>& winner) const;
  std::vector<Action> CommitActions(int64_t version, int attempt) const;
  arrow::Status MaybeCheckpoint(int64_t version, CommitResult& result);

  LogStore* store_;
  std::shared_ptr<const Snapshot> read_snapshot_;
  std::vector<Action> actions_;
  std::string operation_ = "WRITE";
  StringMap operation_parameters_;
  StringMap operation_metrics_;
  StringMap user_metadata_;
  bool read_whole_table_ = false;
  std::optional<arrow::compute::Expression> read_predicate_;
  std::shared_ptr<arrow::Schema> read_schema_;
  std::set<std::string> read_files_;
  IsolationLevel isolation_ = IsolationLevel::kWriteSerializable;
  std::optional<Txn> app_txn_;
  std::set<std::string> allowed_writer_features_;
};

}  // namespace deltaline::delta
