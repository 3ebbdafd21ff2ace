// Placeholder: filled by the tools bindings.
#include "python/bindings.h"

namespace deltaline::python {

void RegisterTools(nb::module_& m) {}

}  // namespace deltaline::python
