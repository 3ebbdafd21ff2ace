# The library's build, shared by the top-level project and the Python package's
# (python/CMakeLists.txt, which `pip install ./python` runs). Needs DELTALINE_ROOT, the
# checkout's root. Defines deltaline_lib (and, with DELTALINE_BUILD_CLI, the CLI).

# ccache, when the machine has it, shares objects between checkouts (git worktrees) and
# between the main build and the Python package's: paths under the checkout are hashed
# relative to the build directory, so build/ and build-python/ (same depth) share them.
find_program(DELTALINE_CCACHE ccache)
if(DELTALINE_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${CMAKE_COMMAND}" -E env
      "CCACHE_BASEDIR=${DELTALINE_ROOT}" CCACHE_NOHASHDIR=1 "${DELTALINE_CCACHE}")
endif()

include(${DELTALINE_ROOT}/cmake/ArrowDeps.cmake)
find_package(nlohmann_json 3.11 REQUIRED)
option(DELTALINE_BUILD_CLI "Build the deltaline command" ON)
if(DELTALINE_BUILD_CLI)
  find_package(CLI11 2.1 REQUIRED)
endif()
# SHA-256 of source files (anatomy/): libcrypto from Debian's libssl-dev.
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)
include(${DELTALINE_ROOT}/cmake/TreeSitterPython.cmake)

# Binaries find Arrow through their RPATH: from the build tree and once installed.
set(CMAKE_BUILD_RPATH "${DELTALINE_ARROW_LIBDIR}")
set(CMAKE_INSTALL_RPATH "${DELTALINE_ARROW_LIBDIR};\$ORIGIN/../lib")
set(CMAKE_BUILD_RPATH_USE_ORIGIN OFF)

add_library(deltaline_warnings INTERFACE)
target_compile_options(deltaline_warnings INTERFACE -Wall -Wextra -Werror -Wno-unused-parameter)

include(${DELTALINE_ROOT}/cmake/Sanitizers.cmake OPTIONAL)

add_subdirectory(${DELTALINE_ROOT}/src ${CMAKE_BINARY_DIR}/src)
