#pragma once

#include <memory>
#include <string>

#include <arrow/status.h>

namespace deltaline::delta {

/// \brief What went wrong, for callers that must react differently (retry a
/// conflict, report a protocol refusal). Read it with the predicates below,
/// never by matching the message text.
enum class ErrorKind {
  kTableNotFound,
  kTableAlreadyExists,
  kVersionNotFound,         ///< time travel to a version/timestamp the log lacks
  kConcurrentModification,  ///< see ConflictKind
  kProtocol,                ///< the log breaks the Delta protocol (corruption, gap…)
  kUnsupportedFeature,      ///< a reader/writer feature or type we do not implement
  kSchemaMismatch,
  kInvalidInput,
  /// change data feed asked for versions where `delta.enableChangeDataFeed` was off
  kChangeDataNotRecorded,
};

/// \brief Which concurrent change beat us; mirrors Spark's exception classes.
enum class ConflictKind {
  kNone,
  kCommitVersionTaken,  ///< lost the put-if-absent race; retryable after a check
  kConcurrentAppend,    ///< winner added files our read should have seen
  kConcurrentDeleteRead,
  kConcurrentDeleteDelete,
  kMetadataChanged,
  kProtocolChanged,
  kConcurrentTransaction,  ///< same txn appId committed by the winner
  kRetriesExhausted,
};

const char* ErrorKindName(ErrorKind kind);
const char* ConflictKindName(ConflictKind kind);

/// \brief StatusDetail attached to every Delta-specific failure.
class DeltaErrorDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "deltaline::DeltaErrorDetail";

  DeltaErrorDetail(ErrorKind kind, ConflictKind conflict, std::string feature)
      : kind_(kind), conflict_(conflict), feature_(std::move(feature)) {}

  const char* type_id() const override { return kTypeId; }
  std::string ToString() const override;

  ErrorKind kind() const { return kind_; }
  ConflictKind conflict() const { return conflict_; }
  /// The protocol feature or type name for kUnsupportedFeature, else empty.
  const std::string& feature() const { return feature_; }

 private:
  ErrorKind kind_;
  ConflictKind conflict_;
  std::string feature_;
};

/// \brief Builds an error status carrying a DeltaErrorDetail. The arrow::StatusCode
/// is chosen to match the kind (IOError for not-found, Invalid for input…).
arrow::Status DeltaError(ErrorKind kind, std::string message,
                         ConflictKind conflict = ConflictKind::kNone,
                         std::string feature = "");

inline arrow::Status TableNotFound(std::string msg) {
  return DeltaError(ErrorKind::kTableNotFound, std::move(msg));
}
inline arrow::Status TableAlreadyExists(std::string msg) {
  return DeltaError(ErrorKind::kTableAlreadyExists, std::move(msg));
}
inline arrow::Status ProtocolError(std::string msg) {
  return DeltaError(ErrorKind::kProtocol, std::move(msg));
}
inline arrow::Status InvalidInput(std::string msg) {
  return DeltaError(ErrorKind::kInvalidInput, std::move(msg));
}
inline arrow::Status SchemaMismatch(std::string msg) {
  return DeltaError(ErrorKind::kSchemaMismatch, std::move(msg));
}
inline arrow::Status UnsupportedFeature(std::string feature, std::string msg) {
  return DeltaError(ErrorKind::kUnsupportedFeature, std::move(msg), ConflictKind::kNone,
                    std::move(feature));
}
inline arrow::Status Conflict(ConflictKind conflict, std::string msg) {
  return DeltaError(ErrorKind::kConcurrentModification, std::move(msg), conflict);
}

/// \brief The detail of `st`, or nullptr when `st` is OK or not a Delta error.
const DeltaErrorDetail* GetDeltaDetail(const arrow::Status& st);

bool IsKind(const arrow::Status& st, ErrorKind kind);
inline bool IsCommitConflict(const arrow::Status& st) {
  return IsKind(st, ErrorKind::kConcurrentModification);
}
ConflictKind GetConflictKind(const arrow::Status& st);

}  // namespace deltaline::delta
