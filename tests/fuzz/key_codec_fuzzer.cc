// key_codec_fuzzer.cc: fuzzes the key codec (core/include/indexie/key_codec.h)
// on arbitrary bytes, read as stored keys are: possibly corrupt.
//
// Asserts:
//   - DecodeKey and EncodedKeySize agree on what a well-formed key is, and
//     neither crashes on any input;
//   - the input, cut into consecutive keys with EncodedKeySize, decodes key
//     by key (what the index-entry layout, key || primary key, relies on);
//   - for every decoded key JS could hold (IsValidKey): its encoding decodes
//     to a key with the same encoding (a fixpoint), is prefix-free (followed
//     by more bytes it still measures its own length), and the encodings of
//     any two such keys compare by memcmp exactly as IndexedDB's key order
//     (the reference comparator of fuzz_util.h);
//   - EncodedStringPrefixUpperBound(s) lies above every string key that
//     starts with s and below every key above all of them.
//
// Input: a concatenation of encoded keys (see corpus/key_codec/).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "indexie/key_codec.h"

using namespace indexie;
using fuzz::ReferenceCompare;
using fuzz::Sign;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  // The whole input as one key.
  const Result<Key> whole = DecodeKey(input);
  FUZZ_CHECK(whole.ok() == (size > 0 && EncodedKeySize(input) == size));
  FUZZ_CHECK(whole.ok() || whole.status().code() == StatusCode::kCorruption);

  // The input as consecutive keys.
  std::vector<Key> keys;
  std::string_view rest = input;
  while (!rest.empty() && keys.size() < 16) {
    const size_t n = EncodedKeySize(rest);
    if (n == 0) break;
    FUZZ_CHECK(n <= rest.size());
    Result<Key> key = DecodeKey(rest.substr(0, n));
    FUZZ_CHECK(key.ok());
    keys.push_back(std::move(key).value());
    rest.remove_prefix(n);
  }

  // Canonical encodings of the keys JS could hold.
  std::vector<Key> valid;
  std::vector<std::string> encoded;
  for (const Key& key : keys) {
    if (!fuzz::IsValidKey(key)) continue;
    std::string bytes = EncodeKey(key);
    Result<Key> again = DecodeKey(bytes);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(fuzz::IsValidKey(again.value()));
    FUZZ_CHECK(EncodeKey(again.value()) == bytes);
    FUZZ_CHECK(ReferenceCompare(key, again.value()) == 0);
    FUZZ_CHECK(EncodedKeySize(bytes) == bytes.size());
    FUZZ_CHECK(EncodedKeySize(bytes + std::string(input.substr(0, 8))) == bytes.size());
    valid.push_back(key);
    encoded.push_back(std::move(bytes));
  }

  // Order: memcmp of encodings is IndexedDB's order.
  for (size_t i = 0; i < valid.size(); ++i) {
    for (size_t j = 0; j < valid.size(); ++j) {
      FUZZ_CHECK(Sign(encoded[i].compare(encoded[j])) == ReferenceCompare(valid[i], valid[j]));
    }
  }

  // startsWith ranges: [enc(prefix), upper) holds exactly the strings that
  // start with prefix in UTF-16 code units, as in JS ("\uD83D\uDE00" starts
  // with the lone surrogate "\uD83D", though not byte-wise in WTF-8).
  for (size_t i = 0; i < valid.size(); ++i) {
    if (valid[i].type != Key::Type::kString) continue;
    const std::u16string prefix = fuzz::ToUtf16(valid[i].bytes);
    const std::string upper = EncodedStringPrefixUpperBound(valid[i].bytes);
    for (size_t j = 0; j < valid.size(); ++j) {
      const bool starts_with =
          valid[j].type == Key::Type::kString && fuzz::ToUtf16(valid[j].bytes).compare(0, prefix.size(), prefix) == 0;
      const bool in_range = encoded[j] >= encoded[i] && encoded[j] < upper;
      FUZZ_CHECK(starts_with == in_range);
    }
  }
  return 0;
}
