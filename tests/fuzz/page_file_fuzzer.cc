// page_file_fuzzer.cc: fuzzes opening a database file whose bytes are
// arbitrary, as a damaged file loaded from IndexedDB would be: the bytes are
// loaded through the page VFS (idb_bridge/include/indexie/page_vfs.h,
// PageVfsLoad), then opened and used through every layer:
//   - SqlConnection: PRAGMA integrity_check, and a read of sqlite_schema;
//   - Database::Open (which reads the schema JSON stored in the file), then
//     per table: count, scan, a query over every index with values, an
//     aggregate, a put of a record carrying every index's key path and a
//     delete (writes on damaged pages).
//
// Asserts: damage is reported as a Status (SqlError, CorruptionError, ...)
// and never crashes or trips a sanitizer (SQLite runs instrumented too, so
// its reads of pages handed out in place by the VFS are checked); nothing
// leaks.
//
// Input: the file's bytes. The seeds (corpus/page_file/) are small engine
// databases, most with 512-byte SQLite pages so that they stay small; those
// with 4096-byte pages exercise the VFS's in-place (memory-mapped) reads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "indexie/database.h"
#include "indexie/page_vfs.h"
#include "indexie/query.h"
#include "indexie/sql_connection.h"
#include "indexie/value_reader.h"

using namespace indexie;

namespace {

const std::string kName = "fuzz_page_file";

// A Status from any layer: anything but a crash is fine, but it must say why.
void Reported(const Status& status) { FUZZ_CHECK(status.ok() || !status.message().empty()); }

void UseTables(Database& db) {
  // A copy: a write that fails restores the in-memory schema (database.h),
  // which must not pull the loop's references away.
  const std::map<std::string, TableSchema> tables = db.tables();
  for (const auto& [name, schema] : tables) {
    Reported(db.Count(name).status());
    Reported(db.Scan(name).status());

    QueryExecutor executor(&db);
    std::vector<std::string> index_names = {""};
    for (const IndexSpec& index : schema.indexes) index_names.push_back(index.name);
    for (const std::string& index : index_names) {
      QuerySpec spec;
      spec.table = name;
      spec.index = index;
      spec.ranges = AllKeys();
      spec.limit = 100;
      Reported(executor.Run(spec, /*with_values=*/true).status());
    }
    if (!schema.indexes.empty() && !schema.indexes[0].key_path.compound) {
      QuerySpec spec;
      spec.table = name;
      spec.ranges = AllKeys();
      Reported(executor.Aggregate(spec, AggregateOp::kSum, schema.indexes[0].key_path.paths[0]).status());
    }

    // A record with a key at every simple key path of the table.
    std::string value = "\xa0";  // {}
    double n = 7;
    std::vector<const IndexSpec*> specs = {&schema.primary_key};
    for (const IndexSpec& index : schema.indexes) specs.push_back(&index);
    for (const IndexSpec* index : specs) {
      for (const auto& steps : index->key_path.paths) {
        Result<std::string> injected = InjectKey(value, steps, Key::Number(n++));
        if (injected.ok()) value = std::move(injected).value();
      }
    }
    const std::vector<Key> keys = {Key::Number(1)};
    const WriteOutcome outcome =
        db.Write(name, WriteMode::kPut, {value}, schema.primary_key.outbound() ? &keys : nullptr);
    for (const WriteFailure& failure : outcome.failures) Reported(failure.status);
    Reported(db.Delete(name, keys).status());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<PageImage> pages;
  for (size_t offset = 0; offset < size; offset += kPageVfsPageSize) {
    std::string page(reinterpret_cast<const char*>(data) + offset, std::min(kPageVfsPageSize, size - offset));
    page.resize(kPageVfsPageSize, '\0');
    pages.push_back({static_cast<uint32_t>(offset / kPageVfsPageSize), std::move(page)});
  }
  PageVfsLoad(kName, size, pages);

  {
    Result<std::unique_ptr<SqlConnection>> sql = SqlConnection::Open(kName);
    Reported(sql.status());
    if (sql.ok()) {
      Reported(sql.value()->Execute("PRAGMA integrity_check").status());
      Reported(sql.value()->Execute("SELECT type, name, tbl_name, sql FROM sqlite_schema").status());
    }
  }
  {
    Result<std::unique_ptr<Database>> db = Database::Open(kName);
    Reported(db.status());
    if (db.ok()) UseTables(*db.value());
  }

  PageVfsDeleteFile(kName);
  PageVfsDeleteFile(kName + "-journal");
  FUZZ_CHECK(!PageVfsFileExists(kName));
  return 0;
}
