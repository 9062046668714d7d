// engine_requests.h: the engine's one entry point for a host. A batch of
// operations goes in as bytes, a batch of results comes out as bytes, both
// in CBOR as the value format writes it (js/src/values: values inside a
// request are stored as they are, untouched). The wasm binding
// (wasm/engine_handle.cc) passes the bytes through with one call; a Worker
// host can post the same bytes. This is the narrow engine seam of DESIGN.md.
//
// Request:   [op, op, ...]             op     := [opcode, args...]
// Response:  [result, result, ...]     result := [true, value]
//                                             |  [false, "<StatusCodeName>", "<message>"]
// Operations run in order, each on its own: a failed one does not stop the
// batch (a write whose items partly failed is followed by the change log it
// left). A request that is not a well-formed batch gets a response of one
// InternalError result.
//
// Opcodes and arguments (the contract with js/src/engine/requests.ts; not an
// on-disk format: both sides ship in one package):
//   kInfo                                  -> {version, tables: {name: schema}}   schema as TableSchemaValue
//   kBegin | kCommit | kRollback           -> null
//   kSetVersion [version]                  -> null
//   kSetSchema [{table: spec}]             -> null
//   kWrite [table, add, [value...], [key...] | null]
//                                          -> [[key | undefined per item], [[position, code, message]...]]
//   kGet [table, key]                      -> value | undefined
//   kBulkGet [table, [key...], forUpdate]  -> [value | undefined ...]
//   kGetByIndex [table, index, key]        -> [primaryKey, value] | undefined
//   kDelete [table, [key...]]              -> number deleted
//   kClear [table]                         -> null
//   kCount [table]                         -> number
//   kScan [table]                          -> [value...] in primary-key order
//   kQuery [query, ranges | null, output]  -> [...] per output, or a number for "count"
//   kAggregate [query, ranges | null, "sum"|"min"|"max"|"avg", keyPath] -> number | undefined
//   kOpenCursor [query, ranges | null]     -> cursor id
//   kCursorNext [id, max, "rows"|"keyPairs"|"values"] -> [bytes of the encoded batch, done]
//                                             id 0: the cursor the previous kOpenCursor of this batch
//                                             opened; a cursor is closed once done
//   kCloseCursor [id]                      -> null
//   kTakeChanges                           -> bytes (change_set.h wire format) | undefined
//   (the page operations below apply to a database on the in-memory page VFS only: on a
//   file-stored one they fail with InternalError, except kReadPages, which reads the
//   committed pages of the connection's snapshot, WAL included)
//   kPageChanges                           -> [fileSize, Uint32Array of changed page numbers]
//   kReadPages [first, count]              -> bytes
//   kPageDiffs [maxBytes, maxPages]        -> bytes (PageVfsDiff format) | undefined when longer
//                                             than maxBytes or more than maxPages pages changed
//   kCheckpoint | kRevert                  -> null
//   kApplyRemote [fileSize, [page...], bytes of the pages, replaceAll] -> null
//   kExecuteSql [sql]                      -> {columns, rows, changes}
//   kRecordReads [on: bool]                -> null; while on, every read of this session adds what
//                                             it read to the session's read set (read_set.h)
//   kTakeReads                             -> bytes (read_set.h wire format): the session's read
//                                             set, which is then emptied (recording stays as it is)
// query := [table, index, reverse, distinct, unique, offset, limit, [[keyPath, descending]...]]
// ranges: query.h ParseRangeSpecs. outputs: "values" | "keys" | "primaryKeys" |
// "rows" (key, primaryKey, value triples) | "keyPairs" (triples, value undefined) | "count".
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "indexie/database.h"
#include "indexie/query.h"
#include "indexie/read_set.h"
#include "indexie/schema.h"
#include "indexie/sql_connection.h"
#include "indexie/status.h"

namespace indexie {

namespace wire {
class RequestReader;  // core/src/engine_wire.h
}

enum class EngineOp {
  kInfo = 0,
  kBegin = 1,
  kCommit = 2,
  kRollback = 3,
  kSetVersion = 4,
  kSetSchema = 5,
  kWrite = 6,
  kGet = 7,
  kBulkGet = 8,
  kGetByIndex = 9,
  kDelete = 10,
  kClear = 11,
  kCount = 12,
  kScan = 13,
  kQuery = 14,
  kAggregate = 15,
  kOpenCursor = 16,
  kCursorNext = 17,
  kCloseCursor = 18,
  kTakeChanges = 19,
  kPageChanges = 20,
  kReadPages = 21,
  kPageDiffs = 22,
  kCheckpoint = 23,
  kRevert = 24,
  kApplyRemote = 25,
  kExecuteSql = 26,
  kRecordReads = 27,
  kTakeReads = 28,
};

// One open engine database behind the request protocol, with the cursors
// its host opened. Single-threaded, like Database.
class EngineSession {
 public:
  // `options`: where the database lives (sql_connection.h OpenOptions).
  static Result<std::unique_ptr<EngineSession>> Open(const std::string& name, const OpenOptions& options = {});

  // Runs a request batch; always returns a well-formed response (see above).
  std::string Execute(std::string_view request);

  // The response to `request` when it cannot run at all (the database is
  // closed): `status` for each of its operations.
  static std::string FailAll(std::string_view request, const Status& status);

  Database& database() { return *db_; }

 private:
  struct Cursor {
    QuerySpec spec;
    ScanPosition position;
  };

  explicit EngineSession(std::unique_ptr<Database> db) : db_(std::move(db)) {}
  // Runs one operation; appends its value to *out on success.
  Status Run(wire::RequestReader& call, std::string* out);
  Status RunRead(EngineOp op, wire::RequestReader& call, std::string* out);
  Status RunQuery(EngineOp op, wire::RequestReader& call, std::string* out);
  Status RunPages(EngineOp op, wire::RequestReader& call, std::string* out);

  std::unique_ptr<Database> db_;
  // kRecordReads/kTakeReads: what this session's reads read while recording.
  ReadSet reads_;
  std::map<int, Cursor> cursors_;
  int next_cursor_ = 1;
  int last_opened_cursor_ = 0;  // in the batch being executed (kCursorNext id 0)
};

// Encodings shared with the other handles (wasm/): the schema as the JS
// TableSchema shape, a SQL result, and a status as a failed result.
void AppendTableSchemaValue(const TableSchema& schema, std::string* out);
void AppendSqlResultValue(const SqlResult& result, std::string* out);
// [true, value] around an encoded value, or [false, code, message].
std::string OkResultValue(std::string_view encoded_value);
std::string FailedResultValue(const Status& status);

}  // namespace indexie
