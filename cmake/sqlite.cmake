# sqlite.cmake: the SQLite amalgamation, fetched at configure time from the
# npm registry by scripts/fetch-sqlite.sh (pinned version, checked sha256)
# into deps/sqlite/ (git-ignored), and built as the static library indexie_sqlite.
set(INDEXIE_SQLITE_DIR ${CMAKE_SOURCE_DIR}/deps/sqlite)
execute_process(
  COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/fetch-sqlite.sh ${INDEXIE_SQLITE_DIR}
  RESULT_VARIABLE fetch_result
)
if(NOT fetch_result EQUAL 0)
  message(FATAL_ERROR "Could not fetch the SQLite amalgamation (see the message above). "
                      "Fix the cause and run the build again; nothing was built.")
endif()

add_library(indexie_sqlite STATIC ${INDEXIE_SQLITE_DIR}/sqlite3.c)
target_include_directories(indexie_sqlite SYSTEM PUBLIC ${INDEXIE_SQLITE_DIR})
target_compile_definitions(indexie_sqlite PUBLIC ${INDEXIE_SQLITE_DEFINES})
target_compile_options(indexie_sqlite PRIVATE ${INDEXIE_SQLITE_OPTIONS})
