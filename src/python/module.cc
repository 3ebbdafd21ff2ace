// deltaline._core: the C++ engine for the deltaline package. The public API is the
// package's Python (python/deltaline/); this module is its thin layer over the library.
#include <exception>

#include "python/bindings.h"

NB_MODULE(_core, m) {
  namespace py = deltaline::python;
  m.doc() = "deltaline's C++ engine; use the deltaline package, not this module.";
  m.attr("arrow_version") = DELTALINE_ARROW_VERSION;
  nanobind::register_exception_translator([](const std::exception_ptr& error, void*) {
    try {
      std::rethrow_exception(error);
    } catch (const py::StatusError& e) {
      py::SetPythonError(e.status());
    }
  });
  py::RegisterStreams(m);
  py::RegisterWrite(m);
  py::RegisterTable(m);
  py::RegisterPolicy(m);
  py::RegisterTools(m);
  py::RegisterEngine(m);
  py::RegisterPipeline(m);
}
