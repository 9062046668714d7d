// key_codec.h: order-preserving byte encoding of keys.
//
// memcmp(EncodeKey(a), EncodeKey(b)) has the sign of IndexedDB's cmp(a, b).
// The grammar below is on-disk format: NEVER renumber a tag or change an escape.
//
//   key     := number | date | string | binary | array
//   number  := 0x10 f64      f64: IEEE-754 big-endian; sign bit flipped for
//   date    := 0x20 f64           positive values, all bits flipped for negative
//                                 ones, so byte order is numeric order. -0 is
//                                 stored as +0 (they are the same key).
//   string  := 0x30 esc(cesu8) 0x00 0x00
//   binary  := 0x40 esc(bytes) 0x00 0x00
//   array   := 0x50 key* 0x00
//
//   cesu8: UTF-8, except that a code point above U+FFFF is written as its two
//          UTF-16 surrogates, each as a 3-byte sequence (ED A0..BF xx). Then
//          byte order equals UTF-16 code-unit order, which is how IndexedDB
//          compares strings (UTF-8 order differs for U+E000..U+FFFF vs U+10000+).
//   esc:   every 0x00 byte is written as 0x00 0xFF, so 0x00 0x00 ends the run
//          and a prefix sorts before its extensions.
//   An array's terminator 0x00 sorts below every tag, so [a] < [a, b].
//   Arrays nest at most kMaxKeyDepth deep (the top-level key is at depth 0):
//   deeper ones are not keys (the value reader refuses them as DataError).
#pragma once

#include <string>
#include <string_view>

#include "indexie/key.h"
#include "indexie/status.h"

namespace indexie {

namespace key_tag {
inline constexpr unsigned char kNumber = 0x10;
inline constexpr unsigned char kDate = 0x20;
inline constexpr unsigned char kString = 0x30;
inline constexpr unsigned char kBinary = 0x40;
inline constexpr unsigned char kArray = 0x50;
inline constexpr unsigned char kArrayEnd = 0x00;
}  // namespace key_tag

// The deepest level an item of a key may sit at: the elements of [[[1]]] are
// at depths 1, 2 and 3. Decoding refuses deeper keys, so no deeper key may be
// stored (value_reader.cc checks the same limit).
inline constexpr int kMaxKeyDepth = 256;

// REQUIRES: key is valid (no NaN number, no NaN date).
std::string EncodeKey(const Key& key);
void AppendEncodedKey(const Key& key, std::string* out);

// Parses bytes written by EncodeKey. kCorruption if they are not.
Result<Key> DecodeKey(std::string_view encoded);

// The number of an encoded number key: false if `encoded` is not exactly one
// (a fast path for converting number keys without building a Key).
bool DecodeNumberKey(std::string_view encoded, double* value);

// The byte length of the encoded key at the start of `encoded` (which may be
// followed by more bytes, as in an index entry key || primary key), or 0 if
// it does not start with a well-formed encoded key.
size_t EncodedKeySize(std::string_view encoded);

// The smallest encoded key greater than every key that starts with `prefix`
// as a string (for startsWith ranges): the encoding of the prefix string with
// its terminator removed, followed by 0xFF.
std::string EncodedStringPrefixUpperBound(const std::string& utf8_prefix);

}  // namespace indexie
