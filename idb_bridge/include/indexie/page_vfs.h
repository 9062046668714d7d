// page_vfs.h: the SQLite VFS that every indexie database runs on.
//
// SQLite is built with SQLITE_OS_OTHER=1, so it has no file system of its own:
// sqlite3_os_init() (defined in page_vfs.cc) registers this VFS as the default.
// Files live in memory, in a process-wide registry keyed by name, so a
// database closed and opened again in the same process finds its bytes.
//
// Contract with the persistence layer (the IndexedDB page store, issue 5):
// the bytes of a database file change only through SQLite's xWrite/xTruncate,
// and this VFS is the seam where those changes will be captured per commit.
#pragma once

#include <cstdint>
#include <string>

namespace indexie {

// The VFS's registered name.
inline constexpr const char* kPageVfsName = "indexie";

// Whether a file of this name currently exists in the registry.
bool PageVfsFileExists(const std::string& name);

// Size in bytes of a file in the registry, or 0 if it does not exist.
int64_t PageVfsFileSize(const std::string& name);

// Removes a file from the registry (as if deleted from disk). Open handles
// keep their bytes until closed.
void PageVfsDeleteFile(const std::string& name);

}  // namespace indexie
