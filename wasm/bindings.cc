// bindings.cc: the embind facade, and the only C++ file that includes
// emscripten headers. It converts between JS values and core types and never
// lets a C++ error escape as anything but a result object.
//
// Result convention (read by js/src/engine-call.ts, the one place that turns
// failures into JS errors):
//   success: { ok: true, value }
//   failure: { ok: false, code: "<StatusCodeName>", message: "<why>" }
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <variant>

#include "indexie/cbor.h"
#include "indexie/change_set.h"
#include "indexie/database.h"
#include "indexie/key_codec.h"
#include "indexie/page_vfs.h"
#include "indexie/query.h"
#include "indexie/read_set.h"
#include "indexie/schema.h"
#include "indexie/sql_connection.h"
#include "indexie/status.h"
#include "indexie/value_reader.h"

namespace indexie {
namespace {

using emscripten::val;

val Ok(val value) {
  val result = val::object();
  result.set("ok", true);
  result.set("value", value);
  return result;
}

val Fail(const Status& status) {
  val result = val::object();
  result.set("ok", false);
  result.set("code", std::string(StatusCodeName(status.code())));
  result.set("message", status.message());
  return result;
}

val BytesToJs(const uint8_t* data, size_t size) {
  // A copy: a view of the wasm heap would go stale when memory grows.
  val view = val(emscripten::typed_memory_view(size, data));
  return val::global("Uint8Array").new_(view);
}

// INTEGERs within JS's safe range become numbers; larger ones become BigInt
// so no digit is silently lost.
val IntegerToJs(int64_t value) {
  constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;
  if (value >= -kMaxSafe && value <= kMaxSafe) return val(static_cast<double>(value));
  return val::global("BigInt")(std::to_string(value));
}

val SqlValueToJs(const SqlValue& value) {
  struct Visitor {
    val operator()(std::monostate) const { return val::null(); }
    val operator()(int64_t v) const { return IntegerToJs(v); }
    val operator()(double v) const { return val(v); }
    val operator()(const std::string& v) const { return val(v); }
    val operator()(const SqlBlob& v) const { return BytesToJs(v.data(), v.size()); }
  };
  return std::visit(Visitor{}, value);
}

val SqlResultToJs(const SqlResult& result) {
  val columns = val::array();
  for (const auto& name : result.columns) columns.call<void>("push", name);
  val rows = val::array();
  for (const auto& row : result.rows) {
    val js_row = val::array();
    for (const auto& cell : row) js_row.call<void>("push", SqlValueToJs(cell));
    rows.call<void>("push", js_row);
  }
  val out = val::object();
  out.set("columns", columns);
  out.set("rows", rows);
  out.set("changes", IntegerToJs(result.changes));
  return out;
}

// The JS-visible handle to one SQLite database. Owned by a JS wrapper that
// calls delete() when the database is closed.
// JS creates it empty (new SqlDatabase()) and then calls open(name), so that
// opening can report failure through the result convention.
class SqlDatabase {
 public:
  val Open(const std::string& name) {
    auto connection = SqlConnection::Open(name);
    if (!connection.ok()) return Fail(connection.status());
    connection_ = std::move(connection).value();
    return Ok(val::undefined());
  }

  val Execute(const std::string& sql) {
    if (!connection_) return Fail(Status(StatusCode::kDatabaseClosed, "the database is closed"));
    auto result = connection_->Execute(sql);
    return result.ok() ? Ok(SqlResultToJs(result.value())) : Fail(result.status());
  }

  void Close() { connection_.reset(); }

 private:
  std::unique_ptr<SqlConnection> connection_;
};

std::string SqliteVersion() { return SqlConnection::SqliteVersion(); }

// Pages JS copied into the heap at `ptr` (`count` pages, numbers in `numbers`).
std::vector<PageImage> PagesAt(const val& numbers, uintptr_t ptr, int count) {
  std::vector<PageImage> pages;
  pages.reserve(count);
  const char* bytes = reinterpret_cast<const char*>(ptr);
  for (int i = 0; i < count; ++i) {
    pages.push_back(PageImage{numbers[i].as<uint32_t>(), std::string(bytes + static_cast<size_t>(i) * kPageVfsPageSize,
                                                                      kPageVfsPageSize)});
  }
  return pages;
}

// Installs a database file loaded from IndexedDB: `file_size` bytes.
void LoadFile(const std::string& name, double file_size, const val& numbers, uintptr_t ptr, int count) {
  PageVfsLoad(name, static_cast<uint64_t>(file_size), PagesAt(numbers, ptr, count));
}

val BytesToJs(const std::string& bytes) { return BytesToJs(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()); }

val StatusResult(const Status& status) { return status.ok() ? Ok(val::undefined()) : Fail(status); }

val IndexSpecToJs(const IndexSpec& index) {
  val key_path = val::null();
  auto dotted = [](const std::vector<std::string>& steps) {
    std::string out;
    for (size_t i = 0; i < steps.size(); ++i) out += (i ? "." : "") + steps[i];
    return out;
  };
  if (index.key_path.compound) {
    key_path = val::array();
    for (const auto& steps : index.key_path.paths) key_path.call<void>("push", dotted(steps));
  } else if (!index.key_path.empty()) {
    key_path = val(dotted(index.key_path.paths[0]));
  }
  val out = val::object();
  out.set("name", index.name);
  out.set("keyPath", key_path);
  out.set("unique", index.unique);
  out.set("multi", index.multi_entry);
  out.set("auto", index.auto_increment);
  out.set("compound", index.key_path.compound);
  out.set("src", index.ToSpec());
  return out;
}

val TableSchemaToJs(const TableSchema& schema) {
  val indexes = val::array();
  for (const auto& index : schema.indexes) indexes.call<void>("push", IndexSpecToJs(index));
  val out = val::object();
  out.set("name", schema.name);
  out.set("spec", schema.ToSpec());
  out.set("primKey", IndexSpecToJs(schema.primary_key));
  out.set("indexes", indexes);
  return out;
}

// Parses a spec without a database (for validation before open).
val ParseSchema(const std::string& table, const std::string& spec) {
  auto schema = ParseTableSchema(table, spec);
  return schema.ok() ? Ok(TableSchemaToJs(schema.value())) : Fail(schema.status());
}

// Splits an encoded array of values into the views of its items.
Result<std::vector<std::string_view>> SplitArray(std::string_view encoded) {
  size_t pos = 0;
  cbor::Header header;
  if (!cbor::ReadHeader(encoded, &pos, &header) || header.major != cbor::kArray) {
    return Status(StatusCode::kInternal, "expected an encoded array of values");
  }
  std::vector<std::string_view> items;
  items.reserve(header.arg);
  for (uint64_t i = 0; i < header.arg; ++i) {
    const size_t start = pos;
    if (!cbor::SkipItem(encoded, &pos)) return Status(StatusCode::kData, "an encoded value is malformed");
    items.emplace_back(encoded.data() + start, pos - start);
  }
  return items;
}

constexpr char kEncodedUndefined = static_cast<char>(0xF7);

// Encoded input arrives as (pointer, length) into the wasm heap: JS copies
// it there with one HEAPU8.set() (embind's std::string conversion copies
// byte by byte). The bytes stay valid for the duration of the call.
std::string_view Bytes(uintptr_t ptr, size_t length) {
  return std::string_view(reinterpret_cast<const char*>(ptr), length);
}

// Builds a QuerySpec from the JS description (js/src/engine.ts QueryDescription)
// and the encoded range list (pointer 0: every key).
Result<QuerySpec> ToQuerySpec(const val& description, uintptr_t ranges_ptr, size_t ranges_length) {
  QuerySpec spec;
  spec.table = description["table"].as<std::string>();
  spec.index = description["index"].as<std::string>();
  spec.reverse = description["reverse"].as<bool>();
  spec.distinct = description["distinct"].as<bool>();
  spec.unique_keys = description["unique"].as<bool>();
  spec.offset = static_cast<int64_t>(description["offset"].as<double>());
  spec.limit = static_cast<int64_t>(description["limit"].as<double>());
  const val order_by = description["orderBy"];
  const int fields = order_by["length"].as<int>();
  for (int i = 0; i < fields; ++i) {
    spec.order_by.push_back(SortField{SplitDottedPath(order_by[i][0].as<std::string>()), order_by[i][1].as<bool>()});
  }
  if (ranges_ptr == 0) {
    spec.ranges = AllKeys();
  } else {
    auto ranges = ParseRangeSpecs(Bytes(ranges_ptr, ranges_length));
    if (!ranges.ok()) return ranges.status();
    spec.ranges = NormalizeRanges(ranges.value());
  }
  return spec;
}

// Appends an encoded key (key_codec) in the value format. Numbers, the
// common case, are converted without building a Key.
Status AppendEncodedKeyAsValue(const std::string& encoded, std::string* out) {
  if (encoded.size() == 9 && static_cast<unsigned char>(encoded[0]) == key_tag::kNumber) {
    uint64_t bits = 0;
    for (int i = 1; i < 9; ++i) bits = (bits << 8) | static_cast<unsigned char>(encoded[i]);
    bits = (bits & (uint64_t{1} << 63)) ? bits & ~(uint64_t{1} << 63) : ~bits;
    double number;
    std::memcpy(&number, &bits, sizeof number);
    cbor::WriteNumber(number, out);
    return Status::Ok();
  }
  auto key = DecodeKey(encoded);
  if (!key.ok()) return key.status();
  AppendKeyAsValue(key.value(), out);
  return Status::Ok();
}

// rows -> one encoded array. "values" / "keys" / "primaryKeys": one item per
// row; "rows": three items per row (key, primary key, value or undefined);
// "keyPairs": the same triples, values not read.
Result<std::string> EncodeRows(const std::vector<QueryRow>& rows, const std::string& output) {
  const bool triples = output == "rows" || output == "keyPairs";
  std::string out;
  cbor::WriteHeader(cbor::kArray, rows.size() * (triples ? 3 : 1), &out);
  for (const QueryRow& row : rows) {
    Status status;
    if (triples || output == "keys") status = AppendEncodedKeyAsValue(row.key, &out);
    if (status.ok() && (triples || output == "primaryKeys")) status = AppendEncodedKeyAsValue(row.primary_key, &out);
    if (!status.ok()) return status;
    if (triples || output == "values") {
      if (row.value) out += *row.value;
      else out.push_back(kEncodedUndefined);
    }
  }
  return out;
}

// The JS-visible handle to one engine database (database.h), owned by
// js/src/engine.ts, which calls delete() when the database closes.
// Keys and values cross as encoded bytes (js/src/value-codec.ts).
// Change sets JS collects (from this tab's engines and other tabs) to match
// against live queries' read sets.
struct ChangeSetBuffer {
  ChangeSet set;

  // Merges a serialized change set (change_set.h wire format).
  val Add(uintptr_t ptr, size_t size) {
    auto parsed = ChangeSet::Parse(std::string_view(reinterpret_cast<const char*>(ptr), size));
    if (!parsed.ok()) return Fail(parsed.status());
    set.Merge(parsed.value());
    return Ok(val::undefined());
  }
  void AddEverything() { set.AddEverything(); }
  bool IsEmpty() const { return set.empty(); }
  val Serialize() const {
    const std::string bytes = set.Serialize();
    return BytesToJs(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
};

class EngineDatabase {
 public:
  val Open(const std::string& name) {
    auto db = Database::Open(name);
    if (!db.ok()) return Fail(db.status());
    db_ = std::move(db).value();
    return Ok(val::undefined());
  }

  void Close() { db_.reset(); }

  // { version, tables: { name: { name, spec, primKey, indexes } } }
  val Info() {
    if (!db_) return Closed();
    val tables = val::object();
    for (const auto& [name, schema] : db_->tables()) tables.set(name, TableSchemaToJs(schema));
    val info = val::object();
    info.set("version", db_->version());
    info.set("tables", tables);
    return Ok(info);
  }

  val Begin() { return db_ ? StatusResult(db_->Begin()) : Closed(); }
  val Commit() { return db_ ? StatusResult(db_->Commit()) : Closed(); }
  val Rollback() { return db_ ? StatusResult(db_->Rollback()) : Closed(); }
  val SetVersion(double version) { return db_ ? StatusResult(db_->SetVersion(version)) : Closed(); }

  // specs: { tableName: specString }
  val SetSchema(const val& specs) {
    if (!db_) return Closed();
    std::map<std::string, std::string> wanted;
    const val names = val::global("Object").call<val>("keys", specs);
    const int count = names["length"].as<int>();
    for (int i = 0; i < count; ++i) {
      const std::string name = names[i].as<std::string>();
      wanted[name] = specs[name].as<std::string>();
    }
    return StatusResult(db_->SetSchema(wanted));
  }

  // values: encoded array; keys: encoded array or null. Resolves to
  // { keys: encoded array (undefined where an item failed), failures: [{position, code, message}] }.
  val Write(const std::string& table, bool add, uintptr_t values_ptr, size_t values_length, uintptr_t keys_ptr,
            size_t keys_length) {
    if (!db_) return Closed();
    auto items = SplitArray(Bytes(values_ptr, values_length));
    if (!items.ok()) return Fail(items.status());
    std::vector<Key> explicit_keys;
    const bool has_keys = keys_ptr != 0;
    if (has_keys) {
      auto parsed = ValueToKeys(Bytes(keys_ptr, keys_length));
      if (!parsed.ok()) return Fail(parsed.status());
      explicit_keys = std::move(parsed).value();
    }
    WriteOutcome outcome = db_->Write(table, add ? WriteMode::kAdd : WriteMode::kPut, items.value(),
                                      has_keys ? &explicit_keys : nullptr);
    std::string encoded_keys;
    cbor::WriteHeader(cbor::kArray, outcome.keys.size(), &encoded_keys);
    for (const auto& key : outcome.keys) {
      if (key) AppendKeyAsValue(*key, &encoded_keys);
      else encoded_keys.push_back(kEncodedUndefined);
    }
    val failures = val::array();
    for (const auto& failure : outcome.failures) {
      val f = val::object();
      f.set("position", static_cast<double>(failure.position));
      f.set("code", std::string(StatusCodeName(failure.status.code())));
      f.set("message", failure.status.message());
      failures.call<void>("push", f);
    }
    val result = val::object();
    result.set("keys", BytesToJs(encoded_keys));
    result.set("failures", failures);
    return Ok(result);
  }

  // The encoded value, or undefined.
  val Get(const std::string& table, uintptr_t key_ptr, size_t key_length) {
    if (!db_) return Closed();
    auto parsed = ValueToKey(Bytes(key_ptr, key_length));
    if (!parsed.ok()) return Fail(parsed.status());
    auto value = db_->Get(table, parsed.value());
    if (!value.ok()) return Fail(value.status());
    return Ok(value.value() ? BytesToJs(*value.value()) : val::undefined());
  }

  // An encoded array of values, undefined where a key has no record.
  // for_update: the next write call may put these records back (Database::Get's remember).
  val BulkGet(const std::string& table, uintptr_t keys_ptr, size_t keys_length, bool for_update) {
    if (!db_) return Closed();
    auto parsed = ValueToKeys(Bytes(keys_ptr, keys_length));
    if (!parsed.ok()) return Fail(parsed.status());
    std::string out;
    cbor::WriteHeader(cbor::kArray, parsed.value().size(), &out);
    for (const Key& key : parsed.value()) {
      auto value = db_->Get(table, key, for_update);
      if (!value.ok()) return Fail(value.status());
      if (value.value()) out += *value.value();
      else out.push_back(kEncodedUndefined);
    }
    return Ok(BytesToJs(out));
  }

  // An encoded [primaryKey, value] pair, or undefined.
  val GetByIndex(const std::string& table, const std::string& index, uintptr_t key_ptr, size_t key_length) {
    if (!db_) return Closed();
    auto parsed = ValueToKey(Bytes(key_ptr, key_length));
    if (!parsed.ok()) return Fail(parsed.status());
    auto record = db_->GetByIndex(table, index, parsed.value());
    if (!record.ok()) return Fail(record.status());
    if (!record.value()) return Ok(val::undefined());
    auto primary_key = DecodeKey(record.value()->key);
    if (!primary_key.ok()) return Fail(primary_key.status());
    std::string out;
    cbor::WriteHeader(cbor::kArray, 2, &out);
    AppendKeyAsValue(primary_key.value(), &out);
    out += record.value()->value;
    return Ok(BytesToJs(out));
  }

  val Delete(const std::string& table, uintptr_t keys_ptr, size_t keys_length) {
    if (!db_) return Closed();
    auto parsed = ValueToKeys(Bytes(keys_ptr, keys_length));
    if (!parsed.ok()) return Fail(parsed.status());
    auto deleted = db_->Delete(table, parsed.value());
    return deleted.ok() ? Ok(val(static_cast<double>(deleted.value()))) : Fail(deleted.status());
  }

  val Clear(const std::string& table) { return db_ ? StatusResult(db_->Clear(table)) : Closed(); }

  val Count(const std::string& table) {
    if (!db_) return Closed();
    auto count = db_->Count(table);
    return count.ok() ? Ok(val(static_cast<double>(count.value()))) : Fail(count.status());
  }

  // All values in primary-key order, as one encoded array.
  val Scan(const std::string& table) {
    if (!db_) return Closed();
    auto records = db_->Scan(table);
    if (!records.ok()) return Fail(records.status());
    std::string out;
    cbor::WriteHeader(cbor::kArray, records.value().size(), &out);
    for (const Record& record : records.value()) out += record.value;
    return Ok(BytesToJs(out));
  }

  // output: "values" | "keys" | "primaryKeys" | "rows" | "keyPairs" | "count"
  val Query(const val& description, uintptr_t ranges_ptr, size_t ranges_length, const std::string& output) {
    if (!db_) return Closed();
    auto spec = ToQuerySpec(description, ranges_ptr, ranges_length);
    if (!spec.ok()) return Fail(spec.status());
    QueryExecutor executor(db_.get());
    if (output == "count") {
      auto count = executor.Count(spec.value());
      return count.ok() ? Ok(val(static_cast<double>(count.value()))) : Fail(count.status());
    }
    auto rows = executor.Run(spec.value(), output == "values" || output == "rows");
    if (!rows.ok()) return Fail(rows.status());
    auto encoded = EncodeRows(rows.value(), output);
    return encoded.ok() ? Ok(BytesToJs(encoded.value())) : Fail(encoded.status());
  }

  // op: "sum" | "min" | "max" | "avg"; resolves to the encoded result (undefined when there is none).
  val Aggregate(const val& description, uintptr_t ranges_ptr, size_t ranges_length, const std::string& op,
                const std::string& key_path) {
    if (!db_) return Closed();
    auto spec = ToQuerySpec(description, ranges_ptr, ranges_length);
    if (!spec.ok()) return Fail(spec.status());
    const AggregateOp which = op == "sum" ? AggregateOp::kSum : op == "min" ? AggregateOp::kMin
                            : op == "max" ? AggregateOp::kMax : AggregateOp::kAvg;
    auto result = QueryExecutor(db_.get()).Aggregate(spec.value(), which, SplitDottedPath(key_path));
    if (!result.ok()) return Fail(result.status());
    std::string out;
    if (result.value()) AppendKeyAsValue(*result.value(), &out);
    else out.push_back(kEncodedUndefined);
    return Ok(BytesToJs(out));
  }

  // A cursor: batches of rows for JS-side filtering. Holds no SQLite state.
  val OpenCursor(const val& description, uintptr_t ranges_ptr, size_t ranges_length) {
    if (!db_) return Closed();
    auto spec = ToQuerySpec(description, ranges_ptr, ranges_length);
    if (!spec.ok()) return Fail(spec.status());
    const int id = next_cursor_++;
    cursors_[id] = Cursor{std::move(spec).value(), ScanPosition{}};
    return Ok(val(id));
  }

  // { rows: encoded [key, primaryKey, value|undefined, ...] (output "rows", or "keyPairs"
  // without values) or [value, ...] (output "values"), done }
  val CursorNext(int id, int max, const std::string& output) {
    if (!db_) return Closed();
    auto it = cursors_.find(id);
    if (it == cursors_.end()) return Fail(Status(StatusCode::kInternal, "no such cursor"));
    std::vector<QueryRow> rows;
    const bool with_values = output != "keyPairs";
    Status status = QueryExecutor(db_.get()).ScanBatch(it->second.spec, &it->second.position, max, with_values, &rows);
    if (!status.ok()) return Fail(status);
    auto encoded = EncodeRows(rows, output == "values" ? "values" : "rows");
    if (!encoded.ok()) return Fail(encoded.status());
    val out = val::object();
    out.set("rows", BytesToJs(encoded.value()));
    out.set("done", it->second.position.done);
    return Ok(out);
  }

  void CloseCursor(int id) { cursors_.erase(id); }

  // --- Persistence (page_vfs.h change tracking) ---

  // { fileSize, pages: [page number, ...] }: pages changed since the last checkpoint.
  val Changes() {
    if (!db_) return Closed();
    // Page numbers only, as one Uint32Array copy (a 100k-row commit changes ~7,500 pages).
    ChangedPageNumbers changes = PageVfsChangedPageNumbers(db_->name());
    val view = val(emscripten::typed_memory_view(changes.pages.size(), changes.pages.data()));
    val out = val::object();
    out.set("fileSize", static_cast<double>(changes.file_size));
    out.set("pages", val::global("Uint32Array").new_(view));
    return Ok(out);
  }

  // The current bytes of pages [first, first + count).
  val ReadPages(double first, double count) {
    if (!db_) return Closed();
    return Ok(BytesToJs(PageVfsReadPages(db_->name(), static_cast<uint32_t>(first), static_cast<uint32_t>(count))));
  }

  // The changed pages' differing byte ranges, as one buffer (PageVfsDiff's
  // format); undefined if that is longer than `max_bytes`.
  val PageDiffs(double max_bytes) {
    if (!db_) return Closed();
    // A bound past size_t (wasm32: 4 GiB; JS passes MAX_SAFE_INTEGER for none) is no bound.
    const size_t bound = max_bytes >= static_cast<double>(SIZE_MAX) ? SIZE_MAX : static_cast<size_t>(max_bytes);
    const std::optional<std::string> diff = PageVfsDiff(db_->name(), bound);
    return Ok(diff ? BytesToJs(*diff) : val::undefined());
  }

  val Checkpoint() {
    if (!db_) return Closed();
    PageVfsCheckpoint(db_->name());
    return Ok(val::undefined());
  }

  // Another tab's commits: pages written over the file (all of them when
  // `replace_all`), then a fresh SQLite connection and schema.
  val ApplyRemote(double file_size, const val& numbers, uintptr_t ptr, int count, bool replace_all) {
    if (!db_) return Closed();
    if (db_->in_transaction()) return Fail(Status(StatusCode::kInternal, "cannot apply remote pages inside a transaction"));
    const std::vector<PageImage> pages = PagesAt(numbers, ptr, count);
    if (replace_all) PageVfsLoad(db_->name(), static_cast<uint64_t>(file_size), pages);
    else PageVfsApply(db_->name(), static_cast<uint64_t>(file_size), pages);
    return StatusResult(db_->ResetAfterRevert());
  }

  // --- Live queries (core/include/indexie/read_set.h, change_set.h) ---

  // Reads add what they read to `recorder` (owned by JS) until it is unset (null).
  val SetReadRecorder(ReadSet* recorder) {
    if (!db_) return Closed();
    db_->set_read_recorder(recorder);
    return Ok(val::undefined());
  }

  // What writes changed since the last call, in the wire format; undefined if nothing.
  val TakeChanges() {
    if (!db_) return Closed();
    const ChangeSet changes = db_->TakeChanges();
    if (changes.empty()) return Ok(val::undefined());
    const std::string bytes = changes.Serialize();
    return Ok(BytesToJs(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }

  // The flush failed: back to the last checkpoint, with a fresh SQLite connection.
  val Revert() {
    if (!db_) return Closed();
    PageVfsRevert(db_->name());
    return StatusResult(db_->ResetAfterRevert());
  }

  val ExecuteSql(const std::string& sql) {
    if (!db_) return Closed();
    db_->ForgetRememberedReads();
    auto result = db_->sql().Execute(sql);
    return result.ok() ? Ok(SqlResultToJs(result.value())) : Fail(result.status());
  }

 private:
  static val Closed() { return Fail(Status(StatusCode::kDatabaseClosed, "the database is closed")); }

  struct Cursor {
    QuerySpec spec;
    ScanPosition position;
  };

  std::unique_ptr<Database> db_;
  std::map<int, Cursor> cursors_;
  int next_cursor_ = 1;
};

}  // namespace
}  // namespace indexie

EMSCRIPTEN_BINDINGS(indexie) {
  using namespace emscripten;
  class_<indexie::SqlDatabase>("SqlDatabase")
      .constructor<>()
      .function("open", &indexie::SqlDatabase::Open)
      .function("execute", &indexie::SqlDatabase::Execute)
      .function("close", &indexie::SqlDatabase::Close);
  class_<indexie::EngineDatabase>("EngineDatabase")
      .constructor<>()
      .function("open", &indexie::EngineDatabase::Open)
      .function("close", &indexie::EngineDatabase::Close)
      .function("info", &indexie::EngineDatabase::Info)
      .function("begin", &indexie::EngineDatabase::Begin)
      .function("commit", &indexie::EngineDatabase::Commit)
      .function("rollback", &indexie::EngineDatabase::Rollback)
      .function("setVersion", &indexie::EngineDatabase::SetVersion)
      .function("setSchema", &indexie::EngineDatabase::SetSchema)
      .function("write", &indexie::EngineDatabase::Write)
      .function("get", &indexie::EngineDatabase::Get)
      .function("bulkGet", &indexie::EngineDatabase::BulkGet)
      .function("getByIndex", &indexie::EngineDatabase::GetByIndex)
      .function("deleteKeys", &indexie::EngineDatabase::Delete)  // "delete" is embind's destructor
      .function("clear", &indexie::EngineDatabase::Clear)
      .function("count", &indexie::EngineDatabase::Count)
      .function("scan", &indexie::EngineDatabase::Scan)
      .function("query", &indexie::EngineDatabase::Query)
      .function("aggregate", &indexie::EngineDatabase::Aggregate)
      .function("openCursor", &indexie::EngineDatabase::OpenCursor)
      .function("cursorNext", &indexie::EngineDatabase::CursorNext)
      .function("closeCursor", &indexie::EngineDatabase::CloseCursor)
      .function("changes", &indexie::EngineDatabase::Changes)
      .function("readPages", &indexie::EngineDatabase::ReadPages)
      .function("pageDiffs", &indexie::EngineDatabase::PageDiffs)
      .function("checkpoint", &indexie::EngineDatabase::Checkpoint)
      .function("revert", &indexie::EngineDatabase::Revert)
      .function("applyRemote", &indexie::EngineDatabase::ApplyRemote, allow_raw_pointers())
      .function("executeSql", &indexie::EngineDatabase::ExecuteSql)
      .function("setReadRecorder", &indexie::EngineDatabase::SetReadRecorder, allow_raw_pointers())
      .function("takeChanges", &indexie::EngineDatabase::TakeChanges);
  class_<indexie::ReadSet>("ReadSet")
      .constructor<>()
      .function("clear", &indexie::ReadSet::Clear)
      .function("isEmpty", &indexie::ReadSet::empty)
      .function("merge", &indexie::ReadSet::Merge)
      .function("intersects", optional_override([](const indexie::ReadSet& reads, const indexie::ChangeSetBuffer& changes) {
                  return reads.Intersects(changes.set);
                }));
  class_<indexie::ChangeSetBuffer>("ChangeSet")
      .constructor<>()
      .function("add", &indexie::ChangeSetBuffer::Add, allow_raw_pointers())
      .function("addEverything", &indexie::ChangeSetBuffer::AddEverything)
      .function("isEmpty", &indexie::ChangeSetBuffer::IsEmpty)
      .function("serialize", &indexie::ChangeSetBuffer::Serialize);
  function("sqliteVersion", &indexie::SqliteVersion);
  function("parseSchema", &indexie::ParseSchema);
  function("databaseExists", &indexie::PageVfsFileExists);
  function("deleteFile", &indexie::PageVfsDeleteFile);
  function("loadFile", &indexie::LoadFile, allow_raw_pointers());
}
