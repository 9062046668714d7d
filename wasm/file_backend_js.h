// file_backend_js.h: the FileBackend (file_vfs/include/indexie/file_backend.h)
// of the wasm module: calls into Module.indexieFileBackend, the JS object
// over OPFS sync access handles (contract in file_backend_js.cc).
#pragma once

#include <memory>

#include "indexie/file_backend.h"

namespace indexie::wasm {

// The module's one JS file backend (it looks Module.indexieFileBackend up at each call).
std::shared_ptr<FileBackend> JsFileBackend();

// Whether Module.indexieFileBackend is set to an object with the backend's methods.
bool JsFileBackendIsSet();

}  // namespace indexie::wasm
