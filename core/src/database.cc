// database.cc: see database.h for the layout and guarantees.
//
// The 'schema' meta row is JSON:
//   { "next": <next table number>,
//     "tables": { "<name>": { "spec": "<canonical spec>", "store": N,
//                             "indexes": { "<index name>": N, ... } } } }
// Each table's auto-increment generator is the meta row 'generator:<name>'.
#include "indexie/database.h"

#include <sqlite3.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "indexie/key_codec.h"
#include "indexie/value_reader.h"

namespace indexie {
namespace {

using Json = nlohmann::json;

constexpr double kMaxGeneratorKey = 9007199254740992.0;  // 2^53, as IndexedDB

std::string StoreTable(int number) { return "s" + std::to_string(number); }
std::string IndexTable(int number) { return "x" + std::to_string(number); }
std::string GeneratorName(const std::string& table) { return "generator:" + table; }

Status Corrupt(const std::string& what) {
  return Status(StatusCode::kCorruption, "the database's schema record is damaged: " + what);
}

}  // namespace

Result<std::unique_ptr<Database>> Database::Open(const std::string& name, const OpenOptions& options) {
  if (name.empty()) return Status(StatusCode::kInvalidArgument, "a database name must not be empty");
  if (options.storage == Storage::kFile && options.cache_kib <= 0) {
    return Status(StatusCode::kInvalidArgument, "a database's page cache must be at least 1 KiB");
  }
  auto sql = SqlConnection::Open(name, options);
  if (!sql.ok()) return sql.status();
  std::unique_ptr<Database> db(new Database(name, options, std::move(sql).value()));
  Status status = db->Configure();
  if (!status.ok()) return status;
  return db;
}

Status Database::Configure() {
  remembered_.clear();
  // indexie_pk(e): the primary key part of a non-unique index entry (e =
  // index key || primary key), so a query can join an index to its store.
  Status added = sql_->AddBlobFunction(kPrimaryKeyOfEntrySql, [](std::string_view entry) {
    const size_t split = EncodedKeySize(entry);
    return split == 0 || split >= entry.size() ? std::string_view() : entry.substr(split);
  });
  if (!added.ok()) return added;
  std::string storage_pragmas;
  if (options_.storage == Storage::kPageMemory) {
    // The rollback journal stays in memory: durability comes from the atomic
    // page flush of the persistence layer, not from a journal file.
    storage_pragmas = "PRAGMA journal_mode=MEMORY;";
  } else {
    // The file VFS (file_vfs.h).
    // - journal_mode=WAL: a commit appends its pages to '<name>-wal' (with
    //   write combining in the VFS, about one backend write) instead of
    //   journaling the old pages, writing the new ones in place and
    //   truncating the journal (~45 backend calls and 4 syncs a commit on
    //   OPFS). The committed-state reader reads its snapshot while the
    //   writer writes: the WAL index lives in the VFS's in-process shared
    //   memory. A database from before (rollback journal) rolls back a hot
    //   journal on this first access, then switches; the switch is checked.
    // - synchronous: Durability::kRelaxed -> NORMAL: a commit is written to
    //   the OS, not flushed; checkpoints flush (WAL first, then the
    //   database), so a power loss may lose the last commits but never
    //   corrupts (the WAL's checksums end it at the last whole commit).
    //   kStrict -> FULL: the WAL is also flushed at every commit, which then
    //   survives a power loss. A crash of the tab process alone loses
    //   nothing the OS was handed in either mode.
    // - Checkpoints: SQLite's automatic one when the WAL passes 1000 pages
    //   (~4 MiB; run by the committing connection, so a commit now and then
    //   costs the copy), and one when the last connection closes, which
    //   also empties the WAL: a closed database is one file.
    //   journal_size_limit: after a checkpoint the WAL is reused from its
    //   start; a big transaction's long WAL is cut back to 4 MiB then.
    // - cache_spill=OFF (below) stays for the file VFS too, though in WAL a
    //   spill would only append uncommitted frames to the WAL and not lock
    //   the reader out: a spill that fails (a full disk) makes SQLite roll
    //   back the whole transaction in the middle of a statement, and the
    //   engine's per-record writes would then go on outside it, each
    //   committing alone (seen in the browser's quota test). Until the
    //   engine detects that, a transaction's changed pages stay in memory
    //   until it commits, beyond the cache bound (file_vfs.h).
    // - cache_size: negative = KiB, the bound of SQLite's page cache.
    const bool strict = options_.durability == Durability::kStrict;
    storage_pragmas = "PRAGMA cache_size=-" + std::to_string(options_.cache_kib) + ";" +
                      "PRAGMA synchronous=" + (strict ? "FULL" : "NORMAL") + ";" + "PRAGMA journal_size_limit=4194304;";
    Status pragmas = sql_->Run(storage_pragmas);
    if (!pragmas.ok()) return pragmas;
    auto mode = sql_->Execute("PRAGMA journal_mode=WAL");
    if (!mode.ok()) return mode.status();
    const std::string* answer =
        mode->rows.empty() || mode->rows[0].empty() ? nullptr : std::get_if<std::string>(&mode->rows[0][0]);
    if (answer == nullptr || *answer != "wal") {
      return Status(StatusCode::kInternal, "could not switch database '" + name_ + "' to WAL mode (it stayed in '" +
                                               (answer ? *answer : std::string("?")) + "' mode)");
    }
    storage_pragmas.clear();
  }
  // cache_spill=OFF: an open transaction's pages stay in this connection's
  // cache until COMMIT: with the page VFS (no locks) a second connection on
  // the same file (the committed-state reader used while a standard
  // transaction is open) never sees uncommitted pages; for the file VFS see
  // above.
  Status status = sql_->Run(storage_pragmas +
                            "PRAGMA cache_spill=OFF;"
                            "CREATE TABLE IF NOT EXISTS _indexie_meta(name TEXT PRIMARY KEY, value) WITHOUT ROWID;");
  if (!status.ok()) return status;
  return LoadMeta();
}

Status Database::ResetAfterRevert() {
  if (depth_ > 0) return Status(StatusCode::kInternal, "cannot reset the connection inside a transaction");
  ForgetStatements();
  sql_.reset();
  auto sql = SqlConnection::Open(name_, options_);
  if (!sql.ok()) return sql.status();
  sql_ = std::move(sql).value();
  return Configure();
}

Status Database::LoadMeta() {
  ForgetStatements();
  version_ = 0;
  tables_.clear();
  ids_.clear();
  generators_.clear();
  next_number_ = 1;

  auto stmt = sql_->Prepare("SELECT name, value FROM _indexie_meta");
  if (!stmt.ok()) return stmt.status();
  Statement& s = *stmt.value();
  std::string schema_json;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW) {
    const std::string_view name = s.ColumnBlob(0);
    if (name == "version") {
      version_ = s.ColumnDouble(1);
    } else if (name == "schema") {
      schema_json = std::string(s.ColumnBlob(1));
    } else if (name.substr(0, 10) == "generator:") {
      generators_[std::string(name.substr(10))] = s.ColumnDouble(1);
    }
  }
  s.Reset();
  if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  if (schema_json.empty()) return Status::Ok();

  const Json root = Json::parse(schema_json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object() || !root.contains("tables") || !root["tables"].is_object() ||
      !root.contains("next") || !root["next"].is_number_integer()) {
    return Corrupt("not the expected JSON");
  }
  next_number_ = root["next"].get<int>();
  for (const auto& [name, table] : root["tables"].items()) {
    if (!table.is_object() || !table.contains("spec") || !table["spec"].is_string() || !table.contains("store") ||
        !table["store"].is_number_integer() || !table.contains("indexes") || !table["indexes"].is_object()) {
      return Corrupt("table '" + name + "'");
    }
    auto schema = ParseTableSchema(name, table["spec"].get<std::string>());
    if (!schema.ok()) return Corrupt(schema.status().message());
    TableIds ids;
    ids.store = table["store"].get<int>();
    for (const auto& [index, number] : table["indexes"].items()) {
      if (!number.is_number_integer()) return Corrupt("index '" + index + "'");
      ids.indexes[index] = number.get<int>();
    }
    for (const auto& index : schema.value().indexes) {
      if (!ids.indexes.count(index.name)) return Corrupt("index '" + index.name + "' has no table");
    }
    tables_[name] = std::move(schema).value();
    ids_[name] = std::move(ids);
  }
  return Status::Ok();
}

Status Database::SaveSchemaMeta() {
  Json tables = Json::object();
  for (const auto& [name, schema] : tables_) {
    Json indexes = Json::object();
    for (const auto& [index, number] : ids_[name].indexes) indexes[index] = number;
    tables[name] = Json{{"spec", schema.ToSpec()}, {"store", ids_[name].store}, {"indexes", indexes}};
  }
  const std::string text = Json{{"next", next_number_}, {"tables", tables}}.dump();
  auto stmt = sql_->Prepare("INSERT OR REPLACE INTO _indexie_meta(name, value) VALUES ('schema', ?)");
  if (!stmt.ok()) return stmt.status();
  const int rc = stmt.value()->BindText(1, text).Step();
  stmt.value()->Reset();
  return rc == SQLITE_DONE ? Status::Ok() : sql_->ErrorStatus(rc);
}

Status Database::SaveGenerator(const std::string& table) {
  auto stmt = sql_->Prepare("INSERT OR REPLACE INTO _indexie_meta(name, value) VALUES (?, ?)");
  if (!stmt.ok()) return stmt.status();
  const int rc = stmt.value()->BindText(1, GeneratorName(table)).BindDouble(2, generators_[table]).Step();
  stmt.value()->Reset();
  return rc == SQLITE_DONE ? Status::Ok() : sql_->ErrorStatus(rc);
}

Result<Statement*> Database::Prepared(Stmt kind, int number) {
  const uint64_t cache_key = (static_cast<uint64_t>(kind) << 32) | static_cast<uint32_t>(number);
  auto it = prepared_.find(cache_key);
  if (it != prepared_.end()) return &it->second->Reset();
  const std::string s = StoreTable(number), x = IndexTable(number);
  // Writes say OR FAIL: each changes one row, so FAIL undoes exactly what
  // ABORT would (nothing), but SQLite then needs no statement journal, which
  // inside a transaction copied every page a statement touched.
  std::string sql;
  switch (kind) {
    case Stmt::kStoreSelect: sql = "SELECT v FROM " + s + " WHERE k = ?"; break;
    case Stmt::kStoreInsert: sql = "INSERT OR FAIL INTO " + s + "(k, v) VALUES (?, ?)"; break;
    case Stmt::kStoreUpdate: sql = "UPDATE OR FAIL " + s + " SET v = ?2 WHERE k = ?1"; break;
    case Stmt::kStoreDelete: sql = "DELETE FROM " + s + " WHERE k = ?"; break;
    case Stmt::kStoreCount: sql = "SELECT count(*) FROM " + s; break;
    case Stmt::kStoreScan: sql = "SELECT k, v FROM " + s + " ORDER BY k"; break;
    case Stmt::kIndexInsert: sql = "INSERT OR FAIL INTO " + x + "(k, p) VALUES (?, ?)"; break;
    case Stmt::kIndexDelete: sql = "DELETE FROM " + x + " WHERE k = ? AND p = ?"; break;
    case Stmt::kEntryInsert: sql = "INSERT OR FAIL INTO " + x + "(e) VALUES (?)"; break;
    case Stmt::kEntryDelete: sql = "DELETE FROM " + x + " WHERE e = ?"; break;
    case Stmt::kEntryFirstInRange: sql = "SELECT e FROM " + x + " WHERE e >= ?1 AND e < ?2 ORDER BY e LIMIT 1"; break;
    case Stmt::kIndexHolder: sql = "SELECT p FROM " + x + " WHERE k = ? LIMIT 1"; break;
  }
  auto stmt = sql_->Prepare(sql);
  if (stmt.ok()) prepared_[cache_key] = stmt.value();
  return stmt;
}

void Database::ForgetStatements() {
  prepared_.clear();
  sql_->ClearStatementCache();
}

Result<const TableSchema*> Database::FindTable(const std::string& table) const {
  auto it = tables_.find(table);
  if (it == tables_.end()) {
    return Status(StatusCode::kInvalidTable, "table '" + table + "' does not exist in this database");
  }
  return &it->second;
}

// --- Transactions ---------------------------------------------------------

Status Database::Begin() {
  Status status = sql_->Run(depth_ == 0 ? "BEGIN" : "SAVEPOINT indexie_" + std::to_string(depth_));
  if (status.ok()) ++depth_;
  return status;
}

Status Database::Commit() {
  if (depth_ == 0) return Status(StatusCode::kInternal, "no transaction is open");
  if (depth_ > 1) {
    Status status = sql_->Run("RELEASE indexie_" + std::to_string(depth_ - 1));
    if (status.ok()) --depth_;
    return status;
  }
  Status status = sql_->Run("COMMIT");
  if (!status.ok()) {
    Status rollback = Rollback();
    (void)rollback;
    return status;
  }
  depth_ = 0;
  return status;
}

Status Database::Rollback() {
  if (depth_ == 0) return Status(StatusCode::kInternal, "no transaction is open");
  remembered_.clear();
  --depth_;
  const std::string savepoint = "indexie_" + std::to_string(depth_);
  Status status = sql_->Run(depth_ == 0 ? "ROLLBACK" : "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint);
  Status reload = LoadMeta();
  return status.ok() ? reload : status;
}

template <typename Body>
auto Database::Atomically(Body body) -> decltype(body()) {
  if (depth_ > 0) return body();
  Status begin = Begin();
  if (!begin.ok()) return begin;
  auto result = body();
  Status end = result.ok() ? Commit() : Rollback();
  if (!end.ok() && result.ok()) return end;
  return result;
}

// --- Schema ---------------------------------------------------------------

Status Database::CreateIndexTable(const IndexSpec& index, int number) {
  const std::string name = IndexTable(number);
  return sql_->Run(index.unique ? "CREATE TABLE " + name + "(k BLOB PRIMARY KEY, p BLOB NOT NULL) WITHOUT ROWID"
                                : "CREATE TABLE " + name + "(e BLOB PRIMARY KEY) WITHOUT ROWID");
}

int Database::StepEntry(bool insert, const IndexEntry& entry, const std::string& key, const std::string& encoded_pk) {
  if (entry.spec->unique) {
    auto stmt = Prepared(insert ? Stmt::kIndexInsert : Stmt::kIndexDelete, entry.table_number);
    if (!stmt.ok()) return SQLITE_ERROR;
    const int rc = stmt.value()->BindBlob(1, key).BindBlob(2, encoded_pk).Step();
    stmt.value()->Reset();
    return rc;
  }
  // Non-unique entries are one column: the encoded index key followed by the
  // encoded primary key. Encoded keys are prefix-free, so memcmp order of the
  // concatenation is (index key, primary key) order.
  entry_scratch_.assign(key);
  entry_scratch_.append(encoded_pk);
  auto stmt = Prepared(insert ? Stmt::kEntryInsert : Stmt::kEntryDelete, entry.table_number);
  if (!stmt.ok()) return SQLITE_ERROR;
  const int rc = stmt.value()->BindBlob(1, entry_scratch_).Step();
  stmt.value()->Reset();
  return rc;
}

Status Database::BuildIndex(const TableSchema& schema, const IndexSpec& index, int number) {
  auto records = Scan(schema.name);
  if (!records.ok()) return records.status();
  TableSchema only_this = schema;
  only_this.indexes = {index};
  for (const Record& record : records.value()) {
    std::vector<IndexEntry> entries = IndexEntriesFor(only_this, record.value);
    entries[0].table_number = number;
    if (index.unique) {
      Status status = CheckUnique(entries[0], record.key, schema);
      if (!status.ok()) return status;
    }
    Status status = StepEntries(true, entries, record.key);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

Status Database::SetSchema(const std::map<std::string, std::string>& specs) {
  remembered_.clear();
  std::map<std::string, TableSchema> target;
  for (const auto& [name, spec] : specs) {
    auto schema = ParseTableSchema(name, spec);
    if (!schema.ok()) return schema.status();
    target[name] = std::move(schema).value();
  }
  for (const auto& [name, wanted] : target) {
    auto it = tables_.find(name);
    if (it != tables_.end() && it->second.primary_key.ToSpec() != wanted.primary_key.ToSpec()) {
      return Status(StatusCode::kUpgrade,
                    "cannot change the primary key of table '" + name + "' from '" + it->second.primary_key.ToSpec() +
                        "' to '" + wanted.primary_key.ToSpec() +
                        "': create a new table, copy the records in an upgrade, and delete the old table");
    }
  }

  const bool own_transaction = depth_ == 0;
  Status status = own_transaction ? Begin() : sql_->Run("SAVEPOINT indexie_schema");
  if (!status.ok()) return status;

  auto apply = [&]() -> Status {
    for (auto it = tables_.begin(); it != tables_.end();) {
      if (target.count(it->first)) {
        ++it;
        continue;
      }
      const TableIds& ids = ids_[it->first];
      Status s = sql_->Run("DROP TABLE " + StoreTable(ids.store));
      for (const auto& [index, number] : ids.indexes) {
        if (s.ok()) s = sql_->Run("DROP TABLE " + IndexTable(number));
      }
      if (!s.ok()) return s;
      auto del = sql_->Prepare("DELETE FROM _indexie_meta WHERE name = ?");
      if (!del.ok()) return del.status();
      del.value()->BindText(1, GeneratorName(it->first)).Step();
      del.value()->Reset();
      generators_.erase(it->first);
      ids_.erase(it->first);
      it = tables_.erase(it);
    }
    ForgetStatements();
    for (auto& [name, wanted] : target) {
      auto existing = tables_.find(name);
      if (existing == tables_.end()) {
        TableIds ids;
        ids.store = next_number_++;
        Status s =
            sql_->Run("CREATE TABLE " + StoreTable(ids.store) + "(k BLOB PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID");
        for (const auto& index : wanted.indexes) {
          if (!s.ok()) break;
          ids.indexes[index.name] = next_number_++;
          s = CreateIndexTable(index, ids.indexes[index.name]);
        }
        if (!s.ok()) return s;
        tables_[name] = wanted;
        ids_[name] = std::move(ids);
        continue;
      }
      // Same table: drop removed or changed indexes, then create and build new ones.
      TableIds& ids = ids_[name];
      for (const auto& old_index : existing->second.indexes) {
        const IndexSpec* kept = wanted.FindIndex(old_index.name);
        if (kept && kept->ToSpec() == old_index.ToSpec()) continue;
        Status s = sql_->Run("DROP TABLE " + IndexTable(ids.indexes[old_index.name]));
        if (!s.ok()) return s;
        ids.indexes.erase(old_index.name);
      }
      ForgetStatements();
      for (const auto& index : wanted.indexes) {
        if (ids.indexes.count(index.name)) continue;
        const int number = next_number_++;
        Status s = CreateIndexTable(index, number);
        if (s.ok()) s = BuildIndex(existing->second, index, number);
        if (!s.ok()) return s;
        ids.indexes[index.name] = number;
      }
      existing->second = wanted;
    }
    return SaveSchemaMeta();
  };
  status = apply();
  if (status.ok()) {
    changes_.AddEverything();  // every live query re-runs on a new schema
    return own_transaction ? Commit() : sql_->Run("RELEASE indexie_schema");
  }
  if (own_transaction) {
    Status rollback = Rollback();
    (void)rollback;
  } else {
    Status rollback = sql_->Run("ROLLBACK TO indexie_schema; RELEASE indexie_schema");
    (void)rollback;
    Status reload = LoadMeta();
    (void)reload;
  }
  return status;
}

Status Database::SetVersion(double version) {
  return Atomically([&]() -> Status {
    auto stmt = sql_->Prepare("INSERT OR REPLACE INTO _indexie_meta(name, value) VALUES ('version', ?)");
    if (!stmt.ok()) return stmt.status();
    const int rc = stmt.value()->BindDouble(1, version).Step();
    stmt.value()->Reset();
    if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
    version_ = version;
    return Status::Ok();
  });
}

// --- Writes ---------------------------------------------------------------

void Database::AdvanceGenerator(const std::string& table, const Key& key) {
  if (key.type != Key::Type::kNumber) return;
  double& next = generators_.try_emplace(table, 1.0).first->second;
  if (key.number >= next) next = std::min(std::floor(key.number) + 1, kMaxGeneratorKey + 1);
}

Result<Key> Database::PrimaryKeyFor(const TableSchema& schema, std::string_view value, const Key* explicit_key,
                                    std::string* stored_value) {
  const IndexSpec& pk = schema.primary_key;
  auto generate = [&]() -> Result<Key> {
    double& next = generators_.try_emplace(schema.name, 1.0).first->second;
    if (next > kMaxGeneratorKey) {
      return Status(StatusCode::kConstraint,
                    "the auto-increment key generator of table '" + schema.name + "' is exhausted (it passed 2^53)");
    }
    return Key::Number(next);
  };
  if (pk.outbound()) {
    if (explicit_key) return *explicit_key;
    if (pk.auto_increment) return generate();
    return Status(StatusCode::kData,
                  "table '" + schema.name + "' has outbound primary keys: pass the key as the second argument");
  }
  if (explicit_key) {
    return Status(StatusCode::kData, "table '" + schema.name + "' takes its primary key from the value (key path '" +
                                         pk.key_path.ToString() + "'): do not pass a separate key");
  }
  std::optional<Key> key = EvaluateKeyPath(value, pk.key_path);
  if (key) return *key;
  if (!pk.key_path.compound) {
    const std::string why = InvalidKeyReason(value, pk.key_path.paths[0]);
    if (!why.empty()) {
      return Status(StatusCode::kData, "the primary key at '" + pk.key_path.ToString() + "' of table '" + schema.name +
                                           "' is invalid: " + why);
    }
  }
  if (!pk.auto_increment) {
    return Status(StatusCode::kData, "the value has no valid primary key at '" + pk.key_path.ToString() +
                                         "' for table '" + schema.name +
                                         "' (a key is a number, string, Date, binary or an array of those)");
  }
  auto generated = generate();
  if (!generated.ok()) return generated;
  auto injected = InjectKey(value, pk.key_path.paths[0], generated.value());
  if (!injected.ok()) {
    return Status(StatusCode::kData, "cannot store the generated key in the value for table '" + schema.name +
                                         "': " + injected.status().message());
  }
  *stored_value = std::move(injected).value();
  return generated;
}

std::vector<Database::IndexEntry> Database::IndexEntriesFor(const TableSchema& schema, std::string_view value,
                                                            const std::vector<bool>* only) const {
  std::vector<IndexEntry> entries;
  entries.reserve(schema.indexes.size());
  auto ids = ids_.find(schema.name);
  for (size_t i = 0; i < schema.indexes.size(); ++i) {
    const IndexSpec& index = schema.indexes[i];
    IndexEntry entry{&index, 0, {}};
    if (ids != ids_.end()) {
      auto number = ids->second.indexes.find(index.name);
      if (number != ids->second.indexes.end()) entry.table_number = number->second;
    }
    if (only && !(*only)[i]) {
      entries.push_back(std::move(entry));
      continue;
    }
    if (index.multi_entry) {
      for (const Key& key : EvaluateMultiEntryKeyPath(value, index.key_path.paths[0])) {
        entry.encoded_keys.push_back(EncodeKey(key));
      }
    } else if (std::optional<Key> key = EvaluateKeyPath(value, index.key_path)) {
      entry.encoded_keys.push_back(EncodeKey(*key));
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status Database::CheckUnique(const IndexEntry& entry, const std::string& encoded_pk, const TableSchema& schema) {
  auto stmt = Prepared(Stmt::kIndexHolder, entry.table_number);
  if (!stmt.ok()) return stmt.status();
  Statement& s = *stmt.value();
  for (const std::string& key : entry.encoded_keys) {
    const int rc = s.BindBlob(1, key).Step();
    const bool taken = rc == SQLITE_ROW && s.ColumnBlob(0) != encoded_pk;
    s.Reset();
    if (taken) return UniqueViolation(entry, key, schema);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  }
  return Status::Ok();
}

Status Database::UniqueViolation(const IndexEntry& entry, const std::string& duplicate_key, const TableSchema& schema) {
  std::string holder_text = "?";
  auto stmt = Prepared(Stmt::kIndexHolder, entry.table_number);
  if (stmt.ok() && stmt.value()->BindBlob(1, duplicate_key).Step() == SQLITE_ROW) {
    auto holder = DecodeKey(stmt.value()->ColumnBlob(0));
    if (holder.ok()) holder_text = holder.value().ToDisplayString();
  }
  if (stmt.ok()) stmt.value()->Reset();
  auto duplicate = DecodeKey(duplicate_key);
  return Status(StatusCode::kConstraint, "unique index '" + entry.spec->name + "' of table '" + schema.name +
                                             "' already has the key " +
                                             (duplicate.ok() ? duplicate.value().ToDisplayString() : "?") +
                                             " (on the record with key " + holder_text + ")");
}

Status Database::StepEntries(bool insert, const std::vector<IndexEntry>& entries, const std::string& encoded_pk) {
  for (const IndexEntry& entry : entries) {
    for (const std::string& key : entry.encoded_keys) {
      const int rc = StepEntry(insert, entry, key, encoded_pk);
      if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> Database::ReadValue(int store, const std::string& encoded_pk) {
  auto stmt = Prepared(Stmt::kStoreSelect, store);
  if (!stmt.ok()) return stmt.status();
  Statement& s = *stmt.value();
  const int rc = s.BindBlob(1, encoded_pk).Step();
  std::optional<std::string> value;
  if (rc == SQLITE_ROW) value = std::string(s.ColumnBlob(0));
  s.Reset();
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  return value;
}

Result<std::optional<std::string>> Database::TakeOldValue(int store, const std::string& encoded_pk) {
  auto remembered = remembered_.find({store, encoded_pk});
  if (remembered == remembered_.end()) return ReadValue(store, encoded_pk);
  std::optional<std::string> value = std::move(remembered->second);
  remembered_.erase(remembered);
  return value;
}

Status Database::WriteOne(const TableSchema& schema, WriteMode mode, std::string_view value, const Key* explicit_key,
                          Key* written_key) {
  std::string injected;
  auto key = PrimaryKeyFor(schema, value, explicit_key, &injected);
  if (!key.ok()) return key.status();
  const bool generated = !injected.empty() || (schema.primary_key.outbound() && !explicit_key);
  const std::string_view stored = injected.empty() ? value : std::string_view(injected);
  const std::string encoded_pk = EncodeKey(key.value());

  Status status;
  if (mode == WriteMode::kAdd) {
    remembered_.erase({ids_[schema.name].store, encoded_pk});
    status = InsertNew(schema, key.value(), encoded_pk, stored);
  } else {
    auto old_value = TakeOldValue(ids_[schema.name].store, encoded_pk);
    if (!old_value.ok()) return old_value.status();
    status = old_value.value() ? ReplaceExisting(schema, encoded_pk, *old_value.value(), stored)
                               : InsertNew(schema, key.value(), encoded_pk, stored);
  }
  if (!status.ok()) return status;
  if (schema.primary_key.auto_increment) {
    if (generated) generators_[schema.name] = key.value().number + 1;
    else AdvanceGenerator(schema.name, key.value());
  }
  *written_key = std::move(key).value();
  return Status::Ok();
}

// The common case: no record has this key. The row and its index entries are
// inserted directly, letting SQLite's own uniqueness checks find conflicts;
// on a conflict, what was inserted for this record is deleted again.
Status Database::InsertNew(const TableSchema& schema, const Key& key, const std::string& encoded_pk,
                           std::string_view value) {
  auto insert = Prepared(Stmt::kStoreInsert, ids_[schema.name].store);
  if (!insert.ok()) return insert.status();
  int rc = insert.value()->BindBlob(1, encoded_pk).BindBlob(2, value).Step();
  insert.value()->Reset();
  if ((rc & 0xff) == SQLITE_CONSTRAINT) {
    return Status(StatusCode::kConstraint,
                  "key " + key.ToDisplayString() + " already exists in table '" + schema.name + "'");
  }
  if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);

  std::vector<IndexEntry> entries = IndexEntriesFor(schema, value);
  for (size_t i = 0; i < entries.size(); ++i) {
    for (size_t j = 0; j < entries[i].encoded_keys.size(); ++j) {
      rc = StepEntry(true, entries[i], entries[i].encoded_keys[j], encoded_pk);
      if (rc == SQLITE_DONE) continue;
      if ((rc & 0xff) != SQLITE_CONSTRAINT || !entries[i].spec->unique) return sql_->ErrorStatus(rc);
      // A unique index already has this key: undo this record's row and entries.
      const std::string duplicate = entries[i].encoded_keys[j];
      entries[i].encoded_keys.resize(j);
      entries.resize(i + 1);
      Status undo = StepEntries(false, entries, encoded_pk);
      if (!undo.ok()) return undo;
      auto remove = Prepared(Stmt::kStoreDelete, ids_[schema.name].store);
      if (!remove.ok()) return remove.status();
      rc = remove.value()->BindBlob(1, encoded_pk).Step();
      remove.value()->Reset();
      if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
      return UniqueViolation(entries[i], duplicate, schema);
    }
  }
  NoteChange(schema, encoded_pk, nullptr, &entries);
  return Status::Ok();
}

// A put over an existing record: unique conflicts are checked first, then
// only the index entries that differ between old and new value change.
Status Database::ReplaceExisting(const TableSchema& schema, const std::string& encoded_pk, std::string_view old_value,
                                 std::string_view value) {
  // Past the change log's cap (change_set.h) the entries are needed only for
  // the indexes whose items changed: the others are not even evaluated.
  std::vector<bool> changed;
  const bool logs_records = changes_.KeepsRecordsOf(schema.name);
  if (!logs_records) {
    changed.resize(schema.indexes.size());
    for (size_t i = 0; i < schema.indexes.size(); ++i) {
      changed[i] = !SameItemsAtKeyPath(old_value, value, schema.indexes[i].key_path);
    }
  }
  const std::vector<bool>* only = logs_records ? nullptr : &changed;
  std::vector<IndexEntry> new_entries = IndexEntriesFor(schema, value, only);
  std::vector<IndexEntry> old_entries = IndexEntriesFor(schema, old_value, only);
  NoteChange(schema, encoded_pk, &old_entries, &new_entries);  // before the diff below trims them
  for (size_t i = 0; i < old_entries.size(); ++i) {
    if (old_entries[i].encoded_keys == new_entries[i].encoded_keys) {  // the usual case: this index is unchanged
      old_entries[i].encoded_keys.clear();
      new_entries[i].encoded_keys.clear();
      continue;
    }
    std::set<std::string> fresh(new_entries[i].encoded_keys.begin(), new_entries[i].encoded_keys.end());
    std::set<std::string> stale(old_entries[i].encoded_keys.begin(), old_entries[i].encoded_keys.end());
    std::vector<std::string> removed, added;
    for (const auto& k : stale)
      if (!fresh.count(k)) removed.push_back(k);
    for (const auto& k : fresh)
      if (!stale.count(k)) added.push_back(k);
    old_entries[i].encoded_keys = std::move(removed);
    new_entries[i].encoded_keys = std::move(added);
  }
  for (const IndexEntry& entry : new_entries) {
    if (!entry.spec->unique) continue;
    Status status = CheckUnique(entry, encoded_pk, schema);
    if (!status.ok()) return status;
  }
  Status status = StepEntries(false, old_entries, encoded_pk);
  if (!status.ok()) return status;
  auto update = Prepared(Stmt::kStoreUpdate, ids_[schema.name].store);
  if (!update.ok()) return update.status();
  const int rc = update.value()->BindBlob(1, encoded_pk).BindBlob(2, value).Step();
  update.value()->Reset();
  if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  return StepEntries(true, new_entries, encoded_pk);
}

WriteOutcome Database::Write(const std::string& table, WriteMode mode, const std::vector<std::string_view>& values,
                             const std::vector<Key>* keys) {
  WriteOutcome outcome;
  outcome.keys.resize(values.size());
  auto fail_all = [&](const Status& status) {
    outcome.failures.clear();
    for (size_t i = 0; i < values.size(); ++i) {
      outcome.keys[i].reset();
      outcome.failures.push_back({i, status});
    }
    return outcome;
  };
  auto schema = FindTable(table);
  if (!schema.ok()) return fail_all(schema.status());
  if (keys && keys->size() != values.size()) {
    return fail_all(Status(StatusCode::kInvalidArgument, "got " + std::to_string(keys->size()) + " keys for " +
                                                             std::to_string(values.size()) + " values"));
  }
  const double generator_before = generators_.count(table) ? generators_[table] : 1.0;
  Status status = Atomically([&]() -> Status {
    for (size_t i = 0; i < values.size(); ++i) {
      Key written;
      Status item = WriteOne(*schema.value(), mode, values[i], keys ? &(*keys)[i] : nullptr, &written);
      if (item.ok()) {
        outcome.keys[i] = std::move(written);
      } else if (item.code() == StatusCode::kSql || item.code() == StatusCode::kInternal) {
        return item;  // not a checked failure: the item may be half-written, so undo everything
      } else {
        outcome.failures.push_back({i, std::move(item)});
      }
    }
    const double generator_after = generators_.count(table) ? generators_[table] : 1.0;
    return generator_after != generator_before ? SaveGenerator(table) : Status::Ok();
  });
  remembered_.clear();  // kept for this Write() only (see Get)
  if (!status.ok()) return fail_all(status);
  return outcome;
}

Status Database::DeleteOne(const TableSchema& schema, const std::string& encoded_pk, bool* existed) {
  const int store = ids_[schema.name].store;
  auto old_value = ReadValue(store, encoded_pk);
  if (!old_value.ok()) return old_value.status();
  *existed = old_value.value().has_value();
  if (!*existed) return Status::Ok();
  const std::vector<IndexEntry> entries = IndexEntriesFor(schema, *old_value.value());
  Status status = StepEntries(false, entries, encoded_pk);
  if (!status.ok()) return status;
  NoteChange(schema, encoded_pk, &entries, nullptr);
  auto stmt = Prepared(Stmt::kStoreDelete, store);
  if (!stmt.ok()) return stmt.status();
  const int rc = stmt.value()->BindBlob(1, encoded_pk).Step();
  stmt.value()->Reset();
  return rc == SQLITE_DONE ? Status::Ok() : sql_->ErrorStatus(rc);
}

Result<int64_t> Database::Delete(const std::string& table, const std::vector<Key>& keys) {
  remembered_.clear();
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  int64_t deleted = 0;
  Status status = Atomically([&]() -> Status {
    for (const Key& key : keys) {
      bool existed = false;
      Status s = DeleteOne(*schema.value(), EncodeKey(key), &existed);
      if (!s.ok()) return s;
      deleted += existed ? 1 : 0;
    }
    return Status::Ok();
  });
  if (!status.ok()) return status;
  return deleted;
}

Status Database::Clear(const std::string& table) {
  remembered_.clear();
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  changes_.AddWholeTable(table);
  return Atomically([&]() -> Status {
    const TableIds& ids = ids_[table];
    Status s = sql_->Run("DELETE FROM " + StoreTable(ids.store));
    for (const auto& [index, number] : ids.indexes) {
      if (s.ok()) s = sql_->Run("DELETE FROM " + IndexTable(number));
    }
    return s;
  });
}

void Database::NoteChange(const TableSchema& schema, const std::string& encoded_pk,
                          const std::vector<IndexEntry>* before, const std::vector<IndexEntry>* after) {
  if (!changes_.KeepsRecordsOf(schema.name)) return;  // past the cap: the whole table counts as changed
  RecordChange change;
  change.primary_key = encoded_pk;
  change.existed_before = before != nullptr;
  change.exists_after = after != nullptr;
  change.indexes.resize(schema.indexes.size());
  // Column values as the index tables hold them (database.h): the key alone
  // for a unique index, key || primary key otherwise.
  auto columns = [&](const IndexEntry& entry, std::vector<std::string>* out) {
    for (const std::string& key : entry.encoded_keys) out->push_back(entry.spec->unique ? key : key + encoded_pk);
  };
  for (size_t i = 0; i < schema.indexes.size(); ++i) {
    change.indexes[i].index = schema.indexes[i].name;
    if (before) columns((*before)[i], &change.indexes[i].before);
    if (after) columns((*after)[i], &change.indexes[i].after);
  }
  changes_.AddRecord(schema.name, std::move(change));
}

// --- Reads ----------------------------------------------------------------

Result<std::optional<std::string>> Database::Get(const std::string& table, const Key& key, bool remember) {
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  std::string encoded = EncodeKey(key);
  if (read_recorder_) read_recorder_->AddPrimaryKey(table, encoded);
  const int store = ids_[table].store;
  auto value = ReadValue(store, encoded);
  if (remember && value.ok() && value.value()) remembered_[{store, std::move(encoded)}] = *value.value();
  return value;
}

Result<std::optional<Record>> Database::GetByIndex(const std::string& table, const std::string& index, const Key& key) {
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  const IndexSpec* spec = schema.value()->FindIndex(index);
  if (!spec) return Status(StatusCode::kNotFound, "table '" + table + "' has no index '" + index + "'");
  const int number = ids_[table].indexes[index];
  const std::string encoded = EncodeKey(key);
  NoteRead(table, index, ByteRange{encoded, encoded + '\xFF'}, ReadSet::Kind::kValues);
  std::string primary_key;
  if (spec->unique) {
    auto stmt = Prepared(Stmt::kIndexHolder, number);
    if (!stmt.ok()) return stmt.status();
    const int rc = stmt.value()->BindBlob(1, encoded).Step();
    if (rc == SQLITE_ROW) primary_key = std::string(stmt.value()->ColumnBlob(0));
    stmt.value()->Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  } else {
    // Entries for `key` are exactly those in [encoded, encoded + 0xFF): the
    // primary key that follows starts with a tag byte below 0xFF.
    const std::string upper = encoded + '\xFF';
    auto stmt = Prepared(Stmt::kEntryFirstInRange, number);
    if (!stmt.ok()) return stmt.status();
    const int rc = stmt.value()->BindBlob(1, encoded).BindBlob(2, upper).Step();
    if (rc == SQLITE_ROW) primary_key = std::string(stmt.value()->ColumnBlob(0).substr(encoded.size()));
    stmt.value()->Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  }
  if (primary_key.empty()) return std::optional<Record>();
  auto value = ReadValue(ids_[table].store, primary_key);
  if (!value.ok()) return value.status();
  if (!value.value())
    return Status(StatusCode::kCorruption,
                  "index '" + index + "' of table '" + table + "' points at a record that does not exist");
  return std::optional<Record>(Record{std::move(primary_key), std::move(*value.value())});
}

Result<Database::Layout> Database::LayoutOf(const std::string& table, const std::string& index) {
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  const TableIds& ids = ids_[table];
  if (index.empty()) return Layout{Layout::Kind::kPrimary, ids.store, ids.store, nullptr};
  const IndexSpec* spec = schema.value()->FindIndex(index);
  if (!spec) return Status(StatusCode::kNotFound, "table '" + table + "' has no index '" + index + "'");
  return Layout{spec->unique ? Layout::Kind::kUnique : Layout::Kind::kEntries, ids.store, ids.indexes.at(index), spec};
}

Result<std::optional<std::string>> Database::ReadRecord(const std::string& table, const std::string& encoded_pk) {
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  return ReadValue(ids_[table].store, encoded_pk);
}

Result<int64_t> Database::Count(const std::string& table) {
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  NoteRead(table, "", ByteRange{}, ReadSet::Kind::kKeys);
  auto stmt = Prepared(Stmt::kStoreCount, ids_[table].store);
  if (!stmt.ok()) return stmt.status();
  const int rc = stmt.value()->Step();
  const int64_t count = rc == SQLITE_ROW ? stmt.value()->ColumnInt(0) : 0;
  stmt.value()->Reset();
  if (rc != SQLITE_ROW) return sql_->ErrorStatus(rc);
  return count;
}

Result<std::vector<Record>> Database::Scan(const std::string& table) {
  auto schema = FindTable(table);
  if (!schema.ok()) return schema.status();
  NoteRead(table, "", ByteRange{}, ReadSet::Kind::kValues);
  auto stmt = Prepared(Stmt::kStoreScan, ids_[table].store);
  if (!stmt.ok()) return stmt.status();
  Statement& s = *stmt.value();
  std::vector<Record> records;
  int rc;
  while ((rc = s.Step()) == SQLITE_ROW)
    records.push_back(Record{std::string(s.ColumnBlob(0)), std::string(s.ColumnBlob(1))});
  s.Reset();
  if (rc != SQLITE_DONE) return sql_->ErrorStatus(rc);
  return records;
}

}  // namespace indexie
