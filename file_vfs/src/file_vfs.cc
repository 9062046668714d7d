// file_vfs.cc: the "indexie-file" SQLite VFS (see file_vfs.h for what it
// guarantees), over a FileBackend (file_backend.h).
//
// State lives in one entry per database name (the path SQLite opens): its
// backend, the lock table every connection on that file shares, the backend
// ids of the database file, its journal and its WAL with how many SQLite
// handles use each (a path is opened in the backend once, and closed when
// its last handle closes), the WAL's shared memory and the pending
// combined write.
//
// Locking follows SQLite's os_unix.c within one process:
//   SHARED     granted unless another handle holds PENDING or EXCLUSIVE;
//   RESERVED   one handle at a time, beside any number of SHARED;
//   EXCLUSIVE  first takes PENDING (no new SHARED is granted from then on),
//              then is granted once no other handle holds SHARED; if some
//              does, the request fails with SQLITE_BUSY and the handle keeps
//              PENDING, as SQLite expects.
// The engine is single-threaded, so a BUSY is never waited out. In WAL mode
// every connection keeps SHARED while open; only the last one to close gets
// EXCLUSIVE (SQLite then checkpoints and deletes the WAL).
//
// Shared memory (the WAL index, xShmMap and friends): every connection to a
// file is in this process (the JS side elects one owner; OPFS handles are
// exclusive), so the regions are heap blocks in the entry, freed when the
// last handle unmaps them. After a crash they are gone, and SQLite rebuilds
// the index from the WAL file on the next open (its recovery). The 8 shm
// locks follow os_unix.c: SHARED beside other SHARED, EXCLUSIVE alone.
//
// Write combining: a write to the same file at the offset where the pending
// one ends is appended to it (up to kMaxPendingBytes); anything else that
// changes a file (a truncate, sync, close, delete, a write elsewhere) or
// looks at the pending write's file (a read, size; access) first issues the
// pending write, so the backend sees the same writes in the same order,
// only in fewer calls, and every read sees them. Lock and shm calls
// touch no backend file and do not flush (SQLite ignores the result of
// several of them, so an error there could not be reported). A commit must
// not return before its bytes reached the backend, so the write that ends a
// WAL commit frame (its 24-byte header names the database size, the mark of
// a commit) is flushed at once and its error is the commit's. WAL writes are
// whole frame headers (24 bytes) and whole pages (512 bytes or more), and a
// commit frame is the commit's last write: no sector padding follows it
// (DeviceCharacteristics), so nothing of a commit is left pending. A failed
// flush reports its error (SQLITE_FULL or SQLITE_IOERR_WRITE) to the call
// that tried; the bytes stay pending until the handle that wrote them has
// been told (one of its own calls tried), then they are dropped: SQLite has
// by then failed that transaction and relies on none of them.
#include "indexie/file_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "indexie/page_vfs.h"

namespace indexie {
namespace {

// The files SQLite opens beside the database '<name>': its rollback
// journal (databases from before WAL, and a hot journal to roll back) and its WAL.
constexpr const char* kSuffixes[] = {"-journal", "-wal"};

// The bound of the pending combined write (file_vfs.h).
constexpr size_t kMaxPendingBytes = 1 << 20;
// A WAL frame header (SQLite's WAL format): 24 bytes, bytes 4-7 the
// database size in pages after a commit frame, 0 in any other frame.
constexpr int kWalFrameHeaderBytes = 24;

struct HandleState;

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

  // The WAL index: heap regions of shm_region_bytes each, zeroed when made,
  // and the handles that mapped them.
  std::vector<std::unique_ptr<uint64_t[]>> shm_regions;  // uint64_t: 8-byte aligned, as SQLite needs
  int shm_region_bytes = 0;
  int shm_handles = 0;
  // The shm lock table: SHARED holders per lock, and the EXCLUSIVE holder.
  int shm_shared[SQLITE_SHM_NLOCK] = {};
  const HandleState* shm_exclusive[SQLITE_SHM_NLOCK] = {};

  // The pending combined write: `bytes` at `offset` of backend file `id`,
  // written by `writer`; `failed` once a flush of it failed.
  struct PendingWrite {
    int id = 0;
    int64_t offset = 0;
    std::string bytes;
    const HandleState* writer = nullptr;
    bool failed = false;
  };
  PendingWrite combined;
};

std::map<std::string, std::shared_ptr<DatabaseEntry>>& Registry() {
  static auto* registry = new std::map<std::string, std::shared_ptr<DatabaseEntry>>();
  return *registry;
}

// The entry `path` belongs to: the database itself, its journal or its WAL.
std::shared_ptr<DatabaseEntry> EntryFor(const std::string& path) {
  auto& registry = Registry();
  auto it = registry.find(path);
  if (it != registry.end()) return it->second;
  for (const char* suffix_text : kSuffixes) {
    const size_t suffix = std::strlen(suffix_text);
    if (path.size() > suffix && path.compare(path.size() - suffix, suffix, suffix_text) == 0) {
      it = registry.find(path.substr(0, path.size() - suffix));
      if (it != registry.end()) return it->second;
    }
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
  bool wal = false;  // the WAL file
  int lock = SQLITE_LOCK_NONE;
  // The WAL file: the last write was the header of a commit frame, so the
  // next one (its page) ends the commit and is flushed at once.
  bool commit_frame_follows = false;
  // Shared memory: whether this handle mapped it, and its shm locks (bit i: lock i).
  bool shm_mapped = false;
  uint32_t shm_shared = 0, shm_exclusive = 0;
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

// --- Write combining ----------------------------------------------------------

int WriteError(int backend_result) { return backend_result == kFileBackendFull ? SQLITE_FULL : SQLITE_IOERR_WRITE; }

// Issues the entry's pending write, for a call by `caller` (nullptr: a call
// outside any handle). On failure the error is returned and the bytes stay
// pending, unless the caller is their writer: then it has been told, and
// they are dropped (see the header).
int Flush(DatabaseEntry& entry, const HandleState* caller) {
  DatabaseEntry::PendingWrite& pending = entry.combined;
  if (pending.bytes.empty()) return SQLITE_OK;
  const int rc = entry.backend->Write(pending.id, pending.bytes.data(), pending.bytes.size(), pending.offset);
  if (rc == 0 || caller == pending.writer) {
    pending.bytes.clear();
    pending.writer = nullptr;
    pending.failed = false;
    return rc == 0 ? SQLITE_OK : WriteError(rc);
  }
  pending.failed = true;
  return WriteError(rc);
}

int FlushFor(sqlite3_file* file) {
  HandleState& state = StateOf(file);
  return Flush(*state.entry, &state);
}

// Before a call that only looks at the handle's file (read, size): only a
// pending write to that file must go first (a checkpoint reads the WAL
// between its writes to the database file, which still combine).
int FlushIfSameFile(sqlite3_file* file) {
  HandleState& state = StateOf(file);
  return state.entry->combined.id == state.id ? Flush(*state.entry, &state) : SQLITE_OK;
}

// --- I/O ---------------------------------------------------------------------

void ShmRelease(HandleState& state);

int Close(sqlite3_file* file) {
  auto* handle = reinterpret_cast<FileHandle*>(file);
  HandleState* state = handle->state;
  if (state == nullptr) return SQLITE_OK;
  DatabaseEntry& entry = *state->entry;
  // The pending write goes out before any file closes; if it cannot, and it
  // is this handle's, it is dropped with the handle (its error is returned).
  const int rc = Flush(entry, state);
  ShmRelease(*state);
  Unlock(file, SQLITE_LOCK_NONE);
  auto it = entry.files.find(state->path);
  if (it != entry.files.end() && --it->second.handles == 0) {
    entry.backend->Close(it->second.id);
    entry.files.erase(it);
  }
  delete state;
  handle->state = nullptr;
  return rc;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  if (const int rc = FlushIfSameFile(file); rc != SQLITE_OK) return rc;
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
  HandleState& state = StateOf(file);
  DatabaseEntry& entry = *state.entry;
  DatabaseEntry::PendingWrite& pending = entry.combined;
  const auto bytes = static_cast<size_t>(amount);
  const bool appends = !pending.bytes.empty() && !pending.failed && pending.id == state.id &&
                       pending.offset + static_cast<int64_t>(pending.bytes.size()) == offset &&
                       pending.bytes.size() + bytes <= kMaxPendingBytes;
  if (!appends) {
    if (const int rc = Flush(entry, &state); rc != SQLITE_OK) return rc;
    if (bytes >= kMaxPendingBytes) {
      const int rc = entry.backend->Write(state.id, in, bytes, offset);
      return rc == 0 ? SQLITE_OK : WriteError(rc);
    }
    pending.id = state.id;
    pending.offset = offset;
    pending.writer = &state;
  }
  pending.bytes.append(static_cast<const char*>(in), bytes);
  if (state.wal) {
    if (state.commit_frame_follows) {
      // The page of a commit frame: the commit is complete once this reached the backend.
      state.commit_frame_follows = false;
      return Flush(entry, &state);
    }
    const auto* header = static_cast<const unsigned char*>(in);
    state.commit_frame_follows = amount == kWalFrameHeaderBytes && (header[4] | header[5] | header[6] | header[7]) != 0;
  }
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  if (const int rc = FlushFor(file); rc != SQLITE_OK) return rc;
  return BackendOf(file).Truncate(StateOf(file).id, size) == 0 ? SQLITE_OK : SQLITE_IOERR_TRUNCATE;
}

int Sync(sqlite3_file* file, int) {
  if (const int rc = FlushFor(file); rc != SQLITE_OK) return rc;
  return BackendOf(file).Sync(StateOf(file).id) == 0 ? SQLITE_OK : SQLITE_IOERR_FSYNC;
}

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  if (const int rc = FlushIfSameFile(file); rc != SQLITE_OK) return rc;
  const int64_t bytes = BackendOf(file).Size(StateOf(file).id);
  if (bytes < 0) return SQLITE_IOERR_FSTAT;
  *size = bytes;
  return SQLITE_OK;
}

int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int SectorSize(sqlite3_file*) { return 4096; }
// Of the storage only power-safe overwrite is assumed (as SQLite's unix VFS
// does by default): a write changes no byte outside its range, even when
// the power fails. No atomic or ordered writes: SQLite syncs as for any
// disk. With it SQLite does not pad a 'strict' WAL commit to a sector
// boundary with copies of its last frame, so a commit ends with its commit
// frame, which the write combining relies on (see the header).
int DeviceCharacteristics(sqlite3_file*) { return SQLITE_IOCAP_POWERSAFE_OVERWRITE; }

// --- Shared memory (the WAL index) --------------------------------------------

int ShmMap(sqlite3_file* file, int region, int region_bytes, int extend, void volatile** out) {
  HandleState& state = StateOf(file);
  DatabaseEntry& entry = *state.entry;
  *out = nullptr;
  if (!state.shm_mapped) {
    state.shm_mapped = true;
    ++entry.shm_handles;
  }
  if (entry.shm_regions.empty()) entry.shm_region_bytes = region_bytes;
  if (region_bytes != entry.shm_region_bytes || region < 0) return SQLITE_IOERR_SHMMAP;
  if (static_cast<size_t>(region) >= entry.shm_regions.size()) {
    if (!extend) return SQLITE_OK;  // not there yet: SQLite treats a null region as empty
    const size_t words = (static_cast<size_t>(region_bytes) + 7) / 8;
    while (entry.shm_regions.size() <= static_cast<size_t>(region)) {
      entry.shm_regions.push_back(std::make_unique<uint64_t[]>(words));  // zero-filled
    }
  }
  *out = entry.shm_regions[static_cast<size_t>(region)].get();
  return SQLITE_OK;
}

int ShmLock(sqlite3_file* file, int offset, int count, int flags) {
  HandleState& state = StateOf(file);
  DatabaseEntry& entry = *state.entry;
  if (offset < 0 || count < 1 || offset + count > SQLITE_SHM_NLOCK) return SQLITE_MISUSE;
  const uint32_t mask = ((1u << count) - 1) << offset;
  if (flags & SQLITE_SHM_UNLOCK) {
    for (int i = offset; i < offset + count; ++i) {
      if (state.shm_shared & (1u << i)) --entry.shm_shared[i];
      if (state.shm_exclusive & (1u << i)) entry.shm_exclusive[i] = nullptr;
    }
    state.shm_shared &= ~mask;
    state.shm_exclusive &= ~mask;
    return SQLITE_OK;
  }
  const auto taken_by_other = [&](int i) {
    return entry.shm_exclusive[i] != nullptr && entry.shm_exclusive[i] != &state;
  };
  if (flags & SQLITE_SHM_SHARED) {
    for (int i = offset; i < offset + count; ++i) {
      if (taken_by_other(i)) return SQLITE_BUSY;
    }
    for (int i = offset; i < offset + count; ++i) {
      if (!(state.shm_shared & (1u << i))) ++entry.shm_shared[i];
    }
    state.shm_shared |= mask;
    return SQLITE_OK;
  }
  // EXCLUSIVE: no other handle may hold the lock in any mode.
  for (int i = offset; i < offset + count; ++i) {
    const int my_shared = (state.shm_shared & (1u << i)) ? 1 : 0;
    if (taken_by_other(i) || entry.shm_shared[i] - my_shared > 0) return SQLITE_BUSY;
  }
  for (int i = offset; i < offset + count; ++i) entry.shm_exclusive[i] = &state;
  state.shm_exclusive |= mask;
  return SQLITE_OK;
}

// One thread: every access to the regions is already ordered.
void ShmBarrier(sqlite3_file*) {}

// Drops the handle's shm locks and mapping; the last mapping frees the
// regions (the next open rebuilds the index from the WAL).
void ShmRelease(HandleState& state) {
  if (!state.shm_mapped) return;
  DatabaseEntry& entry = *state.entry;
  for (int i = 0; i < SQLITE_SHM_NLOCK; ++i) {
    if (state.shm_shared & (1u << i)) --entry.shm_shared[i];
    if (state.shm_exclusive & (1u << i)) entry.shm_exclusive[i] = nullptr;
  }
  state.shm_shared = state.shm_exclusive = 0;
  state.shm_mapped = false;
  if (--entry.shm_handles == 0) {
    entry.shm_regions.clear();
    entry.shm_region_bytes = 0;
  }
}

int ShmUnmap(sqlite3_file* file, int) {
  ShmRelease(StateOf(file));
  return SQLITE_OK;
}

// clang-format off: as sqlite3.h lists the members
const sqlite3_io_methods kIoMethods = {
    2,  // version 2: shared memory for WAL (in process); no xFetch (nothing memory-mapped)
    Close,       Read,       Write,
    Truncate,    Sync,       FileSize,
    Lock,        Unlock,     CheckReservedLock,
    FileControl, SectorSize, DeviceCharacteristics,
    ShmMap,      ShmLock,    ShmBarrier,
    ShmUnmap,    nullptr,
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
  state->wal = (flags & SQLITE_OPEN_WAL) != 0;
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
  // A backend call like any other: the pending write goes first.
  if (const int rc = Flush(*entry, nullptr); rc != SQLITE_OK) return rc;
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
// for Access below (file_vfs.h). The truncation is always synced, whatever
// SQLite asks (sync_dir): a journal that came back after a power loss would
// be "hot" and roll the database back over everything the WAL committed
// since (SQLite deletes the journal when it switches a database to WAL).
// Deletes are rare in WAL mode (that switch, a hot journal's rollback, the
// WAL at the last close), so the sync costs nothing per commit.
int Delete(sqlite3_vfs*, const char* path, int) {
  return WithFile(path, SQLITE_OK, [](FileBackend& backend, int id) {
    if (backend.Truncate(id, 0) != 0) return SQLITE_IOERR_DELETE;
    if (backend.Sync(id) != 0) return SQLITE_IOERR_DIR_FSYNC;
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
