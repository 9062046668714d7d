// fuzz_util.h: what the fuzz targets share: FUZZ_CHECK, which aborts on a
// broken invariant (libFuzzer then saves the input as a crash), and a
// reference for IndexedDB's key rules, written from the IndexedDB 3 spec
// independently of key_codec.cc (as tests/cpp/key_codec_test.cc does).
#pragma once

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "indexie/key.h"

#define FUZZ_CHECK(condition)                                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      std::fprintf(stderr, "FUZZ_CHECK failed at %s:%d: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                             \
    }                                                                                           \
  } while (0)

namespace indexie::fuzz {

// Whether `s` is WTF-8: UTF-8 in which lone surrogates (ED A0..BF xx) may
// appear, but never a high surrogate directly followed by a low one (that
// pair is one code point, written as 4 bytes). Every JS string is WTF-8.
inline bool IsWtf8(const std::string& s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  bool after_high = false;
  for (size_t i = 0; i < n;) {
    const unsigned char c = p[i];
    size_t len;
    unsigned char lo = 0x80, hi = 0xBF;  // the range of the second byte
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return false;
    }
    if (i + len > n) return false;
    if (len > 1 && (p[i + 1] < lo || p[i + 1] > hi)) return false;
    for (size_t k = 2; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
    }
    const bool high = c == 0xED && p[i + 1] >= 0xA0 && p[i + 1] <= 0xAF;
    const bool low = c == 0xED && p[i + 1] >= 0xB0;
    if (after_high && low) return false;
    after_high = high;
    i += len;
  }
  return true;
}

// WTF-8 -> UTF-16 code units, the units JS compares strings by.
inline std::u16string ToUtf16(const std::string& wtf8) {
  std::u16string out;
  const auto* s = reinterpret_cast<const unsigned char*>(wtf8.data());
  for (size_t i = 0; i < wtf8.size();) {
    // IsWtf8 checked the lengths and continuation bytes.
    const size_t len = s[i] < 0x80 ? 1 : s[i] < 0xE0 ? 2 : s[i] < 0xF0 ? 3 : 4;
    uint32_t cp = len == 1 ? s[i] : s[i] & (0x7Fu >> len);
    for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (s[i + k] & 0x3Fu);
    i += len;
    if (cp >= 0x10000) {
      out.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// A key JS could hold: no NaN number or Date, WTF-8 strings, valid elements.
inline bool IsValidKey(const Key& key) {
  switch (key.type) {
    case Key::Type::kNumber:
    case Key::Type::kDate: return !std::isnan(key.number);
    case Key::Type::kString: return IsWtf8(key.bytes);
    case Key::Type::kBinary: return true;
    case Key::Type::kArray:
      for (const Key& element : key.elements) {
        if (!IsValidKey(element)) return false;
      }
      return true;
  }
  return false;
}

// IndexedDB 3, "compare two keys": -1, 0 or 1. REQUIRES: both valid.
inline int ReferenceCompare(const Key& a, const Key& b) {
  if (a.type != b.type) {
    auto rank = [](Key::Type t) {
      switch (t) {
        case Key::Type::kNumber: return 0;
        case Key::Type::kDate: return 1;
        case Key::Type::kString: return 2;
        case Key::Type::kBinary: return 3;
        case Key::Type::kArray: return 4;
      }
      return 5;
    };
    return rank(a.type) < rank(b.type) ? -1 : 1;
  }
  switch (a.type) {
    case Key::Type::kNumber:
    case Key::Type::kDate: return a.number < b.number ? -1 : a.number > b.number ? 1 : 0;
    case Key::Type::kString: {
      const std::u16string x = ToUtf16(a.bytes), y = ToUtf16(b.bytes);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    case Key::Type::kBinary: {
      const int c = a.bytes.compare(b.bytes);  // as unsigned bytes (char_traits<char> compares so)
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    case Key::Type::kArray:
      for (size_t i = 0; i < a.elements.size() && i < b.elements.size(); ++i) {
        const int c = ReferenceCompare(a.elements[i], b.elements[i]);
        if (c != 0) return c;
      }
      return a.elements.size() < b.elements.size() ? -1 : a.elements.size() > b.elements.size() ? 1 : 0;
  }
  return 0;
}

inline int Sign(int x) { return (x > 0) - (x < 0); }

}  // namespace indexie::fuzz
