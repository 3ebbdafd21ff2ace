#pragma once

// The Python grammar (tree-sitter-python 0.23.6, compiled from its C sources by
// cmake/TreeSitterPython.cmake) and a check that the runtime accepts it.

#include <arrow/result.h>
#include <arrow/status.h>
#include <tree_sitter/api.h>

extern "C" const TSLanguage* tree_sitter_python(void);

namespace deltaline::anatomy {

/// \brief The Python language, or kInvalid naming both ABI versions when the linked
/// tree-sitter runtime cannot load the grammar (a runtime/grammar pair mismatch would
/// otherwise make every parse fail).
arrow::Result<const TSLanguage*> PythonLanguage();

}  // namespace deltaline::anatomy
