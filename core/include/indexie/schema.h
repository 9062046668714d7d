// schema.h: table schemas and the store-spec syntax of db.version(n).stores().
//
// Spec grammar (Dexie's): comma-separated entries, spaces allowed anywhere;
// the first entry is the primary key, the rest are indexes.
//   entry   := prefix* name
//   prefix  := "++" (auto-increment; primary key only) | "&" (unique) | "*" (multi-entry)
//   name    := path | "[" path ("+" path)* "]"      (compound)
//   path    := ident ("." ident)*                    (nested key path)
//   ident   := letters, digits, "_", "$", or any non-ASCII character
// A primary-key entry that is empty or just "++" means an outbound key (not
// stored in the value; passed to add/put, or generated).
// Every violation is a SchemaError naming the table and the offending entry.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "indexie/status.h"
#include "indexie/value_reader.h"

namespace indexie {

struct IndexSpec {
  std::string name;  // the entry without prefixes: "email", "address.city", "[a+b]"; "" if outbound
  KeyPath key_path;  // empty for an outbound primary key
  bool unique = false;
  bool multi_entry = false;
  bool auto_increment = false;

  bool outbound() const { return key_path.empty(); }
  // The entry as the spec writes it, with its prefixes ("++id", "&email", "*tags").
  std::string ToSpec() const;
};

struct TableSchema {
  std::string name;
  IndexSpec primary_key;
  std::vector<IndexSpec> indexes;

  // The canonical spec string ("++id,&email,*tags"), equal for equal schemas.
  std::string ToSpec() const;
  // The index of that name (as written, e.g. "[a+b]"), or nullptr.
  const IndexSpec* FindIndex(const std::string& index_name) const;
};

// Parses one table's spec. SchemaError on any violation of the grammar above.
Result<TableSchema> ParseTableSchema(const std::string& table_name, const std::string& spec);

// Table names: non-empty, no control characters. SchemaError otherwise.
Status ValidateTableName(const std::string& table_name);

}  // namespace indexie
