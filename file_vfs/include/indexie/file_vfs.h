// file_vfs.h: the second SQLite VFS, "indexie-file": a database in a real
// file, read and written page by page through a FileBackend
// (file_backend.h), so that memory is bounded by SQLite's page cache and
// opening costs what the first query touches, not what the file holds
// (issue 22). The in-memory page VFS (idb_bridge/page_vfs.h) stays the
// default for everything else.
//
// Guarantees:
//   - No whole-file load and no memory-mapped reads (the methods are version
//     1: no xFetch), so every page SQLite holds is in its page cache, whose
//     size the connection sets (PRAGMA cache_size; see database.h
//     OpenOptions for the default).
//   - Atomic, crash-safe commits come from SQLite's rollback journal in the
//     file '<name>-journal' (the connection's journal_mode and synchronous
//     settings are chosen in database.cc, where the reasons are written).
//     The journal "exists" for SQLite (xAccess) only while it is longer than
//     0 bytes; deleting it truncates it to 0, as the JS side can only
//     truncate its files (the journal file always exists there).
//   - SQLite's lock levels (SHARED, RESERVED, PENDING, EXCLUSIVE) are kept in
//     a lock table per database inside this process, so several connections
//     on one file (the engine's committed-state reader beside a writer)
//     exclude each other as SQLite expects. Across processes nothing is
//     locked: one process owns the file (the JS side elects the owner).
//   - Backend failures become SQLite I/O errors; a full storage (Write
//     returning kFileBackendFull) becomes SQLITE_FULL.
//   - Memory: each connection has its own page cache of the size it was
//     opened with (the committed-state reader's too). An open write
//     transaction keeps its changed pages in its cache until it commits
//     (cache_spill=OFF, database.cc: so the reader is never locked out), so
//     a transaction that changes more than the cache holds grows past it.
//   - Anonymous and temporary files (none are expected: SQLITE_TEMP_STORE=3)
//     go to the page VFS.
#pragma once

#include <memory>
#include <string>

#include "indexie/file_backend.h"

namespace indexie {

inline constexpr const char* kFileVfsName = "indexie-file";

// Makes `name` (the database path SQLite opens on kFileVfsName) and its
// journal live in `backend`. Call before opening the database; a later call
// for the same name replaces the backend for connections opened after it.
// Registers the VFS with SQLite on first use.
void FileVfsUseBackend(const std::string& name, std::shared_ptr<FileBackend> backend);

}  // namespace indexie
