// sql_connection.cc: see sql_connection.h.
#include "indexie/sql_connection.h"

#include <sqlite3.h>

#include "indexie/page_vfs.h"

namespace indexie {
namespace {

// Finalizes a prepared statement however the step loop exits.
struct StatementGuard {
  sqlite3_stmt* stmt = nullptr;
  ~StatementGuard() { sqlite3_finalize(stmt); }
};

SqlValue ColumnValue(sqlite3_stmt* stmt, int i) {
  switch (sqlite3_column_type(stmt, i)) {
    case SQLITE_INTEGER: return static_cast<int64_t>(sqlite3_column_int64(stmt, i));
    case SQLITE_FLOAT: return sqlite3_column_double(stmt, i);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
      return std::string(text, sqlite3_column_bytes(stmt, i));
    }
    case SQLITE_BLOB: {
      const auto* blob = static_cast<const uint8_t*>(sqlite3_column_blob(stmt, i));
      return SqlBlob(blob, blob + sqlite3_column_bytes(stmt, i));
    }
    default: return std::monostate{};
  }
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> SqlConnection::Open(const std::string& name) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, kPageVfsName);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(StatusCode::kSql, "could not open database '" + name + "': " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqlConnection>(new SqlConnection(db));
}

SqlConnection::~SqlConnection() { sqlite3_close(db_); }

const char* SqlConnection::SqliteVersion() { return sqlite3_libversion(); }

Status SqlConnection::ErrorStatus(int rc) const {
  const StatusCode code = (rc & 0xff) == SQLITE_CONSTRAINT ? StatusCode::kConstraint : StatusCode::kSql;
  return Status(code, sqlite3_errmsg(db_));
}

Result<SqlResult> SqlConnection::Execute(const std::string& sql) {
  SqlResult result;
  const char* tail = sql.c_str();
  const char* end = tail + sql.size();
  while (tail < end) {
    StatementGuard guard;
    int rc = sqlite3_prepare_v2(db_, tail, static_cast<int>(end - tail), &guard.stmt, &tail);
    if (rc != SQLITE_OK) return ErrorStatus(rc);
    if (guard.stmt == nullptr) continue;  // whitespace or a comment

    const int column_count = sqlite3_column_count(guard.stmt);
    SqlResult current;
    for (int i = 0; i < column_count; ++i) current.columns.emplace_back(sqlite3_column_name(guard.stmt, i));
    while ((rc = sqlite3_step(guard.stmt)) == SQLITE_ROW) {
      std::vector<SqlValue> row;
      row.reserve(column_count);
      for (int i = 0; i < column_count; ++i) row.push_back(ColumnValue(guard.stmt, i));
      current.rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return ErrorStatus(rc);
    current.changes = sqlite3_changes64(db_);
    if (column_count > 0 || result.columns.empty()) result = std::move(current);
    else result.changes = current.changes;
  }
  return result;
}

}  // namespace indexie
