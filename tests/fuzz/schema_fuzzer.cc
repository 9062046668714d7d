// schema_fuzzer.cc: fuzzes the store-spec parser (core/include/indexie/schema.h),
// which reads specs from db.version(n).stores() and, on open, from the
// schema stored in the database file (which may be corrupt).
//
// Input: a table name, a newline, then the spec ("friends\n++id,&email,*tags");
// no newline: the table "t" and the whole input as the spec.
//
// Asserts:
//   - ParseTableSchema gives a schema or a SchemaError, never a crash, and
//     rejects what ValidateTableName rejects;
//   - what parses is canonical through ToSpec(): its spec parses again to
//     the same schema (names, key paths, flags, index order), whose ToSpec()
//     is the same string; every index is found by its name.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_util.h"
#include "indexie/schema.h"

using namespace indexie;

namespace {

bool SameIndex(const IndexSpec& a, const IndexSpec& b) {
  return a.name == b.name && a.key_path.paths == b.key_path.paths && a.key_path.compound == b.key_path.compound &&
         a.unique == b.unique && a.multi_entry == b.multi_entry && a.auto_increment == b.auto_increment;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string table = newline == std::string::npos ? "t" : input.substr(0, newline);
  const std::string spec = newline == std::string::npos ? input : input.substr(newline + 1);

  const Status name_status = ValidateTableName(table);
  FUZZ_CHECK(name_status.ok() || name_status.code() == StatusCode::kSchema);

  Result<TableSchema> schema = ParseTableSchema(table, spec);
  if (!schema.ok()) {
    FUZZ_CHECK(schema.status().code() == StatusCode::kSchema);
    FUZZ_CHECK(!schema.status().message().empty());
    return 0;
  }
  FUZZ_CHECK(name_status.ok());
  const TableSchema& first = schema.value();
  FUZZ_CHECK(first.name == table);
  FUZZ_CHECK(first.primary_key.outbound() == first.primary_key.name.empty());

  const std::string canonical = first.ToSpec();
  Result<TableSchema> again = ParseTableSchema(table, canonical);
  FUZZ_CHECK(again.ok());
  const TableSchema& second = again.value();
  FUZZ_CHECK(SameIndex(first.primary_key, second.primary_key));
  FUZZ_CHECK(first.indexes.size() == second.indexes.size());
  for (size_t i = 0; i < first.indexes.size(); ++i) {
    FUZZ_CHECK(SameIndex(first.indexes[i], second.indexes[i]));
    FUZZ_CHECK(!first.indexes[i].outbound());
    FUZZ_CHECK(first.FindIndex(first.indexes[i].name) == &first.indexes[i]);
  }
  FUZZ_CHECK(second.ToSpec() == canonical);
  return 0;
}
