# tree-sitter for the code-anatomy pipeline (src/anatomy/): the runtime from Debian's
# libtree-sitter-dev (0.20.7, grammar ABI 13-14) and the Python grammar's C sources from
# the npm registry, tree-sitter-python 0.23.6 (ABI 14; 0.25 is ABI 15 and would not
# load). The tarball is pinned by version and SHA-256 and unpacked into the build tree.
# Defines deltaline::tree_sitter_python (runtime + grammar).

set(DELTALINE_TS_PYTHON_VERSION "0.23.6")
set(DELTALINE_TS_PYTHON_SHA256
    "aab5b860d93dbf84b37fed532f7dacc0468ede5387d0c74911d68f964287662a")

find_path(DELTALINE_TS_INCLUDE tree_sitter/api.h)
find_library(DELTALINE_TS_LIBRARY NAMES tree-sitter)
if(NOT DELTALINE_TS_INCLUDE OR NOT DELTALINE_TS_LIBRARY)
  message(FATAL_ERROR "tree-sitter runtime not found: install libtree-sitter-dev "
                      "(scripts/apt-packages.txt; make build runs scripts/bootstrap.sh)")
endif()

include(FetchContent)
FetchContent_Declare(tree_sitter_python
  URL "https://registry.npmjs.org/tree-sitter-python/-/tree-sitter-python-${DELTALINE_TS_PYTHON_VERSION}.tgz"
  URL_HASH "SHA256=${DELTALINE_TS_PYTHON_SHA256}"
  DOWNLOAD_EXTRACT_TIMESTAMP TRUE)
FetchContent_MakeAvailable(tree_sitter_python)
set(DELTALINE_TS_PYTHON_DIR "${tree_sitter_python_SOURCE_DIR}")

enable_language(C)
add_library(deltaline_ts_python STATIC
  "${DELTALINE_TS_PYTHON_DIR}/src/parser.c" "${DELTALINE_TS_PYTHON_DIR}/src/scanner.c")
target_include_directories(deltaline_ts_python PRIVATE "${DELTALINE_TS_PYTHON_DIR}/src")
set_target_properties(deltaline_ts_python PROPERTIES POSITION_INDEPENDENT_CODE ON
                      C_STANDARD 11)
# Generated code: not ours to warn about.
target_compile_options(deltaline_ts_python PRIVATE -w)
target_include_directories(deltaline_ts_python SYSTEM INTERFACE "${DELTALINE_TS_INCLUDE}")
target_link_libraries(deltaline_ts_python INTERFACE "${DELTALINE_TS_LIBRARY}")
add_library(deltaline::tree_sitter_python ALIAS deltaline_ts_python)
