// read_set.cc: see read_set.h.
#include "indexie/read_set.h"

#include <algorithm>
#include <utility>

namespace indexie {
namespace {

constexpr char kAboveAny = static_cast<char>(0xFF);

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

}  // namespace indexie
