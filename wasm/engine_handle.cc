// engine_handle.cc: the JS handle of one engine database (EngineDatabase).
// open(name) opens a database on the in-memory page VFS, openFile(name,
// cacheKiB, durability) one in a file through Module.indexieFileBackend
// (file_backend_js.cc).
// Everything but the live-query recorder goes through execute(length): a
// request batch in the request buffer, a response batch back
// (core/include/indexie/engine_requests.h). This file converts nothing
// itself; the core owns the formats.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "file_backend_js.h"
#include "indexie/engine_requests.h"
#include "indexie/read_set.h"
#include "js_bridge.h"

namespace indexie::wasm {
namespace {

using emscripten::val;

class EngineHandle {
 public:
  // A result batch of one: [[true, null]] or [[false, code, message]].
  val Open(const std::string& name) { return OpenWith(name, OpenOptions()); }

  // Opens `name` as a file on Module.indexieFileBackend (file_backend_js.cc),
  // read page by page, SQLite's page cache bounded by `cache_kib` KiB (0 or
  // less: kDefaultFileCacheKiB, 32 MiB); `durability` 'strict' flushes every
  // commit, anything else is 'relaxed' (sql_connection.h Durability). Same
  // result as open(name).
  val OpenFile(const std::string& name, double cache_kib, const std::string& durability) {
    if (!JsFileBackendIsSet()) {
      return BytesToJs(FailedResultValue(
          Status(StatusCode::kInvalidArgument,
                 "could not open database '" + name + "' as a file: Module.indexieFileBackend is not set")));
    }
    OpenOptions options;
    options.storage = Storage::kFile;
    options.cache_kib = cache_kib >= 1 ? static_cast<int64_t>(cache_kib) : kDefaultFileCacheKiB;
    options.file_backend = JsFileBackend();
    options.durability = durability == "strict" ? Durability::kStrict : Durability::kRelaxed;
    return OpenWith(name, options);
  }

  void Close() { session_.reset(); }

  // Runs the request batch of `length` bytes in the request buffer.
  val Execute(size_t length) {
    const std::string_view request = RequestBytes(length);
    if (!session_) {
      return BytesToJs(EngineSession::FailAll(request, Status(StatusCode::kDatabaseClosed, "the database is closed")));
    }
    return BytesToJs(session_->Execute(request));
  }

  // Reads add what they read to `recorder` (owned by JS) until it is unset (null).
  // Not a request: the recorder is a native object JS holds (live-query/).
  void SetReadRecorder(ReadSet* recorder) {
    if (session_) session_->database().set_read_recorder(recorder);
  }

 private:
  val OpenWith(const std::string& name, const OpenOptions& options) {
    auto session = EngineSession::Open(name, options);
    if (!session.ok()) return BytesToJs(FailedResultValue(session.status()));
    session_ = std::move(session).value();
    return BytesToJs(OkResultValue("\xF6"));
  }

  std::unique_ptr<EngineSession> session_;
};

}  // namespace
}  // namespace indexie::wasm

EMSCRIPTEN_BINDINGS(indexie_engine_handle) {
  using indexie::wasm::EngineHandle;
  emscripten::class_<EngineHandle>("EngineDatabase")
      .constructor<>()
      .function("open", &EngineHandle::Open)
      .function("openFile", &EngineHandle::OpenFile)
      .function("close", &EngineHandle::Close)
      .function("execute", &EngineHandle::Execute)
      .function("setReadRecorder", &EngineHandle::SetReadRecorder, emscripten::allow_raw_pointers());
}
