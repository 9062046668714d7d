// cbor.h: the few CBOR (RFC 8949) primitives the engine needs to read and
// write the value format: item headers, skipping a whole item, and writers.
// Values are produced by js/src/value-codec.ts; the engine reads them only to
// find key paths and never re-encodes a stored value (except to inject a
// generated primary key).
//
// Limits: definite lengths only (the JS encoder never writes indefinite ones),
// nesting up to kMaxDepth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace indexie::cbor {

inline constexpr int kMaxDepth = 512;

enum Major : uint8_t {
  kUnsigned = 0,
  kNegative = 1,
  kBytes = 2,
  kText = 3,
  kArray = 4,
  kMap = 5,
  kTag = 6,
  kSimple = 7,
};

struct Header {
  Major major = kUnsigned;
  uint8_t info = 0;  // the low 5 bits of the initial byte
  uint64_t arg = 0;  // count, length, tag number, integer, or raw float bits
};

// Reads one header at *pos and advances past it (not past the content).
bool ReadHeader(std::string_view in, size_t* pos, Header* header);

// Advances *pos past one whole, well-formed item.
bool SkipItem(std::string_view in, size_t* pos, int depth = 0);

// For a major-7 header: the number it holds, if it is a float (16/32/64 bit).
bool FloatValue(const Header& header, double* value);

// Writers (append to *out).
void WriteHeader(Major major, uint64_t arg, std::string* out);
void WriteTag(uint64_t tag, std::string* out);
void WriteDouble(double value, std::string* out);  // always 64-bit
void WriteNumber(double value, std::string* out);  // integer form when exact, else 64-bit float
void WriteText(std::string_view utf8, std::string* out);
void WriteBytes(std::string_view raw, std::string* out);

}  // namespace indexie::cbor
