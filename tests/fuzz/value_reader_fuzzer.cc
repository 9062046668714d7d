// value_reader_fuzzer.cc: fuzzes the value reader (core/include/indexie/value_reader.h),
// which walks encoded values (CBOR) to the items a key path names. Values
// come from JS, or from storage, which may be corrupt: no input may crash it.
//
// Values may hold shared and cyclic references (tags 28/29 under a sharing
// root, js/src/values/value-format.ts), views on shared buffers, Blobs and
// Files: seeds of each are in make_seeds.cc, and no reference, however
// malformed (dangling, pointing at another reference, cyclic), may make a
// reader loop or read out of bounds.
//
// Input: a key path, a newline, then the value bytes ("a.b\n" + CBOR). A path
// "[a+b]" is compound; no newline means the path "id" and the whole input.
//
// Asserts, besides "no crash, no sanitizer report":
//   - every function answers (a Status or a value) for any bytes;
//   - a key found at the path is one JS could hold, and encodes and decodes
//     back to the same key (key_codec.h); a compound path gives an array
//     with one element per part;
//   - multi-entry keys are valid and distinct;
//   - SameItemsAtKeyPath(v, v, path) holds;
//   - ValueToKey: what it accepts is a valid key, written back with
//     AppendKeyAsValue it reads as the same key;
//   - InjectKey into a well-formed value gives a well-formed value where the
//     path now leads to the injected key.
// The value is copied into a heap buffer of exactly its size, so ASan sees
// any read past its end.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_util.h"
#include "indexie/key_codec.h"
#include "indexie/value_reader.h"

using namespace indexie;

namespace {

// The key survives the codec unchanged.
void CheckStorable(const Key& key) {
  FUZZ_CHECK(fuzz::IsValidKey(key));
  const std::string encoded = EncodeKey(key);
  Result<Key> decoded = DecodeKey(encoded);
  FUZZ_CHECK(decoded.ok());
  FUZZ_CHECK(fuzz::ReferenceCompare(decoded.value(), key) == 0);
}

KeyPath ParsePath(const std::string& text) {
  KeyPath path;
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    path.compound = true;
    const std::string inner = text.substr(1, text.size() - 2);
    size_t start = 0;
    while (true) {
      const size_t plus = inner.find('+', start);
      path.paths.push_back(SplitDottedPath(inner.substr(start, plus == std::string::npos ? plus : plus - start)));
      if (plus == std::string::npos) break;
      start = plus + 1;
    }
  } else {
    path.paths.push_back(SplitDottedPath(text));
  }
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string path_text = newline == std::string::npos ? "id" : input.substr(0, newline);
  const std::vector<char> buffer(input.begin() + (newline == std::string::npos ? 0 : newline + 1), input.end());
  const std::string_view value(buffer.data(), buffer.size());
  const KeyPath path = ParsePath(path_text);
  const std::vector<std::string>& steps = path.paths[0];

  const bool well_formed = CheckValue(value).ok();

  if (std::optional<Key> key = EvaluateKeyPath(value, path)) {
    if (path.compound) {
      FUZZ_CHECK(key->type == Key::Type::kArray && key->elements.size() == path.paths.size());
    }
    if (fuzz::IsValidKey(*key)) CheckStorable(*key);  // (text in a corrupt value need not be UTF-8)
    FUZZ_CHECK(path.compound || InvalidKeyReason(value, steps).empty());
  }
  (void)InvalidKeyReason(value, steps);
  FUZZ_CHECK(SameItemsAtKeyPath(value, value, path) || !well_formed);

  std::vector<std::string> seen;
  for (const Key& key : EvaluateMultiEntryKeyPath(value, steps)) {
    if (fuzz::IsValidKey(key)) CheckStorable(key);
    std::string encoded = EncodeKey(key);
    for (const std::string& other : seen) FUZZ_CHECK(other != encoded);
    seen.push_back(std::move(encoded));
  }

  Result<Key> key = ValueToKey(value);
  FUZZ_CHECK(key.ok() || key.status().code() == StatusCode::kData);
  if (key.ok() && fuzz::IsValidKey(key.value())) {
    CheckStorable(key.value());
    std::string written;
    AppendKeyAsValue(key.value(), &written);
    Result<Key> again = ValueToKey(written);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(EncodeKey(again.value()) == EncodeKey(key.value()));
  }
  Result<std::vector<Key>> keys = ValueToKeys(value);
  FUZZ_CHECK(keys.ok() || keys.status().code() == StatusCode::kData);

  Result<std::string> injected = InjectKey(value, steps, Key::Number(42));
  FUZZ_CHECK(injected.ok() || injected.status().code() == StatusCode::kData);
  // (A path of hundreds of steps would nest the result deeper than values may be.)
  if (injected.ok() && well_formed && steps.size() < 256) {
    FUZZ_CHECK(CheckValue(injected.value()).ok());
    KeyPath simple;
    simple.paths.push_back(steps);
    std::optional<Key> found = EvaluateKeyPath(injected.value(), simple);
    FUZZ_CHECK(found && found->type == Key::Type::kNumber && found->number == 42);
  }
  return 0;
}
