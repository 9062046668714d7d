// change_set.h: what a write changed, in the terms live queries read in
// (DESIGN §8): per table, per changed record, its primary key and, for every
// index, the index table's column values before and after the write.
//
// Column values are exactly what the index tables store (database.h layout):
// the encoded primary key for the store, the encoded index key for a unique
// index, encoded index key || encoded primary key for any other index. So a
// read set's byte ranges (read_set.h), which are ranges of those columns,
// compare with them directly.
//
// Precision degrades, never correctness: past kMaxRecordsPerTable records a
// table's change becomes "the whole table changed" (a 100,000-row bulkAdd
// does not keep 100,000 records in memory); clear() is a whole-table change;
// a schema change is "everything changed".
//
// Wire format (Serialize/Parse; crosses tabs through IndexedDB, so it is
// versioned by its first element): a CBOR array
//   [1, everything: bool, [[table: text, whole: bool, [record...]]...]]
//   record = [pk: bytes, before: bool, after: bool, [[index: text, [bytes...], [bytes...]]...]]
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "indexie/status.h"

namespace indexie {

struct IndexChange {
  std::string index;
  std::vector<std::string> before, after;  // column values
};

struct RecordChange {
  std::string primary_key;  // encoded
  bool existed_before = false;
  bool exists_after = false;
  std::vector<IndexChange> indexes;  // every index of the table
};

struct TableChange {
  bool whole_table = false;  // if set, `records` is empty
  std::vector<RecordChange> records;
};

class ChangeSet {
 public:
  static constexpr size_t kMaxRecordsPerTable = 2000;

  // Whether a record change of `table` would still be kept (false once the
  // table or everything counts as changed): lets writers skip building it.
  bool KeepsRecordsOf(const std::string& table) const;
  void AddRecord(const std::string& table, RecordChange change);
  void AddWholeTable(const std::string& table);
  void AddEverything();
  void Merge(const ChangeSet& other);
  void Clear();

  bool empty() const { return !everything_ && tables_.empty(); }
  bool everything() const { return everything_; }
  const std::map<std::string, TableChange>& tables() const { return tables_; }

  std::string Serialize() const;
  static Result<ChangeSet> Parse(std::string_view bytes);

 private:
  bool everything_ = false;
  std::map<std::string, TableChange> tables_;
};

}  // namespace indexie
