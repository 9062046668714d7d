// read_set_fuzzer.cc: fuzzes the read-set wire format
// (core/include/indexie/read_set.h), which crosses a message boundary: an
// engine's kTakeReads result, read by the tab or Worker holding the live
// query (ReadSet.addSerialized in wasm/live_sets.cc).
//
// Input: arbitrary bytes, merged with MergeSerialized into a read set that
// already holds one range.
//
// Asserts:
//   - MergeSerialized succeeds or returns a DataError, never crashes;
//   - a failed merge leaves the target exactly as it was;
//   - what merges into an empty set serializes to bytes that merge again
//     into a set that serializes to the same bytes (a fixed point), and the
//     two sets agree on every change set built from the ranges' own bounds
//     (a record whose primary key is a range's lo, hi, or just below hi,
//     inserted, updated or deleted): a read set survives the boundary
//     meaning what it meant.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "indexie/cbor.h"
#include "indexie/read_set.h"

using namespace indexie;

namespace {

// The columns worth probing: each range bound in a serialized set, and the
// column just below it (where a half-open range's edge is).
std::vector<std::string> Probes(std::string_view serialized) {
  std::vector<std::string> probes;
  size_t pos = 0;
  while (pos < serialized.size()) {
    cbor::Header h;
    if (!cbor::ReadHeader(serialized, &pos, &h)) break;
    if (h.major == cbor::kBytes || h.major == cbor::kText) {
      if (h.arg > serialized.size() - pos) break;
      std::string bytes(serialized.substr(pos, h.arg));
      if (h.major == cbor::kBytes) {
        probes.push_back(bytes);
        if (!bytes.empty()) {
          std::string below = bytes;
          below.back() = static_cast<char>(static_cast<uint8_t>(below.back()) - 1);
          probes.push_back(below);
        }
      }
      pos += h.arg;
    }
  }
  return probes;
}

// The table and index names in a serialized set, in order of appearance.
std::vector<std::string> Names(std::string_view serialized) {
  std::vector<std::string> names;
  size_t pos = 0;
  while (pos < serialized.size()) {
    cbor::Header h;
    if (!cbor::ReadHeader(serialized, &pos, &h)) break;
    if (h.major == cbor::kBytes || h.major == cbor::kText) {
      if (h.arg > serialized.size() - pos) break;
      if (h.major == cbor::kText) names.emplace_back(serialized.substr(pos, h.arg));
      pos += h.arg;
    }
  }
  return names;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  ReadSet target;
  target.AddPrimaryKey("t", "\x10\x01");
  const std::string before = target.Serialize();
  const Status merged_into_target = target.MergeSerialized(input);
  if (!merged_into_target.ok()) {
    FUZZ_CHECK(merged_into_target.code() == StatusCode::kData);
    FUZZ_CHECK(target.Serialize() == before);
    return 0;
  }

  ReadSet first;
  FUZZ_CHECK(first.MergeSerialized(input).ok());
  const std::string bytes = first.Serialize();
  ReadSet second;
  FUZZ_CHECK(second.MergeSerialized(bytes).ok());
  FUZZ_CHECK(second.Serialize() == bytes);

  // Agreement on changes at the ranges' own bounds (bounded work per input).
  const std::vector<std::string> probes = Probes(bytes);
  const std::vector<std::string> names = Names(bytes);
  size_t checks = 0;
  for (size_t n = 0; n < names.size() && checks < 256; ++n) {
    for (const std::string& column : probes) {
      if (++checks > 256) break;
      for (int shape = 0; shape < 3; ++shape) {
        ChangeSet changes;
        RecordChange record;
        record.primary_key = column;
        record.existed_before = shape != 0;
        record.exists_after = shape != 2;
        // Every other name may be an index of table names[n]: list them all with this column.
        for (size_t i = 0; i < names.size(); ++i) {
          if (i == n) continue;
          IndexChange index{names[i], {}, {}};
          if (record.existed_before) index.before.push_back(column);
          if (record.exists_after) index.after.push_back(column + "x");
          record.indexes.push_back(std::move(index));
        }
        changes.AddRecord(names[n], std::move(record));
        FUZZ_CHECK(first.Intersects(changes) == second.Intersects(changes));
      }
    }
  }
  return 0;
}
