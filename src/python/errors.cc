// Failed statuses as deltaline.errors exceptions: the class is chosen by the status's
// typed detail (Delta kind and conflict kind, policy violation), as the CLI names it.
#include <nanobind/stl/string.h>

#include "delta/base/errors.h"
#include "python/bindings.h"
#include "storage/policy_error.h"

namespace deltaline::python {

void SetPythonError(const arrow::Status& st) {
  std::string kind;
  std::string conflict;
  std::string feature;
  if (const auto* detail = delta::GetDeltaDetail(st)) {
    kind = delta::ErrorKindName(detail->kind());
    if (detail->conflict() != delta::ConflictKind::kNone) {
      conflict = delta::ConflictKindName(detail->conflict());
    }
    feature = detail->feature();
  } else if (storage::IsPolicyViolation(st)) {
    kind = "PolicyViolation";
  } else {
    kind = arrow::Status::CodeAsString(st.code());
  }
  nb::object errors = nb::module_::import_("deltaline.errors");
  nb::object exc = errors.attr("_from_status")(kind, conflict, feature, st.message());
  PyErr_SetObject(reinterpret_cast<PyObject*>(Py_TYPE(exc.ptr())), exc.ptr());
}

delta::Reporter Warnings::reporter() {
  delta::Reporter reporter;
  reporter.warning = [this](std::string_view message) {
    std::lock_guard<std::mutex> lock(mu_);
    messages_.emplace_back(message);
  };
  return reporter;
}

void Warnings::Emit() {
  std::vector<std::string> messages;
  {
    std::lock_guard<std::mutex> lock(mu_);
    messages.swap(messages_);
  }
  if (messages.empty()) return;
  nb::object category = nb::module_::import_("deltaline.errors").attr("DeltaWarning");
  nb::object warn = nb::module_::import_("warnings").attr("warn");
  // Level 2: the caller of the deltaline function (level 1 is that function's own
  // frame; the extension adds none).
  for (const auto& message : messages) warn(message, category, 2);
}

nb::object ToPython(const nlohmann::json& value) {
  return nb::module_::import_("json").attr("loads")(
      value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}


}  // namespace deltaline::python
