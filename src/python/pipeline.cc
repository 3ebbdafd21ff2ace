// Placeholder: filled by the pipeline bindings.
#include "python/bindings.h"

namespace deltaline::python {

void RegisterPipeline(nb::module_& m) {}

}  // namespace deltaline::python
