// file_vfs.h: the second SQLite VFS, "indexie-file": a database in a real
// file, read and written page by page through a FileBackend
// (file_backend.h), so that memory is bounded by SQLite's page cache and
// opening costs what the first query touches, not what the file holds
// (issue 22). The in-memory page VFS (idb_bridge/page_vfs.h) stays the
// default for everything else.
//
// Guarantees:
//   - No whole-file load and no memory-mapped reads (the methods are version
//     2: shared memory, but no xFetch), so every page SQLite holds is in its
//     page cache, whose size the connection sets (PRAGMA cache_size; see
//     database.h OpenOptions for the default).
//   - Atomic, crash-safe commits come from SQLite's WAL in '<name>-wal'
//     (journal_mode=WAL; synchronous NORMAL or FULL by the durability
//     option: database.cc, where the reasons are written). A database from
//     before WAL has its rollback journal '<name>-journal', rolled back on
//     open if hot. A side file "exists" for SQLite (xAccess) only while it
//     is longer than 0 bytes; deleting it truncates it to 0 and syncs, as
//     the JS side can only truncate its files (both always exist there).
//   - The WAL index (SQLite's shared memory) is heap memory in this process,
//     shared by every connection on the file, with SQLite's 8 shm locks in
//     an in-process table; after a crash it is gone and SQLite rebuilds it
//     from the WAL (recovery) on the next open.
//   - SQLite's lock levels (SHARED, RESERVED, PENDING, EXCLUSIVE) are kept in
//     a lock table per database inside this process, so several connections
//     on one file (the engine's committed-state reader beside a writer)
//     coordinate as SQLite expects; in WAL the reader reads its snapshot
//     while the writer commits. Across processes nothing is locked: one
//     process owns the file (the JS side elects the owner).
//   - Write combining: contiguous writes to one file are gathered into one
//     backend write (at most 1 MiB); anything else that changes a file or
//     reads the pending one issues it first, so the backend sees the same
//     writes in the same order, and a crash loses at most a suffix SQLite
//     has not relied on (a WAL commit frame is written through at once).
//     A failed combined write is the error of the call that issued it
//     (SQLITE_FULL / SQLITE_IOERR_WRITE), so the transaction fails.
//   - Backend failures become SQLite I/O errors; a full storage (Write
//     returning kFileBackendFull) becomes SQLITE_FULL.
//   - Memory: each connection has its own page cache of the size it was
//     opened with (the committed-state reader's too). An open write
//     transaction keeps its changed pages in its cache until it commits
//     (cache_spill=OFF, database.cc: so the reader is never locked out), so
//     a transaction that changes more than the cache holds grows past it
//     (database.cc says why spilling stays off in WAL too).
//   - Anonymous and temporary files (none are expected: SQLITE_TEMP_STORE=3)
//     go to the page VFS.
#pragma once

#include <memory>
#include <string>

#include "indexie/file_backend.h"

namespace indexie {

inline constexpr const char* kFileVfsName = "indexie-file";

// Makes `name` (the database path SQLite opens on kFileVfsName), its WAL
// and its journal live in `backend`. Call before opening the database; a later call
// for the same name replaces the backend for connections opened after it.
// Registers the VFS with SQLite on first use.
void FileVfsUseBackend(const std::string& name, std::shared_ptr<FileBackend> backend);

}  // namespace indexie
