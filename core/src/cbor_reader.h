// cbor_reader.h (internal to core/src): a cursor over the engine's own CBOR
// wire formats (change_set.h, read_set.h), bytes that may come from another
// tab, Worker or version: every read checks what it reads and fails cleanly
// (returns false) on anything malformed, never reading past the input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "indexie/cbor.h"

namespace indexie::cbor {

class StrictReader {
 public:
  explicit StrictReader(std::string_view in) : in_(in) {}

  bool Array(uint64_t* count) { return Expect(kArray, count); }
  bool Unsigned(uint64_t* value) { return Expect(kUnsigned, value); }
  bool Bool(bool* value) {
    if (pos_ >= in_.size()) return false;
    const auto byte = static_cast<uint8_t>(in_[pos_++]);
    if (byte != 0xF4 && byte != 0xF5) return false;
    *value = byte == 0xF5;
    return true;
  }
  // Consumes a null (0xF6) if one is next; false (and nothing consumed) otherwise.
  bool Null() {
    if (pos_ >= in_.size() || static_cast<uint8_t>(in_[pos_]) != 0xF6) return false;
    ++pos_;
    return true;
  }
  // A text (kText) or byte (kBytes) string.
  bool String(Major major, std::string* value) {
    uint64_t size;
    if (!Expect(major, &size) || size > in_.size() - pos_) return false;
    value->assign(in_.substr(pos_, size));
    pos_ += size;
    return true;
  }
  bool AtEnd() const { return pos_ == in_.size(); }

 private:
  bool Expect(Major major, uint64_t* arg) {
    Header header;
    if (!ReadHeader(in_, &pos_, &header) || header.major != major) return false;
    // Counts are bounded by the input: every element takes at least one byte.
    if (major == kArray && header.arg > in_.size() - pos_) return false;
    *arg = header.arg;
    return true;
  }

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace indexie::cbor
