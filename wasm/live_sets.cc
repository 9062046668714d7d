// live_sets.cc: the JS handles of live-query read sets and change sets
// (core/include/indexie/read_set.h, change_set.h), which js/src/live-query
// keeps across engines and tabs and matches against each other.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <string>

#include "indexie/change_set.h"
#include "indexie/read_set.h"
#include "js_bridge.h"

namespace indexie::wasm {
namespace {

// Change sets JS collects (from this tab's engines and from other tabs).
struct ChangeSetHandle {
  ChangeSet set;

  // Merges a serialized change set of `length` bytes in the request buffer; false if it does not parse.
  bool Add(size_t length) {
    auto parsed = ChangeSet::Parse(RequestBytes(length));
    if (!parsed.ok()) return false;
    set.Merge(parsed.value());
    return true;
  }
  void AddEverything() { set.AddEverything(); }
  bool IsEmpty() const { return set.empty(); }
  emscripten::val Serialize() const { return BytesToJs(set.Serialize()); }
};

bool Intersects(const ReadSet& reads, const ChangeSetHandle& changes) { return reads.Intersects(changes.set); }

// Merges a serialized read set (an engine's kTakeReads result, read_set.h) of
// `length` bytes in the request buffer; false, and nothing merged, if it does not parse.
bool AddSerializedReads(ReadSet& reads, size_t length) { return reads.MergeSerialized(RequestBytes(length)).ok(); }

}  // namespace
}  // namespace indexie::wasm

EMSCRIPTEN_BINDINGS(indexie_live_sets) {
  using indexie::ReadSet;
  using indexie::wasm::ChangeSetHandle;
  emscripten::class_<ReadSet>("ReadSet")
      .constructor<>()
      .function("clear", &ReadSet::Clear)
      .function("isEmpty", &ReadSet::empty)
      .function("merge", &ReadSet::Merge)
      .function("addSerialized", &indexie::wasm::AddSerializedReads)
      .function("intersects", &indexie::wasm::Intersects);
  emscripten::class_<ChangeSetHandle>("ChangeSet")
      .constructor<>()
      .function("add", &ChangeSetHandle::Add)
      .function("addEverything", &ChangeSetHandle::AddEverything)
      .function("isEmpty", &ChangeSetHandle::IsEmpty)
      .function("serialize", &ChangeSetHandle::Serialize);
}
