// page_vfs.h: the SQLite VFS that every indexie database runs on.
//
// SQLite is built with SQLITE_OS_OTHER=1, so it has no file system of its own:
// sqlite3_os_init() (defined in page_vfs.cc) registers this VFS as the default.
// Files live in memory, in a process-wide registry keyed by name, so a
// database closed and opened again in the same process finds its bytes.
//
// Contract with the persistence layer (js/src persistence: the IndexedDB page
// store): the bytes of a database file change only through SQLite's
// xWrite/xTruncate (or the load/apply calls below). This VFS records which
// pages changed since the last checkpoint, with their pre-images, so a commit
// can be stored (changed pages, or their byte diff) and, if storing fails,
// reverted.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

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

// Pages of `name` SQLite is reading in place right now (memory-mapped reads:
// fetched and not yet released). 0 between statements; for tests and checks.
size_t PageVfsPagesInUse(const std::string& name);

// --- Change tracking, for the persistence layer (DESIGN §5) ----------------
// Every file remembers, for each page changed since its last checkpoint, the
// page's content at that checkpoint. The persistence layer reads the changes
// after a commit, stores them atomically, then either checkpoints (stored) or
// reverts (the store failed: the file is exactly as at the checkpoint again,
// and SQLite's page cache must be reset by the caller).

inline constexpr size_t kPageVfsPageSize = 4096;

struct PageImage {
  uint32_t index;     // page number, 0-based (byte offset / kPageVfsPageSize)
  std::string bytes;  // kPageVfsPageSize bytes; empty: the page no longer exists (truncated)
};

struct PageChanges {
  std::vector<PageImage> pages;  // ascending page numbers, current content
  uint64_t file_size = 0;        // current size in bytes
};

// The pages of `name` changed since its last checkpoint.
PageChanges PageVfsChanges(const std::string& name);
// Only the numbers of those pages (ascending) and the current size: what a
// commit needs to decide what to store, without copying any page.
struct ChangedPageNumbers {
  std::vector<uint32_t> pages;
  uint64_t file_size = 0;
};
ChangedPageNumbers PageVfsChangedPageNumbers(const std::string& name);
// The changed pages as byte ranges that differ from their checkpoint content
// (a page that did not exist counts as zeros), pages at or past the current
// size left out, in the delta format of storage format 3
// (js/src/page-file-format.ts; all numbers little-endian):
//   per page with a difference, ascending:  u32 page number, u16 range count,
//   then per range, ascending:             u16 offset, u16 length, the bytes.
// Ranges closer than a few bytes are merged (a range header costs 4 bytes).
// With `max_bytes`, gives up (nullopt) as soon as the diff would be longer.
std::optional<std::string> PageVfsDiff(const std::string& name, size_t max_bytes = SIZE_MAX);
// Accepts the current content as the new checkpoint.
void PageVfsCheckpoint(const std::string& name);
// Restores every changed page and the size to the last checkpoint.
void PageVfsRevert(const std::string& name);
// The current bytes of pages [first, first + count) of `name` (zeros past the
// end), for a persistence layer that stores several pages per record.
std::string PageVfsReadPages(const std::string& name, uint32_t first, uint32_t count);

// Brings `name` up to date with changes another tab stored: writes `pages`
// over the current content, sets the size, and checkpoints (the file now
// equals what storage holds). REQUIRES: no uncheckpointed local changes.
void PageVfsApply(const std::string& name, uint64_t file_size, const std::vector<PageImage>& pages);

// Replaces `name` with a file of `file_size` bytes made of `pages` (missing
// pages read as zeros), as loaded from persistent storage; it is checkpointed.
void PageVfsLoad(const std::string& name, uint64_t file_size, const std::vector<PageImage>& pages);

}  // namespace indexie
