// key_codec.cc: see key_codec.h for the grammar.
#include "indexie/key_codec.h"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace indexie {
namespace {

void AppendOrderedDouble(double value, std::string* out) {
  if (value == 0) value = 0;  // -0 and +0 are one key
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  bits = (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(bits >> shift));
}

double ReadOrderedDouble(const unsigned char* p) {
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i) bits = (bits << 8) | p[i];
  bits = (bits & (uint64_t{1} << 63)) ? bits & ~(uint64_t{1} << 63) : ~bits;
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

// UTF-8 -> CESU-8 (code points above U+FFFF as two 3-byte surrogates), escaped.
// Runs of bytes that need no change are appended whole (per-byte appends are
// slow in wasm).
void AppendCesu8Escaped(const std::string& utf8, std::string* out) {
  const auto* s = reinterpret_cast<const unsigned char*>(utf8.data());
  const size_t n = utf8.size();
  out->reserve(out->size() + n + 8);
  size_t run = 0;  // start of the pending unchanged run
  for (size_t i = 0; i < n;) {
    const unsigned char lead = s[i];
    if (lead != 0 && lead < 0xF0) {
      ++i;
      continue;
    }
    out->append(utf8, run, i - run);
    if (lead == 0) {
      out->push_back('\0');
      out->push_back(static_cast<char>(0xFF));
      ++i;
    } else if (i + 3 < n) {  // a 4-byte sequence: U+10000 and above
      const uint32_t cp =
          ((lead & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      const uint32_t v = cp - 0x10000;
      for (uint32_t unit : {0xD800u + (v >> 10), 0xDC00u + (v & 0x3FF)}) {
        const char bytes[3] = {static_cast<char>(0xE0 | (unit >> 12)), static_cast<char>(0x80 | ((unit >> 6) & 0x3F)),
                               static_cast<char>(0x80 | (unit & 0x3F))};
        out->append(bytes, 3);
      }
      i += 4;
    } else {
      out->push_back(static_cast<char>(lead));  // truncated sequence: kept as is
      ++i;
    }
    run = i;
  }
  out->append(utf8, run, n - run);
}

void AppendEscapedBytes(const std::string& raw, std::string* out) {
  size_t run = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\0') continue;
    out->append(raw, run, i + 1 - run);
    out->push_back(static_cast<char>(0xFF));
    run = i + 1;
  }
  out->append(raw, run, raw.size() - run);
}

// Reads an escaped run up to its 0x00 0x00 terminator (out may be null: skip only).
bool ReadEscaped(std::string_view in, size_t* pos, std::string* out) {
  while (*pos < in.size()) {
    const void* zero = std::memchr(in.data() + *pos, 0, in.size() - *pos);
    if (!zero) return false;
    const size_t at = static_cast<const char*>(zero) - in.data();
    if (out) out->append(in.data() + *pos, at - *pos);
    if (at + 1 >= in.size()) return false;
    const auto next = static_cast<unsigned char>(in[at + 1]);
    *pos = at + 2;
    if (next == 0x00) return true;
    if (next != 0xFF) return false;
    if (out) out->push_back('\0');
  }
  return false;
}

// Advances past one encoded key without building it.
bool SkipAt(std::string_view in, size_t* pos, int depth) {
  if (*pos >= in.size() || depth > kMaxKeyDepth) return false;
  const auto tag = static_cast<unsigned char>(in[(*pos)++]);
  switch (tag) {
    case key_tag::kNumber:
    case key_tag::kDate:
      if (*pos + 8 > in.size()) return false;
      *pos += 8;
      return true;
    case key_tag::kString:
    case key_tag::kBinary: return ReadEscaped(in, pos, nullptr);
    case key_tag::kArray:
      while (*pos < in.size() && in[*pos] != static_cast<char>(key_tag::kArrayEnd)) {
        if (!SkipAt(in, pos, depth + 1)) return false;
      }
      if (*pos >= in.size()) return false;
      ++*pos;
      return true;
    default: return false;
  }
}

// CESU-8 -> UTF-8: a high surrogate followed by a low one becomes one 4-byte
// sequence; a lone surrogate stays as its 3-byte form (WTF-8).
std::string Cesu8ToUtf8(const std::string& cesu) {
  std::string out;
  out.reserve(cesu.size());
  const auto* s = reinterpret_cast<const unsigned char*>(cesu.data());
  const size_t n = cesu.size();
  for (size_t i = 0; i < n;) {
    const bool high =
        s[i] == 0xED && i + 5 < n && (s[i + 1] & 0xF0) == 0xA0 && s[i + 3] == 0xED && (s[i + 4] & 0xF0) == 0xB0;
    if (high) {
      const uint32_t hi = 0xD000u | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      const uint32_t lo = 0xD000u | ((s[i + 4] & 0x3Fu) << 6) | (s[i + 5] & 0x3Fu);
      const uint32_t cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      i += 6;
    } else {
      out.push_back(static_cast<char>(s[i++]));
    }
  }
  return out;
}

bool DecodeAt(std::string_view in, size_t* pos, Key* key, int depth) {
  if (*pos >= in.size() || depth > kMaxKeyDepth) return false;
  const auto tag = static_cast<unsigned char>(in[(*pos)++]);
  switch (tag) {
    case key_tag::kNumber:
    case key_tag::kDate: {
      if (*pos + 8 > in.size()) return false;
      const double value = ReadOrderedDouble(reinterpret_cast<const unsigned char*>(in.data()) + *pos);
      *pos += 8;
      *key = tag == key_tag::kNumber ? Key::Number(value) : Key::Date(value);
      return true;
    }
    case key_tag::kString: {
      std::string cesu;
      if (!ReadEscaped(in, pos, &cesu)) return false;
      *key = Key::String(Cesu8ToUtf8(cesu));
      return true;
    }
    case key_tag::kBinary: {
      std::string raw;
      if (!ReadEscaped(in, pos, &raw)) return false;
      *key = Key::Binary(std::move(raw));
      return true;
    }
    case key_tag::kArray: {
      std::vector<Key> elements;
      while (*pos < in.size() && in[*pos] != static_cast<char>(key_tag::kArrayEnd)) {
        Key element;
        if (!DecodeAt(in, pos, &element, depth + 1)) return false;
        elements.push_back(std::move(element));
      }
      if (*pos >= in.size()) return false;
      ++*pos;  // terminator
      *key = Key::Array(std::move(elements));
      return true;
    }
    default: return false;
  }
}

}  // namespace

void AppendEncodedKey(const Key& key, std::string* out) {
  switch (key.type) {
    case Key::Type::kNumber:
      out->push_back(static_cast<char>(key_tag::kNumber));
      AppendOrderedDouble(key.number, out);
      return;
    case Key::Type::kDate:
      out->push_back(static_cast<char>(key_tag::kDate));
      AppendOrderedDouble(key.number, out);
      return;
    case Key::Type::kString:
      out->push_back(static_cast<char>(key_tag::kString));
      AppendCesu8Escaped(key.bytes, out);
      out->append(2, '\0');
      return;
    case Key::Type::kBinary:
      out->push_back(static_cast<char>(key_tag::kBinary));
      AppendEscapedBytes(key.bytes, out);
      out->append(2, '\0');
      return;
    case Key::Type::kArray:
      out->push_back(static_cast<char>(key_tag::kArray));
      for (const Key& element : key.elements) AppendEncodedKey(element, out);
      out->push_back(static_cast<char>(key_tag::kArrayEnd));
      return;
  }
}

std::string EncodeKey(const Key& key) {
  std::string out;
  AppendEncodedKey(key, &out);
  return out;
}

Result<Key> DecodeKey(std::string_view encoded) {
  Key key;
  size_t pos = 0;
  if (!DecodeAt(encoded, &pos, &key, 0) || pos != encoded.size()) {
    return Status(StatusCode::kCorruption, "stored key bytes are not a valid encoded key");
  }
  return key;
}

bool DecodeNumberKey(std::string_view encoded, double* value) {
  if (encoded.size() != 9 || static_cast<unsigned char>(encoded[0]) != key_tag::kNumber) return false;
  *value = ReadOrderedDouble(reinterpret_cast<const unsigned char*>(encoded.data()) + 1);
  return true;
}

size_t EncodedKeySize(std::string_view encoded) {
  size_t pos = 0;
  return SkipAt(encoded, &pos, 0) ? pos : 0;
}

std::string EncodedStringPrefixUpperBound(const std::string& utf8_prefix) {
  std::string out(1, static_cast<char>(key_tag::kString));
  AppendCesu8Escaped(utf8_prefix, &out);
  out.push_back(static_cast<char>(0xFF));
  return out;
}

}  // namespace indexie
