// Placeholder: filled by the policy bindings.
#include "python/bindings.h"

namespace deltaline::python {

void RegisterPolicy(nb::module_& m) {}

}  // namespace deltaline::python
