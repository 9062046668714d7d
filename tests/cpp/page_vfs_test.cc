// page_vfs_test.cc: the VFS's change tracking, driven by real SQLite writes:
// the changed pages since a checkpoint are reported, a revert restores the
// file byte for byte (also after growth and truncation), and a file loaded
// from its pages is the same database. Reads are memory-mapped: SQLite reads
// pages in place, a page in use outlives a truncation or revert, and writes
// show through a page in use, as with a real mmap.
#include "indexie/page_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <cstring>
#include <map>
#include <string>

#include "indexie/sql_connection.h"

namespace indexie {
namespace {

std::string Dump(SqlConnection& db) {
  auto result = db.Execute("SELECT group_concat(a || ':' || b, ',') FROM (SELECT a, b FROM t ORDER BY a)");
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok() || result->rows.empty() || std::holds_alternative<std::monostate>(result->rows[0][0])) return "";
  return std::get<std::string>(result->rows[0][0]);
}

class PageVfsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = std::string("page_vfs_test_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    PageVfsDeleteFile(name_);
  }
  void TearDown() override { PageVfsDeleteFile(name_); }
  std::unique_ptr<SqlConnection> Open() {
    auto db = SqlConnection::Open(name_);
    EXPECT_TRUE(db.ok());
    return std::move(db).value();
  }
  std::string name_;
};

TEST_F(PageVfsTest, ReportsChangedPagesUntilCheckpoint) {
  auto db = Open();
  ASSERT_TRUE(db->Execute("PRAGMA journal_mode=MEMORY; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT)").ok());
  PageChanges changes = PageVfsChanges(name_);
  EXPECT_FALSE(changes.pages.empty());
  EXPECT_EQ(changes.file_size, PageVfsFileSize(name_));
  for (const PageImage& page : changes.pages) EXPECT_EQ(page.bytes.size(), kPageVfsPageSize);
  PageVfsCheckpoint(name_);
  EXPECT_TRUE(PageVfsChanges(name_).pages.empty());
  ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('x')").ok());
  EXPECT_FALSE(PageVfsChanges(name_).pages.empty());
}

// Applies PageVfsDiff's format (page_vfs.h) over `pages` (page number -> bytes; missing: zeros).
void ApplyDiff(const std::string& diff, std::map<uint32_t, std::string>& pages) {
  auto u = [&](size_t at, int bytes) {
    uint32_t v = 0;
    for (int i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(static_cast<uint8_t>(diff[at + i])) << (8 * i);
    return v;
  };
  for (size_t at = 0; at < diff.size();) {
    const uint32_t page = u(at, 4);
    const uint32_t ranges = u(at + 4, 2);
    at += 6;
    std::string& bytes = pages[page];
    bytes.resize(kPageVfsPageSize, '\0');
    for (uint32_t r = 0; r < ranges; ++r) {
      const uint32_t offset = u(at, 2), length = u(at + 2, 2);
      ASSERT_LE(offset + length, kPageVfsPageSize);
      bytes.replace(offset, length, diff, at + 4, length);
      at += 4 + length;
    }
  }
}

TEST_F(PageVfsTest, TheDiffTurnsTheCheckpointIntoTheCurrentPages) {
  auto db = Open();
  ASSERT_TRUE(db->Execute("PRAGMA journal_mode=MEMORY; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                          "CREATE INDEX tb ON t(b)")
                  .ok());
  for (int i = 0; i < 300; ++i)
    ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('row " + std::to_string(i * 7919 % 300) + "')").ok());
  PageVfsCheckpoint(name_);
  const auto size = static_cast<uint32_t>(PageVfsFileSize(name_) / kPageVfsPageSize);
  std::map<uint32_t, std::string> pages;
  for (uint32_t i = 0; i < size; ++i) pages[i] = PageVfsReadPages(name_, i, 1);
  // A small change (one row: a few bytes on a few pages), then a growth (new pages, diffed against zeros).
  ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('one more')").ok());
  const std::string small = PageVfsDiff(name_).value();
  EXPECT_GT(small.size(), 0u);
  // A bound it exceeds gives up; one it fits does not.
  EXPECT_FALSE(PageVfsDiff(name_, small.size() - 1).has_value());
  EXPECT_EQ(PageVfsDiff(name_, small.size()), small);
  EXPECT_LT(small.size(), PageVfsChangedPageNumbers(name_).pages.size() * kPageVfsPageSize / 4);
  for (int i = 0; i < 200; ++i)
    ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('" + std::string(200, 'x') + "')").ok());
  ApplyDiff(PageVfsDiff(name_).value(), pages);
  const auto now = static_cast<uint32_t>(PageVfsFileSize(name_) / kPageVfsPageSize);
  ASSERT_GT(now, size);
  for (uint32_t i = 0; i < now; ++i) EXPECT_EQ(pages[i], PageVfsReadPages(name_, i, 1)) << "page " << i;
  PageVfsCheckpoint(name_);
  EXPECT_EQ(PageVfsDiff(name_), std::string());
}

TEST_F(PageVfsTest, RevertRestoresTheCheckpointExactly) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Execute("PRAGMA journal_mode=MEMORY; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                            "INSERT INTO t(b) VALUES ('kept')")
                    .ok());
  }
  PageVfsCheckpoint(name_);
  const int64_t size_before = PageVfsFileSize(name_);
  {
    auto db = Open();
    // Grow the file well past its checkpoint, then change the first record.
    ASSERT_TRUE(
        db->Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                    "INSERT INTO t(b) SELECT printf('%0200d', i) FROM n; UPDATE t SET b = 'changed' WHERE a = 1")
            .ok());
  }
  EXPECT_GT(PageVfsFileSize(name_), size_before);
  PageVfsRevert(name_);
  EXPECT_EQ(PageVfsFileSize(name_), size_before);
  EXPECT_TRUE(PageVfsChanges(name_).pages.empty());
  auto db = Open();
  EXPECT_EQ(Dump(*db), "1:kept");
  auto check = db->Execute("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(std::get<std::string>(check->rows[0][0]), "ok");
}

TEST_F(PageVfsTest, RevertAfterTruncationRestoresRemovedPages) {
  {
    auto db = Open();
    ASSERT_TRUE(
        db->Execute(
              "PRAGMA journal_mode=MEMORY; PRAGMA auto_vacuum=FULL; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
              "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
              "INSERT INTO t(b) SELECT printf('%0300d', i) FROM n")
            .ok());
  }
  PageVfsCheckpoint(name_);
  const int64_t size_before = PageVfsFileSize(name_);
  {
    auto db = Open();
    ASSERT_TRUE(db->Execute("DELETE FROM t WHERE a > 1").ok());  // auto_vacuum shrinks the file
  }
  EXPECT_LT(PageVfsFileSize(name_), size_before);
  PageVfsRevert(name_);
  auto db = Open();
  auto count = db->Execute("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(std::get<int64_t>(count->rows[0][0]), 500);
  EXPECT_EQ(std::get<std::string>(db->Execute("PRAGMA integrity_check")->rows[0][0]), "ok");
}

TEST_F(PageVfsTest, ALoadedFileIsTheSameDatabase) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Execute("PRAGMA journal_mode=MEMORY; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                            "INSERT INTO t(b) VALUES ('one'), ('two')")
                    .ok());
  }
  // Everything changed since the file was created: all of its pages.
  PageChanges all = PageVfsChanges(name_);
  const std::string copy = name_ + "_copy";
  PageVfsLoad(copy, all.file_size, all.pages);
  EXPECT_EQ(PageVfsFileSize(copy), static_cast<int64_t>(all.file_size));
  EXPECT_TRUE(PageVfsChanges(copy).pages.empty());
  auto db = SqlConnection::Open(copy);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ(Dump(*db.value()), "1:one,2:two");
  db.value().reset();
  PageVfsDeleteFile(copy);
}

// Fills `name` through the VFS itself with `count` pages, page i full of byte 'a' + i.
sqlite3_file* OpenRaw(const std::string& name, std::vector<char>* storage) {
  sqlite3_vfs* vfs = sqlite3_vfs_find(kPageVfsName);
  storage->assign(vfs->szOsFile, 0);
  auto* file = reinterpret_cast<sqlite3_file*>(storage->data());
  int flags = 0;
  EXPECT_EQ(
      vfs->xOpen(vfs, name.c_str(), file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_MAIN_DB, &flags),
      SQLITE_OK);
  return file;
}
void WritePages(sqlite3_file* file, int first, int count) {
  std::string page(kPageVfsPageSize, '\0');
  for (int i = first; i < first + count; ++i) {
    page.assign(kPageVfsPageSize, static_cast<char>('a' + i));
    ASSERT_EQ(file->pMethods->xWrite(file, page.data(), static_cast<int>(page.size()),
                                     static_cast<sqlite3_int64>(i) * kPageVfsPageSize),
              SQLITE_OK);
  }
}
bool Filled(const void* page, char byte) {
  const auto* bytes = static_cast<const char*>(page);
  for (size_t i = 0; i < kPageVfsPageSize; ++i)
    if (bytes[i] != byte) return false;
  return true;
}

TEST_F(PageVfsTest, SqliteReadsPagesInPlaceAndReleasesThem) {
  auto db = Open();
  ASSERT_TRUE(
      db->Execute("PRAGMA journal_mode=MEMORY; PRAGMA cache_size=4; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                  "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                  "INSERT INTO t(b) SELECT printf('%0300d', i) FROM n")
          .ok());
  ASSERT_EQ(PageVfsPagesInUse(name_), 0u);
  auto stmt = db->Prepare("SELECT b FROM t WHERE a >= 1500 ORDER BY a");
  ASSERT_TRUE(stmt.ok());
  ASSERT_EQ(stmt.value()->Step(), SQLITE_ROW);
  // Mid-statement, the cursor's leaf (and the pages above it) are read in place.
  EXPECT_GT(PageVfsPagesInUse(name_), 0u);
  int rows = 1;
  while (stmt.value()->Step() == SQLITE_ROW) ++rows;
  stmt.value()->Reset();
  EXPECT_EQ(rows, 1501);
  EXPECT_EQ(PageVfsPagesInUse(name_), 0u);
  EXPECT_EQ(std::get<std::string>(db->Execute("PRAGMA integrity_check")->rows[0][0]), "ok");
}

TEST_F(PageVfsTest, APageInUseShowsWritesAndOutlivesTruncationAndRevert) {
  std::vector<char> storage;
  sqlite3_file* file = OpenRaw(name_, &storage);
  WritePages(file, 0, 4);
  PageVfsCheckpoint(name_);
  void* page2 = nullptr;
  ASSERT_EQ(file->pMethods->xFetch(file, 2 * kPageVfsPageSize, kPageVfsPageSize, &page2), SQLITE_OK);
  ASSERT_NE(page2, nullptr);
  EXPECT_TRUE(Filled(page2, 'c'));
  // Only whole existing pages are handed out.
  void* partial = nullptr;
  ASSERT_EQ(file->pMethods->xFetch(file, 2 * kPageVfsPageSize + 1, 100, &partial), SQLITE_OK);
  EXPECT_EQ(partial, nullptr);
  void* past_end = nullptr;
  ASSERT_EQ(file->pMethods->xFetch(file, 4 * kPageVfsPageSize, kPageVfsPageSize, &past_end), SQLITE_OK);
  EXPECT_EQ(past_end, nullptr);

  WritePages(file, 2, 1);  // rewrite page 2 with its own bytes...
  std::string changed(kPageVfsPageSize, 'z');
  ASSERT_EQ(file->pMethods->xWrite(file, changed.data(), static_cast<int>(changed.size()), 2 * kPageVfsPageSize),
            SQLITE_OK);
  EXPECT_TRUE(Filled(page2, 'z'));  // ...and a write shows through the page in use

  ASSERT_EQ(file->pMethods->xTruncate(file, kPageVfsPageSize), SQLITE_OK);
  WritePages(file, 1, 6);  // new allocations must not take the truncated page's memory
  EXPECT_TRUE(Filled(page2, 'z'));
  PageVfsRevert(name_);  // back to 4 pages of 'a'..'d': page 2's buffer is replaced
  WritePages(file, 4, 6);
  EXPECT_TRUE(Filled(page2, 'z'));
  EXPECT_EQ(PageVfsPagesInUse(name_), 1u);
  ASSERT_EQ(file->pMethods->xUnfetch(file, 2 * kPageVfsPageSize, page2), SQLITE_OK);
  EXPECT_EQ(PageVfsPagesInUse(name_), 0u);

  std::string read(kPageVfsPageSize, '\0');
  ASSERT_EQ(file->pMethods->xRead(file, read.data(), static_cast<int>(read.size()), 2 * kPageVfsPageSize), SQLITE_OK);
  EXPECT_EQ(read, std::string(kPageVfsPageSize, 'c'));  // the revert restored the checkpoint's page 2
  file->pMethods->xClose(file);
}

}  // namespace
}  // namespace indexie
