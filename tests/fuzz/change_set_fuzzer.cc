// change_set_fuzzer.cc: fuzzes the change-set wire format
// (core/include/indexie/change_set.h), which crosses tabs through IndexedDB
// and BroadcastChannel: bytes another tab (or an older version) wrote.
//
// Input: arbitrary bytes, parsed as a serialized ChangeSet.
//
// Asserts:
//   - Parse gives a ChangeSet or a DataError, never a crash;
//   - what parses, serialized, parses again to an equal change set (same
//     tables, flags, records, index changes) that serializes to the same
//     bytes;
//   - merging it into an empty change set keeps the limits the writers keep
//     (no records beside a whole-table change, at most kMaxRecordsPerTable
//     records per table, no tables beside "everything").
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_util.h"
#include "indexie/change_set.h"

using namespace indexie;

namespace {

bool SameRecord(const RecordChange& a, const RecordChange& b) {
  if (a.primary_key != b.primary_key || a.existed_before != b.existed_before || a.exists_after != b.exists_after ||
      a.indexes.size() != b.indexes.size()) {
    return false;
  }
  for (size_t i = 0; i < a.indexes.size(); ++i) {
    const IndexChange &x = a.indexes[i], &y = b.indexes[i];
    if (x.index != y.index || x.before != y.before || x.after != y.after) return false;
  }
  return true;
}

bool Same(const ChangeSet& a, const ChangeSet& b) {
  if (a.everything() != b.everything() || a.tables().size() != b.tables().size()) return false;
  for (auto x = a.tables().begin(), y = b.tables().begin(); x != a.tables().end(); ++x, ++y) {
    if (x->first != y->first || x->second.whole_table != y->second.whole_table ||
        x->second.records.size() != y->second.records.size()) {
      return false;
    }
    for (size_t i = 0; i < x->second.records.size(); ++i) {
      if (!SameRecord(x->second.records[i], y->second.records[i])) return false;
    }
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Result<ChangeSet> parsed = ChangeSet::Parse(input);
  if (!parsed.ok()) {
    FUZZ_CHECK(parsed.status().code() == StatusCode::kData);
    return 0;
  }
  const std::string bytes = parsed.value().Serialize();
  Result<ChangeSet> again = ChangeSet::Parse(bytes);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(Same(parsed.value(), again.value()));
  FUZZ_CHECK(again.value().Serialize() == bytes);

  ChangeSet merged;
  merged.Merge(parsed.value());
  FUZZ_CHECK(merged.everything() == parsed.value().everything());
  if (merged.everything()) FUZZ_CHECK(merged.tables().empty());
  for (const auto& [table, change] : merged.tables()) {
    FUZZ_CHECK(!change.whole_table || change.records.empty());
    FUZZ_CHECK(change.records.size() <= ChangeSet::kMaxRecordsPerTable);
    FUZZ_CHECK(merged.KeepsRecordsOf(table) == !change.whole_table);
  }
  return 0;
}
