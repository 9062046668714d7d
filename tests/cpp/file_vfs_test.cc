// file_vfs_test.cc: the file VFS (file_vfs/include/indexie/file_vfs.h) under
// the engine: a reopened database answers a point query reading a handful
// of pages; SQLite's page cache stays at its bound through a full scan; commits go to the WAL (journal_mode
// WAL, synchronous NORMAL or FULL by durability) in about one combined
// backend write, and a close leaves one file; a commit and the checkpoint
// after it, interrupted at any write, truncate or sync, leave the database
// at the state before or after the commit, intact, whatever of the
// unsynced writes survived (with 'strict' an acknowledged commit is never
// lost); a WAL left by a killed process is recovered; a reader keeps its
// snapshot while a writer commits; a database from before WAL opens,
// rolling back its hot journal; a full disk is a QuotaExceededError that
// leaves the previous commit and a usable database. Real SQLite on POSIX
// files (PosixFileBackend) or a simulated disk (fault_file_backend.h).
// The engine's transaction scenarios with two connections run on the file
// VFS in database_test.cc.
#include "indexie/file_vfs.h"

#include <gtest/gtest.h>

#include <algorithm>
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

OpenOptions FileOptions(std::shared_ptr<FileBackend> backend, int64_t cache_kib = kDefaultFileCacheKiB,
                        Durability durability = Durability::kRelaxed) {
  OpenOptions options;
  options.storage = Storage::kFile;
  options.cache_kib = cache_kib;
  options.file_backend = std::move(backend);
  options.durability = durability;
  return options;
}

OpenOptions FileOptions(std::shared_ptr<FileBackend> backend, Durability durability) {
  return FileOptions(std::move(backend), kDefaultFileCacheKiB, durability);
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

std::string PragmaText(Database& db, const std::string& pragma) {
  auto result = db.sql().Execute("PRAGMA " + pragma);
  return result.ok() && !result->rows.empty() ? std::get<std::string>(result->rows[0][0]) : "?";
}
int64_t PragmaInt(Database& db, const std::string& pragma) {
  auto result = db.sql().Execute("PRAGMA " + pragma);
  return result.ok() && !result->rows.empty() ? std::get<int64_t>(result->rows[0][0]) : -1;
}

// Commits go to '<name>-wal' (journal_mode=WAL; synchronous NORMAL for
// 'relaxed', FULL for 'strict'); the journal stays empty; the close of the
// last connection checkpoints and empties the WAL: a closed database is one
// file, which opens with every commit.
TEST_F(FileVfsTest, CommitsGoToTheWalAndACloseLeavesOneFile) {
  for (Durability durability : {Durability::kRelaxed, Durability::kStrict}) {
    auto backend = std::make_shared<FaultFileBackend>();
    auto db = OpenOrFail(name_, FileOptions(backend, durability));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 100, 100);
    EXPECT_EQ(PragmaText(*db, "journal_mode"), "wal");
    EXPECT_EQ(PragmaInt(*db, "synchronous"), durability == Durability::kStrict ? 2 : 1);  // FULL : NORMAL
    auto image = backend->Current();
    EXPECT_GT(image.at(name_ + "-wal").size(), 10 * 4096u);
    EXPECT_EQ(image.count(name_ + "-journal") ? image.at(name_ + "-journal").size() : 0u, 0u);
    const std::string state = Dump(*db);
    db.reset();
    image = backend->Current();
    EXPECT_EQ(image.at(name_ + "-wal").size(), 0u);
    EXPECT_GT(image.at(name_).size(), 8 * 4096u);
    // The database file alone (no WAL, no journal) holds every commit.
    auto alone = std::make_shared<FaultFileBackend>(FaultFileBackend::Image{{name_, image.at(name_)}});
    auto reopened = OpenOrFail(name_, FileOptions(alone, durability));
    ASSERT_TRUE(reopened);
    EXPECT_TRUE(Dump(*reopened) == state);
  }
}

// Write combining: a commit of k changed pages reaches the backend as about
// one write (WAL frames are a 24-byte header and a page: 2k writes for
// SQLite), plus the WAL's header and its sync on the first commit after a
// checkpoint; 'strict' adds the commit's sync.
TEST_F(FileVfsTest, ACommitOfManyPagesIsAFewBackendWrites) {
  for (Durability durability : {Durability::kRelaxed, Durability::kStrict}) {
    auto backend = std::make_shared<PosixFileBackend>(dir_.path());
    const std::string name = name_ + (durability == Durability::kStrict ? "_strict" : "_relaxed");
    auto db = OpenOrFail(name, FileOptions(backend, durability));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 10, 100);  // the WAL exists and has its header
    backend->ResetCounts();
    PutPeople(*db, 100, 12, 3000);  // 12 records of ~3 KB: a dozen table pages and the index pages
    const auto counts = backend->counts();
    auto frames = db->sql().Execute("PRAGMA wal_checkpoint(PASSIVE)");  // [busy, frames in the WAL, checkpointed]
    ASSERT_TRUE(frames.ok());
    const int64_t wal_frames = std::get<int64_t>(frames->rows.at(0).at(1));
    std::cout << "[ measure  ] " << (durability == Durability::kStrict ? "strict" : "relaxed") << ": a commit of "
              << wal_frames << "+ WAL frames: " << counts.writes << " backend writes, " << counts.syncs << " syncs, "
              << counts.reads << " reads\n";
    EXPECT_GE(wal_frames, 12);
    EXPECT_EQ(counts.writes, 1);
    EXPECT_EQ(counts.syncs, durability == Durability::kStrict ? 1 : 0);
  }
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

class FileVfsCrashTest : public FileVfsTest, public ::testing::WithParamInterface<Durability> {};

// Atomicity under crashes: the commit above and the close after it (which
// checkpoints the WAL into the database file and empties the WAL) are
// interrupted after each of their writes, truncates and syncs in turn; the
// disk then keeps (a) everything written, (b) only what was synced, or (c)
// what was synced plus a random part of the rest (torn: page by page; 8
// random draws).
// Reopened, the database must equal the state before the commit or after
// it, and pass integrity_check. A commit that returned is kept when the OS
// kept everything; with 'strict' also after any power loss; with 'relaxed'
// a power loss may take it back, whole.
TEST_P(FileVfsCrashTest, ACommitOrCheckpointInterruptedAtAnyWriteOrSyncLeavesTheStateBeforeOrAfterIt) {
  const Durability durability = GetParam();
  const bool strict = durability == Durability::kStrict;
  FaultFileBackend::Image before_image;
  {
    auto backend = std::make_shared<FaultFileBackend>();
    auto db = OpenOrFail(name_, FileOptions(backend, durability));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 900, 300);
    db.reset();
    before_image = backend->Current();
  }
  std::string before, after;
  int64_t commit_operations = 0, operations = 0;
  {
    auto backend = std::make_shared<FaultFileBackend>(before_image);
    auto db = OpenOrFail(name_, FileOptions(backend, durability));
    ASSERT_TRUE(db);
    before = Dump(*db);
    const int64_t start = backend->operations();
    ASSERT_TRUE(CommitUnderTest(*db).ok());
    commit_operations = backend->operations() - start;
    after = Dump(*db);
    if (strict) {
      // Durable once it returned (synchronous=FULL): even a power loss right
      // after keeps it, with only the synced bytes on the disk.
      auto power_loss =
          std::make_shared<FaultFileBackend>(backend->AfterCrash(FaultFileBackend::Survival::kOnlySynced));
      auto reopened = OpenOrFail(name_, FileOptions(power_loss, durability));
      ASSERT_TRUE(reopened);
      EXPECT_TRUE(Dump(*reopened) == after) << "a power loss right after the commit returned lost it";
    }
    db.reset();
    operations = backend->operations() - start;
  }
  ASSERT_NE(before, after);
  ASSERT_GE(operations - commit_operations, 4) << "the checkpoint at close should have several crash points";

  using Survival = FaultFileBackend::Survival;
  int reopened = 0, saw_before = 0, saw_after = 0;
  for (int64_t crash = 0; crash < operations; ++crash) {
    auto backend = std::make_shared<FaultFileBackend>(before_image);
    bool committed = false;
    {
      auto db = OpenOrFail(name_, FileOptions(backend, durability));
      ASSERT_TRUE(db);
      backend->CrashAfter(crash);
      committed = CommitUnderTest(*db).ok();
      EXPECT_EQ(committed, crash >= commit_operations) << "crash point " << crash;
    }  // the close checkpoints; the "process" is gone: nothing it does after the crash reaches the disk
    ASSERT_TRUE(backend->crashed());
    // kSomeUnsynced: several random subsets (seeds) of the unsynced pieces.
    for (int model = 0; model < 10; ++model) {
      const Survival survival = model == 0   ? Survival::kAllWritten
                                : model == 1 ? Survival::kOnlySynced
                                             : Survival::kSomeUnsynced;
      const auto seed = static_cast<uint32_t>(crash * 100 + model);
      auto disk = std::make_shared<FaultFileBackend>(backend->AfterCrash(survival, seed));
      auto db = OpenOrFail(name_, FileOptions(disk, durability));
      ASSERT_TRUE(db) << "crash point " << crash;
      const std::string state = Dump(*db);
      const bool is_before = state == before, is_after = state == after;
      EXPECT_TRUE(is_before || is_after) << "crash point " << crash << ", survival " << static_cast<int>(survival);
      if (committed && (strict || survival == Survival::kAllWritten)) {
        EXPECT_TRUE(is_after) << "an acknowledged commit was lost: crash point " << crash << ", survival "
                              << static_cast<int>(survival);
      }
      EXPECT_EQ(IntegrityCheck(*db), "ok") << "crash point " << crash;
      saw_before += is_before;
      saw_after += is_after;
      ++reopened;
    }
    if (HasFailure()) break;
  }
  std::cout << "[ measure  ] " << (strict ? "strict" : "relaxed") << ": " << operations << " crash points ("
            << commit_operations << " in the commit, the rest in the checkpoint at close) x 10 disks: " << reopened
            << " reopened; before: " << saw_before << ", after: " << saw_after << "\n";
  EXPECT_GT(saw_before, 0);
  EXPECT_GT(saw_after, 0);
}

INSTANTIATE_TEST_SUITE_P(Durabilities, FileVfsCrashTest, ::testing::Values(Durability::kRelaxed, Durability::kStrict),
                         [](const ::testing::TestParamInfo<Durability>& info) {
                           return info.param == Durability::kStrict ? "Strict" : "Relaxed";
                         });

// A killed process leaves the WAL with its commits and no WAL index (it was
// in the process's memory): the next open rebuilds the index from the WAL
// (SQLite's recovery) and sees every commit. With 'strict' a power loss
// keeps them too.
TEST_F(FileVfsTest, AWalLeftByAKilledProcessIsRecoveredOnOpen) {
  for (Durability durability : {Durability::kRelaxed, Durability::kStrict}) {
    auto backend = std::make_shared<FaultFileBackend>();
    auto db = OpenOrFail(name_, FileOptions(backend, durability));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    for (int batch = 0; batch < 5; ++batch) PutPeople(*db, 1 + batch * 40, 40, 200);
    ASSERT_TRUE(db->Delete("people", {Key::Number(3)}).ok());
    const std::string state = Dump(*db);
    const auto killed = backend->Current();  // the process dies here, the database open
    ASSERT_GT(killed.at(name_ + "-wal").size(), 0u);
    auto survivals = {FaultFileBackend::Survival::kAllWritten};
    auto strict_survivals = {FaultFileBackend::Survival::kAllWritten, FaultFileBackend::Survival::kOnlySynced};
    for (auto survival : durability == Durability::kStrict ? strict_survivals : survivals) {
      auto disk = std::make_shared<FaultFileBackend>(backend->AfterCrash(survival));
      auto reopened = OpenOrFail(name_, FileOptions(disk, durability));
      ASSERT_TRUE(reopened);
      EXPECT_TRUE(Dump(*reopened) == state) << "survival " << static_cast<int>(survival);
      EXPECT_EQ(reopened->Count("people").value(), 199);
      EXPECT_EQ(IntegrityCheck(*reopened), "ok");
    }
  }
}

// A database file from before WAL (journal_mode=TRUNCATE), left with a hot
// journal by a crash in the middle of a commit, opens: SQLite rolls the
// journal back, and the connection switches the file to WAL.
TEST_F(FileVfsTest, ARollbackJournalDatabaseWithAHotJournalRollsBackAndSwitchesToWal) {
  FaultFileBackend::Image wal_image;
  {
    auto backend = std::make_shared<FaultFileBackend>();
    auto db = OpenOrFail(name_, FileOptions(backend));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 300, 300);
    db.reset();
    wal_image = backend->Current();
  }
  // The same data as the old format wrote it: rollback journal, FULL.
  const char* kOldSettings = "PRAGMA journal_mode=TRUNCATE; PRAGMA synchronous=FULL; PRAGMA cache_spill=OFF;";
  FaultFileBackend::Image old_image;
  {
    auto backend = std::make_shared<FaultFileBackend>(wal_image);
    auto sql = SqlConnection::Open(name_, FileOptions(backend));
    ASSERT_TRUE(sql.ok());
    ASSERT_TRUE(sql.value()->Run(kOldSettings).ok());
    sql.value().reset();
    old_image = backend->Current();
  }
  ASSERT_EQ(old_image.at(name_)[18], 1) << "the file should be in rollback-journal format";
  std::string before;
  {
    auto copy = std::make_shared<FaultFileBackend>(old_image);
    auto db = OpenOrFail(name_, FileOptions(copy));
    ASSERT_TRUE(db);
    before = Dump(*db);
  }
  // A commit that deletes every record, cut after the database file was
  // written but before the journal was emptied: a hot journal.
  const std::string kCommit = "DELETE FROM s1";
  int64_t operations = 0;
  {
    auto backend = std::make_shared<FaultFileBackend>(old_image);
    auto sql = SqlConnection::Open(name_, FileOptions(backend));
    ASSERT_TRUE(sql.ok());
    ASSERT_TRUE(sql.value()->Run(kOldSettings).ok());
    const int64_t start = backend->operations();
    ASSERT_TRUE(sql.value()->Run(kCommit).ok()) << "the store table is s1";
    operations = backend->operations() - start;
  }
  auto backend = std::make_shared<FaultFileBackend>(old_image);
  {
    auto sql = SqlConnection::Open(name_, FileOptions(backend));
    ASSERT_TRUE(sql.ok());
    ASSERT_TRUE(sql.value()->Run(kOldSettings).ok());
    backend->CrashAfter(operations - 3);  // before: the journal's truncation and its sync
    EXPECT_FALSE(sql.value()->Run(kCommit).ok());
  }
  const auto crashed = backend->AfterCrash(FaultFileBackend::Survival::kAllWritten);
  ASSERT_GT(crashed.at(name_ + "-journal").size(), 0u) << "no hot journal was left";
  ASSERT_NE(crashed.at(name_), old_image.at(name_)) << "the database file should hold part of the commit";

  auto disk = std::make_shared<FaultFileBackend>(crashed);
  auto db = OpenOrFail(name_, FileOptions(disk));
  ASSERT_TRUE(db);
  EXPECT_TRUE(Dump(*db) == before) << "the hot journal was not rolled back";
  EXPECT_EQ(db->Count("people").value(), 300);
  EXPECT_EQ(IntegrityCheck(*db), "ok");
  EXPECT_EQ(PragmaText(*db, "journal_mode"), "wal");
  EXPECT_EQ(disk->Current().at(name_ + "-journal").size(), 0u);
  PutPeople(*db, 1000, 5, 10);
  EXPECT_EQ(db->Count("people").value(), 305);
}

// Two connections on one file (the engine's committed-state reader beside a
// writer), through the VFS's in-process shared memory: a reader inside a
// read transaction keeps its snapshot while the writer commits (nothing
// waits, nothing is BUSY); its next transaction sees the commit.
TEST_F(FileVfsTest, AReaderKeepsItsSnapshotWhileAWriterCommits) {
  auto backend = std::make_shared<FaultFileBackend>();
  auto writer = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(writer);
  ASSERT_TRUE(writer->SetSchema({{"people", "id, name, age"}}).ok());
  PutPeople(*writer, 1, 10, 10);
  auto reader = OpenOrFail(name_, FileOptions(backend));
  ASSERT_TRUE(reader);

  ASSERT_TRUE(reader->Begin().ok());
  ASSERT_EQ(reader->Count("people").value(), 10);  // its snapshot: until its transaction ends
  PutPeople(*writer, 11, 5, 10);
  ASSERT_TRUE(writer->Delete("people", {Key::Number(1)}).ok());
  EXPECT_EQ(writer->Count("people").value(), 14);
  EXPECT_EQ(reader->Count("people").value(), 10);
  EXPECT_TRUE(reader->Get("people", Key::Number(1)).value().has_value());
  ASSERT_TRUE(reader->Commit().ok());
  EXPECT_EQ(reader->Count("people").value(), 14);
  EXPECT_EQ(IntegrityCheck(*reader), "ok");

  // The writer's open transaction is invisible to the reader, and does not lock it out.
  ASSERT_TRUE(writer->Begin().ok());
  std::string value = Person(99, "x", 1, 10);
  std::vector<std::string_view> one{value};
  ASSERT_TRUE(writer->Write("people", WriteMode::kPut, one, nullptr).failures.empty());
  EXPECT_EQ(reader->Count("people").value(), 14);
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_EQ(reader->Count("people").value(), 15);
}

// A full disk fails the commit with QuotaExceededError (the commit's WAL
// frames are one combined write, which the quota refuses); the database
// stays at the previous commit and takes the next write that fits.
TEST_F(FileVfsTest, AFullDiskIsAQuotaErrorThatKeepsThePreviousCommit) {
  for (Durability durability : {Durability::kRelaxed, Durability::kStrict}) {
    auto backend = std::make_shared<FaultFileBackend>();
    auto db = OpenOrFail(name_, FileOptions(backend, durability));
    ASSERT_TRUE(db);
    ASSERT_TRUE(db->SetSchema({{"people", "id, name, age"}}).ok());
    PutPeople(*db, 1, 200, 300);
    const std::string before = Dump(*db);
    int64_t used = 0;
    for (const auto& [path, bytes] : backend->Current()) used += static_cast<int64_t>(bytes.size());
    backend->set_quota(used + 64 * 1024);
    const int64_t operations_before = backend->operations();

    ASSERT_TRUE(db->Begin().ok());
    std::vector<std::string> values;
    for (int id = 1000; id < 1150; ++id) values.push_back(Person(id, "big", 1, 1000));
    std::vector<std::string_view> views(values.begin(), values.end());
    ASSERT_TRUE(db->Write("people", WriteMode::kPut, views, nullptr).failures.empty());
    const Status full = db->Commit();
    EXPECT_EQ(full.code(), StatusCode::kQuotaExceeded) << full.ToString();
    // One backend call: the commit's frames as one combined write, refused (the fault disk counts it).
    EXPECT_EQ(backend->operations(), operations_before + 1);
    EXPECT_FALSE(db->in_transaction());
    EXPECT_TRUE(Dump(*db) == before) << "the failed commit changed the database";
    EXPECT_EQ(IntegrityCheck(*db), "ok");

    // Still usable: a small write fits.
    std::string one = Person(7, "small", 7, 10);
    std::vector<std::string_view> small{one};
    ASSERT_TRUE(db->Write("people", WriteMode::kPut, small, nullptr).failures.empty());
    const auto image = backend->Current();  // killed: the WAL holds the last commit
    db.reset();
    auto reopened = OpenOrFail(name_, FileOptions(std::make_shared<FaultFileBackend>(image), durability));
    ASSERT_TRUE(reopened);
    EXPECT_EQ(IntegrityCheck(*reopened), "ok");
    EXPECT_EQ(reopened->Count("people").value(), 200);
    auto seven = reopened->Get("people", Key::Number(7));
    ASSERT_TRUE(seven.ok() && seven.value());
    EXPECT_NE(seven.value()->find("small"), std::string::npos);
    EXPECT_FALSE(reopened->Get("people", Key::Number(1000)).value().has_value());
  }
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
