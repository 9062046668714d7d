// file_vfs_test.cc: the file VFS (file_vfs/include/indexie/file_vfs.h) under
// the engine: a reopened database answers a point query reading a handful
// of pages; SQLite's page cache stays at its bound through a full scan;
// a commit interrupted at any write, truncate or sync leaves the database
// at the state before or after it, intact, whatever of the unsynced writes
// survived; a full disk is a QuotaExceededError that leaves the previous
// commit and a usable database. Real SQLite on POSIX files
// (PosixFileBackend) or a simulated disk (fault_file_backend.h).
// The engine's transaction scenarios with two connections run on the file
// VFS in database_test.cc.
#include "indexie/file_vfs.h"

#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "fault_file_backend.h"
#include "indexie/database.h"
#include "indexie/engine_requests.h"
#include "indexie/posix_file_backend.h"
#include "temp_dir.h"
#include "value_builder.h"

namespace indexie {
namespace {

OpenOptions FileOptions(std::shared_ptr<FileBackend> backend, int64_t cache_kib = kDefaultFileCacheKiB) {
  OpenOptions options;
  options.storage = Storage::kFile;
  options.cache_kib = cache_kib;
  options.file_backend = std::move(backend);
  return options;
}

std::unique_ptr<Database> OpenOrFail(const std::string& name, const OpenOptions& options) {
  auto db = Database::Open(name, options);
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return db.ok() ? std::move(db).value() : nullptr;
}

std::string Person(int id, const std::string& name, int age, size_t bio_bytes) {
  return V::Obj({{"id", V::Num(id)},
                 {"name", V::Str(name)},
                 {"age", V::Num(age)},
                 {"bio", V::Str(std::string(bio_bytes, static_cast<char>('a' + id % 26)))}})
      .bytes;
}

// Writes the records [first, first + count) in one transaction.
void PutPeople(Database& db, int first, int count, size_t bio_bytes) {
  ASSERT_TRUE(db.Begin().ok());
  for (int start = first; start < first + count; start += 1000) {
    std::vector<std::string> values;
    for (int id = start; id < std::min(first + count, start + 1000); ++id) {
      values.push_back(Person(id, "n" + std::to_string(id), id % 90, bio_bytes));
    }
    std::vector<std::string_view> views(values.begin(), values.end());
    ASSERT_TRUE(db.Write("people", WriteMode::kPut, views, nullptr).failures.empty());
  }
  ASSERT_TRUE(db.Commit().ok());
}

// Every table of the file, every row in key order: the database's whole state.
std::string Dump(Database& db) {
  auto tables = db.sql().Execute("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name");
  EXPECT_TRUE(tables.ok()) << tables.status().ToString();
  if (!tables.ok()) return "unreadable";
  std::string out;
  for (const auto& row : tables->rows) {
    const std::string table = std::get<std::string>(row[0]);
    auto rows = db.sql().Execute("SELECT * FROM " + table + " ORDER BY 1");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok()) return "unreadable " + table;
    out += table + ":";
    for (const auto& values : rows->rows) {
      for (const SqlValue& value : values) {
        if (const auto* blob = std::get_if<SqlBlob>(&value)) out.append(blob->begin(), blob->end());
        else if (const auto* text = std::get_if<std::string>(&value)) out += *text;
        else if (const auto* integer = std::get_if<int64_t>(&value)) out += std::to_string(*integer);
        else if (const auto* real = std::get_if<double>(&value)) out += std::to_string(*real);
        out += '|';
      }
      out += '\n';
    }
  }
  return out;
}

std::string IntegrityCheck(Database& db) {
  auto result = db.sql().Execute("PRAGMA integrity_check");
  if (!result.ok()) return result.status().ToString();
  return result->rows.empty() ? "no answer" : std::get<std::string>(result->rows[0][0]);
}

int64_t PageCount(Database& db) {
  auto result = db.sql().Execute("PRAGMA page_count");
  return result.ok() ? std::get<int64_t>(result->rows.at(0).at(0)) : -1;
}

class FileVfsTest : public ::testing::Test {
 protected:
  void SetUp() override { name_ = std::string("file_vfs_") + test_info()->name(); }
  static const ::testing::TestInfo* test_info() { return ::testing::UnitTest::GetInstance()->current_test_info(); }

  TempDir dir_;
  std::string name_;
};

// Opening costs what the first query touches: a reopened database of many
// thousand records answers a point query by primary key and one by index
// reading a handful of pages, not the file.
TEST_F(FileVfsTest, AReopenedDatabaseAnswersPointQueriesReadingAHandfulOfPages) {
  constexpr int kRecords = 20000;
  int64_t pages = 0;
  {
    auto backend = std::make_shared<PosixFileBackend>(dir_.path());
    auto db = OpenOrFail(name_, FileOptions(backend));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, kRecords, 300);
    pages = PageCount(*db);
  }
  ASSERT_GT(pages, 2000);  // ~9 MB of 4 KiB pages

  auto backend = std::make_shared<PosixFileBackend>(dir_.path());
  auto db = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(db);
  const int64_t open_reads = backend->counts().reads;
  backend->ResetCounts();
  auto record = db->Get("people", Key::Number(12345));
  ASSERT_TRUE(record.ok() && record.value()) << record.status().ToString();
  EXPECT_EQ(record.value()->substr(0, 20), Person(12345, "n12345", 12345 % 90, 300).substr(0, 20));
  const int64_t get_reads = backend->counts().reads;
  backend->ResetCounts();
  auto by_name = db->GetByIndex("people", "name", Key::String("n777"));
  ASSERT_TRUE(by_name.ok() && by_name.value()) << by_name.status().ToString();
  const int64_t index_reads = backend->counts().reads;
  std::cout << "[ measure  ] " << pages << " pages; backend reads: open " << open_reads << ", get by key " << get_reads
            << ", get by index " << index_reads << "\n";
  EXPECT_LE(open_reads, 10);
  EXPECT_LE(get_reads, 8);  // the change counter, then the store's b-tree from root to leaf
  EXPECT_LE(index_reads, 12);
  EXPECT_EQ(backend->counts().writes, 0);
}

// Memory is bounded by the page cache: a full scan of a file many times the
// cache size leaves SQLite's cache at the bound, while the default cache holds
// the whole (smaller than 32 MiB) file after the same scan.
TEST_F(FileVfsTest, AFullScanKeepsThePageCacheAtItsBound) {
  {
    auto backend = std::make_shared<PosixFileBackend>(dir_.path());
    auto db = OpenOrFail(name_, FileOptions(backend));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 10000, 500);
  }
  constexpr int64_t kCacheKiB = 512;
  int64_t file_bytes = 0;
  {
    auto backend = std::make_shared<PosixFileBackend>(dir_.path());
    auto db = OpenOrFail(name_, FileOptions(backend, kCacheKiB));
    ASSERT_TRUE(db);
    file_bytes = PageCount(*db) * 4096;
    auto all = db->Scan("people");
    ASSERT_TRUE(all.ok());
    ASSERT_EQ(all.value().size(), 10000u);
    const int64_t cached = db->sql().CacheUsedBytes();
    std::cout << "[ measure  ] file " << file_bytes / 1024 << " KiB; cache " << kCacheKiB << " KiB: " << cached / 1024
              << " KiB cached after a full scan, " << backend->counts().reads << " reads\n";
    EXPECT_LE(cached, kCacheKiB * 1024 * 11 / 10);
    EXPECT_GE(cached, kCacheKiB * 1024 / 2);                    // it filled: the bound is what stopped it
    EXPECT_GE(backend->counts().reads, file_bytes / 4096 / 2);  // pages were read again, not kept
  }
  ASSERT_GT(file_bytes, 10 * kCacheKiB * 1024);
  auto backend = std::make_shared<PosixFileBackend>(dir_.path());
  auto db = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->Scan("people").ok());
  const int64_t cached = db->sql().CacheUsedBytes();
  std::cout << "[ measure  ] default cache (" << kDefaultFileCacheKiB / 1024 << " MiB): " << cached / 1024
            << " KiB cached after the same scan\n";
  EXPECT_GT(cached, 4 * kCacheKiB * 1024);
}

// The journal is '<name>-journal', and between transactions it is empty
// (journal_mode=TRUNCATE): a 0-byte journal is no journal (file_vfs.h).
TEST_F(FileVfsTest, TheJournalIsEmptyBetweenTransactions) {
  auto backend = std::make_shared<FaultFileBackend>();
  auto db = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
  PutPeople(*db, 1, 100, 100);
  const auto image = backend->Current();
  ASSERT_EQ(image.count(name_ + "-journal"), 1u);
  EXPECT_EQ(image.at(name_ + "-journal").size(), 0u);
  EXPECT_GT(image.at(name_).size(), 4096u);
  auto mode = db->sql().Execute("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  EXPECT_EQ(std::get<std::string>(mode->rows.at(0).at(0)), "truncate");
  auto sync = db->sql().Execute("PRAGMA synchronous");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(std::get<int64_t>(sync->rows.at(0).at(0)), 2);  // FULL
}

// The commit every crash test interrupts: updates spread over the whole
// table and its indexes, inserts that grow the file, deletes.
Status CommitUnderTest(Database& db) {
  Status status = db.Begin();
  if (!status.ok()) return status;
  std::vector<std::string> values;
  for (int id = 1; id <= 900; id += 3) values.push_back(Person(id, "renamed" + std::to_string(id), 200 - id % 90, 300));
  for (int id = 2000; id < 2060; ++id) values.push_back(Person(id, "new" + std::to_string(id), id % 7, 900));
  std::vector<std::string_view> views(values.begin(), values.end());
  if (!db.Write("people", WriteMode::kPut, views, nullptr).failures.empty())
    return Status(StatusCode::kInternal, "a write failed before the commit");
  std::vector<Key> gone;
  for (int id = 5; id <= 900; id += 40) gone.push_back(Key::Number(id));
  auto deleted = db.Delete("people", gone);
  if (!deleted.ok()) return deleted.status();
  return db.Commit();
}

// Atomicity under crashes: the commit above is interrupted after each of its
// writes, truncates and syncs in turn; the disk then keeps (a) everything
// written, (b) only what was synced, or (c) what was synced plus a random part
// of the rest. Reopened, the database must equal the state before the commit
// or after it, and pass integrity_check.
TEST_F(FileVfsTest, ACommitInterruptedAtAnyWriteOrSyncLeavesTheStateBeforeOrAfterIt) {
  FaultFileBackend::Image before_image;
  {
    auto backend = std::make_shared<FaultFileBackend>();
    auto db = OpenOrFail(name_, FileOptions(backend));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 900, 300);
    before_image = backend->Current();
  }
  std::string before, after;
  int64_t operations = 0;
  {
    auto backend = std::make_shared<FaultFileBackend>(before_image);
    auto db = OpenOrFail(name_, FileOptions(backend));
    ASSERT_TRUE(db);
    before = Dump(*db);
    ASSERT_TRUE(CommitUnderTest(*db).ok());
    operations = backend->operations();
    after = Dump(*db);
    // Durable once it returned (synchronous=FULL): even a power loss right
    // after keeps it, with only the synced bytes on the disk.
    auto power_loss = std::make_shared<FaultFileBackend>(backend->AfterCrash(FaultFileBackend::Survival::kOnlySynced));
    db.reset();
    auto reopened = OpenOrFail(name_, FileOptions(power_loss));
    ASSERT_TRUE(reopened);
    EXPECT_TRUE(Dump(*reopened) == after) << "a power loss right after the commit returned lost it";
  }
  ASSERT_NE(before, after);
  ASSERT_GE(operations, 300) << "the commit should have several hundred crash points";

  using Survival = FaultFileBackend::Survival;
  int reopened = 0, saw_before = 0, saw_after = 0;
  for (int64_t crash = 0; crash < operations; ++crash) {
    auto backend = std::make_shared<FaultFileBackend>(before_image);
    {
      auto db = OpenOrFail(name_, FileOptions(backend));
      ASSERT_TRUE(db);
      backend->CrashAfter(crash);
      EXPECT_FALSE(CommitUnderTest(*db).ok()) << "crash point " << crash;
      ASSERT_TRUE(backend->crashed());
    }  // the "process" is gone: nothing it does after the crash reaches the disk
    for (Survival survival : {Survival::kAllWritten, Survival::kOnlySynced, Survival::kSomeUnsynced}) {
      auto disk = std::make_shared<FaultFileBackend>(backend->AfterCrash(survival, static_cast<uint32_t>(crash)));
      auto db = OpenOrFail(name_, FileOptions(disk));
      ASSERT_TRUE(db) << "crash point " << crash;
      const std::string state = Dump(*db);
      const bool is_before = state == before, is_after = state == after;
      EXPECT_TRUE(is_before || is_after) << "crash point " << crash << ", survival " << static_cast<int>(survival);
      EXPECT_EQ(IntegrityCheck(*db), "ok") << "crash point " << crash;
      saw_before += is_before;
      saw_after += is_after;
      ++reopened;
    }
    if (HasFailure()) break;
  }
  std::cout << "[ measure  ] " << operations << " crash points x 3 survival models: " << reopened
            << " reopened; before: " << saw_before << ", after: " << saw_after << "\n";
  // Both outcomes happen: early crashes roll back, crashes after the journal
  // was truncated keep the commit (with everything written surviving).
  EXPECT_GT(saw_before, 0);
  EXPECT_GT(saw_after, 0);
}

// SQLite's locks between two connections on one file (the engine's
// committed-state reader beside a writer): a reader inside a read
// transaction holds SHARED, so the writer cannot commit over the pages it is
// reading (SQLITE_BUSY, the database file untouched); once the reader is done, the
// writer commits and the reader sees the commit.
TEST_F(FileVfsTest, TwoConnectionsOnOneFileExcludeEachOtherAsSqliteLocksSay) {
  auto backend = std::make_shared<FaultFileBackend>();
  auto writer = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->SetSchema({{"people", "id, name, age"}}).ok());
  PutPeople(*writer, 1, 10, 10);
  auto reader = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(reader);

  ASSERT_TRUE(reader->Begin().ok());
  ASSERT_EQ(reader->Count("people").value(), 10);  // holds SHARED until its transaction ends
  ASSERT_TRUE(writer->Begin().ok());               // RESERVED beside SHARED is fine
  std::string value = Person(11, "x", 1, 10);
  std::vector<std::string_view> one{value};
  ASSERT_TRUE(writer->Write("people", WriteMode::kPut, one, nullptr).failures.empty());
  const std::string file_before = backend->Current().at(name_);
  const Status busy = writer->Commit();  // needs EXCLUSIVE: the reader's SHARED blocks it
  EXPECT_FALSE(busy.ok());
  EXPECT_NE(busy.message().find("locked"), std::string::npos) << busy.ToString();
  EXPECT_TRUE(backend->Current().at(name_) == file_before);  // nothing reached the database file
  EXPECT_EQ(reader->Count("people").value(), 10);
  ASSERT_TRUE(reader->Commit().ok());

  ASSERT_TRUE(writer->Write("people", WriteMode::kPut, one, nullptr).failures.empty());  // its own transaction
  EXPECT_EQ(reader->Count("people").value(), 11);
  EXPECT_EQ(IntegrityCheck(*reader), "ok");
}

// A full disk fails the commit with QuotaExceededError; the database stays
// at the previous commit and takes the next write that fits.
TEST_F(FileVfsTest, AFullDiskIsAQuotaErrorThatKeepsThePreviousCommit) {
  auto backend = std::make_shared<FaultFileBackend>();
  auto db = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(db);
  ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
  PutPeople(*db, 1, 200, 300);
  const std::string before = Dump(*db);
  int64_t used = 0;
  for (const auto& [path, bytes] : backend->Current()) used += static_cast<int64_t>(bytes.size());
  backend->set_quota(used + 64 * 1024);

  ASSERT_TRUE(db->Begin().ok());
  std::vector<std::string> values;
  for (int id = 1000; id < 1500; ++id) values.push_back(Person(id, "big", 1, 1000));
  std::vector<std::string_view> views(values.begin(), values.end());
  ASSERT_TRUE(db->Write("people", WriteMode::kPut, views, nullptr).failures.empty());
  const Status full = db->Commit();
  EXPECT_EQ(full.code(), StatusCode::kQuotaExceeded) << full.ToString();
  EXPECT_FALSE(db->in_transaction());
  EXPECT_TRUE(Dump(*db) == before) << "the failed commit changed the database";
  EXPECT_EQ(IntegrityCheck(*db), "ok");

  // Still usable: a small write fits.
  std::string one = Person(7, "small", 7, 10);
  std::vector<std::string_view> small{one};
  ASSERT_TRUE(db->Write("people", WriteMode::kPut, small, nullptr).failures.empty());
  db.reset();
  auto reopened = OpenOrFail(name_, FileOptions(std::make_shared<FaultFileBackend>(backend->Current())));
  ASSERT_TRUE(reopened);
  EXPECT_EQ(IntegrityCheck(*reopened), "ok");
  EXPECT_EQ(reopened->Count("people").value(), 200);
  auto seven = reopened->Get("people", Key::Number(7));
  ASSERT_TRUE(seven.ok() && seven.value());
  EXPECT_NE(seven.value()->find("small"), std::string::npos);
  EXPECT_FALSE(reopened->Get("people", Key::Number(1000)).value().has_value());
}

// What the engine needs of the options: a backend, a positive cache size; and
// the page store's operations refuse a file-stored database.
TEST_F(FileVfsTest, FileStorageNeedsABackendAndRefusesPageOperations) {
  OpenOptions no_backend;
  no_backend.storage = Storage::kFile;
  EXPECT_EQ(Database::Open(name_, no_backend).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Database::Open(name_, FileOptions(std::make_shared<FaultFileBackend>(), 0)).status().code(),
            StatusCode::kInvalidArgument);

  auto session = EngineSession::Open(name_, FileOptions(std::make_shared<FaultFileBackend>()));
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  const std::string response =
      session.value()->Execute(V::Arr({RequestOp(EngineOp::kPageChanges), RequestOp(EngineOp::kInfo)}).bytes);
  // [[false, "InternalError", ...], [true, {...}]]
  EXPECT_NE(response.find("InternalError"), std::string::npos);
  EXPECT_NE(response.find("tables"), std::string::npos);
}

}  // namespace
}  // namespace indexie
