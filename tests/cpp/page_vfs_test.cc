// page_vfs_test.cc: the VFS's change tracking, driven by real SQLite writes:
// the changed pages since a checkpoint are reported, a revert restores the
// file byte for byte (also after growth and truncation), and a file loaded
// from its pages is the same database.
#include "indexie/page_vfs.h"

#include <gtest/gtest.h>

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
                          "CREATE INDEX tb ON t(b)").ok());
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('row " + std::to_string(i * 7919 % 300) + "')").ok());
  PageVfsCheckpoint(name_);
  const auto size = static_cast<uint32_t>(PageVfsFileSize(name_) / kPageVfsPageSize);
  std::map<uint32_t, std::string> pages;
  for (uint32_t i = 0; i < size; ++i) pages[i] = PageVfsReadPages(name_, i, 1);
  // A small change (one row: a few bytes on a few pages), then a growth (new pages, diffed against zeros).
  ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('one more')").ok());
  const std::string small = PageVfsDiff(name_);
  EXPECT_GT(small.size(), 0u);
  EXPECT_LT(small.size(), PageVfsChangedPageNumbers(name_).pages.size() * kPageVfsPageSize / 4);
  for (int i = 0; i < 200; ++i) ASSERT_TRUE(db->Execute("INSERT INTO t(b) VALUES ('" + std::string(200, 'x') + "')").ok());
  ApplyDiff(PageVfsDiff(name_), pages);
  const auto now = static_cast<uint32_t>(PageVfsFileSize(name_) / kPageVfsPageSize);
  ASSERT_GT(now, size);
  for (uint32_t i = 0; i < now; ++i) EXPECT_EQ(pages[i], PageVfsReadPages(name_, i, 1)) << "page " << i;
  PageVfsCheckpoint(name_);
  EXPECT_EQ(PageVfsDiff(name_), "");
}

TEST_F(PageVfsTest, RevertRestoresTheCheckpointExactly) {
  {
    auto db = Open();
    ASSERT_TRUE(db->Execute("PRAGMA journal_mode=MEMORY; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                            "INSERT INTO t(b) VALUES ('kept')").ok());
  }
  PageVfsCheckpoint(name_);
  const int64_t size_before = PageVfsFileSize(name_);
  {
    auto db = Open();
    // Grow the file well past its checkpoint, then change the first record.
    ASSERT_TRUE(db->Execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) "
                            "INSERT INTO t(b) SELECT printf('%0200d', i) FROM n; UPDATE t SET b = 'changed' WHERE a = 1").ok());
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
    ASSERT_TRUE(db->Execute("PRAGMA journal_mode=MEMORY; PRAGMA auto_vacuum=FULL; CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
                            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500) "
                            "INSERT INTO t(b) SELECT printf('%0300d', i) FROM n").ok());
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
                            "INSERT INTO t(b) VALUES ('one'), ('two')").ok());
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

}  // namespace
}  // namespace indexie
