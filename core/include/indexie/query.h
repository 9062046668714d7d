// query.h: the query planner and executor: where-clause ranges over an index
// (or the primary key), in order or reversed, with offset, limit, distinct,
// unique keys, sorting by value key paths, counting and aggregates, all
// answered without decoding values (only the engine's key-path reader looks
// into them).
//
// Ranges. A where-clause becomes a set of key ranges. Each is normalized to
// a half-open interval of encoded bytes [lo, hi) (key_codec.h): an exclusive
// lower bound L is lo = enc(L) + 0xFF, an inclusive upper bound U is
// hi = enc(U) + 0xFF. This works for every column layout because encoded
// keys are prefix-free and whatever follows a key in a column (a primary key
// after an index key, more characters after a string prefix, more elements
// after an array prefix) starts with a byte below 0xFF. Ranges are sorted,
// merged and empty ones dropped, so they never overlap.
//
// Order. Rows come in (index key, primary key) order; reverse flips both.
// A multi-entry index yields a record once per matching key unless distinct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "indexie/byte_range.h"
#include "indexie/database.h"
#include "indexie/key.h"
#include "indexie/read_set.h"
#include "indexie/status.h"

namespace indexie {

// How a caller states one range (before normalization).
struct KeyRangeSpec {
  enum class Kind {
    kBounds,        // lower/upper keys (either may be absent), each inclusive or not
    kStringPrefix,  // strings starting with `lower` (a string key)
    kArrayPrefix,   // array keys starting with the elements of `lower` and `upper` (compound-index prefixes)
  };
  Kind kind = Kind::kBounds;
  std::optional<Key> lower, upper;
  bool lower_open = false, upper_open = false;
};

// Parses ranges as JS encodes them (js/src/where-clause.ts): an encoded
// array of [kind, lower, upper, lowerOpen, upperOpen], kind 0 = bounds,
// 1 = string prefix, 2 = array prefix; an absent bound is undefined.
// Invalid keys are a DataError naming the problem.
Result<std::vector<KeyRangeSpec>> ParseRangeSpecs(std::string_view encoded);

// Normalizes ranges (see above). A range whose lower bound is above its upper is empty.
std::vector<ByteRange> NormalizeRanges(const std::vector<KeyRangeSpec>& ranges);

// The single range holding every key.
std::vector<ByteRange> AllKeys();

struct SortField {
  std::vector<std::string> steps;  // dotted key path, split
  bool descending = false;
};

struct QuerySpec {
  std::string table;
  std::string index;              // "" = the primary key
  std::vector<ByteRange> ranges;  // empty = no rows
  bool reverse = false;
  bool distinct = false;     // each primary key once (multi-entry indexes)
  bool unique_keys = false;  // each index key once
  int64_t offset = 0;
  int64_t limit = -1;               // -1 = no limit
  std::vector<SortField> order_by;  // extension: sort matches by these value key paths (records
                                    // lacking one are left out, as an index would leave them out)
};

struct QueryRow {
  std::string key;                   // encoded index key (the primary key for primary-key queries)
  std::string primary_key;           // encoded
  std::optional<std::string> value;  // the stored value, when asked for
};

// Where a scan stopped, so the next batch continues after it. Holds no SQLite
// state: each batch re-seeks from `last`, so writes between batches are safe.
struct ScanPosition {
  size_t range = 0;
  std::string last;  // the last column value returned in this range ("" = none yet)
  bool done = false;
  int64_t skip = 0;  // rows SQLite skips before the first one returned (single-range offset)
};

enum class AggregateOp { kSum, kMin, kMax, kAvg, kCount };

class QueryExecutor {
 public:
  explicit QueryExecutor(Database* db) : db_(db) {}

  // Up to `max` raw rows after `position`, in scan order, ignoring offset,
  // limit, distinct, unique_keys and order_by (the caller applies those).
  Status ScanBatch(const QuerySpec& spec, ScanPosition* position, size_t max, bool with_values,
                   std::vector<QueryRow>* out);

  // Every row of the query with offset, limit, distinct, unique_keys and order_by applied.
  // Values are read only for the rows returned.
  Result<std::vector<QueryRow>> Run(const QuerySpec& spec, bool with_values);

  // The number of rows Run would return, without reading values where possible.
  Result<int64_t> Count(const QuerySpec& spec);

  // sum/avg of the numbers at `steps`, min/max of the valid keys there, over
  // the rows Run would return. Returns nullopt when no row has a usable value.
  Result<std::optional<Key>> Aggregate(const QuerySpec& spec, AggregateOp op, const std::vector<std::string>& steps);

 private:
  // ScanBatch, recording what it scanned as `record_as` (read_set.h).
  Status Scan(const QuerySpec& spec, ScanPosition* position, size_t max, bool with_values, ReadSet::Kind record_as,
              std::vector<QueryRow>* out);
  Status LoadValues(const QuerySpec& spec, QueryRow* begin, QueryRow* end);

  Database* db_;
};

}  // namespace indexie
