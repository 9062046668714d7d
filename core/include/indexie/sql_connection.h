// sql_connection.h: one SQLite database opened on the indexie VFS, and the
// result of running SQL on it. This is the lowest layer of the engine: the
// table store and query executor are built on it, and it doubles as a
// diagnostic entry point (run any SQL, see what SQLite says).
//
// Guarantees: a failed statement leaves the connection usable and is reported
// as a Status (kSql, or kConstraint for SQLite constraint failures) carrying
// SQLite's message. Nothing here throws.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "indexie/status.h"

struct sqlite3;

namespace indexie {

// One SQLite value: NULL, INTEGER, REAL, TEXT or BLOB.
using SqlBlob = std::vector<uint8_t>;
using SqlValue = std::variant<std::monostate, int64_t, double, std::string, SqlBlob>;

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
  int64_t changes = 0;  // rows changed by the last INSERT/UPDATE/DELETE
};

class SqlConnection {
 public:
  // Opens (creating if needed) the database file `name` on the indexie VFS.
  // ":memory:" opens a private in-memory database.
  static Result<std::unique_ptr<SqlConnection>> Open(const std::string& name);

  ~SqlConnection();
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;

  // Runs every statement in `sql` in order and returns the rows of the last
  // one that produced a result (or an empty result). Stops at the first error.
  Result<SqlResult> Execute(const std::string& sql);

  // The SQLite library version compiled in, e.g. "3.53.4".
  static const char* SqliteVersion();

 private:
  explicit SqlConnection(sqlite3* db) : db_(db) {}
  Status ErrorStatus(int rc) const;

  sqlite3* db_;
};

}  // namespace indexie
