// bindings.cc: the embind facade, and the only C++ file that includes
// emscripten headers. It converts between JS values and core types and never
// lets a C++ error escape as anything but a result object.
//
// Result convention (read by js/src/engine-call.ts, the one place that turns
// failures into JS errors):
//   success: { ok: true, value }
//   failure: { ok: false, code: "<StatusCodeName>", message: "<why>" }
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <memory>
#include <string>
#include <variant>

#include "indexie/sql_connection.h"
#include "indexie/status.h"

namespace indexie {
namespace {

using emscripten::val;

val Ok(val value) {
  val result = val::object();
  result.set("ok", true);
  result.set("value", value);
  return result;
}

val Fail(const Status& status) {
  val result = val::object();
  result.set("ok", false);
  result.set("code", std::string(StatusCodeName(status.code())));
  result.set("message", status.message());
  return result;
}

val BytesToJs(const uint8_t* data, size_t size) {
  // A copy: a view of the wasm heap would go stale when memory grows.
  val view = val(emscripten::typed_memory_view(size, data));
  return val::global("Uint8Array").new_(view);
}

// INTEGERs within JS's safe range become numbers; larger ones become BigInt
// so no digit is silently lost.
val IntegerToJs(int64_t value) {
  constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;
  if (value >= -kMaxSafe && value <= kMaxSafe) return val(static_cast<double>(value));
  return val::global("BigInt")(std::to_string(value));
}

val SqlValueToJs(const SqlValue& value) {
  struct Visitor {
    val operator()(std::monostate) const { return val::null(); }
    val operator()(int64_t v) const { return IntegerToJs(v); }
    val operator()(double v) const { return val(v); }
    val operator()(const std::string& v) const { return val(v); }
    val operator()(const SqlBlob& v) const { return BytesToJs(v.data(), v.size()); }
  };
  return std::visit(Visitor{}, value);
}

val SqlResultToJs(const SqlResult& result) {
  val columns = val::array();
  for (const auto& name : result.columns) columns.call<void>("push", name);
  val rows = val::array();
  for (const auto& row : result.rows) {
    val js_row = val::array();
    for (const auto& cell : row) js_row.call<void>("push", SqlValueToJs(cell));
    rows.call<void>("push", js_row);
  }
  val out = val::object();
  out.set("columns", columns);
  out.set("rows", rows);
  out.set("changes", IntegerToJs(result.changes));
  return out;
}

// The JS-visible handle to one SQLite database. Owned by a JS wrapper that
// calls delete() when the database is closed.
// JS creates it empty (new SqlDatabase()) and then calls open(name), so that
// opening can report failure through the result convention.
class SqlDatabase {
 public:
  val Open(const std::string& name) {
    auto connection = SqlConnection::Open(name);
    if (!connection.ok()) return Fail(connection.status());
    connection_ = std::move(connection).value();
    return Ok(val::undefined());
  }

  val Execute(const std::string& sql) {
    if (!connection_) return Fail(Status(StatusCode::kDatabaseClosed, "the database is closed"));
    auto result = connection_->Execute(sql);
    return result.ok() ? Ok(SqlResultToJs(result.value())) : Fail(result.status());
  }

  void Close() { connection_.reset(); }

 private:
  std::unique_ptr<SqlConnection> connection_;
};

std::string SqliteVersion() { return SqlConnection::SqliteVersion(); }

}  // namespace
}  // namespace indexie

EMSCRIPTEN_BINDINGS(indexie) {
  using namespace emscripten;
  class_<indexie::SqlDatabase>("SqlDatabase")
      .constructor<>()
      .function("open", &indexie::SqlDatabase::Open)
      .function("execute", &indexie::SqlDatabase::Execute)
      .function("close", &indexie::SqlDatabase::Close);
  function("sqliteVersion", &indexie::SqliteVersion);
}
