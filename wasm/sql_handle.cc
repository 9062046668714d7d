// sql_handle.cc: the JS handle of one plain SQLite database (SqlDatabase,
// js/src/engine/sql-database.ts): diagnostics and tests. Results come back
// as one encoded result value (engine_requests.h), like the engine's.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <memory>
#include <string>

#include "indexie/engine_requests.h"
#include "indexie/sql_connection.h"
#include "js_bridge.h"

namespace indexie::wasm {
namespace {

using emscripten::val;

class SqlHandle {
 public:
  val Open(const std::string& name) {
    auto connection = SqlConnection::Open(name);
    if (!connection.ok()) return BytesToJs(FailedResultValue(connection.status()));
    connection_ = std::move(connection).value();
    return BytesToJs(OkResultValue("\xF6"));
  }

  val Execute(const std::string& sql) {
    if (!connection_)
      return BytesToJs(FailedResultValue(Status(StatusCode::kDatabaseClosed, "the database is closed")));
    auto result = connection_->Execute(sql);
    if (!result.ok()) return BytesToJs(FailedResultValue(result.status()));
    std::string value;
    AppendSqlResultValue(result.value(), &value);
    return BytesToJs(OkResultValue(value));
  }

  void Close() { connection_.reset(); }

 private:
  std::unique_ptr<SqlConnection> connection_;
};

std::string SqliteVersion() { return SqlConnection::SqliteVersion(); }

}  // namespace
}  // namespace indexie::wasm

EMSCRIPTEN_BINDINGS(indexie_sql_handle) {
  using indexie::wasm::SqlHandle;
  emscripten::class_<SqlHandle>("SqlDatabase")
      .constructor<>()
      .function("open", &SqlHandle::Open)
      .function("execute", &SqlHandle::Execute)
      .function("close", &SqlHandle::Close);
  emscripten::function("sqliteVersion", &indexie::wasm::SqliteVersion);
}
