// page_vfs.cc: an in-memory SQLite VFS (see page_vfs.h for the contract).
//
// Locking is a no-op: one engine instance owns a database within a process,
// and cross-tab exclusion happens above SQLite (Web Locks, DESIGN §6).
//
// Memory-mapped reads (xFetch/xUnfetch): SQLite reads unchanged pages in
// place, straight from the page buffers here, instead of copying each one
// into its own page cache through xRead. A database larger than SQLite's page
// cache (2 MiB) otherwise copied a 4 KiB page per B-tree step that missed the
// cache: at 100,000 records, ~15,000 copies in one 11,000-row range read.
// The contract is that of a real mmap: a fetched pointer stays valid and
// shows later writes (xWrite copies into the same buffer) until it is
// unfetched. A page buffer that would be freed while any pointer is out
// (truncation, revert) is retired instead, and freed once none is.
#include "indexie/page_vfs.h"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace indexie {
namespace {

// A file's bytes, held as fixed-size pages so that growing a large database
// never reallocates and copies it whole. Pages past `size` are never read.
constexpr size_t kPageSize = 4096;
// Zeroed bytes after every page buffer: xFetch hands pages out in place, and
// SQLite parsing a corrupt page may read a few bytes past its end (a varint
// of up to 9 bytes, found by the page_file fuzzer); a mapped file has the
// next page there, a page buffer has these.
constexpr size_t kPageTail = 16;

// A new page buffer of kPageSize bytes plus the zeroed tail (zeroed whole).
std::unique_ptr<uint8_t[]> NewPageBuffer() { return std::unique_ptr<uint8_t[]>(new uint8_t[kPageSize + kPageTail]()); }

struct FileData {
  std::vector<std::unique_ptr<uint8_t[]>> pages;
  size_t size = 0;

  // Change tracking for the persistence layer: each page's content as it was
  // at the last checkpoint, saved just before its first change since then
  // (null: the page did not exist). Together with checkpoint_size this is
  // enough to revert the file exactly.
  std::map<uint32_t, std::unique_ptr<uint8_t[]>> pre_images;
  size_t checkpoint_size = 0;

  // Pointers handed out by xFetch and not yet unfetched, and the buffers
  // that must outlive them (see the file comment).
  size_t fetched = 0;
  std::vector<std::unique_ptr<uint8_t[]>> retired;

  // Frees `page` now, or once no fetched pointer is out.
  void Release(std::unique_ptr<uint8_t[]> page) {
    if (page && fetched > 0) retired.push_back(std::move(page));
  }
  // Pages from `count` on are dropped (released as above).
  void KeepPages(size_t count) {
    for (size_t index = count; index < pages.size(); ++index) Release(std::move(pages[index]));
    pages.resize(count);
  }

  void SaveBeforeChange(size_t index) {
    if (pre_images.count(static_cast<uint32_t>(index))) return;
    std::unique_ptr<uint8_t[]> copy;
    if (index < pages.size() && pages[index] && index * kPageSize < size) {
      copy = NewPageBuffer();
      std::memcpy(copy.get(), pages[index].get(), kPageSize);
    }
    pre_images.emplace(static_cast<uint32_t>(index), std::move(copy));
  }

  // The page holding byte `offset`, allocated (zeroed) if needed.
  uint8_t* PageFor(size_t offset) {
    const size_t index = offset / kPageSize;
    if (index >= pages.size()) pages.resize(index + 1);
    if (!pages[index]) pages[index] = NewPageBuffer();
    return pages[index].get();
  }
};

// Named files. Anonymous temp files (zName == nullptr) are not registered.
std::map<std::string, std::shared_ptr<FileData>>& Registry() {
  static auto* registry = new std::map<std::string, std::shared_ptr<FileData>>();
  return *registry;
}

// The sqlite3_file subclass SQLite allocates for us (szOsFile bytes); only
// trivially constructible members may live directly in it, so the file's data
// is held through a heap-allocated shared_ptr.
struct PageFile {
  sqlite3_file base;
  std::shared_ptr<FileData>* data;
};

FileData& DataOf(sqlite3_file* file) { return **reinterpret_cast<PageFile*>(file)->data; }

int Close(sqlite3_file* file) {
  auto* page_file = reinterpret_cast<PageFile*>(file);
  delete page_file->data;
  page_file->data = nullptr;
  return SQLITE_OK;
}

int Read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  FileData& data = DataOf(file);
  const auto start = static_cast<size_t>(offset);
  const size_t available = start < data.size ? std::min<size_t>(amount, data.size - start) : 0;
  for (size_t done = 0; done < available;) {
    const size_t at = start + done;
    const size_t chunk = std::min(available - done, kPageSize - at % kPageSize);
    const auto& page = data.pages[at / kPageSize];
    if (page) std::memcpy(static_cast<uint8_t*>(out) + done, page.get() + at % kPageSize, chunk);
    else std::memset(static_cast<uint8_t*>(out) + done, 0, chunk);
    done += chunk;
  }
  if (available < static_cast<size_t>(amount)) {
    // SQLite requires the unread tail to be zero-filled on a short read.
    std::memset(static_cast<uint8_t*>(out) + available, 0, amount - available);
    return SQLITE_IOERR_SHORT_READ;
  }
  return SQLITE_OK;
}

int Write(sqlite3_file* file, const void* in, int amount, sqlite3_int64 offset) {
  FileData& data = DataOf(file);
  const auto start = static_cast<size_t>(offset);
  for (size_t done = 0; done < static_cast<size_t>(amount);) {
    const size_t at = start + done;
    const size_t chunk = std::min<size_t>(amount - done, kPageSize - at % kPageSize);
    data.SaveBeforeChange(at / kPageSize);
    std::memcpy(data.PageFor(at) + at % kPageSize, static_cast<const uint8_t*>(in) + done, chunk);
    done += chunk;
  }
  data.size = std::max(data.size, start + amount);
  return SQLITE_OK;
}

int Truncate(sqlite3_file* file, sqlite3_int64 size) {
  FileData& data = DataOf(file);
  const auto new_size = static_cast<size_t>(size);
  if (new_size >= data.size) return SQLITE_OK;
  const size_t kept = (new_size + kPageSize - 1) / kPageSize;
  for (size_t index = kept ? kept - 1 : 0; index < data.pages.size(); ++index) data.SaveBeforeChange(index);
  data.KeepPages(kept);
  // Zero the tail of the last kept page so a later extension reads zeros.
  if (new_size % kPageSize && data.pages.back()) {
    std::memset(data.pages.back().get() + new_size % kPageSize, 0, kPageSize - new_size % kPageSize);
  }
  data.size = new_size;
  return SQLITE_OK;
}

int Sync(sqlite3_file*, int) { return SQLITE_OK; }

int FileSize(sqlite3_file* file, sqlite3_int64* size) {
  *size = static_cast<sqlite3_int64>(DataOf(file).size);
  return SQLITE_OK;
}

int Lock(sqlite3_file*, int) { return SQLITE_OK; }
int Unlock(sqlite3_file*, int) { return SQLITE_OK; }
int CheckReservedLock(sqlite3_file*, int* reserved) {
  *reserved = 0;
  return SQLITE_OK;
}
int FileControl(sqlite3_file*, int, void*) { return SQLITE_NOTFOUND; }
int SectorSize(sqlite3_file*) { return 4096; }
// Writes of a sector are atomic and ordered: memory either has them or not.
int DeviceCharacteristics(sqlite3_file*) {
  return SQLITE_IOCAP_ATOMIC | SQLITE_IOCAP_SAFE_APPEND | SQLITE_IOCAP_SEQUENTIAL;
}

// xFetch: a whole existing page is handed out in place; anything else gets
// null, and SQLite falls back to xRead.
int Fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  FileData& data = DataOf(file);
  *out = nullptr;
  const auto start = static_cast<size_t>(offset);
  if (amount != static_cast<int>(kPageSize) || start % kPageSize != 0 || start + kPageSize > data.size)
    return SQLITE_OK;
  const auto& page = data.pages[start / kPageSize];
  if (!page) return SQLITE_OK;
  *out = page.get();
  ++data.fetched;
  return SQLITE_OK;
}

// xUnfetch: `pointer` (from Fetch) is no longer used; a null pointer asks to
// unmap everything, which has nothing to do here.
int Unfetch(sqlite3_file* file, sqlite3_int64, void* pointer) {
  FileData& data = DataOf(file);
  if (pointer == nullptr || data.fetched == 0) return SQLITE_OK;
  if (--data.fetched == 0) data.retired.clear();
  return SQLITE_OK;
}

// clang-format off: grouped by SQLite's struct versions, as sqlite3.h lists the members
const sqlite3_io_methods kIoMethods = {
    3,
    Close,
    Read,
    Write,
    Truncate,
    Sync,
    FileSize,
    Lock,
    Unlock,
    CheckReservedLock,
    FileControl,
    SectorSize,
    DeviceCharacteristics,
    nullptr,
    nullptr,
    nullptr,
    nullptr,  // version 2: no shared memory (no WAL)
    Fetch,
    Unfetch,  // version 3: memory-mapped reads
};
// clang-format on

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* file, int flags, int* out_flags) {
  auto* page_file = reinterpret_cast<PageFile*>(file);
  std::shared_ptr<FileData> data;
  if (name == nullptr || (flags & SQLITE_OPEN_DELETEONCLOSE)) {
    data = std::make_shared<FileData>();  // anonymous: gone when closed
  } else {
    auto& registry = Registry();
    auto it = registry.find(name);
    if (it != registry.end()) {
      data = it->second;
    } else if (flags & SQLITE_OPEN_CREATE) {
      data = std::make_shared<FileData>();
      registry.emplace(name, data);
    } else {
      page_file->base.pMethods = nullptr;  // tells SQLite not to call xClose
      return SQLITE_CANTOPEN;
    }
  }
  page_file->data = new std::shared_ptr<FileData>(std::move(data));
  page_file->base.pMethods = &kIoMethods;
  if (out_flags) *out_flags = flags;
  return SQLITE_OK;
}

int Delete(sqlite3_vfs*, const char* name, int) {
  Registry().erase(name);
  return SQLITE_OK;
}

int Access(sqlite3_vfs*, const char* name, int, int* result) {
  *result = Registry().count(name) ? 1 : 0;
  return SQLITE_OK;
}

int FullPathname(sqlite3_vfs*, const char* name, int size, char* out) {
  sqlite3_snprintf(size, out, "%s", name);
  return SQLITE_OK;
}

// Randomness is used only for temp names and random(); it need not be secure.
int Randomness(sqlite3_vfs*, int size, char* out) {
  static uint64_t state = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) | 1;
  for (int i = 0; i < size; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    out[i] = static_cast<char>(state);
  }
  return size;
}

int Sleep(sqlite3_vfs*, int microseconds) { return microseconds; }

int CurrentTimeInt64(sqlite3_vfs*, sqlite3_int64* julian_ms) {
  // Julian day number of the Unix epoch, in milliseconds.
  constexpr sqlite3_int64 kUnixEpochJulianMs = 210866760000000LL;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  *julian_ms = kUnixEpochJulianMs + ms;
  return SQLITE_OK;
}

int CurrentTime(sqlite3_vfs* vfs, double* julian_days) {
  sqlite3_int64 ms = 0;
  CurrentTimeInt64(vfs, &ms);
  *julian_days = ms / 86400000.0;
  return SQLITE_OK;
}

int GetLastError(sqlite3_vfs*, int, char*) { return 0; }

// clang-format off: grouped as sqlite3.h lists the members
sqlite3_vfs kVfs = {
    2,                 // iVersion
    sizeof(PageFile),  // szOsFile
    1024,              // mxPathname
    nullptr,           // pNext
    kPageVfsName,      // zName
    nullptr,           // pAppData
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

}  // namespace

bool PageVfsFileExists(const std::string& name) { return Registry().count(name) > 0; }

int64_t PageVfsFileSize(const std::string& name) {
  auto it = Registry().find(name);
  return it == Registry().end() ? 0 : static_cast<int64_t>(it->second->size);
}

void PageVfsDeleteFile(const std::string& name) { Registry().erase(name); }

size_t PageVfsPagesInUse(const std::string& name) {
  auto it = Registry().find(name);
  return it == Registry().end() ? 0 : it->second->fetched;
}

PageChanges PageVfsChanges(const std::string& name) {
  PageChanges changes;
  auto it = Registry().find(name);
  if (it == Registry().end()) return changes;
  const FileData& data = *it->second;
  changes.file_size = data.size;
  for (const auto& [index, before] : data.pre_images) {
    PageImage page{index, {}};
    if (index < data.pages.size() && data.pages[index] && static_cast<size_t>(index) * kPageSize < data.size) {
      page.bytes.assign(reinterpret_cast<const char*>(data.pages[index].get()), kPageSize);
    }
    changes.pages.push_back(std::move(page));
  }
  return changes;
}

ChangedPageNumbers PageVfsChangedPageNumbers(const std::string& name) {
  ChangedPageNumbers changed;
  auto it = Registry().find(name);
  if (it == Registry().end()) return changed;
  changed.file_size = it->second->size;
  changed.pages.reserve(it->second->pre_images.size());
  for (const auto& [index, before] : it->second->pre_images) changed.pages.push_back(index);
  return changed;
}

namespace {

// Two ranges with fewer equal bytes than this between them are written as one.
constexpr size_t kDiffMergeGap = 8;

void PutU16(std::string& out, size_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>((v >> 8) & 0xff));
}

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

}  // namespace

std::optional<std::string> PageVfsDiff(const std::string& name, size_t max_bytes) {
  std::string out;
  auto it = Registry().find(name);
  if (it == Registry().end()) return out;
  const FileData& data = *it->second;
  static const uint8_t kZeros[kPageSize] = {};
  std::vector<std::pair<size_t, size_t>> ranges;  // [start, end) within the page
  for (const auto& [index, before] : data.pre_images) {
    if (static_cast<size_t>(index) * kPageSize >= data.size || index >= data.pages.size()) continue;
    const uint8_t* now = data.pages[index] ? data.pages[index].get() : kZeros;
    const uint8_t* then = before ? before.get() : kZeros;
    ranges.clear();
    for (size_t at = 0; at < kPageSize;) {
      // Equal stretches are skipped a word at a time (a big commit diffs thousands of pages).
      uint64_t word_now, word_then;
      if (at % 8 == 0 && at + 8 <= kPageSize) {
        std::memcpy(&word_now, now + at, 8);
        std::memcpy(&word_then, then + at, 8);
        if (word_now == word_then) {
          at += 8;
          continue;
        }
      }
      if (now[at] == then[at]) {
        ++at;
        continue;
      }
      size_t end = at + 1;
      while (end < kPageSize && now[end] != then[end]) ++end;
      if (!ranges.empty() && at - ranges.back().second < kDiffMergeGap) ranges.back().second = end;
      else ranges.emplace_back(at, end);
      at = end;
    }
    if (ranges.empty()) continue;
    PutU32(out, index);
    PutU16(out, ranges.size());
    for (const auto& [start, end] : ranges) {
      PutU16(out, start);
      PutU16(out, end - start);
      out.append(reinterpret_cast<const char*>(now + start), end - start);
    }
    if (out.size() > max_bytes) return std::nullopt;
  }
  return out;
}

void PageVfsCheckpoint(const std::string& name) {
  auto it = Registry().find(name);
  if (it == Registry().end()) return;
  it->second->pre_images.clear();
  it->second->checkpoint_size = it->second->size;
}

void PageVfsRevert(const std::string& name) {
  auto it = Registry().find(name);
  if (it == Registry().end()) return;
  FileData& data = *it->second;
  for (auto& [index, before] : data.pre_images) {
    if (before) {
      if (index >= data.pages.size()) data.pages.resize(index + 1);
      data.Release(std::exchange(data.pages[index], std::move(before)));
    } else if (index < data.pages.size()) {
      data.Release(std::move(data.pages[index]));
    }
  }
  data.pre_images.clear();
  data.size = data.checkpoint_size;
  data.KeepPages((data.size + kPageSize - 1) / kPageSize);
}

std::string PageVfsReadPages(const std::string& name, uint32_t first, uint32_t count) {
  std::string out(static_cast<size_t>(count) * kPageSize, '\0');
  auto it = Registry().find(name);
  if (it == Registry().end()) return out;
  const FileData& data = *it->second;
  for (uint32_t i = 0; i < count; ++i) {
    const size_t index = first + i;
    if (index < data.pages.size() && data.pages[index] && index * kPageSize < data.size) {
      std::memcpy(&out[i * kPageSize], data.pages[index].get(), kPageSize);
    }
  }
  return out;
}

void PageVfsApply(const std::string& name, uint64_t file_size, const std::vector<PageImage>& pages) {
  auto it = Registry().find(name);
  if (it == Registry().end()) {
    PageVfsLoad(name, file_size, pages);
    return;
  }
  FileData& data = *it->second;
  data.size = static_cast<size_t>(file_size);
  data.KeepPages((data.size + kPageSize - 1) / kPageSize);
  for (const PageImage& page : pages) {
    if (page.index >= data.pages.size() || page.bytes.size() != kPageSize) continue;
    if (!data.pages[page.index]) data.pages[page.index] = NewPageBuffer();
    std::memcpy(data.pages[page.index].get(), page.bytes.data(), kPageSize);
  }
  data.pre_images.clear();
  data.checkpoint_size = data.size;
}

void PageVfsLoad(const std::string& name, uint64_t file_size, const std::vector<PageImage>& pages) {
  auto data = std::make_shared<FileData>();
  data->size = static_cast<size_t>(file_size);
  data->pages.resize((data->size + kPageSize - 1) / kPageSize);
  for (const PageImage& page : pages) {
    if (page.index >= data->pages.size() || page.bytes.size() != kPageSize) continue;
    data->pages[page.index] = NewPageBuffer();
    std::memcpy(data->pages[page.index].get(), page.bytes.data(), kPageSize);
  }
  data->checkpoint_size = data->size;
  Registry()[name] = std::move(data);
}

}  // namespace indexie

// SQLITE_OS_OTHER: SQLite calls these instead of its built-in OS layer.
extern "C" int sqlite3_os_init(void) { return sqlite3_vfs_register(&indexie::kVfs, /*makeDflt=*/1); }
extern "C" int sqlite3_os_end(void) { return SQLITE_OK; }
