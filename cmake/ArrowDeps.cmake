# Arrow C++ for deltaline: a system Arrow when find_package finds one, else the
# pinned pyarrow wheel in the project virtualenv (headers + shared libraries).
# Defines the imported targets deltaline::arrow_all and the variable
# DELTALINE_ARROW_LIBDIR (for the RPATH).

set(DELTALINE_ARROW_VERSION "26.0.1" CACHE STRING "Arrow C++ version deltaline is pinned to")

find_package(Arrow ${DELTALINE_ARROW_VERSION} EXACT CONFIG QUIET)
if(Arrow_FOUND)
  find_package(Parquet CONFIG REQUIRED)
  find_package(ArrowAcero CONFIG REQUIRED)
  find_package(ArrowDataset CONFIG REQUIRED)
  find_package(ArrowSubstrait CONFIG REQUIRED)
  add_library(deltaline_arrow_all INTERFACE)
  target_link_libraries(deltaline_arrow_all INTERFACE
    Arrow::arrow_shared Parquet::parquet_shared ArrowAcero::arrow_acero_shared
    ArrowDataset::arrow_dataset_shared ArrowSubstrait::arrow_substrait_shared)
  get_target_property(_loc Arrow::arrow_shared LOCATION)
  get_filename_component(DELTALINE_ARROW_LIBDIR "${_loc}" DIRECTORY)
  set(DELTALINE_CXX11_ABI 1)
  message(STATUS "deltaline: system Arrow ${Arrow_VERSION}")
else()
  set(DELTALINE_PYTHON "${DELTALINE_ROOT}/.venv/bin/python" CACHE FILEPATH "Python with pyarrow")
  if(NOT EXISTS "${DELTALINE_PYTHON}")
    message(FATAL_ERROR "No system Arrow and no ${DELTALINE_PYTHON}: run scripts/bootstrap.sh (make build does).")
  endif()
  execute_process(
    COMMAND "${DELTALINE_PYTHON}" -c
      "import pyarrow as pa; print(pa.__version__); print(pa.get_include()); print(pa.get_library_dirs()[0])"
    OUTPUT_VARIABLE _pa_out RESULT_VARIABLE _pa_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _pa_rc EQUAL 0)
    message(FATAL_ERROR "pyarrow is not importable from ${DELTALINE_PYTHON}")
  endif()
  string(REPLACE "\n" ";" _pa_lines "${_pa_out}")
  list(GET _pa_lines 0 _pa_version)
  list(GET _pa_lines 1 _pa_include)
  list(GET _pa_lines 2 DELTALINE_ARROW_LIBDIR)
  if(NOT _pa_version STREQUAL DELTALINE_ARROW_VERSION)
    message(FATAL_ERROR "pyarrow ${_pa_version} found, deltaline is pinned to ${DELTALINE_ARROW_VERSION}")
  endif()
  # The wheel's C++ ABI decides ours: std::string in Arrow signatures must match.
  execute_process(
    COMMAND sh -c "nm -DC '${DELTALINE_ARROW_LIBDIR}/libarrow.so' | grep -c 'abi:cxx11'"
    OUTPUT_VARIABLE _abi_hits OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_abi_hits GREATER 0)
    set(DELTALINE_CXX11_ABI 1)
  else()
    set(DELTALINE_CXX11_ABI 0)
  endif()
  add_library(deltaline_arrow_all INTERFACE)
  # SYSTEM: warnings-as-errors is for our code, not Arrow's headers.
  target_include_directories(deltaline_arrow_all SYSTEM INTERFACE "${_pa_include}")
  foreach(_lib arrow parquet arrow_compute arrow_acero arrow_dataset arrow_substrait)
    find_library(_path_${_lib} NAMES ${_lib} PATHS "${DELTALINE_ARROW_LIBDIR}" NO_DEFAULT_PATH REQUIRED)
    target_link_libraries(deltaline_arrow_all INTERFACE "${_path_${_lib}}")
  endforeach()
  message(STATUS "deltaline: Arrow ${_pa_version} from the pyarrow wheel at ${DELTALINE_ARROW_LIBDIR} (_GLIBCXX_USE_CXX11_ABI=${DELTALINE_CXX11_ABI})")
endif()
target_compile_definitions(deltaline_arrow_all INTERFACE _GLIBCXX_USE_CXX11_ABI=${DELTALINE_CXX11_ABI})
add_library(deltaline::arrow_all ALIAS deltaline_arrow_all)
