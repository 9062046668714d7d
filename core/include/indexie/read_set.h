// read_set.h: what a live query's run read (DESIGN §8), so that a change
// re-runs it only when the change could alter its result.
//
// Per table and index ("" = the primary key): byte ranges of the index
// table's column (query.h ByteRange; change_set.h for the column values),
// each of one of two kinds:
//   kValues: the run used the records found there (toArray, get, each, ...):
//            any change to a record with a column value in the range counts,
//            even one that keeps its index keys (its other fields changed).
//   kKeys:   the run used only which entries exist there (count, keys,
//            primaryKeys): a change counts only if it adds or removes an
//            entry in the range.
// A point read of a primary key is the range [pk, pk + 0xFF), which holds
// exactly that key (encodings are prefix-free).
//
// Scans record what they actually scanned: a query that stopped at its limit
// records its ranges only up to the last row it looked at.
//
// Wire format (Serialize/MergeSerialized): a read set crosses a message
// boundary (the engine's kTakeReads result, engine_requests.h, read in the
// tab or Worker that holds the live query), so it is versioned by its first
// element. A CBOR array, definite lengths only:
//   [1, [[table: text, [[index: text, [range...], [range...]]...]]...]]
// Per index the first range list is kValues, the second kKeys;
//   range = [lo: bytes, hi: bytes | null]     (null: unbounded above)
// Ranges are listed as recorded (not necessarily sorted or merged). Nothing
// else may follow the array. MergeSerialized checks every byte: malformed
// input is a DataError and merges nothing.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "indexie/byte_range.h"
#include "indexie/change_set.h"
#include "indexie/status.h"

namespace indexie {

class ReadSet {
 public:
  enum class Kind { kValues, kKeys };

  void Add(const std::string& table, const std::string& index, ByteRange range, Kind kind);
  void AddPrimaryKey(const std::string& table, const std::string& encoded_pk);
  void Merge(const ReadSet& other);
  void Clear() { tables_.clear(); }
  bool empty() const { return tables_.empty(); }

  // Whether `changes` could alter what was read.
  bool Intersects(const ChangeSet& changes) const;

  // The wire format above.
  std::string Serialize() const;
  // Adds what a serialized read set holds; on malformed bytes returns a
  // DataError and leaves this set unchanged.
  Status MergeSerialized(std::string_view bytes);

 private:
  struct Ranges {
    std::vector<ByteRange> ranges;
    bool sorted = true;  // sorted by lo and merged; restored lazily before lookups
  };
  struct IndexReads {
    Ranges values, keys;
  };

  static void Normalize(Ranges* ranges);
  static bool Contains(const Ranges& ranges, const std::string& column);
  bool IndexAffected(const IndexReads& reads, const std::vector<std::string>& before,
                     const std::vector<std::string>& after) const;

  // table -> index -> reads; mutable so Intersects can normalize lazily.
  mutable std::map<std::string, std::map<std::string, IndexReads>> tables_;
};

}  // namespace indexie
