// byte_range.h: a half-open range of encoded keys (key_codec.h), the unit
// in which queries scan (query.h) and live queries remember what they read
// (read_set.h).
#pragma once

#include <optional>
#include <string>

namespace indexie {

// lo <= key < hi. No `hi` = unbounded above.
struct ByteRange {
  std::string lo;
  std::optional<std::string> hi;

  bool Contains(const std::string& key) const { return key >= lo && (!hi || key < *hi); }
};

}  // namespace indexie
