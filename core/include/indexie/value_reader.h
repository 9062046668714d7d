// value_reader.h: what the engine reads out of encoded values, and the one
// edit it makes to them.
//
// Values arrive encoded by js/src/values/value-encoder.ts (CBOR; the format
// is written at the top of js/src/values/value-format.ts). The engine never
// decodes a whole value: it walks to the items a key path names and turns
// them into Keys, with IndexedDB's rules:
//   - a path "a.b.c" steps through plain objects (untagged CBOR maps with text
//     keys); "length" of an array, a string or a String object is its length;
//     "size" and "type" of a Blob or File, "name" and "lastModified" of a
//     File are theirs;
//   - shared references (value sharing: tag 28 marks an object met more than
//     once, tag 29 over n refers to the n-th tag-28 item of the value, which
//     is wrapped in a sharing root, tag 40107) are
//     followed wherever a path or a key goes; every step moves on by one
//     path step, so a cycle never loops, and an array key that contains
//     itself is not a valid key;
//   - a missing step, or an item that is not a valid key, means "no key": the
//     record is simply absent from that index (an explicit key passed by a
//     caller that is invalid is a DataError instead);
//   - a compound path [a+b] gives an array key, absent if any part is absent;
//   - multi-entry: an array gives one key per valid element, duplicates
//     dropped, invalid elements skipped; a non-array gives itself;
//   - boxed primitives (new String('s'), ...), Blobs, Files, Maps, Sets,
//     booleans, null and objects are never keys.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "indexie/key.h"
#include "indexie/status.h"

namespace indexie {

// CBOR tags of the value format (shared with js/src/values/value-format.ts).
// On-disk format: never renumber, only add.
namespace value_tag {
inline constexpr uint64_t kPositiveBigInt = 2;
inline constexpr uint64_t kShareable = 28;        // an object the value refers to again (value sharing)
inline constexpr uint64_t kSharedReference = 29;  // unsigned n: the n-th tag-28 item of the value
inline constexpr uint64_t kNegativeBigInt = 3;
inline constexpr uint64_t kTypedArrayFirst = 64;  // RFC 8746 typed arrays, 64..87
inline constexpr uint64_t kTypedArrayLast = 87;
inline constexpr uint64_t kSet = 258;
inline constexpr uint64_t kMap = 259;
inline constexpr uint64_t kRegExp = 21066;
inline constexpr uint64_t kDate = 40100;            // float64 milliseconds since the epoch (NaN: invalid Date)
inline constexpr uint64_t kArrayBuffer = 40101;     // byte string
inline constexpr uint64_t kDataView = 40102;        // byte string
inline constexpr uint64_t kWtf8String = 40103;      // byte string: a JS string with lone surrogates, as WTF-8
inline constexpr uint64_t kBoxedPrimitive = 40104;  // the primitive of a String, Number, Boolean or BigInt object
inline constexpr uint64_t kBlob = 40105;            // [type, bytes]
inline constexpr uint64_t kFile = 40106;            // [type, bytes, name, lastModified]
inline constexpr uint64_t kSharingRoot = 40107;     // a value with tag 28/29 items: their numbering starts here
inline constexpr uint64_t kBufferView =
    40108;  // [view tag, ArrayBuffer, byteOffset, length]: a view on (part of) a buffer
}  // namespace value_tag

// A parsed key path: one dotted path, or several for a compound path.
// An empty `paths` means "no key path" (an outbound key).
struct KeyPath {
  std::vector<std::vector<std::string>> paths;  // each: the steps of "a.b.c"
  bool compound = false;

  bool empty() const { return paths.empty(); }
  // "id", "a.b" or "[a+b]": how the schema wrote it.
  std::string ToString() const;
};

// Splits "a.b.c" into steps.
std::vector<std::string> SplitDottedPath(const std::string& path);

// The key at `path` in `value`, or nullopt if there is none (missing, or not a valid key).
std::optional<Key> EvaluateKeyPath(std::string_view value, const KeyPath& path);

// Why the item at the simple path `steps` is not a valid key ("null is not a
// valid key"), or "" if there is no item there or it is undefined (a missing
// key, which an auto-increment table fills in).
std::string InvalidKeyReason(std::string_view value, const std::vector<std::string>& steps);

// Whether every path of `path` reaches byte-identical items in `a` and `b`
// (or reaches nothing in both): then both values have the same keys there,
// and an index on `path` needs no change when `a` is replaced by `b`.
bool SameItemsAtKeyPath(std::string_view a, std::string_view b, const KeyPath& path);

// Multi-entry index keys at a simple `path` (see the rules above).
std::vector<Key> EvaluateMultiEntryKeyPath(std::string_view value, const std::vector<std::string>& steps);

// A key passed explicitly by a caller, encoded as a value. DataError names
// why it is not a valid key ("NaN is not a valid key", ...).
Result<Key> ValueToKey(std::string_view encoded);

// A list of keys passed explicitly (an encoded array of keys).
Result<std::vector<Key>> ValueToKeys(std::string_view encoded);

// Writes `key` in the value format (as JS will decode it: binary keys as ArrayBuffer).
void AppendKeyAsValue(const Key& key, std::string* out);

// `value` with `key` stored at the simple path `steps`, creating plain objects
// for missing steps (IndexedDB's key injection), following shared references
// (the key goes into the one object they share). DataError if a step crosses
// something that is not a plain object.
Result<std::string> InjectKey(std::string_view value, const std::vector<std::string>& steps, const Key& key);

// Whether `value` is a well-formed single item of the format. kData if not.
Status CheckValue(std::string_view value);

}  // namespace indexie
