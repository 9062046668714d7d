// fault_file_backend.h: a FileBackend (file_backend.h) over a simulated
// disk, for the file VFS's crash and disk-full tests. Files are byte
// strings in memory; each remembers what it held at its last Sync (the
// durable content) and the changes since (in order), so a test can stop the
// "process" at any write, truncate or sync, and then ask what a disk could
// hold afterwards:
//   - kAllWritten:  everything handed to the backend before the crash (the
//                   tab process died; the OS kept what it was given);
//   - kOnlySynced:  each file as of its last Sync (power loss, no unsynced
//                   write reached the disk);
//   - kSomeUnsynced: each file's durable content plus a random subset of its
//                   unsynced changes, applied in order, a write torn into
//                   its 4096-byte-aligned pieces, each kept or not (power
//                   loss with the disk's write cache reordering and dropping
//                   writes; the VFS combines many pages into one write).
// A quota (bytes over all files) makes a write that would grow them past it
// fail with kFileBackendFull, as a browser's storage quota does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "indexie/file_backend.h"

namespace indexie {

class FaultFileBackend : public FileBackend {
 public:
  // A disk image: path -> content.
  using Image = std::map<std::string, std::string>;
  enum class Survival { kAllWritten, kOnlySynced, kSomeUnsynced };

  FaultFileBackend() = default;
  // A disk holding `image`, all of it durable.
  explicit FaultFileBackend(const Image& image) {
    for (const auto& [path, bytes] : image) files_[path] = File{bytes, bytes, {}};
  }

  // The process dies after `operations` more writes, truncates and syncs:
  // from then on every one of them fails (-1) and changes nothing.
  void CrashAfter(int64_t operations) { crash_after_ = operations; }
  bool crashed() const { return crash_after_ == 0; }
  // Mutating operations (write, truncate, sync) so far, crashed ones excluded.
  int64_t operations() const { return operations_; }
  int64_t reads() const { return reads_; }
  void set_quota(int64_t bytes) { quota_ = bytes; }

  // What the disk holds now (current content), or after a crash (see above).
  Image Current() const {
    Image image;
    for (const auto& [path, file] : files_) image[path] = file.current;
    return image;
  }
  Image AfterCrash(Survival survival, uint32_t seed = 0) const {
    if (survival == Survival::kAllWritten) return Current();
    std::mt19937 random(seed);
    Image image;
    for (const auto& [path, file] : files_) {
      std::string bytes = file.durable;
      if (survival == Survival::kSomeUnsynced) {
        for (const Change& change : file.unsynced) {
          if (change.truncate) {
            if (random() % 2) Apply(change, &bytes);
            continue;
          }
          for (size_t at = 0; at < change.bytes.size();) {
            const size_t end = std::min(change.bytes.size(),
                                        (change.offset + at) / kTornPiece * kTornPiece + kTornPiece - change.offset);
            if (random() % 2) Apply(Change{change.offset + at, change.bytes.substr(at, end - at), false}, &bytes);
            at = end;
          }
        }
      }
      image[path] = bytes;
    }
    return image;
  }

  int Open(const std::string& path) override {
    files_.try_emplace(path);  // the JS side has every file created before the engine opens
    const int id = next_id_++;
    ids_[id] = path;
    return id;
  }
  int64_t Size(int id) override {
    File* file = Find(id);
    return file ? static_cast<int64_t>(file->current.size()) : -1;
  }
  int64_t Read(int id, void* out, size_t length, int64_t offset) override {
    File* file = Find(id);
    if (!file || offset < 0) return -1;
    ++reads_;
    const auto start = static_cast<size_t>(offset);
    if (start >= file->current.size()) return 0;
    const size_t n = std::min(length, file->current.size() - start);
    file->current.copy(static_cast<char*>(out), n, start);
    return static_cast<int64_t>(n);
  }
  int Write(int id, const void* data, size_t length, int64_t offset) override {
    File* file = Find(id);
    if (!file || offset < 0 || !Step()) return -1;
    const size_t end = static_cast<size_t>(offset) + length;
    if (quota_ >= 0 && end > file->current.size() &&
        TotalSize() + static_cast<int64_t>(end - file->current.size()) > quota_) {
      return kFileBackendFull;
    }
    Change change{static_cast<size_t>(offset), std::string(static_cast<const char*>(data), length), false};
    Apply(change, &file->current);
    file->unsynced.push_back(std::move(change));
    return 0;
  }
  int Truncate(int id, int64_t size) override {
    File* file = Find(id);
    if (!file || size < 0 || !Step()) return -1;
    Change change{static_cast<size_t>(size), std::string(), true};
    Apply(change, &file->current);
    file->unsynced.push_back(std::move(change));
    return 0;
  }
  int Sync(int id) override {
    File* file = Find(id);
    if (!file || !Step()) return -1;
    file->durable = file->current;
    file->unsynced.clear();
    return 0;
  }
  void Close(int id) override { ids_.erase(id); }

 private:
  static constexpr size_t kTornPiece = 4096;
  struct Change {
    size_t offset;
    std::string bytes;
    bool truncate;  // to `offset` bytes
  };
  struct File {
    std::string durable, current;
    std::vector<Change> unsynced;
  };

  static void Apply(const Change& change, std::string* bytes) {
    if (change.truncate) {
      bytes->resize(change.offset, '\0');  // as ftruncate: a longer size extends with zeros
      return;
    }
    if (bytes->size() < change.offset + change.bytes.size()) bytes->resize(change.offset + change.bytes.size(), '\0');
    bytes->replace(change.offset, change.bytes.size(), change.bytes);
  }

  File* Find(int id) {
    auto it = ids_.find(id);
    return it == ids_.end() ? nullptr : &files_[it->second];
  }
  // Counts one mutating operation; false once the process has crashed.
  bool Step() {
    if (crash_after_ == 0) return false;
    if (crash_after_ > 0) --crash_after_;
    ++operations_;
    return true;
  }
  int64_t TotalSize() const {
    int64_t total = 0;
    for (const auto& [path, file] : files_) total += static_cast<int64_t>(file.current.size());
    return total;
  }

  std::map<std::string, File> files_;
  std::map<int, std::string> ids_;
  int next_id_ = 1;
  int64_t crash_after_ = -1;  // -1: never
  int64_t operations_ = 0;
  int64_t reads_ = 0;
  int64_t quota_ = -1;  // -1: none
};

}  // namespace indexie
