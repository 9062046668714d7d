// read_set.cc: see read_set.h.
#include "indexie/read_set.h"

#include <algorithm>
#include <utility>

#include "cbor_reader.h"
#include "indexie/cbor.h"

namespace indexie {
namespace {

constexpr char kAboveAny = static_cast<char>(0xFF);
constexpr uint64_t kFormat = 1;  // the first element of the wire format (read_set.h)

const std::vector<std::string> kNone;

// The column values of `columns` that fall in `ranges`, sorted.
template <typename InRanges>
std::vector<std::string> Inside(const std::vector<std::string>& columns, InRanges in_ranges) {
  std::vector<std::string> inside;
  for (const std::string& column : columns) {
    if (in_ranges(column)) inside.push_back(column);
  }
  std::sort(inside.begin(), inside.end());
  return inside;
}

}  // namespace

void ReadSet::Add(const std::string& table, const std::string& index, ByteRange range, Kind kind) {
  IndexReads& reads = tables_[table][index];
  Ranges& target = kind == Kind::kValues ? reads.values : reads.keys;
  target.ranges.push_back(std::move(range));
  target.sorted = target.ranges.size() == 1;
}

void ReadSet::AddPrimaryKey(const std::string& table, const std::string& encoded_pk) {
  Add(table, "", ByteRange{encoded_pk, encoded_pk + kAboveAny}, Kind::kValues);
}

void ReadSet::Merge(const ReadSet& other) {
  for (const auto& [table, indexes] : other.tables_) {
    for (const auto& [index, reads] : indexes) {
      for (const ByteRange& range : reads.values.ranges) Add(table, index, range, Kind::kValues);
      for (const ByteRange& range : reads.keys.ranges) Add(table, index, range, Kind::kKeys);
    }
  }
}

void ReadSet::Normalize(Ranges* ranges) {
  if (ranges->sorted) return;
  std::vector<ByteRange>& list = ranges->ranges;
  std::sort(list.begin(), list.end(), [](const ByteRange& a, const ByteRange& b) { return a.lo < b.lo; });
  std::vector<ByteRange> merged;
  for (ByteRange& range : list) {
    if (!merged.empty()) {
      ByteRange& previous = merged.back();
      if (!previous.hi) continue;  // unbounded above: covers the rest
      if (range.lo <= *previous.hi) {
        if (!range.hi || *range.hi > *previous.hi) previous.hi = std::move(range.hi);
        continue;
      }
    }
    merged.push_back(std::move(range));
  }
  list = std::move(merged);
  ranges->sorted = true;
}

bool ReadSet::Contains(const Ranges& ranges, const std::string& column) {
  // The last range starting at or below `column` is the only one that can hold it.
  const auto after = std::upper_bound(ranges.ranges.begin(), ranges.ranges.end(), column,
                                      [](const std::string& key, const ByteRange& range) { return key < range.lo; });
  return after != ranges.ranges.begin() && std::prev(after)->Contains(column);
}

bool ReadSet::IndexAffected(const IndexReads& reads, const std::vector<std::string>& before,
                            const std::vector<std::string>& after) const {
  if (!reads.values.ranges.empty()) {
    for (const auto* columns : {&before, &after}) {
      for (const std::string& column : *columns) {
        if (Contains(reads.values, column)) return true;
      }
    }
  }
  if (!reads.keys.ranges.empty()) {
    auto in_keys = [&](const std::string& column) { return Contains(reads.keys, column); };
    if (Inside(before, in_keys) != Inside(after, in_keys)) return true;
  }
  return false;
}

bool ReadSet::Intersects(const ChangeSet& changes) const {
  if (tables_.empty() || changes.empty()) return false;
  if (changes.everything()) return true;
  for (auto& [table, indexes] : tables_) {
    const auto changed = changes.tables().find(table);
    if (changed == changes.tables().end()) continue;
    if (changed->second.whole_table) return true;
    for (auto& [index, reads] : indexes) {
      Normalize(&reads.values);
      Normalize(&reads.keys);
    }
    for (const RecordChange& record : changed->second.records) {
      for (const auto& [index_name, reads] : indexes) {
        const std::string& index = index_name;  // C++17 lambdas cannot capture structured bindings
        if (index.empty()) {
          const std::vector<std::string> before =
              record.existed_before ? std::vector<std::string>{record.primary_key} : kNone;
          const std::vector<std::string> after =
              record.exists_after ? std::vector<std::string>{record.primary_key} : kNone;
          if (IndexAffected(reads, before, after)) return true;
          continue;
        }
        const auto entry = std::find_if(record.indexes.begin(), record.indexes.end(),
                                        [&](const IndexChange& c) { return c.index == index; });
        // An index the change does not list (it did not exist then): treat as changed.
        if (entry == record.indexes.end()) return true;
        if (IndexAffected(reads, entry->before, entry->after)) return true;
      }
    }
  }
  return false;
}

// --- Wire format (read_set.h) ----------------------------------------------

namespace {

void WriteRanges(const std::vector<ByteRange>& ranges, std::string* out) {
  cbor::WriteHeader(cbor::kArray, ranges.size(), out);
  for (const ByteRange& range : ranges) {
    cbor::WriteHeader(cbor::kArray, 2, out);
    cbor::WriteBytes(range.lo, out);
    if (range.hi) {
      cbor::WriteBytes(*range.hi, out);
    } else {
      out->push_back(static_cast<char>(0xF6));  // null: unbounded above
    }
  }
}

bool ReadRanges(cbor::StrictReader& reader, std::vector<ByteRange>* ranges) {
  uint64_t count;
  if (!reader.Array(&count)) return false;
  ranges->resize(count);
  for (ByteRange& range : *ranges) {
    uint64_t parts;
    if (!reader.Array(&parts) || parts != 2 || !reader.String(cbor::kBytes, &range.lo)) return false;
    if (reader.Null()) continue;
    std::string hi;
    if (!reader.String(cbor::kBytes, &hi)) return false;
    range.hi = std::move(hi);
  }
  return true;
}

}  // namespace

std::string ReadSet::Serialize() const {
  std::string out;
  cbor::WriteHeader(cbor::kArray, 2, &out);
  cbor::WriteHeader(cbor::kUnsigned, kFormat, &out);
  cbor::WriteHeader(cbor::kArray, tables_.size(), &out);
  for (const auto& [table, indexes] : tables_) {
    cbor::WriteHeader(cbor::kArray, 2, &out);
    cbor::WriteText(table, &out);
    cbor::WriteHeader(cbor::kArray, indexes.size(), &out);
    for (const auto& [index, reads] : indexes) {
      cbor::WriteHeader(cbor::kArray, 3, &out);
      cbor::WriteText(index, &out);
      WriteRanges(reads.values.ranges, &out);
      WriteRanges(reads.keys.ranges, &out);
    }
  }
  return out;
}

Status ReadSet::MergeSerialized(std::string_view bytes) {
  const Status malformed(StatusCode::kData, "malformed read set");
  cbor::StrictReader reader(bytes);
  uint64_t fields, format, tables;
  if (!reader.Array(&fields) || fields != 2 || !reader.Unsigned(&format)) return malformed;
  if (format != kFormat) return Status(StatusCode::kData, "read set format " + std::to_string(format) + " is unknown");
  if (!reader.Array(&tables)) return malformed;
  // Parsed whole before anything is added: malformed input merges nothing.
  ReadSet parsed;
  for (uint64_t t = 0; t < tables; ++t) {
    uint64_t parts, indexes;
    std::string table;
    if (!reader.Array(&parts) || parts != 2 || !reader.String(cbor::kText, &table) || !reader.Array(&indexes)) {
      return malformed;
    }
    for (uint64_t i = 0; i < indexes; ++i) {
      std::string index;
      std::vector<ByteRange> values, keys;
      if (!reader.Array(&parts) || parts != 3 || !reader.String(cbor::kText, &index) || !ReadRanges(reader, &values) ||
          !ReadRanges(reader, &keys)) {
        return malformed;
      }
      for (ByteRange& range : values) parsed.Add(table, index, std::move(range), Kind::kValues);
      for (ByteRange& range : keys) parsed.Add(table, index, std::move(range), Kind::kKeys);
    }
  }
  if (!reader.AtEnd()) return malformed;
  Merge(parsed);
  return Status::Ok();
}

}  // namespace indexie
