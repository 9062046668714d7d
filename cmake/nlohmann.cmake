# nlohmann.cmake: nlohmann_json from Debian's nlohmann-json3-dev.
# Natively it is found as a CMake package. The wasm build must not see
# /usr/include (its glibc headers break Emscripten's sysroot), so only the
# nlohmann/ header folder is copied into the build tree and exposed from there.
if(EMSCRIPTEN)
  set(nlohmann_src /usr/include/nlohmann)
  if(NOT EXISTS ${nlohmann_src}/json.hpp)
    message(FATAL_ERROR "nlohmann/json.hpp not found: install nlohmann-json3-dev (scripts/setup.sh does).")
  endif()
  set(nlohmann_dir ${CMAKE_BINARY_DIR}/nlohmann-include)
  file(COPY ${nlohmann_src} DESTINATION ${nlohmann_dir})
  add_library(nlohmann_json_headers INTERFACE)
  target_include_directories(nlohmann_json_headers SYSTEM INTERFACE ${nlohmann_dir})
  add_library(nlohmann_json::nlohmann_json ALIAS nlohmann_json_headers)
else()
  find_package(nlohmann_json 3 REQUIRED)
endif()
