#pragma once

#include <string>

#include <arrow/status.h>

namespace deltaline::storage {

/// \brief StatusDetail of a policy refusal: an output the storage policy forbids (a
/// non-Delta sink in production mode). Policies are a storage idea, so the kind lives
/// here and not in the Delta core's ErrorKind. Read it back with IsPolicyViolation.
class PolicyViolationDetail : public arrow::StatusDetail {
 public:
  static constexpr const char* kTypeId = "deltaline::storage::PolicyViolationDetail";

  const char* type_id() const override { return kTypeId; }
  /// The kind's name, as the CLI prints it: "PolicyViolation".
  std::string ToString() const override { return "PolicyViolation"; }
};

/// \brief An arrow::StatusCode::Invalid error carrying a PolicyViolationDetail.
arrow::Status PolicyViolation(std::string message);

/// \brief True when `st` is an error carrying a PolicyViolationDetail.
bool IsPolicyViolation(const arrow::Status& st);

}  // namespace deltaline::storage
