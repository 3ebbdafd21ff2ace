#pragma once

#include <string>

namespace deltaline::delta {

/// \brief A random (version 4) UUID in its 36-character text form. Thread-safe.
std::string NewUuid();

}  // namespace deltaline::delta
