// database_test.cc: the storage layer on real SQLite: schema changes,
// CRUD, exact indexes after every write, constraints, auto-increment, and
// all-or-nothing schema upgrades. Every test runs on both storages: the
// in-memory page VFS and the file VFS (POSIX files through
// PosixFileBackend), so the transaction scenarios with two connections are
// checked against the file VFS's locks too; the page store's revert is
// page-VFS only (PageStoreDatabaseTest).
#include "indexie/database.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "indexie/key_codec.h"
#include "indexie/page_vfs.h"
#include "indexie/posix_file_backend.h"
#include "temp_dir.h"
#include "value_builder.h"

namespace indexie {
namespace {

class DatabaseTest : public ::testing::TestWithParam<Storage> {
 protected:
  void SetUp() override {
    name_ = std::string("database_test_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : name_) {
      if (c == '/') c = '_';  // parameterized names hold a '/'
    }
    options_.storage = GetParam();
    if (GetParam() == Storage::kFile) options_.file_backend = std::make_shared<PosixFileBackend>(dir_.path());
    PageVfsDeleteFile(name_);
    db_ = Reopen();
  }
  void TearDown() override {
    db_.reset();
    PageVfsDeleteFile(name_);
  }

  std::unique_ptr<Database> Open() {
    auto db = Database::Open(name_, options_);
    EXPECT_TRUE(db.ok()) << db.status().ToString();
    return std::move(db).value();
  }
  std::unique_ptr<Database> Reopen() {
    db_.reset();
    return Open();
  }

  void Schema(std::map<std::string, std::string> specs) {
    Status status = db_->SetSchema(specs);
    ASSERT_TRUE(status.ok()) << status.ToString();
  }

  WriteOutcome Put(const std::string& table, std::vector<V> values, WriteMode mode = WriteMode::kPut,
                   const std::vector<Key>* keys = nullptr) {
    std::vector<std::string_view> views;
    for (const V& v : values) views.push_back(v.bytes);
    return db_->Write(table, mode, views, keys);
  }

  // Every (index key, primary key) pair of an index, read straight from SQLite.
  std::vector<std::pair<std::string, std::string>> IndexContents(const std::string& table, const std::string& index) {
    auto meta = db_->sql().Execute("SELECT json_extract(value, '$.tables.\"" + table + "\".indexes.\"" + index +
                                   "\"') FROM _indexie_meta WHERE name = 'schema'");
    EXPECT_TRUE(meta.ok()) << meta.status().ToString();
    const int64_t number = std::get<int64_t>(meta->rows.at(0).at(0));
    const bool unique = db_->tables().at(table).FindIndex(index)->unique;
    // Unique indexes store (k, p); the others one column e = k || p.
    auto rows = db_->sql().Execute(unique ? "SELECT k, p FROM x" + std::to_string(number) + " ORDER BY k"
                                          : "SELECT e FROM x" + std::to_string(number) + " ORDER BY e");
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& row : rows->rows) {
      std::string entry;
      for (const auto& cell : row) entry.append(std::get<SqlBlob>(cell).begin(), std::get<SqlBlob>(cell).end());
      const size_t split = EncodedKeySize(entry);
      EXPECT_GT(split, 0u);
      out.emplace_back(DecodeKey(entry.substr(0, split)).value().ToDisplayString(),
                       DecodeKey(entry.substr(split)).value().ToDisplayString());
    }
    return out;
  }

  TempDir dir_;  // the files of the kFile runs
  OpenOptions options_;
  std::string name_;
  std::unique_ptr<Database> db_;
};

std::string StorageName(const ::testing::TestParamInfo<Storage>& info) {
  return info.param == Storage::kFile ? "File" : "PageMemory";
}
INSTANTIATE_TEST_SUITE_P(Storages, DatabaseTest, ::testing::Values(Storage::kPageMemory, Storage::kFile), StorageName);

// Tests of the page VFS's persistence contract (revert after a failed flush).
class PageStoreDatabaseTest : public DatabaseTest {};
INSTANTIATE_TEST_SUITE_P(Storages, PageStoreDatabaseTest, ::testing::Values(Storage::kPageMemory), StorageName);

using Pairs = std::vector<std::pair<std::string, std::string>>;

V User(double id, const std::string& email, const std::string& name, std::initializer_list<V> tags) {
  return V::Obj({{"id", V::Num(id)}, {"email", V::Str(email)}, {"name", V::Str(name)}, {"tags", V::Arr(tags)}});
}

TEST_P(DatabaseTest, NewDatabaseHasVersionZeroAndNoTables) {
  EXPECT_EQ(db_->version(), 0);
  EXPECT_TRUE(db_->tables().empty());
  EXPECT_EQ(db_->Count("users").status().code(), StatusCode::kInvalidTable);
}

TEST_P(DatabaseTest, PutGetDeleteAndIndexesStayExact) {
  Schema({{"users", "id, &email, name, *tags"}});
  auto outcome =
      Put("users", {User(1, "a@x", "Ada", {V::Str("x"), V::Str("y")}), User(2, "b@x", "Bob", {V::Str("y")})});
  ASSERT_TRUE(outcome.failures.empty()) << outcome.failures[0].status.ToString();
  EXPECT_EQ(IndexContents("users", "tags"), (Pairs{{"\"x\"", "1"}, {"\"y\"", "1"}, {"\"y\"", "2"}}));
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"a@x\"", "1"}, {"\"b@x\"", "2"}}));

  // Update record 1: new email, tags lose "x" and gain "z".
  outcome = Put("users", {User(1, "a2@x", "Ada", {V::Str("y"), V::Str("z")})});
  ASSERT_TRUE(outcome.failures.empty());
  EXPECT_EQ(IndexContents("users", "tags"), (Pairs{{"\"y\"", "1"}, {"\"y\"", "2"}, {"\"z\"", "1"}}));
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"a2@x\"", "1"}, {"\"b@x\"", "2"}}));

  auto got = db_->Get("users", Key::Number(1));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got.value(), User(1, "a2@x", "Ada", {V::Str("y"), V::Str("z")}).bytes);

  auto deleted = db_->Delete("users", {Key::Number(1), Key::Number(99)});
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(deleted.value(), 1);
  EXPECT_EQ(IndexContents("users", "tags"), (Pairs{{"\"y\"", "2"}}));
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"b@x\"", "2"}}));
  EXPECT_FALSE(db_->Get("users", Key::Number(1)).value());
  EXPECT_EQ(db_->Count("users").value(), 1);
}

TEST_P(DatabaseTest, AddOfAnExistingKeyIsAConstraintErrorAndChangesNothing) {
  Schema({{"users", "id, name"}});
  ASSERT_TRUE(Put("users", {V::Obj({{"id", V::Num(1)}, {"name", V::Str("Ada")}})}, WriteMode::kAdd).failures.empty());
  auto outcome = Put("users", {V::Obj({{"id", V::Num(1)}, {"name", V::Str("Eve")}})}, WriteMode::kAdd);
  ASSERT_EQ(outcome.failures.size(), 1u);
  EXPECT_EQ(outcome.failures[0].status.code(), StatusCode::kConstraint);
  EXPECT_EQ(outcome.failures[0].status.message(), "key 1 already exists in table 'users'");
  EXPECT_EQ(IndexContents("users", "name"), (Pairs{{"\"Ada\"", "1"}}));
}

TEST_P(DatabaseTest, UniqueIndexViolationIsAConstraintErrorNamingTheIndex) {
  Schema({{"users", "id, &email"}});
  ASSERT_TRUE(Put("users", {V::Obj({{"id", V::Num(1)}, {"email", V::Str("a@x")}})}).failures.empty());
  auto outcome = Put("users", {V::Obj({{"id", V::Num(2)}, {"email", V::Str("a@x")}})});
  ASSERT_EQ(outcome.failures.size(), 1u);
  EXPECT_EQ(outcome.failures[0].status.code(), StatusCode::kConstraint);
  EXPECT_EQ(outcome.failures[0].status.message(),
            "unique index 'email' of table 'users' already has the key \"a@x\" (on the record with key 1)");
  EXPECT_FALSE(db_->Get("users", Key::Number(2)).value());
  // Re-putting the holder itself with the same email is fine.
  EXPECT_TRUE(Put("users", {V::Obj({{"id", V::Num(1)}, {"email", V::Str("a@x")}})}).failures.empty());
}

TEST_P(DatabaseTest, BulkWriteAppliesEachItemOnItsOwn) {
  Schema({{"users", "id, &email"}});
  auto outcome =
      Put("users",
          {V::Obj({{"id", V::Num(1)}, {"email", V::Str("a")}}), V::Obj({{"id", V::Num(2)}, {"email", V::Str("a")}}),
           V::Obj({{"email", V::Str("c")}}), V::Obj({{"id", V::Num(4)}, {"email", V::Str("d")}})},
          WriteMode::kAdd);
  ASSERT_EQ(outcome.failures.size(), 2u);
  EXPECT_EQ(outcome.failures[0].position, 1u);
  EXPECT_EQ(outcome.failures[0].status.code(), StatusCode::kConstraint);
  EXPECT_EQ(outcome.failures[1].position, 2u);
  EXPECT_EQ(outcome.failures[1].status.code(), StatusCode::kData);
  EXPECT_TRUE(outcome.keys[0] && outcome.keys[3]);
  EXPECT_FALSE(outcome.keys[1] || outcome.keys[2]);
  EXPECT_EQ(db_->Count("users").value(), 2);
}

TEST_P(DatabaseTest, AutoIncrementFollowsIndexedDb) {
  Schema({{"items", "++id, name"}});
  auto outcome = Put("items", {V::Obj({{"name", V::Str("a")}}), V::Obj({{"name", V::Str("b")}})}, WriteMode::kAdd);
  ASSERT_TRUE(outcome.failures.empty());
  EXPECT_EQ(outcome.keys[0]->number, 1);
  EXPECT_EQ(outcome.keys[1]->number, 2);
  // The generated key is written into the stored value.
  EXPECT_EQ(*db_->Get("items", Key::Number(1)).value(), V::Obj({{"name", V::Str("a")}, {"id", V::Num(1)}}).bytes);
  // An explicit key above the generator moves it.
  ASSERT_TRUE(Put("items", {V::Obj({{"id", V::Num(10.5)}})}).failures.empty());
  outcome = Put("items", {V::Obj({})}, WriteMode::kAdd);
  EXPECT_EQ(outcome.keys[0]->number, 11);
  // Keys are never reused after delete, and the generator survives reopening.
  ASSERT_TRUE(db_->Delete("items", {Key::Number(11)}).ok());
  db_ = Reopen();
  outcome = Put("items", {V::Obj({})}, WriteMode::kAdd);
  EXPECT_EQ(outcome.keys[0]->number, 12);
  // Non-numeric explicit keys do not touch it.
  ASSERT_TRUE(Put("items", {V::Obj({{"id", V::Str("zzz")}})}).failures.empty());
  EXPECT_EQ(Put("items", {V::Obj({})}, WriteMode::kAdd).keys[0]->number, 13);
}

TEST_P(DatabaseTest, PresentButInvalidPrimaryKeyIsADataErrorEvenWithAutoIncrement) {
  Schema({{"items", "++id"}});
  auto outcome = Put("items", {V::Obj({{"id", V::Null()}}), V::Obj({{"id", V::Undefined()}})}, WriteMode::kAdd);
  ASSERT_EQ(outcome.failures.size(), 1u);
  EXPECT_EQ(outcome.failures[0].position, 0u);
  EXPECT_EQ(outcome.failures[0].status.message(),
            "the primary key at 'id' of table 'items' is invalid: null is not a valid key");
  EXPECT_EQ(outcome.keys[1]->number, 1);  // undefined means "generate"
}

TEST_P(DatabaseTest, OutboundKeys) {
  Schema({{"blobs", ""}, {"log", "++"}});
  std::vector<Key> keys = {Key::String("k1")};
  ASSERT_TRUE(Put("blobs", {V::Str("payload")}, WriteMode::kAdd, &keys).failures.empty());
  EXPECT_EQ(*db_->Get("blobs", Key::String("k1")).value(), V::Str("payload").bytes);
  auto missing = Put("blobs", {V::Str("x")}, WriteMode::kAdd);
  ASSERT_EQ(missing.failures.size(), 1u);
  EXPECT_EQ(missing.failures[0].status.code(), StatusCode::kData);
  auto generated = Put("log", {V::Num(1), V::Num(2)}, WriteMode::kAdd);
  EXPECT_EQ(generated.keys[1]->number, 2);
}

TEST_P(DatabaseTest, CompoundAndNestedIndexes) {
  Schema({{"people", "[first+last], address.city, [address.city+age]"}});
  const V ada = V::Obj({{"first", V::Str("Ada")},
                        {"last", V::Str("L")},
                        {"age", V::Num(36)},
                        {"address", V::Obj({{"city", V::Str("London")}})}});
  const V nocity = V::Obj({{"first", V::Str("Bo")}, {"last", V::Str("B")}});
  ASSERT_TRUE(Put("people", {ada, nocity}).failures.empty());
  EXPECT_EQ(IndexContents("people", "address.city"), (Pairs{{"\"London\"", "[\"Ada\",\"L\"]"}}));
  EXPECT_EQ(IndexContents("people", "[address.city+age]"), (Pairs{{"[\"London\",36]", "[\"Ada\",\"L\"]"}}));
  auto by_pk = db_->Get("people", Key::Array({Key::String("Bo"), Key::String("B")}));
  ASSERT_TRUE(by_pk.ok() && by_pk.value());
}

TEST_P(DatabaseTest, SchemaChangesBuildAndDropIndexesOnExistingData) {
  Schema({{"users", "id"}, {"old", "id"}});
  ASSERT_TRUE(Put("users", {User(1, "a", "Ada", {}), User(2, "b", "Bob", {})}).failures.empty());
  Schema({{"users", "id, name"}});
  EXPECT_EQ(IndexContents("users", "name"), (Pairs{{"\"Ada\"", "1"}, {"\"Bob\"", "2"}}));
  EXPECT_EQ(db_->Count("old").status().code(), StatusCode::kInvalidTable);
  Schema({{"users", "id"}});
  EXPECT_TRUE(db_->tables().at("users").indexes.empty());
  db_ = Reopen();
  EXPECT_EQ(db_->tables().at("users").ToSpec(), "id");
  EXPECT_EQ(db_->Count("users").value(), 2);
}

TEST_P(DatabaseTest, ChangingThePrimaryKeyIsAnUpgradeError) {
  Schema({{"users", "id"}});
  Status status = db_->SetSchema({{"users", "++id"}});
  EXPECT_EQ(status.code(), StatusCode::kUpgrade);
  EXPECT_NE(status.message().find("cannot change the primary key of table 'users'"), std::string::npos);
}

TEST_P(DatabaseTest, UniqueIndexOverDuplicatesFailsAndLeavesEverythingAsItWas) {
  Schema({{"users", "id"}});
  ASSERT_TRUE(Put("users", {User(1, "same", "A", {}), User(2, "same", "B", {})}).failures.empty());
  Status status = db_->SetSchema({{"users", "id, &email"}, {"extra", "id"}});
  EXPECT_EQ(status.code(), StatusCode::kConstraint);
  EXPECT_EQ(db_->tables().count("extra"), 0u);
  EXPECT_TRUE(db_->tables().at("users").indexes.empty());
  db_ = Reopen();
  EXPECT_EQ(db_->tables().size(), 1u);
  EXPECT_EQ(db_->Count("users").value(), 2);
}

TEST_P(DatabaseTest, RollbackRestoresDataSchemaAndGenerator) {
  Schema({{"items", "++id"}});
  ASSERT_TRUE(db_->SetVersion(1).ok());
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Put("items", {V::Obj({}), V::Obj({})}, WriteMode::kAdd).failures.empty());
  ASSERT_TRUE(db_->SetSchema({{"items", "++id"}, {"more", "id"}}).ok());
  ASSERT_TRUE(db_->SetVersion(2).ok());
  ASSERT_TRUE(db_->Rollback().ok());
  EXPECT_EQ(db_->version(), 1);
  EXPECT_EQ(db_->tables().count("more"), 0u);
  EXPECT_EQ(db_->Count("items").value(), 0);
  EXPECT_EQ(Put("items", {V::Obj({})}, WriteMode::kAdd).keys[0]->number, 1);
}

TEST_P(DatabaseTest, NestedTransactionsRollBackAlone) {
  Schema({{"items", "id"}});
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Put("items", {V::Obj({{"id", V::Num(1)}})}).failures.empty());
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Put("items", {V::Obj({{"id", V::Num(2)}})}).failures.empty());
  ASSERT_TRUE(db_->Rollback().ok());  // undoes only the inner write
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Put("items", {V::Obj({{"id", V::Num(3)}})}).failures.empty());
  ASSERT_TRUE(db_->Commit().ok());  // folds into the outer transaction
  EXPECT_TRUE(db_->in_transaction());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_TRUE(db_->Get("items", Key::Number(1)).value());
  EXPECT_FALSE(db_->Get("items", Key::Number(2)).value());
  EXPECT_TRUE(db_->Get("items", Key::Number(3)).value());
}

// A failed flush: the persistence layer reverts the file to its checkpoint
// and the database resets its connection; it is then exactly at its last
// persisted state and keeps working.
TEST_P(PageStoreDatabaseTest, RevertAfterAFailedFlushRestoresTheLastPersistedState) {
  Schema({{"items", "++id, name"}});
  ASSERT_TRUE(Put("items", {V::Obj({{"name", V::Str("persisted")}})}, WriteMode::kAdd).failures.empty());
  PageVfsCheckpoint(name_);  // the store accepted everything so far

  ASSERT_TRUE(Put("items", {V::Obj({{"name", V::Str("lost")}})}, WriteMode::kAdd).failures.empty());
  ASSERT_TRUE(db_->SetSchema({{"items", "++id, name"}, {"extra", "id"}}).ok());
  EXPECT_FALSE(PageVfsChanges(name_).pages.empty());
  PageVfsRevert(name_);  // the store failed
  ASSERT_TRUE(db_->ResetAfterRevert().ok());

  EXPECT_EQ(db_->Count("items").value(), 1);
  EXPECT_EQ(db_->tables().count("extra"), 0u);
  auto check = db_->sql().Execute("PRAGMA integrity_check");
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(std::get<std::string>(check->rows[0][0]), "ok");
  // The generator was reverted too, and writes work again.
  EXPECT_EQ(Put("items", {V::Obj({{"name", V::Str("again")}})}, WriteMode::kAdd).keys[0]->number, 2);
}

// Get(remember = true) lets the next Write() skip reading the old value of a
// record it puts back: the index entries it removes come from that value, so
// a stale one would leave wrong entries behind. Every change in between must
// make the put read the record again.
TEST_P(DatabaseTest, AReadForUpdateIsUsedOnceAndNeverWhenStale) {
  Schema({{"users", "id, &email, name, *tags"}});
  ASSERT_TRUE(
      Put("users", {User(1, "a@x", "Ada", {V::Str("x")}), User(2, "b@x", "Bob", {V::Str("y")})}).failures.empty());

  // Read both for update, put both back changed: the indexes follow exactly.
  ASSERT_TRUE(db_->Get("users", Key::Number(1), true).ok());
  ASSERT_TRUE(db_->Get("users", Key::Number(2), true).ok());
  ASSERT_TRUE(
      Put("users", {User(1, "a1@x", "Ada", {V::Str("x1")}), User(2, "b1@x", "Bob", {V::Str("y1")})}).failures.empty());
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"a1@x\"", "1"}, {"\"b1@x\"", "2"}}));
  EXPECT_EQ(IndexContents("users", "tags"), (Pairs{{"\"x1\"", "1"}, {"\"y1\"", "2"}}));

  // Puts in between, of another record and of this one: each put leaves the indexes exact.
  ASSERT_TRUE(db_->Get("users", Key::Number(1), true).ok());
  ASSERT_TRUE(Put("users", {User(2, "b2@x", "Bob", {V::Str("y2")})}).failures.empty());
  ASSERT_TRUE(Put("users", {User(1, "a2@x", "Ada", {V::Str("x2")})}).failures.empty());
  ASSERT_TRUE(Put("users", {User(1, "a3@x", "Ada", {V::Str("x3")})}).failures.empty());
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"a3@x\"", "1"}, {"\"b2@x\"", "2"}}));

  // Deleted after the read: the put inserts the record anew.
  ASSERT_TRUE(db_->Get("users", Key::Number(1), true).ok());
  ASSERT_TRUE(db_->Delete("users", {Key::Number(1)}).ok());
  ASSERT_TRUE(Put("users", {User(1, "a4@x", "Ada", {V::Str("x4")})}).failures.empty());
  ASSERT_TRUE(db_->Get("users", Key::Number(1)).value());
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"a4@x\"", "1"}, {"\"b2@x\"", "2"}}));

  // Read inside a transaction that is then rolled back: the put sees the rolled-back value.
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(Put("users", {User(1, "a5@x", "Ada", {V::Str("x5")})}).failures.empty());
  ASSERT_TRUE(db_->Get("users", Key::Number(1), true).ok());
  ASSERT_TRUE(db_->Rollback().ok());
  ASSERT_TRUE(Put("users", {User(1, "a6@x", "Ada", {V::Str("x6")})}).failures.empty());
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"a6@x\"", "1"}, {"\"b2@x\"", "2"}}));
  EXPECT_EQ(IndexContents("users", "tags"), (Pairs{{"\"x6\"", "1"}, {"\"y2\"", "2"}}));

  // Cleared after the read: the put adds the record back.
  ASSERT_TRUE(db_->Get("users", Key::Number(2), true).ok());
  ASSERT_TRUE(db_->Clear("users").ok());
  ASSERT_TRUE(Put("users", {User(2, "b7@x", "Bob", {V::Str("y7")})}).failures.empty());
  EXPECT_EQ(db_->Count("users").value(), 1);
  EXPECT_EQ(IndexContents("users", "email"), (Pairs{{"\"b7@x\"", "2"}}));
}

// Past the change log's cap (change_set.h), a put evaluates only the indexes
// whose items changed: the ones that did change must still follow exactly.
TEST_P(DatabaseTest, PutsPastTheChangeLogCapKeepIndexesExact) {
  Schema({{"users", "id, &email, name, *tags"}});
  std::vector<V> many;
  for (int i = 0; i < 2100; ++i) many.push_back(User(i, "u" + std::to_string(i) + "@x", "N", {V::Str("t")}));
  ASSERT_TRUE(Put("users", many).failures.empty());  // the change log now counts the whole table as changed
  ASSERT_TRUE(Put("users", {User(1, "u1@x", "N", {V::Str("t")}),                // nothing changed
                            User(2, "new2@x", "N", {V::Str("t")}),              // the unique index changed
                            User(3, "u3@x", "M", {V::Str("t"), V::Str("s")})})  // name and tags changed
                  .failures.empty());
  const Pairs email = IndexContents("users", "email");
  EXPECT_EQ(email.size(), 2100u);
  EXPECT_EQ(std::count(email.begin(), email.end(), std::make_pair(std::string("\"new2@x\""), std::string("2"))), 1);
  EXPECT_EQ(std::count(email.begin(), email.end(), std::make_pair(std::string("\"u2@x\""), std::string("2"))), 0);
  const Pairs tags = IndexContents("users", "tags");
  EXPECT_EQ(tags.size(), 2101u);
  EXPECT_EQ(std::count(tags.begin(), tags.end(), std::make_pair(std::string("\"s\""), std::string("3"))), 1);
  const Pairs names = IndexContents("users", "name");
  EXPECT_EQ(std::count(names.begin(), names.end(), std::make_pair(std::string("\"M\""), std::string("3"))), 1);
  EXPECT_EQ(names.size(), 2100u);
  // A unique conflict is still found when the unique index's item changed.
  auto conflict = Put("users", {User(4, "u5@x", "N", {V::Str("t")})});
  ASSERT_EQ(conflict.failures.size(), 1u);
  EXPECT_EQ(conflict.failures[0].status.code(), StatusCode::kConstraint);
}

TEST_P(DatabaseTest, ClearEmptiesTableAndIndexes) {
  Schema({{"users", "id, *tags"}});
  ASSERT_TRUE(Put("users", {User(1, "a", "A", {V::Str("t")})}).failures.empty());
  ASSERT_TRUE(db_->Clear("users").ok());
  EXPECT_EQ(db_->Count("users").value(), 0);
  EXPECT_TRUE(IndexContents("users", "tags").empty());
}

TEST_P(DatabaseTest, GetByIndexReturnsLowestPrimaryKey) {
  Schema({{"users", "id, name"}});
  ASSERT_TRUE(Put("users", {User(5, "a", "Sam", {}), User(3, "b", "Sam", {})}).failures.empty());
  auto record = db_->GetByIndex("users", "name", Key::String("Sam"));
  ASSERT_TRUE(record.ok() && record.value());
  EXPECT_EQ(DecodeKey(record.value()->key).value().number, 3);
  EXPECT_EQ(db_->GetByIndex("users", "nope", Key::Number(1)).status().code(), StatusCode::kNotFound);
}

// The committed-state reader behind standard transactions: a second
// connection on the same file sees only what the writer has committed, even
// when the open transaction dirties more pages than the page cache holds.
TEST_P(DatabaseTest, SecondConnectionSeesOnlyCommittedStateWhileATransactionIsOpen) {
  Schema({{"users", "id, name"}});
  ASSERT_TRUE(Put("users", {User(1, "a", "Ann", {})}).failures.empty());
  auto reader = Database::Open(name_, options_);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_TRUE(db_->sql().Run("PRAGMA cache_size=10").ok());  // force pressure on the writer's cache
  ASSERT_TRUE(db_->Begin().ok());
  const std::string bio(2000, 'x');
  for (int i = 2; i <= 500; ++i) {
    ASSERT_TRUE(
        Put("users", {V::Obj({{"id", V::Num(i)}, {"name", V::Str("N" + std::to_string(i))}, {"bio", V::Str(bio)}})})
            .failures.empty());
  }
  EXPECT_EQ(db_->Count("users").value(), 500);
  EXPECT_EQ(reader.value()->Count("users").value(), 1);
  EXPECT_FALSE(reader.value()->Get("users", Key::Number(2)).value().has_value());
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(reader.value()->Count("users").value(), 500);
  ASSERT_TRUE(db_->Begin().ok());
  ASSERT_TRUE(db_->Clear("users").ok());
  EXPECT_EQ(reader.value()->Count("users").value(), 500);
  ASSERT_TRUE(db_->Rollback().ok());
  EXPECT_EQ(reader.value()->Count("users").value(), 500);
  EXPECT_EQ(db_->Count("users").value(), 500);
}

}  // namespace
}  // namespace indexie
