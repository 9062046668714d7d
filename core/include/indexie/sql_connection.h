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
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "indexie/file_backend.h"
#include "indexie/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace indexie {

// One SQLite value: NULL, INTEGER, REAL, TEXT or BLOB.
using SqlBlob = std::vector<uint8_t>;
using SqlValue = std::variant<std::monostate, int64_t, double, std::string, SqlBlob>;

struct SqlResult {
  std::vector<std::string> columns;
  std::vector<std::vector<SqlValue>> rows;
  int64_t changes = 0;  // rows changed by the last INSERT/UPDATE/DELETE
};

// A prepared statement owned by its connection's cache. Bind, step, read;
// Reset() (or the next Bind after Done) readies it for reuse. Views returned
// by the Column* functions are valid until the next Step or Reset.
class Statement {
 public:
  explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Reset();
  // 1-based. Not copied: `bytes` must stay alive until Step() and Reset() are done.
  Statement& BindBlob(int index, std::string_view bytes);
  Statement& BindDouble(int index, double value);
  Statement& BindInt(int index, int64_t value);
  Statement& BindText(int index, std::string_view text);

  // SQLITE_ROW, SQLITE_DONE, or an error code (see SqlConnection::ErrorStatus).
  int Step();

  std::string_view ColumnBlob(int index) const;  // 0-based
  int ColumnType(int index) const;               // SQLITE_NULL, SQLITE_BLOB, ...
  double ColumnDouble(int index) const;
  int64_t ColumnInt(int index) const;
  bool ColumnIsNull(int index) const;

 private:
  sqlite3_stmt* stmt_;
};

// Where a database lives.
enum class Storage {
  // The in-memory page VFS (idb_bridge/page_vfs.h), persisted by the JS
  // IndexedDB page store: the whole file in memory.
  kPageMemory,
  // A real file read page by page through a FileBackend (file_vfs.h): memory
  // bounded by SQLite's page cache.
  kFile,
};

// The default page cache of a kFile database: 32 MiB. This constant is the
// one place the default lives (the wasm handle's openFile falls back to it).
inline constexpr int64_t kDefaultFileCacheKiB = 32 * 1024;

// kFile only: what a commit waits for (database.cc sets the connection's
// synchronous mode from it; the JS option `durability` is the same choice).
enum class Durability {
  // A commit is complete once its WAL frames are handed to the OS (as
  // IndexedDB's default 'relaxed'): a crash of the process loses nothing,
  // a power loss may lose the last commits but never corrupts the file.
  kRelaxed,
  // A commit is also flushed to the disk before it completes: it survives
  // a power loss too.
  kStrict,
};

struct OpenOptions {
  Storage storage = Storage::kPageMemory;
  // kFile only: the bound of SQLite's page cache in KiB (PRAGMA
  // cache_size=-cache_kib). kPageMemory keeps SQLite's default cache: its
  // pages are read in place (memory-mapped) and need no copy.
  int64_t cache_kib = kDefaultFileCacheKiB;
  // kFile only, required: where the file, its WAL and its journal live.
  std::shared_ptr<FileBackend> file_backend;
  // kFile only: see Durability.
  Durability durability = Durability::kRelaxed;
};

class SqlConnection {
 public:
  // Opens (creating if needed) the database file `name` on the VFS of
  // `options.storage`. ":memory:" opens a private in-memory database.
  static Result<std::unique_ptr<SqlConnection>> Open(const std::string& name, const OpenOptions& options = {});

  ~SqlConnection();
  SqlConnection(const SqlConnection&) = delete;
  SqlConnection& operator=(const SqlConnection&) = delete;

  // Runs every statement in `sql` in order and returns the rows of the last
  // one that produced a result (or an empty result). Stops at the first error.
  Result<SqlResult> Execute(const std::string& sql);

  // A cached prepared statement for `sql` (prepared once per connection),
  // reset and ready to bind. The pointer stays valid while the connection lives.
  Result<Statement*> Prepare(const std::string& sql);

  // Drops every cached statement (after tables were created or dropped).
  void ClearStatementCache() { statements_.clear(); }

  // Runs one statement that returns no rows (DDL, or a write with no binds).
  Status Run(const std::string& sql);

  // The Status for an SQLite result code, with SQLite's message.
  Status ErrorStatus(int rc) const;

  // Adds the deterministic SQL function `name`(blob) -> blob; `fn` maps the
  // argument's bytes to a part of them (an empty view gives NULL).
  using BlobFunction = std::string_view (*)(std::string_view);
  Status AddBlobFunction(const char* name, BlobFunction fn);

  // Rows changed by the most recent INSERT/UPDATE/DELETE.
  int64_t Changes() const;

  // Bytes SQLite's page cache of this connection holds now (pages and their
  // headers; SQLITE_DBSTATUS_CACHE_USED), for tests and measurements.
  int64_t CacheUsedBytes() const;

  // The SQLite library version compiled in, e.g. "3.53.4".
  static const char* SqliteVersion();

 private:
  explicit SqlConnection(sqlite3* db) : db_(db) {}

  sqlite3* db_;
  std::map<std::string, std::unique_ptr<Statement>> statements_;
};

}  // namespace indexie
