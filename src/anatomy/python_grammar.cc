#include "anatomy/python_grammar.h"

#include <arrow/result.h>

namespace deltaline::anatomy {

arrow::Result<const TSLanguage*> PythonLanguage() {
  const TSLanguage* language = tree_sitter_python();
  const uint32_t abi = ts_language_version(language);
  if (abi < TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION ||
      abi > TREE_SITTER_LANGUAGE_VERSION) {
    return arrow::Status::Invalid(
        "the Python grammar has ABI ", abi, "; this tree-sitter runtime loads ABI ",
        TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION, "-", TREE_SITTER_LANGUAGE_VERSION);
  }
  return language;
}

}  // namespace deltaline::anatomy
