// engine_page_requests.cc: the page operations of the request protocol
// (engine_requests.h): what the persistence layer asks of the page VFS
// (idb_bridge/include/indexie/page_vfs.h) for the open database's file;
// of them, kReadPages (the export) also reads a file-stored database.
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine_wire.h"
#include "indexie/engine_requests.h"
#include "indexie/page_vfs.h"
#include "indexie/sql_connection.h"

namespace indexie {

using wire::kEncodedNull;
using wire::kEncodedUndefined;
using wire::Malformed;
using wire::RequestReader;

// kReadPages on a file-stored database: the pages as SQLite sees them in
// this connection's snapshot (read through the pager from the database file
// or the WAL, whichever holds a page's last committed version), by SQLite's
// sqlite_dbpage table. The database file alone would miss commits still in
// the WAL. `first` is 0-based; SQLite's page numbers start at 1. Page 1
// leaves as a rollback-journal database's (header bytes 18 and 19, the file
// format versions, 2 = WAL, set to 1): the export is one self-contained
// file, which any SQLite and the in-memory page VFS (no WAL) open; an OPFS
// import of it switches to WAL again on open.
static Status ReadFilePages(Database& db, int64_t first, int64_t count, std::string* out) {
  auto stmt = db.sql().Prepare("SELECT data FROM sqlite_dbpage WHERE pgno >= ?1 AND pgno < ?2 ORDER BY pgno");
  if (!stmt.ok()) return stmt.status();
  Statement& s = *stmt.value();
  s.BindInt(1, first + 1).BindInt(2, first + 1 + count);
  std::string pages;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) pages.append(s.ColumnBlob(0));
  s.Reset();
  if (rc != SQLITE_DONE) return db.sql().ErrorStatus(rc);
  if (first == 0 && pages.size() >= 20) pages[18] = pages[19] = 1;
  cbor::WriteBytes(pages, out);
  return Status::Ok();
}

Status EngineSession::RunPages(EngineOp op, RequestReader& call, std::string* out) {
  if (db_->storage() == Storage::kFile && op == EngineOp::kReadPages) {
    int64_t first = 0, count = 0;
    Status s = call.Integer(0, UINT32_MAX, &first);
    if (s.ok()) s = call.Integer(0, UINT32_MAX, &count);
    if (!s.ok()) return s;
    return ReadFilePages(*db_, first, count, out);
  }
  if (db_->storage() != Storage::kPageMemory) {
    return Status(StatusCode::kInternal, "page operations apply to databases on the in-memory page store only");
  }
  const std::string& name = db_->name();
  switch (op) {
    case EngineOp::kPageChanges: {
      ChangedPageNumbers changes = PageVfsChangedPageNumbers(name);
      cbor::WriteHeader(cbor::kArray, 2, out);
      cbor::WriteNumber(static_cast<double>(changes.file_size), out);
      wire::WriteUint32Array(changes.pages, out);
      return Status::Ok();
    }
    case EngineOp::kReadPages: {
      int64_t first = 0, count = 0;
      Status s = call.Integer(0, UINT32_MAX, &first);
      if (s.ok()) s = call.Integer(0, UINT32_MAX, &count);
      if (!s.ok()) return s;
      cbor::WriteBytes(PageVfsReadPages(name, static_cast<uint32_t>(first), static_cast<uint32_t>(count)), out);
      return Status::Ok();
    }
    case EngineOp::kPageDiffs: {
      double max_bytes = 0, max_pages = 0;
      Status s = call.Number(&max_bytes);
      if (s.ok()) s = call.Number(&max_pages);
      if (!s.ok()) return s;
      if (!(max_bytes >= 0) || !(max_pages >= 0)) return Malformed("pageDiffs bounds are not negative");
      if (static_cast<double>(PageVfsChangedPageNumbers(name).pages.size()) > max_pages) {
        out->push_back(kEncodedUndefined);
        return Status::Ok();
      }
      // A bound past size_t (wasm32: 4 GiB; JS passes MAX_SAFE_INTEGER for none) is no bound.
      const size_t bound = max_bytes >= static_cast<double>(SIZE_MAX) ? SIZE_MAX : static_cast<size_t>(max_bytes);
      const std::optional<std::string> diff = PageVfsDiff(name, bound);
      if (diff) {
        cbor::WriteBytes(*diff, out);
      } else {
        out->push_back(kEncodedUndefined);
      }
      return Status::Ok();
    }
    case EngineOp::kCheckpoint:
      PageVfsCheckpoint(name);
      out->push_back(kEncodedNull);
      return Status::Ok();
    case EngineOp::kRevert:
      PageVfsRevert(name);
      out->push_back(kEncodedNull);
      return db_->ResetAfterRevert();
    case EngineOp::kApplyRemote: {
      double file_size = 0;
      uint64_t count = 0;
      Status s = call.Number(&file_size);
      if (s.ok() && !(file_size >= 0 && file_size < 9e15)) s = Malformed("a file size is out of range");
      if (s.ok()) s = call.ArrayHeader(&count);
      std::vector<PageImage> pages;
      std::vector<uint32_t> page_numbers;
      RequestReader numbers = call.Nested(s.ok() ? count : 0);
      for (uint64_t i = 0; s.ok() && i < count; ++i) {
        int64_t number = 0;
        s = numbers.Integer(0, UINT32_MAX, &number);
        page_numbers.push_back(static_cast<uint32_t>(number));
      }
      std::string_view bytes;
      bool replace_all = false;
      if (s.ok()) s = call.Bytes(&bytes);
      if (s.ok()) s = call.Bool(&replace_all);
      if (!s.ok()) return s;
      if (bytes.size() != page_numbers.size() * kPageVfsPageSize)
        return Malformed("applyRemote pages do not match their numbers");
      if (db_->in_transaction()) return Status(StatusCode::kInternal, "cannot apply remote pages inside a transaction");
      pages.reserve(page_numbers.size());
      for (size_t i = 0; i < page_numbers.size(); ++i) {
        pages.push_back(PageImage{page_numbers[i], std::string(bytes.substr(i * kPageVfsPageSize, kPageVfsPageSize))});
      }
      if (replace_all) {
        PageVfsLoad(name, static_cast<uint64_t>(file_size), pages);
      } else {
        PageVfsApply(name, static_cast<uint64_t>(file_size), pages);
      }
      out->push_back(kEncodedNull);
      return db_->ResetAfterRevert();
    }
    default: return Malformed("unknown opcode");
  }
}

}  // namespace indexie
