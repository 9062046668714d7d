// database.h: the engine's storage layer: tables with a primary key and
// secondary indexes, stored in SQLite, and the schema that describes them.
//
// Layout inside the SQLite file (on-disk format):
//   _indexie_meta(name TEXT PRIMARY KEY, value)     'version' -> REAL, 'schema' -> JSON (see database.cc)
//   s<N>(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID  one per table: encoded key -> encoded value
//   x<N>(e BLOB PRIMARY KEY) WITHOUT ROWID          one per index: e = encoded index key || encoded
//                                                   primary key (prefix-free, so memcmp order is
//                                                   (index key, primary key) order)
//   x<N>(k BLOB PRIMARY KEY, p BLOB) WITHOUT ROWID  ... for a unique index: index key -> primary key
// N are numbers assigned by the schema; user names never appear in SQL.
//
// Guarantees:
//   - every index is exact after every write: unique, multi-entry, compound, nested;
//   - a write of one item is all-or-nothing; a bulk write applies each item on
//     its own and reports the failures by position (Dexie semantics outside a
//     transaction); inside Begin()/Commit() everything commits or rolls back together;
//   - the auto-increment generator follows IndexedDB: an explicit numeric key at
//     or above it moves it past that key; keys are never reused; it is stored
//     in the database, so it survives reopening.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "indexie/change_set.h"
#include "indexie/key.h"
#include "indexie/read_set.h"
#include "indexie/schema.h"
#include "indexie/sql_connection.h"
#include "indexie/status.h"

namespace indexie {

enum class WriteMode { kAdd, kPut };

struct WriteFailure {
  size_t position;
  Status status;
};

struct WriteOutcome {
  std::vector<std::optional<Key>> keys;  // per input position; nullopt where that item failed
  std::vector<WriteFailure> failures;
};

// One stored record: its encoded primary key and its encoded value.
struct Record {
  std::string key;    // key_codec encoding
  std::string value;  // value format, untouched
};

class Database {
 public:
  // Opens (creating if needed) the engine database `name`, stored as
  // `options` says (sql_connection.h: the in-memory page VFS by default, or
  // a file read page by page with a bounded cache).
  static Result<std::unique_ptr<Database>> Open(const std::string& name, const OpenOptions& options = {});
  Storage storage() const { return options_.storage; }

  // The installed version; 0 for a database never given a schema.
  double version() const { return version_; }
  const std::map<std::string, TableSchema>& tables() const { return tables_; }
  Result<const TableSchema*> FindTable(const std::string& table) const;

  // --- Transactions. Outside Begin()/Commit(), each call below is its own
  // SQLite transaction. Begin() inside a transaction opens a nested one (a
  // savepoint) that Commit() folds into its parent and Rollback() undoes
  // alone. Rollback() also restores the in-memory schema and key generators.
  Status Begin();
  Status Commit();
  Status Rollback();
  bool in_transaction() const { return depth_ > 0; }

  // Holds one read transaction open for its lifetime unless a transaction is
  // already open, so that a query's many statements share one snapshot (and
  // skip SQLite's per-statement lock and change-counter check).
  class ReadScope {
   public:
    explicit ReadScope(Database* db) : db_(db), own_(db->depth_ == 0 && db->Begin().ok()) {}
    ~ReadScope() {
      if (own_) (void)db_->Commit();
    }
    ReadScope(const ReadScope&) = delete;
    ReadScope& operator=(const ReadScope&) = delete;

   private:
    Database* db_;
    bool own_;
  };

  // --- Schema. Makes the tables exactly `specs` (table name -> spec):
  // creates new tables, drops missing ones with their data, builds added
  // indexes from existing records and drops removed ones. Changing a primary
  // key is an UpgradeError; a unique index that existing data violates is a
  // ConstraintError. Nothing changes on failure (inside one SQLite savepoint).
  Status SetSchema(const std::map<std::string, std::string>& specs);
  Status SetVersion(double version);

  // --- Writes. `values` are encoded values; `keys` are explicit primary
  // keys for an outbound table (nullptr: none given, or inbound).
  WriteOutcome Write(const std::string& table, WriteMode mode, const std::vector<std::string_view>& values,
                     const std::vector<Key>* keys);
  // Deletes the records with these keys; returns how many existed.
  Result<int64_t> Delete(const std::string& table, const std::vector<Key>& keys);
  Status Clear(const std::string& table);

  // --- Reads. Values are returned in the value format, untouched.
  // remember = true: a read for update (Collection.modify reads a slice of
  // records, changes them and puts them back). The value read is kept until
  // the next call that writes: a put of that key in the next Write() takes it
  // as the old value instead of reading the record a second time. Every
  // other change (a delete, clear, rollback, schema change, reset, raw SQL
  // through ForgetRememberedReads()) and the end of that Write() forget it.
  Result<std::optional<std::string>> Get(const std::string& table, const Key& key, bool remember = false);
  // Drops the values kept by Get(remember = true): call before changing the
  // database other than through this class (raw SQL).
  void ForgetRememberedReads() { remembered_.clear(); }
  // The record with the lowest primary key among those whose index `index` has `key`.
  Result<std::optional<Record>> GetByIndex(const std::string& table, const std::string& index, const Key& key);
  Result<int64_t> Count(const std::string& table);
  // Every record in primary-key order.
  Result<std::vector<Record>> Scan(const std::string& table);

  SqlConnection& sql() { return *sql_; }

  // --- Live queries (DESIGN §8). While a recorder is set, every read adds
  // what it read to it (the query executor adds its scans). Writes always
  // log what they changed; TakeChanges() hands the log over and empties it.
  // The log is not rolled back with a transaction: a change that was undone
  // stays in it (a needless re-run at worst, never a missed one).
  void set_read_recorder(ReadSet* recorder) { read_recorder_ = recorder; }
  ReadSet* read_recorder() const { return read_recorder_; }
  ChangeSet TakeChanges() { return std::exchange(changes_, ChangeSet()); }

  // The database's file name on the VFS (for the persistence layer).
  const std::string& name() const { return name_; }

  // After the persistence layer reverted the file (page_vfs.h), SQLite's page
  // cache and this object's schema are stale: reopen the connection and reload.
  // REQUIRES: no transaction is open.
  Status ResetAfterRevert();

  // Where the records of `table` ordered by `index` ("" = primary key) live:
  // for the query executor (query.h).
  // The SQL function giving the primary key of an index entry e (see Configure).
  static constexpr const char* kPrimaryKeyOfEntrySql = "indexie_pk";
  struct Layout {
    enum class Kind { kPrimary, kUnique, kEntries };
    Kind kind;
    int store;              // the store table's number
    int index;              // the index table's number (kPrimary: the store's)
    const IndexSpec* spec;  // nullptr for the primary key
  };
  Result<Layout> LayoutOf(const std::string& table, const std::string& index);
  // The stored value of a record, by encoded primary key.
  Result<std::optional<std::string>> ReadRecord(const std::string& table, const std::string& encoded_pk);

 private:
  struct TableIds {
    int store = 0;
    std::map<std::string, int> indexes;  // index name -> table number
  };
  struct IndexEntry {
    const IndexSpec* spec;
    int table_number;
    std::vector<std::string> encoded_keys;
  };

  // The statements the write and read paths run, per store or index table.
  enum class Stmt {
    kStoreSelect,
    kStoreInsert,
    kStoreUpdate,
    kStoreDelete,
    kStoreCount,
    kStoreScan,
    kIndexInsert,
    kIndexDelete,
    kIndexHolder,  // unique indexes: (k, p)
    kEntryInsert,
    kEntryDelete,
    kEntryFirstInRange,  // other indexes: one column e = k || p
  };

  Database(std::string name, OpenOptions options, std::unique_ptr<SqlConnection> sql)
      : name_(std::move(name)), options_(std::move(options)), sql_(std::move(sql)) {}
  Status Configure();

  // The cached, reset statement of `kind` for table number `number`.
  Result<Statement*> Prepared(Stmt kind, int number);
  // Drops cached statements (after tables were created or dropped).
  void ForgetStatements();

  Status LoadMeta();
  Status SaveSchemaMeta();
  Status SaveGenerator(const std::string& table);
  // Runs `body` in its own SQLite transaction unless one is open.
  template <typename Body>
  auto Atomically(Body body) -> decltype(body());

  Result<Key> PrimaryKeyFor(const TableSchema& schema, std::string_view value, const Key* explicit_key,
                            std::string* stored_value);
  // The index entries of `value`; with `only`, the keys of index i only where only[i] (others left empty).
  std::vector<IndexEntry> IndexEntriesFor(const TableSchema& schema, std::string_view value,
                                          const std::vector<bool>* only = nullptr) const;
  Status WriteOne(const TableSchema& schema, WriteMode mode, std::string_view value, const Key* explicit_key,
                  Key* written_key);
  Status InsertNew(const TableSchema& schema, const Key& key, const std::string& encoded_pk, std::string_view value);
  Status ReplaceExisting(const TableSchema& schema, const std::string& encoded_pk, std::string_view old_value,
                         std::string_view value);
  Status UniqueViolation(const IndexEntry& entry, const std::string& duplicate_key, const TableSchema& schema);
  Status CheckUnique(const IndexEntry& entry, const std::string& encoded_pk, const TableSchema& schema);
  // Inserts or deletes one index entry; returns the SQLite result code.
  int StepEntry(bool insert, const IndexEntry& entry, const std::string& key, const std::string& encoded_pk);
  // Inserts (or deletes) every key of `entries` for the record `encoded_pk`.
  Status StepEntries(bool insert, const std::vector<IndexEntry>& entries, const std::string& encoded_pk);
  Status DeleteOne(const TableSchema& schema, const std::string& encoded_pk, bool* existed);
  Result<std::optional<std::string>> ReadValue(int store, const std::string& encoded_pk);
  // The stored value a put replaces: the one Get(remember = true) kept (used once), else read.
  Result<std::optional<std::string>> TakeOldValue(int store, const std::string& encoded_pk);
  Status CreateIndexTable(const IndexSpec& index, int number);
  Status BuildIndex(const TableSchema& schema, const IndexSpec& index, int number);
  void AdvanceGenerator(const std::string& table, const Key& key);
  // Logs one record's change; `before`/`after` are all its index entries (nullptr: no record).
  void NoteChange(const TableSchema& schema, const std::string& encoded_pk, const std::vector<IndexEntry>* before,
                  const std::vector<IndexEntry>* after);
  void NoteRead(const std::string& table, const std::string& index, ByteRange range, ReadSet::Kind kind) {
    if (read_recorder_) read_recorder_->Add(table, index, std::move(range), kind);
  }

  std::string name_;
  OpenOptions options_;
  std::unique_ptr<SqlConnection> sql_;
  double version_ = 0;
  std::map<std::string, TableSchema> tables_;
  std::map<std::string, TableIds> ids_;
  std::map<std::string, double> generators_;  // table -> next auto-increment key
  int next_number_ = 1;
  int depth_ = 0;  // open transactions: 1 = BEGIN, more = savepoints inside it
  std::unordered_map<uint64_t, Statement*> prepared_;
  std::string entry_scratch_;  // reused buffer for concatenated index entries
  // Get(remember = true): store number and encoded primary key -> value as read.
  std::map<std::pair<int, std::string>, std::string> remembered_;
  ReadSet* read_recorder_ = nullptr;
  ChangeSet changes_;
};

}  // namespace indexie
