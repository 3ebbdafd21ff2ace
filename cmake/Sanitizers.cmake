# The sanitizer build (a second build directory, see scripts/test-sanitize.sh):
#   cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++ -DDELTALINE_SANITIZE=ON
# AddressSanitizer + UndefinedBehaviorSanitizer on everything we compile; Arrow comes
# uninstrumented from the wheel, so the vptr check (which needs RTTI of every type
# it sees) is off. With clang the library also gets libFuzzer's coverage
# instrumentation and fuzz/ builds the libFuzzer binaries (DELTALINE_FUZZ).
option(DELTALINE_SANITIZE "Build with -fsanitize=address,undefined (clang or gcc)" OFF)
if(DELTALINE_SANITIZE)
  set(_san -fsanitize=address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined)
  add_compile_options(${_san} -fno-omit-frame-pointer)
  add_link_options(${_san})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    set(_fuzz_default ON)
  else()
    set(_fuzz_default OFF)
  endif()
  option(DELTALINE_FUZZ "Build the libFuzzer targets (needs clang)" ${_fuzz_default})
  if(DELTALINE_FUZZ)
    # Coverage feedback for libFuzzer from all of our code, not just the targets.
    add_compile_options(-fsanitize=fuzzer-no-link)
  endif()
endif()
