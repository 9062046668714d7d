// query.cc: see query.h.
#include "indexie/query.h"

#include <sqlite3.h>

#include <algorithm>
#include <unordered_set>

#include "indexie/cbor.h"
#include "indexie/key_codec.h"
#include "indexie/value_reader.h"

namespace indexie {
namespace {

constexpr char kAboveAny = static_cast<char>(0xFF);
constexpr size_t kRunBatch = 512;

// Encodes `key` as an array prefix: its elements without the terminator.
std::string EncodeArrayPrefix(const Key& key) {
  std::string out = EncodeKey(key);
  if (key.type == Key::Type::kArray && !out.empty()) out.pop_back();
  return out;
}

std::string EncodeBound(const KeyRangeSpec& range, const Key& key) {
  return range.kind == KeyRangeSpec::Kind::kArrayPrefix ? EncodeArrayPrefix(key) : EncodeKey(key);
}

}  // namespace

Result<std::vector<KeyRangeSpec>> ParseRangeSpecs(std::string_view encoded) {
  auto malformed = [] { return Status(StatusCode::kInternal, "malformed range list"); };
  size_t pos = 0;
  cbor::Header list;
  if (!cbor::ReadHeader(encoded, &pos, &list) || list.major != cbor::kArray) return malformed();
  std::vector<KeyRangeSpec> ranges;
  for (uint64_t i = 0; i < list.arg; ++i) {
    cbor::Header entry, kind;
    if (!cbor::ReadHeader(encoded, &pos, &entry) || entry.major != cbor::kArray || entry.arg != 5) return malformed();
    if (!cbor::ReadHeader(encoded, &pos, &kind) || kind.major != cbor::kUnsigned || kind.arg > 2) return malformed();
    KeyRangeSpec range;
    range.kind = static_cast<KeyRangeSpec::Kind>(kind.arg);
    for (std::optional<Key>* bound : {&range.lower, &range.upper}) {
      const size_t start = pos;
      if (!cbor::SkipItem(encoded, &pos)) return malformed();
      const std::string_view item = encoded.substr(start, pos - start);
      if (item.size() == 1 && static_cast<uint8_t>(item[0]) == 0xF7) continue;  // undefined: unbounded
      auto key = ValueToKey(item);
      if (!key.ok()) return Status(StatusCode::kData, "invalid key in a where-clause: " + key.status().message());
      *bound = std::move(key).value();
    }
    for (bool* flag : {&range.lower_open, &range.upper_open}) {
      const auto byte = pos < encoded.size() ? static_cast<uint8_t>(encoded[pos++]) : 0;
      if (byte != 0xF4 && byte != 0xF5) return malformed();
      *flag = byte == 0xF5;
    }
    ranges.push_back(std::move(range));
  }
  return ranges;
}

std::vector<ByteRange> AllKeys() { return {ByteRange{"", std::nullopt}}; }

std::vector<ByteRange> NormalizeRanges(const std::vector<KeyRangeSpec>& ranges) {
  std::vector<ByteRange> out;
  for (const KeyRangeSpec& range : ranges) {
    ByteRange bytes;
    if (range.kind == KeyRangeSpec::Kind::kStringPrefix) {
      if (!range.lower || range.lower->type != Key::Type::kString) continue;
      bytes.lo = EncodeKey(*range.lower);
      bytes.lo.resize(bytes.lo.size() - 2);  // drop the string terminator 0x00 0x00
      bytes.hi = EncodedStringPrefixUpperBound(range.lower->bytes);
    } else {
      if (range.lower) {
        bytes.lo = EncodeBound(range, *range.lower);
        if (range.lower_open) bytes.lo.push_back(kAboveAny);
      }
      if (range.upper) {
        bytes.hi = EncodeBound(range, *range.upper);
        if (!range.upper_open) bytes.hi->push_back(kAboveAny);
      }
    }
    if (bytes.hi && bytes.lo >= *bytes.hi) continue;  // empty
    out.push_back(std::move(bytes));
  }
  std::sort(out.begin(), out.end(), [](const ByteRange& a, const ByteRange& b) { return a.lo < b.lo; });
  std::vector<ByteRange> merged;
  for (ByteRange& range : out) {
    if (!merged.empty()) {
      ByteRange& previous = merged.back();
      if (!previous.hi) continue;  // already unbounded above: covers the rest
      if (range.lo <= *previous.hi) {
        if (!range.hi || *range.hi > *previous.hi) previous.hi = range.hi;
        continue;
      }
    }
    merged.push_back(std::move(range));
  }
  return merged;
}

Status QueryExecutor::ScanBatch(const QuerySpec& spec, ScanPosition* position, size_t max, bool with_values,
                                std::vector<QueryRow>* out) {
  return Scan(spec, position, max, with_values, with_values ? ReadSet::Kind::kValues : ReadSet::Kind::kKeys, out);
}

Status QueryExecutor::Scan(const QuerySpec& spec, ScanPosition* position, size_t max, bool with_values,
                           ReadSet::Kind record_as, std::vector<QueryRow>* out) {
  Database::ReadScope snapshot(db_);
  auto layout = db_->LayoutOf(spec.table, spec.index);
  if (!layout.ok()) return layout.status();
  const Database::Layout& l = layout.value();
  const bool primary = l.kind == Database::Layout::Kind::kPrimary;
  // An index scan that wants values joins the store in the same statement
  // (one seek per row inside SQLite, not a statement run per row); LEFT, so
  // an entry without its record shows as a NULL value (corruption). Not with
  // OFFSET: SQLite would join every skipped row too; those rows' values are
  // read afterwards by LoadValues.
  const std::string index_table = (primary ? "s" : "x") + std::to_string(l.index) + " AS x";
  const std::string joined_table =
      index_table + " LEFT JOIN s" + std::to_string(l.store) + " AS s ON s.k = " +
      (l.kind == Database::Layout::Kind::kUnique ? std::string("x.p")
                                                 : std::string(Database::kPrimaryKeyOfEntrySql) + "(x.e)");
  const char* column = l.kind == Database::Layout::Kind::kEntries ? "x.e" : "x.k";
  const int value_column = l.kind == Database::Layout::Kind::kUnique ? 2 : 1;

  size_t produced = 0;
  while (!position->done && produced < max) {
    if (position->range >= spec.ranges.size()) {
      position->done = true;
      break;
    }
    const size_t range_index = spec.reverse ? spec.ranges.size() - 1 - position->range : position->range;
    const ByteRange& range = spec.ranges[range_index];
    const bool started = !position->last.empty();
    // Conditions: the range, plus "after the last row returned" in scan order.
    const int64_t skip = started ? 0 : position->skip;
    const bool join = with_values && !primary && skip == 0;
    const char* columns = primary                                     ? "x.k, x.v"
                          : l.kind == Database::Layout::Kind::kUnique ? (join ? "x.k, x.p, s.v" : "x.k, x.p")
                                                                      : (join ? "x.e, s.v" : "x.e");
    std::string sql = std::string("SELECT ") + columns + " FROM " + (join ? joined_table : index_table) + " WHERE 1";
    int next_param = 1;
    int lo_param = 0, hi_param = 0, last_param = 0;
    if (!range.lo.empty()) {
      sql += std::string(" AND ") + column + " >= ?" + std::to_string(next_param);
      lo_param = next_param++;
    }
    if (range.hi) {
      sql += std::string(" AND ") + column + " < ?" + std::to_string(next_param);
      hi_param = next_param++;
    }
    if (started) {
      sql += std::string(" AND ") + column + (spec.reverse ? " < ?" : " > ?") + std::to_string(next_param);
      last_param = next_param++;
    }
    sql += std::string(" ORDER BY ") + column + (spec.reverse ? " DESC" : "") + " LIMIT ?" + std::to_string(next_param);
    const int limit_param = next_param++;
    if (skip > 0) sql += " OFFSET ?" + std::to_string(next_param);

    auto prepared = db_->sql().Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    Statement& stmt = *prepared.value();
    if (lo_param) stmt.BindBlob(lo_param, range.lo);
    if (hi_param) stmt.BindBlob(hi_param, *range.hi);
    // `last` is bound without a copy and then replaced below: keep it alive in a local.
    const std::string last = position->last;
    if (last_param) stmt.BindBlob(last_param, last);
    stmt.BindInt(limit_param, static_cast<int64_t>(max - produced));
    if (skip > 0) {
      stmt.BindInt(limit_param + 1, skip);
      position->skip = 0;
    }

    size_t in_this_call = 0;
    int rc;
    while ((rc = stmt.Step()) == SQLITE_ROW) {
      QueryRow row;
      const std::string_view first = stmt.ColumnBlob(0);
      switch (l.kind) {
        case Database::Layout::Kind::kPrimary:
          row.key = std::string(first);
          row.primary_key = row.key;
          if (with_values) row.value = std::string(stmt.ColumnBlob(1));
          break;
        case Database::Layout::Kind::kUnique:
          row.key = std::string(first);
          row.primary_key = std::string(stmt.ColumnBlob(1));
          break;
        case Database::Layout::Kind::kEntries: {
          const size_t split = EncodedKeySize(first);
          if (split == 0 || split >= first.size()) {
            stmt.Reset();
            return Status(StatusCode::kCorruption, "an entry of index '" + spec.index + "' is malformed");
          }
          row.key = std::string(first.substr(0, split));
          row.primary_key = std::string(first.substr(split));
          break;
        }
      }
      if (join) {
        if (stmt.ColumnType(value_column) == SQLITE_NULL) {
          stmt.Reset();
          return Status(StatusCode::kCorruption, "index '" + spec.index + "' of table '" + spec.table +
                                                     "' points at a record that does not exist");
        }
        row.value = std::string(stmt.ColumnBlob(value_column));
      }
      out->push_back(std::move(row));
      ++in_this_call;
    }
    // Resume point: the column value of the last row returned (rebuilt from it,
    // so no copy is made per row).
    if (in_this_call > 0) {
      const QueryRow& last_row = out->back();
      position->last = l.kind == Database::Layout::Kind::kEntries ? last_row.key + last_row.primary_key : last_row.key;
    }
    stmt.Reset();
    if (rc != SQLITE_DONE) return db_->sql().ErrorStatus(rc);
    produced += in_this_call;
    if (ReadSet* recorder = db_->read_recorder()) {
      // What this range has been scanned over so far: all of it once
      // exhausted, else up to and including the last row returned.
      ByteRange scanned = range;
      if (produced >= max) {
        if (spec.reverse) scanned.lo = position->last;
        else scanned.hi = position->last + '\0';
      }
      recorder->Add(spec.table, spec.index, std::move(scanned), record_as);
    }
    if (produced < max) {  // this range is exhausted
      ++position->range;
      position->last.clear();
    }
  }
  if (with_values && !primary) {  // rows of a batch that skipped (OFFSET) came without values
    return LoadValues(spec, out->data() + (out->size() - produced), out->data() + out->size());
  }
  return Status::Ok();
}

// Reads the values of rows that lack one, by primary key. (An IN-list lookup
// of 256 keys per statement measured the same instruction count.)
Status QueryExecutor::LoadValues(const QuerySpec& spec, QueryRow* begin, QueryRow* end) {
  for (QueryRow* row = begin; row != end; ++row) {
    if (row->value) continue;
    auto value = db_->ReadRecord(spec.table, row->primary_key);
    if (!value.ok()) return value.status();
    if (!value.value()) {
      return Status(StatusCode::kCorruption,
                    "index '" + spec.index + "' of table '" + spec.table + "' points at a record that does not exist");
    }
    row->value = std::move(value.value());
  }
  return Status::Ok();
}

Result<std::vector<QueryRow>> QueryExecutor::Run(const QuerySpec& spec, bool with_values) {
  Database::ReadScope snapshot(db_);
  std::vector<QueryRow> rows;
  std::unordered_set<std::string> seen_primary_keys;
  std::string previous_key;
  bool have_previous = false;
  const bool sorting = !spec.order_by.empty();
  int64_t to_skip = sorting ? 0 : spec.offset;
  const int64_t wanted = sorting ? -1 : spec.limit;

  // Takes a candidate row through distinct, offset and limit; false once the limit is reached.
  auto emit = [&](QueryRow&& row) {
    if (spec.distinct && !seen_primary_keys.insert(row.primary_key).second) return true;
    if (to_skip > 0) {
      --to_skip;
      return true;
    }
    rows.push_back(std::move(row));
    return wanted < 0 || static_cast<int64_t>(rows.size()) < wanted;
  };
  // unique_keys: one row per index key, the one with the lowest primary key
  // (IndexedDB's nextunique / prevunique). Scanning in reverse, that is the
  // last row of each run of equal keys, so it is held until the key changes.
  std::optional<QueryRow> pending;
  bool more = wanted != 0;
  ScanPosition position;
  if (!spec.distinct && !spec.unique_keys && !sorting && spec.ranges.size() == 1) {
    position.skip = to_skip;  // SQLite skips these rows without handing them out
    to_skip = 0;
  }
  std::vector<QueryRow> batch;
  while (more && !position.done) {
    batch.clear();
    // When every scanned row is kept, values are read during the scan (the
    // primary key's table has them in the same row) and the batch is no
    // larger than the rows still wanted.
    const bool keeps_all = !spec.distinct && !spec.unique_keys && to_skip == 0;
    const size_t room = wanted < 0 ? kRunBatch : static_cast<size_t>(wanted) - rows.size();
    Status status = Scan(spec, &position, keeps_all ? std::min(kRunBatch, room) : kRunBatch,
                         /*with_values=*/keeps_all && (with_values || sorting),
                         with_values || sorting ? ReadSet::Kind::kValues : ReadSet::Kind::kKeys, &batch);
    if (!status.ok()) return status;
    for (QueryRow& row : batch) {
      if (spec.unique_keys) {
        const bool same_key = have_previous && row.key == previous_key;
        previous_key = row.key;
        have_previous = true;
        if (spec.reverse) {
          if (!same_key && pending) more = emit(std::move(*pending));
          pending = std::move(row);
          if (!more) break;
          continue;
        }
        if (same_key) continue;
      }
      if (!(more = emit(std::move(row)))) break;
    }
  }
  if (more && pending) emit(std::move(*pending));
  if (with_values || sorting) {
    Status status = LoadValues(spec, rows.data(), rows.data() + rows.size());
    if (!status.ok()) return status;
  }
  if (!sorting) return rows;

  // Sort by the encoded keys at the order_by paths; rows lacking one are left out.
  struct Sortable {
    std::vector<std::string> keys;
    QueryRow row;
  };
  std::vector<Sortable> sortable;
  sortable.reserve(rows.size());
  for (QueryRow& row : rows) {
    Sortable item;
    bool complete = true;
    for (const SortField& field : spec.order_by) {
      std::optional<Key> key = EvaluateKeyPath(*row.value, KeyPath{{field.steps}, false});
      if (!key) {
        complete = false;
        break;
      }
      item.keys.push_back(EncodeKey(*key));
    }
    if (!complete) continue;
    item.row = std::move(row);
    sortable.push_back(std::move(item));
  }
  std::stable_sort(sortable.begin(), sortable.end(), [&](const Sortable& a, const Sortable& b) {
    for (size_t i = 0; i < spec.order_by.size(); ++i) {
      const int c = a.keys[i].compare(b.keys[i]);
      if (c != 0) return spec.order_by[i].descending ? c > 0 : c < 0;
    }
    // Ties: primary key order, flipped by reverse.
    const int c = a.row.primary_key.compare(b.row.primary_key);
    return spec.reverse ? c > 0 : c < 0;
  });
  std::vector<QueryRow> sorted;
  for (size_t i = static_cast<size_t>(std::max<int64_t>(spec.offset, 0)); i < sortable.size(); ++i) {
    if (spec.limit >= 0 && static_cast<int64_t>(sorted.size()) >= spec.limit) break;
    if (!with_values) sortable[i].row.value.reset();
    sorted.push_back(std::move(sortable[i].row));
  }
  return sorted;
}

Result<int64_t> QueryExecutor::Count(const QuerySpec& spec) {
  Database::ReadScope snapshot(db_);
  if (spec.distinct || spec.unique_keys || !spec.order_by.empty()) {
    auto rows = Run(spec, /*with_values=*/false);
    if (!rows.ok()) return rows.status();
    return static_cast<int64_t>(rows.value().size());
  }
  auto layout = db_->LayoutOf(spec.table, spec.index);
  if (!layout.ok()) return layout.status();
  const Database::Layout& l = layout.value();
  const std::string table = (l.kind == Database::Layout::Kind::kPrimary ? "s" : "x") + std::to_string(l.index);
  const char* column = l.kind == Database::Layout::Kind::kEntries ? "e" : "k";
  int64_t total = 0;
  for (const ByteRange& range : spec.ranges) {
    if (ReadSet* recorder = db_->read_recorder()) recorder->Add(spec.table, spec.index, range, ReadSet::Kind::kKeys);
    std::string sql = "SELECT count(*) FROM " + table + " WHERE 1";
    if (!range.lo.empty()) sql += std::string(" AND ") + column + " >= ?1";
    if (range.hi) sql += std::string(" AND ") + column + " < ?2";
    auto prepared = db_->sql().Prepare(sql);
    if (!prepared.ok()) return prepared.status();
    Statement& stmt = *prepared.value();
    if (!range.lo.empty()) stmt.BindBlob(1, range.lo);
    if (range.hi) stmt.BindBlob(2, *range.hi);
    const int rc = stmt.Step();
    if (rc == SQLITE_ROW) total += stmt.ColumnInt(0);
    stmt.Reset();
    if (rc != SQLITE_ROW) return db_->sql().ErrorStatus(rc);
  }
  total = std::max<int64_t>(0, total - std::max<int64_t>(spec.offset, 0));
  if (spec.limit >= 0) total = std::min(total, spec.limit);
  return total;
}

Result<std::optional<Key>> QueryExecutor::Aggregate(const QuerySpec& spec, AggregateOp op,
                                                    const std::vector<std::string>& steps) {
  if (op == AggregateOp::kCount) {
    auto count = Count(spec);
    if (!count.ok()) return count.status();
    return std::optional<Key>(Key::Number(static_cast<double>(count.value())));
  }
  auto rows = Run(spec, /*with_values=*/true);
  if (!rows.ok()) return rows.status();
  double sum = 0;
  int64_t numbers = 0;
  std::optional<Key> best;
  std::string best_encoded;
  const KeyPath path{{steps}, false};
  for (const QueryRow& row : rows.value()) {
    std::optional<Key> key = EvaluateKeyPath(*row.value, path);
    if (!key) continue;
    if (op == AggregateOp::kSum || op == AggregateOp::kAvg) {
      if (key->type != Key::Type::kNumber) continue;
      sum += key->number;
      ++numbers;
      continue;
    }
    std::string encoded = EncodeKey(*key);
    if (!best || (op == AggregateOp::kMin ? encoded < best_encoded : encoded > best_encoded)) {
      best = std::move(key);
      best_encoded = std::move(encoded);
    }
  }
  switch (op) {
    case AggregateOp::kSum: return std::optional<Key>(Key::Number(sum));
    case AggregateOp::kAvg: return numbers ? std::optional<Key>(Key::Number(sum / numbers)) : std::optional<Key>();
    default: return best;
  }
}

}  // namespace indexie
