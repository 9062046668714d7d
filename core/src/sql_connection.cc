// sql_connection.cc: see sql_connection.h.
#include "indexie/sql_connection.h"

#include <sqlite3.h>

#include "indexie/file_vfs.h"
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

Result<std::unique_ptr<SqlConnection>> SqlConnection::Open(const std::string& name, const OpenOptions& options) {
  const char* vfs = kPageVfsName;
  if (options.storage == Storage::kFile) {
    if (!options.file_backend) {
      return Status(StatusCode::kInvalidArgument, "could not open database '" + name + "': no file backend given");
    }
    FileVfsUseBackend(name, options.file_backend);
    vfs = kFileVfsName;
  }
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(name.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close(db);
    return Status(StatusCode::kSql, "could not open database '" + name + "': " + message);
  }
  sqlite3_extended_result_codes(db, 1);
  return std::unique_ptr<SqlConnection>(new SqlConnection(db));
}

Status SqlConnection::AddBlobFunction(const char* name, BlobFunction fn) {
  auto call = [](sqlite3_context* context, int, sqlite3_value** args) {
    const auto function = reinterpret_cast<BlobFunction>(sqlite3_user_data(context));
    const auto* bytes = static_cast<const char*>(sqlite3_value_blob(args[0]));
    const std::string_view result = function(std::string_view(bytes ? bytes : "", sqlite3_value_bytes(args[0])));
    if (result.empty()) sqlite3_result_null(context);
    else sqlite3_result_blob(context, result.data(), static_cast<int>(result.size()), SQLITE_TRANSIENT);
  };
  const int rc = sqlite3_create_function_v2(db_, name, 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
                                            reinterpret_cast<void*>(fn), call, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? Status::Ok() : ErrorStatus(rc);
}

SqlConnection::~SqlConnection() {
  statements_.clear();  // finalize before closing
  sqlite3_close(db_);
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

int Statement::ColumnType(int index) const { return sqlite3_column_type(stmt_, index); }

Statement& Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob must still bind as a BLOB, not NULL: pass a non-null pointer.
  static const char kEmpty = 0;
  // SQLITE_STATIC: no copy. The contract (sql_connection.h) is that bound
  // bytes stay alive until the statement is stepped and reset.
  sqlite3_bind_blob64(stmt_, index, bytes.empty() ? &kEmpty : bytes.data(), bytes.size(), SQLITE_STATIC);
  return *this;
}

Statement& Statement::BindDouble(int index, double value) {
  sqlite3_bind_double(stmt_, index, value);
  return *this;
}

Statement& Statement::BindInt(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::BindText(int index, std::string_view text) {
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

int Statement::Step() { return sqlite3_step(stmt_); }

std::string_view Statement::ColumnBlob(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  const int size = sqlite3_column_bytes(stmt_, index);
  return data ? std::string_view(static_cast<const char*>(data), size) : std::string_view();
}

double Statement::ColumnDouble(int index) const { return sqlite3_column_double(stmt_, index); }
int64_t Statement::ColumnInt(int index) const { return sqlite3_column_int64(stmt_, index); }
bool Statement::ColumnIsNull(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

Result<Statement*> SqlConnection::Prepare(const std::string& sql) {
  auto it = statements_.find(sql);
  if (it != statements_.end()) return &it->second->Reset();
  sqlite3_stmt* stmt = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return ErrorStatus(rc);
  auto inserted = statements_.emplace(sql, std::make_unique<Statement>(stmt));
  return inserted.first->second.get();
}

Status SqlConnection::Run(const std::string& sql) {
  auto result = Execute(sql);
  return result.ok() ? Status::Ok() : result.status();
}

int64_t SqlConnection::Changes() const { return sqlite3_changes64(db_); }

int64_t SqlConnection::CacheUsedBytes() const {
  int current = 0, highest = 0;
  sqlite3_db_status(db_, SQLITE_DBSTATUS_CACHE_USED, &current, &highest, /*resetFlg=*/0);
  return current;
}

const char* SqlConnection::SqliteVersion() { return sqlite3_libversion(); }

Status SqlConnection::ErrorStatus(int rc) const {
  // SQLITE_FULL: the file VFS's storage is full (file_vfs.h), the browser's quota.
  const StatusCode code = (rc & 0xff) == SQLITE_CONSTRAINT ? StatusCode::kConstraint
                          : (rc & 0xff) == SQLITE_FULL     ? StatusCode::kQuotaExceeded
                                                           : StatusCode::kSql;
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
