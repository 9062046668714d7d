# sanitizers.cmake: the native checking builds (clang only; see
# scripts/test-native-checks.sh, which configures both).
#
#   -DINDEXIE_SANITIZE=ON  AddressSanitizer + UndefinedBehaviorSanitizer on
#                          everything built after this file is included: our
#                          code, the GoogleTest suite and SQLite (so SQLite's
#                          reads of our buffers, such as pages handed out in
#                          place by page_vfs.cc's xFetch, are checked too).
#                          Any report aborts the process (no recovery).
#   -DINDEXIE_FUZZ=ON      the same, plus libFuzzer's coverage instrumentation
#                          (-fsanitize=fuzzer-no-link) on all code, SQLite
#                          included, so the fuzzers in tests/fuzz/ (added by the
#                          top-level CMakeLists.txt under this option) see which
#                          branches of the b-tree and record parsers an input reaches.
#
# Both compile at -O1 with line tables (-gline-tables-only), the usual
# balance for sanitizers: fast enough, and stack traces with file:line.
option(INDEXIE_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer (clang)" OFF)
option(INDEXIE_FUZZ "Build the libFuzzer targets of tests/fuzz (clang; implies the sanitizers)" OFF)

if(INDEXIE_SANITIZE OR INDEXIE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang" OR NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "INDEXIE_SANITIZE and INDEXIE_FUZZ need clang: configure with "
                        "-DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ (scripts/setup.sh installs it)")
  endif()
  set(INDEXIE_SANITIZERS address,undefined)
  if(INDEXIE_FUZZ)
    # fuzzer-no-link: coverage counters without libFuzzer's main(); the fuzz
    # executables link -fsanitize=fuzzer themselves (tests/fuzz/CMakeLists.txt).
    set(INDEXIE_SANITIZERS fuzzer-no-link,address,undefined)
  endif()
  add_compile_options(
    -fsanitize=${INDEXIE_SANITIZERS}
    -fno-sanitize-recover=all   # the first report fails the test or the fuzz run
    -fno-omit-frame-pointer     # complete stack traces
    -O1 -gline-tables-only      # after CMake's -O2: the later -O wins
  )
  add_link_options(-fsanitize=address,undefined)
endif()
