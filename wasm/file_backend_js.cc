// file_backend_js.cc: the file VFS's backend in the browser
// (file_backend_js.h): each FileBackend call is one synchronous call into
// the JS object `Module.indexieFileBackend`, which JS sets on the emscripten
// module object before it opens a database with EngineDatabase.openFile().
// The contract with JS (js/src/indexie-core.d.ts NativeFileBackend):
//
//   interface IndexieFileBackend {
//     /** A file id >= 1 for `path`, or 0 when JS has no such file. Paths: '<name>', '<name>-wal', '<name>-journal'. */
//     open(path: string): number;
//     size(id: number): number;                                   // bytes; -1 on error
//     read(id: number, ptr: number, length: number, offset: number): number;  // bytes copied into HEAPU8 at
//                                                                 // ptr (short read allowed: C++ zero-fills); -1 on
//                                                                 error
//     write(id: number, ptr: number, length: number, offset: number): number; // 0 ok, -1 error (-2 = quota/disk full)
//     truncate(id: number, size: number): number;                 // 0 ok, -1 error
//     sync(id: number): number;                                   // 0 ok, -1 error
//     (FileSystemSyncAccessHandle.flush()) close(id: number): void;
//   }
//
// JS has the files' FileSystemSyncAccessHandles open before the engine
// opens (createSyncAccessHandle is async; the VFS is synchronous). The
// WAL and journal files always exist on the JS side; "deleting" one
// truncates it to 0 bytes (file_vfs.h). `ptr` is an address in the wasm heap: JS reads
// Module.HEAPU8 at each call (memory growth replaces it) and copies. A call
// that throws counts as an error (-1; open: 0), never unwinds through C++.
#include "file_backend_js.h"

#include <emscripten/emscripten.h>

#include <string>

// EM_JS bodies are JavaScript, run in the module's scope (Module, UTF8ToString).
// They are stringified by the preprocessor: no single-quoted strings (emscripten
// 3.1.6's JS optimizer then fails to parse the glue); use double quotes.
EM_JS(int, indexie_js_file_open, (const char* path), {
  try {
    return Module.indexieFileBackend.open(UTF8ToString(path)) | 0;
  } catch (e) {
    return 0;
  }
});
EM_JS(double, indexie_js_file_size, (int id), {
  try {
    return Module.indexieFileBackend.size(id);
  } catch (e) {
    return -1;
  }
});
EM_JS(double, indexie_js_file_read, (int id, void* ptr, int length, double offset), {
  try {
    return Module.indexieFileBackend.read(id, ptr, length, offset);
  } catch (e) {
    return -1;
  }
});
EM_JS(int, indexie_js_file_write, (int id, const void* ptr, int length, double offset), {
  try {
    return Module.indexieFileBackend.write(id, ptr, length, offset) | 0;
  } catch (e) {
    return -1;
  }
});
EM_JS(int, indexie_js_file_truncate, (int id, double size), {
  try {
    return Module.indexieFileBackend.truncate(id, size) | 0;
  } catch (e) {
    return -1;
  }
});
EM_JS(int, indexie_js_file_sync, (int id), {
  try {
    return Module.indexieFileBackend.sync(id) | 0;
  } catch (e) {
    return -1;
  }
});
EM_JS(int, indexie_js_file_backend_set, (), {
  var backend = Module.indexieFileBackend;
  return backend && typeof backend.open == "function" ? 1 : 0;
});
EM_JS(void, indexie_js_file_close, (int id), {
  try {
    Module.indexieFileBackend.close(id);
  } catch (e) {
  }
});

namespace indexie::wasm {
namespace {

class JsBackend : public FileBackend {
 public:
  int Open(const std::string& path) override { return indexie_js_file_open(path.c_str()); }
  int64_t Size(int id) override { return static_cast<int64_t>(indexie_js_file_size(id)); }
  int64_t Read(int id, void* out, size_t length, int64_t offset) override {
    return static_cast<int64_t>(indexie_js_file_read(id, out, static_cast<int>(length), static_cast<double>(offset)));
  }
  int Write(int id, const void* data, size_t length, int64_t offset) override {
    return indexie_js_file_write(id, data, static_cast<int>(length), static_cast<double>(offset));
  }
  int Truncate(int id, int64_t size) override { return indexie_js_file_truncate(id, static_cast<double>(size)); }
  int Sync(int id) override { return indexie_js_file_sync(id); }
  void Close(int id) override { indexie_js_file_close(id); }
};

}  // namespace

bool JsFileBackendIsSet() { return indexie_js_file_backend_set() != 0; }

std::shared_ptr<FileBackend> JsFileBackend() {
  static const auto backend = std::make_shared<JsBackend>();
  return backend;
}

}  // namespace indexie::wasm
