# flags.cmake: every compiler and linker flag of the build, in one place.

# Release: -O2 natively and in wasm, the usual size/speed balance; in the wasm
# build SQLite alone is compiled with -Os (see INDEXIE_SQLITE_OPTIONS) and the
# link step optimizes with -O3 (see indexie_wasm_link_flags).
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "" FORCE)

# Our own code (not SQLite): warnings on, no exceptions.
function(indexie_own_code_flags target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic
    -fno-exceptions   # the core reports errors as Status values; in wasm a throw would abort
  )
endfunction()

# SQLite's compile-time options, shared by the native and the wasm build so
# native tests exercise the same SQLite that ships.
set(INDEXIE_SQLITE_DEFINES
  SQLITE_OS_OTHER=1                 # no OS layer: page_vfs.cc registers the only VFS
  SQLITE_THREADSAFE=0               # one engine per thread (tab or worker): no mutexes
  SQLITE_TEMP_STORE=3               # temp tables and sorts stay in memory
  SQLITE_DEFAULT_MEMSTATUS=0        # no allocation statistics: faster malloc
  SQLITE_DQS=0                      # "x" is an identifier, never a string literal
  SQLITE_LIKE_DOESNT_MATCH_BLOBS    # LIKE never scans encoded keys
  SQLITE_OMIT_LOAD_EXTENSION        # no dlopen in a browser
  SQLITE_ENABLE_DBPAGE_VTAB         # sqlite_dbpage: the export reads a file database's pages through SQLite (WAL included)
  SQLITE_OMIT_SHARED_CACHE
  SQLITE_OMIT_DEPRECATED
  SQLITE_OMIT_PROGRESS_CALLBACK
  SQLITE_OMIT_AUTHORIZATION
  SQLITE_OMIT_TRACE
  SQLITE_OMIT_COMPLETE
  SQLITE_OMIT_GET_TABLE
  SQLITE_OMIT_TCL_VARIABLE
  SQLITE_MAX_EXPR_DEPTH=0           # no expression depth counter
  SQLITE_USE_ALLOCA                 # stack buffers instead of heap for short-lived scratch
  SQLITE_MAX_MMAP_SIZE=0x7fff0000   # memory-mapped reads through page_vfs.cc's xFetch: pages are read
  SQLITE_DEFAULT_MMAP_SIZE=0x7fff0000 # in place, not copied into the page cache (0 by default here)
)
set(INDEXIE_SQLITE_OPTIONS
  -w                                # third-party code: its warnings are not ours to fix
)
if(EMSCRIPTEN)
  # The download budget (tests/node/package-size.test.mjs): at -O2 clang inlines
  # SQLite's static functions into 863 KB of wasm code, at -Os into 459 KB.
  # Module: 1,245,629 -> 840,337 B raw, 487,390 -> 366,425 B gzip -9. Alone it
  # costs 5-10% on steady-state reads (get, range); the -O3 link step below wins
  # that back. Our own C++ stays at -O2: at -Os bulkAdd and modify get 1.6-2x
  # slower. Natively SQLite stays at -O2 (tests and the native micro-benchmark).
  list(APPEND INDEXIE_SQLITE_OPTIONS -Os)
endif()

# The wasm module's link flags.
function(indexie_wasm_link_flags target)
  target_link_options(${target} PRIVATE
    --bind                          # embind: the handles in wasm/ (one file each)
    -sMODULARIZE=1                  # a factory function, not a global Module
    -sEXPORT_ES6=1                  # imported as an ES module by js/
    -sEXPORT_NAME=createIndexieCore
    -sENVIRONMENT=web,worker        # Node gets the bytes handed in (wasmBinary), see js/src/wasm-module.ts
    -sFILESYSTEM=0                  # SQLite runs on our VFS, not Emscripten's FS
    -sDYNAMIC_EXECUTION=0           # no eval/new Function: strict CSP works (DESIGN §11)
    -sALLOW_MEMORY_GROWTH=1         # databases live in memory and grow
    -sINITIAL_MEMORY=16777216       # 16 MiB to start
    -sMAXIMUM_MEMORY=2147483648     # 2 GiB cap: wasm32 pointers stay positive in JS
    -sDISABLE_EXCEPTION_CATCHING=1  # the core never throws (Status values)
    -sTOTAL_STACK=2097152           # 2 MiB (3.1.6 name); SQLite parses deep expressions recursively
    -O3                             # link step only (after CMake's -O2): binaryen inlines across the
                                    # -Os SQLite code: reads measure as fast as with SQLite at -O2 (noise), and
                                    # emcc drops unused glue (61,723 -> 56,815 B); wasm 837,882 B raw
  )
endfunction()
