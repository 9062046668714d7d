// key_codec_test.cc: the encoded key order is IndexedDB's key order.
// The property test compares memcmp of encodings against a reference
// comparator written from the IndexedDB 3 spec ("compare two keys") over
// 100,000+ random pairs, and checks that every encoding decodes back.
#include "indexie/key_codec.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace indexie {
namespace {

// UTF-8/WTF-8 -> UTF-16 code units (the reference compares these, as JS does).
std::u16string ToUtf16(const std::string& utf8) {
  std::u16string out;
  const auto* s = reinterpret_cast<const unsigned char*>(utf8.data());
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp;
    if (s[i] < 0x80) {
      cp = s[i];
      i += 1;
    } else if (s[i] < 0xE0) {
      cp = ((s[i] & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
      i += 2;
    } else if (s[i] < 0xF0) {
      cp = ((s[i] & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      i += 3;
    } else {
      cp = ((s[i] & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      i += 4;
    }
    if (cp >= 0x10000) {
      out.push_back(static_cast<char16_t>(0xD800 + ((cp - 0x10000) >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + ((cp - 0x10000) & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// IndexedDB 3, "compare two keys": -1, 0 or 1.
int ReferenceCompare(const Key& a, const Key& b) {
  if (a.type != b.type) {
    // array > binary > string > date > number
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
      // unsigned byte-wise, then shorter first
      const size_t n = std::min(a.bytes.size(), b.bytes.size());
      for (size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(a.bytes[i]), y = static_cast<unsigned char>(b.bytes[i]);
        if (x != y) return x < y ? -1 : 1;
      }
      return a.bytes.size() < b.bytes.size() ? -1 : a.bytes.size() > b.bytes.size() ? 1 : 0;
    }
    case Key::Type::kArray: {
      const size_t n = std::min(a.elements.size(), b.elements.size());
      for (size_t i = 0; i < n; ++i) {
        const int c = ReferenceCompare(a.elements[i], b.elements[i]);
        if (c != 0) return c;
      }
      return a.elements.size() < b.elements.size() ? -1 : a.elements.size() > b.elements.size() ? 1 : 0;
    }
  }
  return 0;
}

int Sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

int EncodedCompare(const Key& a, const Key& b) { return Sign(EncodeKey(a).compare(EncodeKey(b))); }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) out->push_back(static_cast<char>(cp));
  else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class KeyGenerator {
 public:
  explicit KeyGenerator(uint64_t seed) : rng_(seed) {}

  Key Any(int depth = 0) {
    switch (Pick(depth < 3 ? 5 : 4)) {
      case 0: return Key::Number(Number());
      case 1: return Key::Date(Number());
      case 2: return Key::String(String());
      case 3: return Key::Binary(Binary());
      default: {
        std::vector<Key> elements(Pick(4));
        for (auto& e : elements) e = Any(depth + 1);
        return Key::Array(std::move(elements));
      }
    }
  }

 private:
  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }

  double Number() {
    static const double kSpecial[] = {0.0,
                                      -0.0,
                                      1.0,
                                      -1.0,
                                      0.5,
                                      -0.5,
                                      1e-300,
                                      -1e-300,
                                      5e-324,
                                      -5e-324,
                                      1e300,
                                      -1e300,
                                      std::numeric_limits<double>::infinity(),
                                      -std::numeric_limits<double>::infinity(),
                                      9007199254740991.0,
                                      2.0,
                                      3.0};
    switch (Pick(3)) {
      case 0: return kSpecial[Pick(sizeof kSpecial / sizeof *kSpecial)];
      case 1: return Pick(21) - 10;
      default: {
        std::uniform_real_distribution<double> d(-1e6, 1e6);
        return d(rng_);
      }
    }
  }

  // Mixes ASCII, NUL, 2- and 3-byte characters, U+E000..U+FFFF (which sort
  // after surrogates in UTF-16 but before them in UTF-8), and astral ones.
  std::string String() {
    std::string s;
    const int length = Pick(6);
    for (int i = 0; i < length; ++i) {
      switch (Pick(7)) {
        case 0: s.push_back('\0'); break;
        case 1: AppendUtf8(0x61 + Pick(3), &s); break;
        case 2: AppendUtf8(0x7F + Pick(200), &s); break;
        case 3: AppendUtf8(0xE000 + Pick(0x2000), &s); break;
        case 4: AppendUtf8(0xFFFF - Pick(3), &s); break;
        case 5: AppendUtf8(0x10000 + Pick(0x100), &s); break;
        default: AppendUtf8(0x1F600 + Pick(4), &s); break;
      }
    }
    return s;
  }

  std::string Binary() {
    std::string b;
    const int length = Pick(5);
    for (int i = 0; i < length; ++i) {
      static const unsigned char kBytes[] = {0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF};
      b.push_back(static_cast<char>(kBytes[Pick(6)]));
    }
    return b;
  }

  std::mt19937_64 rng_;
};

TEST(KeyCodec, OrderMatchesIndexedDbOnRandomPairs) {
  KeyGenerator generator(20261121);
  int mismatches = 0;
  for (int i = 0; i < 120000; ++i) {
    const Key a = generator.Any();
    const Key b = (i % 5 == 0) ? a : generator.Any();
    const int expected = ReferenceCompare(a, b);
    const int actual = EncodedCompare(a, b);
    if (expected != actual && ++mismatches <= 5) {
      ADD_FAILURE() << a.ToDisplayString() << " vs " << b.ToDisplayString() << ": expected " << expected
                    << ", encoded order gives " << actual;
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(KeyCodec, EveryEncodingDecodesToAnEqualKey) {
  KeyGenerator generator(7);
  for (int i = 0; i < 20000; ++i) {
    const Key key = generator.Any();
    const std::string encoded = EncodeKey(key);
    auto decoded = DecodeKey(encoded);
    ASSERT_TRUE(decoded.ok()) << key.ToDisplayString();
    EXPECT_EQ(ReferenceCompare(key, decoded.value()), 0) << key.ToDisplayString();
    EXPECT_EQ(EncodeKey(decoded.value()), encoded);
  }
}

TEST(KeyCodec, TypeOrderIsNumberDateStringBinaryArray) {
  const std::vector<Key> ascending = {
      Key::Number(-std::numeric_limits<double>::infinity()),
      Key::Number(-1),
      Key::Number(0),
      Key::Number(1e300),
      Key::Number(std::numeric_limits<double>::infinity()),
      Key::Date(-1),
      Key::Date(0),
      Key::String(""),
      Key::String(std::string("\0", 1)),
      Key::String("a"),
      Key::String("ab"),
      Key::String("b"),
      Key::Binary(""),
      Key::Binary(std::string("\0", 1)),
      Key::Binary("\xff"),
      Key::Array({}),
      Key::Array({Key::Number(1)}),
      Key::Array({Key::Number(1), Key::Number(1)}),
      Key::Array({Key::String("a")}),
      Key::Array({Key::Array({})}),
  };
  for (size_t i = 0; i + 1 < ascending.size(); ++i) {
    EXPECT_LT(EncodeKey(ascending[i]), EncodeKey(ascending[i + 1]))
        << ascending[i].ToDisplayString() << " should sort before " << ascending[i + 1].ToDisplayString();
  }
}

TEST(KeyCodec, NegativeZeroIsZero) {
  EXPECT_EQ(EncodeKey(Key::Number(-0.0)), EncodeKey(Key::Number(0.0)));
  EXPECT_EQ(EncodeKey(Key::Date(-0.0)), EncodeKey(Key::Date(0.0)));
}

TEST(KeyCodec, StringsCompareByUtf16CodeUnitsNotUtf8Bytes) {
  // U+FFFD is 0xFFFD in UTF-16; U+1F600 is 0xD83D 0xDE00, so it sorts first,
  // although its UTF-8 form (F0 ...) sorts after U+FFFD's (EF ...).
  std::string astral, bmp;
  AppendUtf8(0x1F600, &astral);
  AppendUtf8(0xFFFD, &bmp);
  EXPECT_LT(EncodeKey(Key::String(astral)), EncodeKey(Key::String(bmp)));
}

TEST(KeyCodec, PrefixUpperBoundCoversExactlyTheStringsWithThatPrefix) {
  const std::string lower = EncodeKey(Key::String("ab"));
  const std::string upper = EncodedStringPrefixUpperBound("ab");
  for (const char* inside : {"ab", "abc", "ab\xef\xbf\xbf", "ab\xf0\x9f\x98\x80"}) {
    const std::string e = EncodeKey(Key::String(inside));
    EXPECT_LE(lower, e);
    EXPECT_LT(e, upper) << inside;
  }
  for (const char* outside : {"aa", "a", "ac", "b"}) {
    const std::string e = EncodeKey(Key::String(outside));
    EXPECT_TRUE(e < lower || e >= upper) << outside;
  }
  EXPECT_GE(EncodeKey(Key::String(std::string("ab\0", 3))), lower);
}

TEST(KeyCodec, CorruptBytesAreReportedNotTrusted) {
  EXPECT_EQ(DecodeKey("").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeKey("\x10\x01").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeKey(std::string("\x30") + "ab").status().code(), StatusCode::kCorruption);
  EXPECT_EQ(DecodeKey("\x77").status().code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace indexie
