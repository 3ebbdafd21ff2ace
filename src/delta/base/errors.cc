#include "delta/base/errors.h"

#include <string_view>

namespace deltaline::delta {

const char* ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kTableNotFound:
      return "TableNotFound";
    case ErrorKind::kTableAlreadyExists:
      return "TableAlreadyExists";
    case ErrorKind::kVersionNotFound:
      return "VersionNotFound";
    case ErrorKind::kConcurrentModification:
      return "ConcurrentModification";
    case ErrorKind::kProtocol:
      return "ProtocolError";
    case ErrorKind::kUnsupportedFeature:
      return "UnsupportedFeature";
    case ErrorKind::kSchemaMismatch:
      return "SchemaMismatch";
    case ErrorKind::kInvalidInput:
      return "InvalidInput";
    case ErrorKind::kChangeDataNotRecorded:
      return "ChangeDataNotRecorded";
  }
  return "Unknown";
}

const char* ConflictKindName(ConflictKind kind) {
  switch (kind) {
    case ConflictKind::kNone:
      return "None";
    case ConflictKind::kCommitVersionTaken:
      return "CommitVersionTaken";
    case ConflictKind::kConcurrentAppend:
      return "ConcurrentAppend";
    case ConflictKind::kConcurrentDeleteRead:
      return "ConcurrentDeleteRead";
    case ConflictKind::kConcurrentDeleteDelete:
      return "ConcurrentDeleteDelete";
    case ConflictKind::kMetadataChanged:
      return "MetadataChanged";
    case ConflictKind::kProtocolChanged:
      return "ProtocolChanged";
    case ConflictKind::kConcurrentTransaction:
      return "ConcurrentTransaction";
    case ConflictKind::kRetriesExhausted:
      return "RetriesExhausted";
  }
  return "Unknown";
}

std::string DeltaErrorDetail::ToString() const {
  std::string out = ErrorKindName(kind_);
  if (conflict_ != ConflictKind::kNone)
    out += std::string("/") + ConflictKindName(conflict_);
  if (!feature_.empty()) out += " [" + feature_ + "]";
  return out;
}

arrow::Status DeltaError(ErrorKind kind, std::string message, ConflictKind conflict,
                         std::string feature) {
  arrow::StatusCode code = arrow::StatusCode::Invalid;
  switch (kind) {
    case ErrorKind::kTableNotFound:
    case ErrorKind::kVersionNotFound:
      code = arrow::StatusCode::KeyError;
      break;
    case ErrorKind::kTableAlreadyExists:
      code = arrow::StatusCode::AlreadyExists;
      break;
    case ErrorKind::kUnsupportedFeature:
      code = arrow::StatusCode::NotImplemented;
      break;
    case ErrorKind::kConcurrentModification:
      code = arrow::StatusCode::Cancelled;
      break;
    case ErrorKind::kProtocol:
      code = arrow::StatusCode::IOError;
      break;
    default:
      break;
  }
  return arrow::Status(
      code, std::move(message),
      std::make_shared<DeltaErrorDetail>(kind, conflict, std::move(feature)));
}

const DeltaErrorDetail* GetDeltaDetail(const arrow::Status& st) {
  if (st.ok() || !st.detail() ||
      std::string_view(st.detail()->type_id()) != DeltaErrorDetail::kTypeId) {
    return nullptr;
  }
  return static_cast<const DeltaErrorDetail*>(st.detail().get());
}

bool IsKind(const arrow::Status& st, ErrorKind kind) {
  const auto* detail = GetDeltaDetail(st);
  return detail != nullptr && detail->kind() == kind;
}

ConflictKind GetConflictKind(const arrow::Status& st) {
  const auto* detail = GetDeltaDetail(st);
  return detail ? detail->conflict() : ConflictKind::kNone;
}

}  // namespace deltaline::delta
