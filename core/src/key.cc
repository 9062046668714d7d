// key.cc: Key's display form, used in error messages.
#include "indexie/key.h"

#include <cmath>
#include <cstdio>

namespace indexie {
namespace {

std::string FormatNumber(double value) {
  if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  // Prefer the shortest form that round-trips, as JS prints numbers.
  for (int precision = 1; precision <= 17; ++precision) {
    char candidate[32];
    std::snprintf(candidate, sizeof candidate, "%.*g", precision, value);
    if (std::strtod(candidate, nullptr) == value) return candidate;
  }
  return buffer;
}

}  // namespace

std::string Key::ToDisplayString() const {
  switch (type) {
    case Type::kNumber: return FormatNumber(number);
    case Type::kDate: return "Date(" + FormatNumber(number) + ")";
    case Type::kString: {
      std::string shown = bytes.size() > 40 ? bytes.substr(0, 40) + "..." : bytes;
      return "\"" + shown + "\"";
    }
    case Type::kBinary: return "<" + std::to_string(bytes.size()) + " bytes>";
    case Type::kArray: {
      std::string out = "[";
      for (size_t i = 0; i < elements.size(); ++i) {
        if (i) out += ",";
        out += elements[i].ToDisplayString();
      }
      return out + "]";
    }
  }
  return "?";
}

}  // namespace indexie
