// posix_file_backend.h: a FileBackend (file_backend.h) over POSIX files in
// one directory, for native tests and benchmarks (the browser has OPFS, see
// wasm/). Open creates a missing file, as the JS side has its files created
// before the engine opens; Sync is fsync. Counts the calls, so tests can
// tell how much a query read.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "indexie/file_backend.h"

namespace indexie {

class PosixFileBackend : public FileBackend {
 public:
  // Files live in `directory` (which must exist); a path becomes one file name in it.
  explicit PosixFileBackend(std::string directory) : directory_(std::move(directory)) {}
  ~PosixFileBackend() override;

  int Open(const std::string& path) override;
  int64_t Size(int id) override;
  int64_t Read(int id, void* out, size_t length, int64_t offset) override;
  int Write(int id, const void* data, size_t length, int64_t offset) override;
  int Truncate(int id, int64_t size) override;
  int Sync(int id) override;
  void Close(int id) override;

  // Calls so far (for tests): reads and the bytes they returned, writes, syncs.
  struct Counts {
    int64_t reads = 0, read_bytes = 0, writes = 0, syncs = 0;
  };
  const Counts& counts() const { return counts_; }
  void ResetCounts() { counts_ = Counts(); }

 private:
  std::string directory_;
  std::map<int, int> fds_;  // id -> file descriptor
  int next_id_ = 1;
  Counts counts_;
};

}  // namespace indexie
