// file_vfs.cc: the "indexie-file" SQLite VFS (see file_vfs.h for what it
// guarantees), over a FileBackend (file_backend.h).
//
// State lives in one entry per database name (the path SQLite opens): its
// backend, the lock table every connection on that file shares, and the
// backend ids of the database file and its journal with how many SQLite
// handles use each (a path is opened in the backend once, and closed when
// its last handle closes).
//
// Locking follows SQLite's os_unix.c within one process:
//   SHARED     granted unless another handle holds PENDING or EXCLUSIVE;
//   RESERVED   one handle at a time, beside any number of SHARED;
//   EXCLUSIVE  first takes PENDING (no new SHARED is granted from then on),
//              then is granted once no other handle holds SHARED; if some
//              does, the request fails with SQLITE_BUSY and the handle keeps
//              PENDING, as SQLite expects.
// The engine is single-threaded, so a BUSY is never waited out: a writer's
// commit (EXCLUSIVE) finds the reader connection between its statements,
// holding nothing.
#include "indexie/file_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "indexie/page_vfs.h"

namespace indexie {
namespace {

constexpr const char* kJournalSuffix = "-journal";

struct DatabaseEntry {
  std::shared_ptr<FileBackend> backend;
  // The lock table. Holders are identified by their handle's address.
  int shared = 0;  // handles holding SHARED or more
  const void* reserved = nullptr;
  const void* pending = nullptr;
  const void* exclusive = nullptr;
  // Backend files open for SQLite handles: path -> (id, handles using it).
  struct OpenFile {
    int id = 0;
    int handles = 0;
  };
  std::map<std::string, OpenFile> files;
};

std::map<std::string, std::shared_ptr<DatabaseEntry>>& Registry() {
  static auto* registry = new std::map<std::string, std::shared_ptr<DatabaseEntry>>();
  return *registry;
}

// The entry `path` belongs to: the database itself or its journal.
std::shared_ptr<DatabaseEntry> EntryFor(const std::string& path) {
  auto& registry = Registry();
  auto it = registry.find(path);
  if (it != registry.end()) return it->second;
  const size_t suffix = std::strlen(kJournalSuffix);
  if (path.size() > suffix && path.compare(path.size() - suffix, suffix, kJournalSuffix) == 0) {
    it = registry.find(path.substr(0, path.size() - suffix));
    if (it != registry.end()) return it->second;
  }
  return nullptr;
}

// What SQLite holds per open file (in its szOsFile bytes). Only trivially
// constructible members live in it; the rest is in a heap-allocated state.
struct HandleState {
  std::shared_ptr<DatabaseEntry> entry;
  std::string path;
  int id = 0;
  bool main_db = false;
  int lock = SQLITE_LOCK_NONE;
};

struct FileHandle {
  sqlite3_file base;
  HandleState* state;
};

HandleState& StateOf(sqlite3_file* file) { return *reinterpret_cast<FileHandle*>(file)->state; }
FileBackend& BackendOf(sqlite3_file* file) { return *StateOf(file).entry->backend; }

// The page VFS, for anonymous files and the OS services (time, randomness).
sqlite3_vfs* PageVfs() { return sqlite3_vfs_find(kPageVfsName); }

// --- Locks -------------------------------------------------------------------

int Unlock(sqlite3_file* file, int level) {
  HandleState& state = StateOf(file);
  if (!state.main_db || state.lock <= level) return SQLITE_OK;
  DatabaseEntry& entry = *state.entry;
  const void* me = &state;
  if (entry.reserved == me) entry.reserved = nullptr;
  if (entry.pending == me) entry.pending = nullptr;
  if (entry.exclusive == me) entry.exclusive = nullptr;
  if (level == SQLITE_LOCK_NONE) --entry.shared;
  state.lock = level;
  return SQLITE_OK;
}

int Lock(sqlite3_file* file, int level) {
  HandleState& state = StateOf(file);
  if (!state.main_db) return SQLITE_OK;
  if (state.lock >= level) return SQLITE_OK;
  DatabaseEntry& entry = *state.entry;
  const void* me = &state;
  const auto held_by_other = [me](const void* holder) { return holder != nullptr && holder != me; };
  if (state.lock == SQLITE_LOCK_NONE) {
    // Only SHARED may be asked from NONE.
    if (level != SQLITE_LOCK_SHARED) return SQLITE_MISUSE;
    if (held_by_other(entry.pending) || held_by_other(entry.exclusive)) return SQLITE_BUSY;
    ++entry.shared;
    state.lock = SQLITE_LOCK_SHARED;
    return SQLITE_OK;
  }
  if (level == SQLITE_LOCK_RESERVED) {
    if (held_by_other(entry.reserved) || held_by_other(entry.pending) || held_by_other(entry.exclusive))
      return SQLITE_BUSY;
    entry.reserved = me;
    state.lock = SQLITE_LOCK_RESERVED;
    return SQLITE_OK;
  }
  // PENDING, then EXCLUSIVE.
  if (held_by_other(entry.pending) || held_by_other(entry.exclusive)) return SQLITE_BUSY;
  if (state.lock < SQLITE_LOCK_RESERVED && held_by_other(entry.reserved)) return SQLITE_BUSY;
  entry.pending = me;
  state.lock = SQLITE_LOCK_PENDING;
  if (level == SQLITE_LOCK_PENDING) return SQLITE_OK;
  if (entry.shared > 1) return SQLITE_BUSY;  // readers other than this handle: keep PENDING
  entry.exclusive = me;
  state.lock = SQLITE_LOCK_EXCLUSIVE;
  return SQLITE_OK;
}

int CheckReservedLock(sqlite3_file* file, int* reserved) {
  const HandleState& state = StateOf(file);
  const DatabaseEntry& entry = *state.entry;
  *reserved = state.main_db && (entry.reserved || entry.pending || entry.exclusive) ? 1 : 0;
  return SQLITE_OK;
}

// --- I/O ---------------------------------------------------------------------

int Close(sqlite3_file* file) {
  auto* handle = reinterpret_cast<FileHandle*>(file);
  HandleState* state = handle->state;
  if (state == nullptr) return SQLITE_OK;
  Unlock(file, SQLITE_LOCK_NONE);
  DatabaseEntry& entry = *state->entry;
  auto it = entry.files.find(state->path);
  if (it != entry.files.end() && --it->second.handles == 0) {
    entry.backend->Close(it->second.id);
    entry.files.erase(it);
  }
  delete state;
  handle->state = nullptr;
  return SQLITE_OK;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  const int64_t got = BackendOf(file).Read(StateOf(file).id, out, static_cast<size_t>(amount), offset);
  if (got < 0 || got > amount) return SQLITE_IOERR_READ;
  if (got < amount) {
    // SQLite requires the unread tail to be zero-filled on a short read.
    std::memset(static_cast<char*>(out) + got, 0, static_cast<size_t>(amount - got));
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int Write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) {
  const int rc = BackendOf(file).Write(StateOf(file).id, in, static_cast<size_t>(amount), offset);
  if (rc == 0) return SQLITE_OK;
  return rc == kFileBackendFull ? SQLITE_FULL : SQLITE_IOERR_WRITE;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  return BackendOf(file).Truncate(StateOf(file).id, size) == 0 ? SQLITE_OK : SQLITE_IOERR_TRUNCATE;
}

int Sync(sqlite3_file* file, int) {
  return BackendOf(file).Sync(StateOf(file).id) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  const int64_t bytes = BackendOf(file).Size(StateOf(file).id);
  if (bytes < 0) return SQLITE_IOERR_FSTAT;
  *size = bytes;
  return SQLITE_OK;
}

int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int SectorSize(sqlite3_file*) { return 4096; }
// Nothing is assumed of the storage (no atomic or ordered writes, no
// power-safe overwrite): SQLite journals and syncs as for any disk.
int DeviceCharacteristics(sqlite3_file*) { return 0; }

// clang-format off: as sqlite3.h lists the members
const sqlite3_io_methods kIoMethods = {
    1,  // version 1: no shared memory (no WAL), no xFetch (nothing memory-mapped)
    Close,       Read,       Write,
    Truncate,    Sync,       FileSize,
    Lock,        Unlock,     CheckReservedLock,
    FileControl, SectorSize, DeviceCharacteristics,
    nullptr,     nullptr,    nullptr,
    nullptr,  // version 2 (shared memory for WAL): unused
    nullptr,
    nullptr,  // version 3 (xFetch): unused
};
// clang-format on

// --- The VFS -----------------------------------------------------------------

// The backend id of `path` for a new handle (opened in the backend on first use), or 0.
int Acquire(DatabaseEntry& entry, const std::string& path) {
  auto it = entry.files.find(path);
  if (it == entry.files.end()) {
    const int id = entry.backend->Open(path);
    if (id <= 0) return 0;
    it = entry.files.emplace(path, DatabaseEntry::OpenFile{id, 0}).first;
  }
  ++it->second.handles;
  return it->second.id;
}

constexpr int kTemporaryFiles = SQLITE_OPEN_DELETEONCLOSE | SQLITE_OPEN_TEMP_DB | SQLITE_OPEN_TEMP_JOURNAL |
                                SQLITE_OPEN_TRANSIENT_DB | SQLITE_OPEN_SUBJOURNAL | SQLITE_OPEN_SUPER_JOURNAL;

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* handle = reinterpret_cast<FileHandle*>(file);
  handle->state = nullptr;
  if (name == nullptr || (flags & kTemporaryFiles)) {
    sqlite3_vfs* pages = PageVfs();
    return pages->xOpen(pages, name, file, flags, out_flags);
  }
  std::shared_ptr<DatabaseEntry> entry = EntryFor(name);
  const int id = entry ? Acquire(*entry, name) : 0;
  if (id == 0) {
    handle->base.pMethods = nullptr;  // tells SQLite not to call xClose
    return SQLITE_CANTOPEN;
  }
  auto* state = new HandleState();
  state->entry = std::move(entry);
  state->path = name;
  state->id = id;
  state->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  handle->state = state;
  handle->base.pMethods = &kIoMethods;
  if (out_flags) *out_flags = flags;
  return SQLITE_OK;
}

// Runs `body(backend, id)` on `path` through an open id, opening (and
// closing) one for the call if no handle has it open. Returns `missing` when
// the path is not this VFS's or the backend has no such file.
template <typename Body>
int WithFile(const char* path, int missing, Body body) {
  std::shared_ptr<DatabaseEntry> entry = EntryFor(path);
  if (!entry) return missing;
  auto it = entry->files.find(path);
  if (it != entry->files.end()) return body(*entry->backend, it->second.id);
  const int id = entry->backend->Open(path);
  if (id <= 0) return missing;
  const int rc = body(*entry->backend, id);
  entry->backend->Close(id);
  return rc;
}

// "Deleting" a file truncates it to 0 bytes: the JS side cannot delete a
// file it holds a sync access handle on, and a 0-byte file does not exist
// for Access below (file_vfs.h).
int Delete(sqlite3_vfs*, const char* path, int sync_dir) {
  return WithFile(path, SQLITE_OK, [sync_dir](FileBackend& backend, int id) {
    if (backend.Truncate(id, 0) != 0) return SQLITE_IOERR_DELETE;
    if (sync_dir && backend.Sync(id) != 0) return SQLITE_IOERR_DIR_FSYNC;
    return SQLITE_OK;
  });
}

// A file exists when it holds at least one byte (see Delete).
int Access(sqlite3_vfs*, const char* path, int, int* result) {
  *result = 0;
  return WithFile(path, SQLITE_OK, [result](FileBackend& backend, int id) {
    const int64_t size = backend.Size(id);
    if (size < 0) return SQLITE_IOERR_ACCESS;
    *result = size > 0 ? 1 : 0;
    return SQLITE_OK;
  });
}

int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  sqlite3_snprintf(size, out, "%s", name);
  return SQLITE_OK;
}

int Randomness(sqlite3_vfs*, int size, char* out) { return PageVfs()->xRandomness(PageVfs(), size, out); }
int Sleep(sqlite3_vfs*, int microseconds) { return PageVfs()->xSleep(PageVfs(), microseconds); }
int CurrentTime(sqlite3_vfs*, double* now) { return PageVfs()->xCurrentTime(PageVfs(), now); }
int GetLastError(sqlite3_vfs*, int, char*) { return 0; }
int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* now) { return PageVfs()->xCurrentTimeInt64(PageVfs(), now); }

// clang-format off: as sqlite3.h lists the members
sqlite3_vfs kVfs = {
    2,                   // iVersion
    sizeof(FileHandle),  // szOsFile: raised to the page VFS's at registration (it opens temp files here)
    1024,                // mxPathname
    nullptr,             // pNext
    kFileVfsName,        // zName
    nullptr,             // pAppData
    Open,
    Delete,
    Access,
    FullPathname,
    nullptr,
    nullptr,
    nullptr,
    nullptr,  // no loadable extensions
    Randomness,
    Sleep,
    CurrentTime,
    GetLastError,
    CurrentTimeInt64,
    nullptr,
    nullptr,
    nullptr,  // no system-call overrides
};
// clang-format on

void RegisterOnce() {
  static const bool registered = [] {
    sqlite3_initialize();  // registers the page VFS (sqlite3_os_init in page_vfs.cc)
    kVfs.szOsFile = std::max(kVfs.szOsFile, PageVfs()->szOsFile);
    return sqlite3_vfs_register(&kVfs, /*makeDflt=*/0) == SQLITE_OK;
  }();
  (void)registered;
}

}  // namespace

void FileVfsUseBackend(const std::string& name, std::shared_ptr<FileBackend> backend) {
  RegisterOnce();
  auto& entry = Registry()[name];
  if (entry && entry->backend == backend) return;
  // A new entry: handles still open on the old one keep it (and its backend) alive.
  entry = std::make_shared<DatabaseEntry>();
  entry->backend = std::move(backend);
}

}  // namespace indexie
