#pragma once

// Shared pieces of the Python extension deltaline._core: raising a failed status as
// the package's typed exception, the Arrow C stream interface in both directions, and
// JSON values crossing as Python objects. Each bindings file registers one part of the
// API (Register*), called from module.cc.
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <arrow/record_batch.h>
#include <arrow/result.h>
#include <arrow/status.h>
#include <nanobind/nanobind.h>
#include <nlohmann/json.hpp>

#include "delta/base/reporter.h"

namespace deltaline::python {

namespace nb = nanobind;

/// \brief A failed status on its way to Python; the translator module.cc installs
/// raises it as the matching deltaline.errors class.
class StatusError : public std::exception {
 public:
  explicit StatusError(arrow::Status status) : status_(std::move(status)) {}
  const char* what() const noexcept override { return "deltaline status"; }
  const arrow::Status& status() const { return status_; }

 private:
  arrow::Status status_;
};

inline void Check(const arrow::Status& st) {
  if (!st.ok()) throw StatusError(st);
}
template <typename T>
T Unwrap(arrow::Result<T> result) {
  if (!result.ok()) throw StatusError(result.status());
  return std::move(result).ValueUnsafe();
}

/// \brief Sets the Python error for `st` (GIL held): the deltaline.errors class of its
/// kind, with the message the CLI prints after "deltaline: error: <Kind>: ".
void SetPythonError(const arrow::Status& st);

/// \brief The rows of `obj`, an object with `__arrow_c_stream__` (pyarrow Table or
/// RecordBatchReader, Polars DataFrame, DuckDB relation, nanoarrow…). Takes the stream
/// over without copying. GIL held.
std::shared_ptr<arrow::RecordBatchReader> ImportStream(nb::handle obj);

/// \brief A PyCapsule "arrow_array_stream" owning an export of `reader`. Reading it
/// releases the GIL while deltaline works.
nb::object ExportStream(std::shared_ptr<arrow::RecordBatchReader> reader);

/// \brief A PyCapsule "arrow_schema" owning an export of `schema`.
nb::object ExportSchema(const arrow::Schema& schema);

/// \brief A JSON value as Python objects (dicts, lists, str, int, float, bool, None),
/// through the json module.
nb::object ToPython(const nlohmann::json& value);

/// \brief Collects the library's warnings while it works without the GIL; Emit() then
/// raises them as Python warnings (deltaline.errors.DeltaWarning).
class Warnings {
 public:
  delta::Reporter reporter();
  void Emit();

 private:
  std::mutex mu_;
  std::vector<std::string> messages_;
};

/// \brief `key` of `options` when present and not None.
inline bool Has(const nb::dict& options, const char* key) {
  return options.contains(key) && !options[key].is_none();
}

void RegisterStreams(nb::module_& m);
void RegisterWrite(nb::module_& m);
void RegisterTable(nb::module_& m);
void RegisterPolicy(nb::module_& m);
void RegisterTools(nb::module_& m);
void RegisterEngine(nb::module_& m);
void RegisterPipeline(nb::module_& m);

}  // namespace deltaline::python
