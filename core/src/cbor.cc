// cbor.cc: see cbor.h.
#include "indexie/cbor.h"

#include <cmath>
#include <cstring>

namespace indexie::cbor {

bool ReadHeader(std::string_view in, size_t* pos, Header* header) {
  if (*pos >= in.size()) return false;
  const auto initial = static_cast<uint8_t>(in[(*pos)++]);
  header->major = static_cast<Major>(initial >> 5);
  header->info = initial & 0x1F;
  if (header->info < 24) {
    header->arg = header->info;
    return true;
  }
  if (header->info > 27) return false;  // reserved, or indefinite length
  const size_t size = size_t{1} << (header->info - 24);
  if (*pos + size > in.size()) return false;
  uint64_t arg = 0;
  for (size_t i = 0; i < size; ++i) arg = (arg << 8) | static_cast<uint8_t>(in[*pos + i]);
  *pos += size;
  header->arg = arg;
  return true;
}

bool SkipItem(std::string_view in, size_t* pos, int depth) {
  if (depth > kMaxDepth) return false;
  Header header;
  if (!ReadHeader(in, pos, &header)) return false;
  switch (header.major) {
    case kUnsigned:
    case kNegative:
    case kSimple: return true;
    case kBytes:
    case kText:
      if (header.arg > in.size() - *pos) return false;
      *pos += header.arg;
      return true;
    case kArray:
      for (uint64_t i = 0; i < header.arg; ++i) {
        if (!SkipItem(in, pos, depth + 1)) return false;
      }
      return true;
    case kMap:
      for (uint64_t i = 0; i < header.arg; ++i) {
        if (!SkipItem(in, pos, depth + 1) || !SkipItem(in, pos, depth + 1)) return false;
      }
      return true;
    case kTag: return SkipItem(in, pos, depth + 1);
  }
  return false;
}

namespace {

double HalfToDouble(uint16_t half) {
  const int exponent = (half >> 10) & 0x1F;
  const int mantissa = half & 0x3FF;
  double value;
  if (exponent == 0) value = std::ldexp(mantissa, -24);
  else if (exponent != 31) value = std::ldexp(mantissa + 1024, exponent - 25);
  else value = mantissa == 0 ? INFINITY : NAN;
  return (half & 0x8000) ? -value : value;
}

}  // namespace

bool FloatValue(const Header& header, double* value) {
  if (header.major != kSimple) return false;
  switch (header.info) {
    case 25: *value = HalfToDouble(static_cast<uint16_t>(header.arg)); return true;
    case 26: {
      const auto bits = static_cast<uint32_t>(header.arg);
      float f;
      std::memcpy(&f, &bits, sizeof f);
      *value = f;
      return true;
    }
    case 27: {
      const uint64_t bits = header.arg;
      std::memcpy(value, &bits, sizeof *value);
      return true;
    }
    default: return false;
  }
}

void WriteHeader(Major major, uint64_t arg, std::string* out) {
  const auto initial = static_cast<uint8_t>(major << 5);
  if (arg < 24) {
    out->push_back(static_cast<char>(initial | arg));
    return;
  }
  int size_code = arg <= 0xFF ? 24 : arg <= 0xFFFF ? 25 : arg <= 0xFFFFFFFFull ? 26 : 27;
  out->push_back(static_cast<char>(initial | size_code));
  const int bytes = 1 << (size_code - 24);
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out->push_back(static_cast<char>(arg >> shift));
}

void WriteTag(uint64_t tag, std::string* out) { WriteHeader(kTag, tag, out); }

void WriteDouble(double value, std::string* out) {
  uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  out->push_back(static_cast<char>(0xFB));
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(bits >> shift));
}

void WriteNumber(double value, std::string* out) {
  constexpr double kMaxSafe = 9007199254740991.0;
  const bool integral = std::isfinite(value) && std::floor(value) == value && std::fabs(value) <= kMaxSafe &&
                        !(value == 0 && std::signbit(value));
  if (!integral) {
    WriteDouble(value, out);
  } else if (value >= 0) {
    WriteHeader(kUnsigned, static_cast<uint64_t>(value), out);
  } else {
    WriteHeader(kNegative, static_cast<uint64_t>(-value) - 1, out);
  }
}

void WriteText(std::string_view utf8, std::string* out) {
  WriteHeader(kText, utf8.size(), out);
  out->append(utf8);
}

void WriteBytes(std::string_view raw, std::string* out) {
  WriteHeader(kBytes, raw.size(), out);
  out->append(raw);
}

}  // namespace indexie::cbor
