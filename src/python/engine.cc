// Placeholder: filled by the engine bindings.
#include "python/bindings.h"

namespace deltaline::python {

void RegisterEngine(nb::module_& m) {}

}  // namespace deltaline::python
