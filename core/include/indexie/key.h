// key.h: an IndexedDB key as the engine sees it.
//
// Valid keys (IndexedDB 3): numbers (not NaN), Dates (not invalid), strings,
// binary (ArrayBuffer / typed array / DataView bytes) and arrays of valid keys.
// Their order is number < Date < string < binary < array; key_codec.h turns
// a Key into bytes whose memcmp order is exactly that order.
//
// Strings are held as UTF-8, where a lone UTF-16 surrogate (legal in JS
// strings) appears as its 3-byte sequence (WTF-8), so no JS string is lost.
#pragma once

#include <string>
#include <vector>

namespace indexie {

struct Key {
  // The numeric values are part of the on-disk order: see key_codec.h.
  enum class Type { kNumber, kDate, kString, kBinary, kArray };

  Type type = Type::kNumber;
  double number = 0;          // kNumber, kDate (milliseconds since the epoch)
  std::string bytes;          // kString (UTF-8/WTF-8), kBinary (raw bytes)
  std::vector<Key> elements;  // kArray

  static Key Number(double value) {
    Key k;
    k.type = Type::kNumber;
    k.number = value == 0 ? 0 : value;
    return k;
  }
  static Key Date(double ms) {
    Key k;
    k.type = Type::kDate;
    k.number = ms == 0 ? 0 : ms;
    return k;
  }
  static Key String(std::string utf8) {
    Key k;
    k.type = Type::kString;
    k.bytes = std::move(utf8);
    return k;
  }
  static Key Binary(std::string raw) {
    Key k;
    k.type = Type::kBinary;
    k.bytes = std::move(raw);
    return k;
  }
  static Key Array(std::vector<Key> items) {
    Key k;
    k.type = Type::kArray;
    k.elements = std::move(items);
    return k;
  }

  // A short human-readable form for error messages: 42, "abc", Date(0), [1,"a"].
  std::string ToDisplayString() const;
};

}  // namespace indexie
