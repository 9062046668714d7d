// file_backend.h: where the file VFS (file_vfs.h) reads and writes real
// files: a small synchronous interface by path and id. Its JS twin,
// Module.indexieFileBackend, has the same calls (wasm/file_backend_js.cc
// states that contract). Implementations:
//   - wasm/file_backend_js.cc: Module.indexieFileBackend, a JS object over
//     OPFS FileSystemSyncAccessHandles in a dedicated Worker;
//   - posix_file_backend.h: POSIX files in a directory (native tests, benches);
//   - tests/cpp/fault_file_backend.h: a simulated disk that can crash or fill up.
//
// Contract (every implementation):
//   - Paths are '<name>' (the database), '<name>-wal' (its write-ahead log)
//     and '<name>-journal' (its rollback journal: databases from before
//     WAL). Open returns an id >= 1, or 0 when there is no such file.
//     Opening the same path again may return the same id or another.
//   - Read copies up to `length` bytes at `offset` and returns how many it
//     copied (fewer at the end of the file: the VFS zero-fills the rest), or
//     -1 on error.
//   - Write returns 0, -1 on error, or kFileBackendFull when the storage is
//     full (quota): that write wrote nothing the VFS relies on.
//   - Sync returns once everything written to that file before it is durable.
//   - Calls are synchronous and made from one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace indexie {

// Write's result when the storage is full (SQLITE_FULL, QuotaExceededError).
inline constexpr int kFileBackendFull = -2;

class FileBackend {
 public:
  virtual ~FileBackend() = default;

  virtual int Open(const std::string& path) = 0;
  // Size in bytes, or -1 on error.
  virtual int64_t Size(int id) = 0;
  virtual int64_t Read(int id, void* out, size_t length, int64_t offset) = 0;
  virtual int Write(int id, const void* data, size_t length, int64_t offset) = 0;
  // 0 ok, -1 error.
  virtual int Truncate(int id, int64_t size) = 0;
  // 0 ok, -1 error.
  virtual int Sync(int id) = 0;
  virtual void Close(int id) = 0;
};

}  // namespace indexie
