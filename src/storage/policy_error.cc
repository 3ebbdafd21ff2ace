#include "storage/policy_error.h"

#include <memory>
#include <string_view>

namespace deltaline::storage {

arrow::Status PolicyViolation(std::string message) {
  return arrow::Status(arrow::StatusCode::Invalid, std::move(message),
                       std::make_shared<PolicyViolationDetail>());
}

bool IsPolicyViolation(const arrow::Status& st) {
  return !st.ok() && st.detail() &&
         std::string_view(st.detail()->type_id()) == PolicyViolationDetail::kTypeId;
}

}  // namespace deltaline::storage
