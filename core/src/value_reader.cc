// value_reader.cc: see value_reader.h for the rules.
#include "indexie/value_reader.h"

#include <algorithm>
#include <cmath>

#include "indexie/cbor.h"
#include "indexie/key_codec.h"

namespace indexie {
namespace {

using cbor::Header;

std::string_view Content(std::string_view in, size_t pos, uint64_t length) { return in.substr(pos, length); }

constexpr size_t kNone = std::string_view::npos;

// The tag-28 items of one value (value sharing, see the header), in the order
// their headers appear: found by one linear scan of item headers, on first
// need, so values without references never pay for it.
class Shares {
 public:
  // The value spans [begin, end) of `in` (a value inside a larger buffer has its own numbering).
  explicit Shares(std::string_view in, size_t begin = 0, size_t end = kNone)
      : in_(in), begin_(begin), end_(std::min(end, in.size())) {}

  // Where the item marked by share `index` starts (just past its tag-28 header), or kNone.
  size_t Find(uint64_t index) {
    if (!scanned_) Scan();
    return index < positions_.size() ? positions_[index] : kNone;
  }

 private:
  void Scan() {
    scanned_ = true;
    std::string_view in = in_.substr(0, end_);
    size_t pos = begin_;
    Header h;
    while (pos < in.size() && cbor::ReadHeader(in, &pos, &h)) {
      if (h.major == cbor::kBytes || h.major == cbor::kText) {
        if (h.arg > in.size() - pos) return;
        pos += h.arg;
      } else if (h.major == cbor::kTag && h.arg == value_tag::kShareable) {
        positions_.push_back(pos);
      }
    }
  }

  std::string_view in_;
  size_t begin_, end_;
  bool scanned_ = false;
  std::vector<size_t> positions_;
};

// At most this many tag-28/29 hops lead to one item (the JS encoder needs 2: a
// reference to a marked object); more is malformed, and never loops.
constexpr int kMaxSharingHops = 4;

// Moves *pos from an item to the item it stands for: past a tag-28 or
// sharing-root header, and from a tag-29 reference to the item it refers
// to. False if malformed.
bool SeeThroughSharing(std::string_view in, Shares* shares, size_t* pos) {
  for (int hops = 0; hops < kMaxSharingHops; ++hops) {
    size_t p = *pos;
    Header h;
    if (!cbor::ReadHeader(in, &p, &h)) return false;
    if (h.major != cbor::kTag) return true;
    if (h.arg == value_tag::kShareable || h.arg == value_tag::kSharingRoot) {
      *pos = p;
      continue;
    }
    if (h.arg != value_tag::kSharedReference) return true;
    Header index;
    if (!cbor::ReadHeader(in, &p, &index) || index.major != cbor::kUnsigned) return false;
    const size_t target = shares->Find(index.arg);
    if (target == kNone) return false;
    *pos = target;
  }
  return false;
}

// Whether the item at [from, to) of `in` holds a tag-29 reference (its meaning depends on the rest of the value).
bool HoldsReference(std::string_view in, size_t from, size_t to) {
  std::string_view item = in.substr(0, to);
  size_t pos = from;
  Header h;
  while (pos < item.size() && cbor::ReadHeader(item, &pos, &h)) {
    if (h.major == cbor::kBytes || h.major == cbor::kText) {
      if (h.arg > item.size() - pos) return true;  // malformed: say so, the caller then assumes a change
      pos += h.arg;
    } else if (h.major == cbor::kTag && h.arg == value_tag::kSharedReference) {
      return true;
    }
  }
  return false;
}

// What converting one item to a key needs beyond the bytes: the value's
// shares, the arrays being converted (an array that contains itself is not
// a key, as in IndexedDB), and a budget of references followed, so a value
// that refers to an array many times over cannot make a key of
// exponential size.
struct KeyReading {
  explicit KeyReading(Shares* shares) : shares(shares) {}
  Shares* shares;
  std::vector<size_t> open_arrays;
  int references_left = 4096;
};

// Reads the item at *pos as a key and advances past it, valid or not.
// On an invalid key, returns false and says why.
bool ReadKeyItem(std::string_view in, size_t* pos, Key* key, std::string* why, int depth, KeyReading* reading) {
  const size_t start = *pos;
  auto invalid = [&](const char* reason) {
    *why = reason;
    *pos = start;
    if (!cbor::SkipItem(in, pos)) *pos = in.size();
    return false;
  };
  if (depth > kMaxKeyDepth) return invalid("the key is nested too deeply");  // as deep as DecodeKey reads
  Header h;
  if (!cbor::ReadHeader(in, pos, &h)) return invalid("the encoded value is malformed");
  if (h.major == cbor::kTag &&
      (h.arg == value_tag::kShareable || h.arg == value_tag::kSharedReference || h.arg == value_tag::kSharingRoot)) {
    // The item it stands for, read where it is; then on past this one.
    size_t target = start;
    if (--reading->references_left < 0) return invalid("the key refers to shared objects too many times");
    if (!SeeThroughSharing(in, reading->shares, &target)) return invalid("the encoded value is malformed");
    if (!ReadKeyItem(in, &target, key, why, depth, reading)) return invalid(why->c_str());
    if (h.arg != value_tag::kSharedReference) {
      *pos = target;
    } else {
      *pos = start;
      if (!cbor::SkipItem(in, pos)) *pos = in.size();
    }
    return true;
  }
  switch (h.major) {
    case cbor::kUnsigned: *key = Key::Number(static_cast<double>(h.arg)); return true;
    case cbor::kNegative: *key = Key::Number(-1.0 - static_cast<double>(h.arg)); return true;
    case cbor::kSimple: {
      double number;
      if (cbor::FloatValue(h, &number)) {
        if (std::isnan(number)) return invalid("NaN is not a valid key");
        *key = Key::Number(number);
        return true;
      }
      if (h.arg == 20 || h.arg == 21) return invalid("a boolean is not a valid key");
      if (h.arg == 22) return invalid("null is not a valid key");
      if (h.arg == 23) return invalid("undefined is not a valid key");
      return invalid("this value is not a valid key");
    }
    case cbor::kText:
    case cbor::kBytes: {
      if (h.arg > in.size() - *pos) return invalid("the encoded value is malformed");
      std::string content(Content(in, *pos, h.arg));
      *pos += h.arg;
      *key = h.major == cbor::kText ? Key::String(std::move(content)) : Key::Binary(std::move(content));
      return true;
    }
    case cbor::kArray: {
      auto& open = reading->open_arrays;
      if (std::find(open.begin(), open.end(), start) != open.end())
        return invalid("an array key cannot contain itself");
      open.push_back(start);
      std::vector<Key> elements;
      elements.reserve(std::min<uint64_t>(h.arg, 64));
      for (uint64_t i = 0; i < h.arg; ++i) {
        Key element;
        if (!ReadKeyItem(in, pos, &element, why, depth + 1, reading)) {
          *why = "an array key holds an invalid element: " + *why;
          open.pop_back();
          return invalid(why->c_str());
        }
        elements.push_back(std::move(element));
      }
      open.pop_back();
      *key = Key::Array(std::move(elements));
      return true;
    }
    case cbor::kMap: return invalid("an object is not a valid key");
    case cbor::kTag: {
      const uint64_t tag = h.arg;
      Header inner;
      size_t content_pos = *pos;
      if (!cbor::ReadHeader(in, &content_pos, &inner)) return invalid("the encoded value is malformed");
      if (tag == value_tag::kDate) {
        double ms;
        if (!cbor::FloatValue(inner, &ms)) {
          if (inner.major == cbor::kUnsigned) ms = static_cast<double>(inner.arg);
          else if (inner.major == cbor::kNegative) ms = -1.0 - static_cast<double>(inner.arg);
          else return invalid("the encoded Date is malformed");
        }
        if (std::isnan(ms)) return invalid("an invalid Date is not a valid key");
        *pos = content_pos;
        *key = Key::Date(ms);
        return true;
      }
      if (tag == value_tag::kBufferView) {
        // [view tag, buffer, byteOffset, length]: as a key, the bytes it views.
        if (inner.major != cbor::kArray || inner.arg != 4) return invalid("the encoded value is malformed");
        size_t p = content_pos;
        Header view_tag, buffer_tag, buffer_bytes, offset, length;
        if (!cbor::ReadHeader(in, &p, &view_tag) || view_tag.major != cbor::kUnsigned) {
          return invalid("the encoded value is malformed");
        }
        uint64_t element;
        if (view_tag.arg == value_tag::kDataView) {
          element = 1;
        } else if (view_tag.arg >= value_tag::kTypedArrayFirst && view_tag.arg <= value_tag::kTypedArrayLast) {
          // RFC 8746: bit 4 says float (2, 4, 8 or 16 bytes), else 1, 2, 4 or 8 bytes.
          element = (view_tag.arg & 0x10) ? (uint64_t{2} << (view_tag.arg & 3)) : (uint64_t{1} << (view_tag.arg & 3));
        } else {
          return invalid("the encoded value is malformed");
        }
        size_t buffer = p;
        if (!SeeThroughSharing(in, reading->shares, &buffer)) return invalid("the encoded value is malformed");
        if (!cbor::ReadHeader(in, &buffer, &buffer_tag) || buffer_tag.major != cbor::kTag ||
            buffer_tag.arg != value_tag::kArrayBuffer || !cbor::ReadHeader(in, &buffer, &buffer_bytes) ||
            buffer_bytes.major != cbor::kBytes || buffer_bytes.arg > in.size() - buffer) {
          return invalid("the encoded value is malformed");
        }
        if (!cbor::SkipItem(in, &p) || !cbor::ReadHeader(in, &p, &offset) || offset.major != cbor::kUnsigned ||
            !cbor::ReadHeader(in, &p, &length) || length.major != cbor::kUnsigned) {
          return invalid("the encoded value is malformed");
        }
        if (offset.arg > buffer_bytes.arg || length.arg > (buffer_bytes.arg - offset.arg) / element) {
          return invalid("the encoded view reaches past its buffer");
        }
        *key = Key::Binary(std::string(Content(in, buffer + offset.arg, length.arg * element)));
        *pos = p;
        return true;
      }
      const bool binary = tag == value_tag::kArrayBuffer || tag == value_tag::kDataView ||
                          (tag >= value_tag::kTypedArrayFirst && tag <= value_tag::kTypedArrayLast);
      if ((binary || tag == value_tag::kWtf8String) && inner.major == cbor::kBytes) {
        if (inner.arg > in.size() - content_pos) return invalid("the encoded value is malformed");
        std::string content(Content(in, content_pos, inner.arg));
        *pos = content_pos + inner.arg;
        *key = binary ? Key::Binary(std::move(content)) : Key::String(std::move(content));
        return true;
      }
      if (tag == value_tag::kMap) return invalid("a Map is not a valid key");
      if (tag == value_tag::kSet) return invalid("a Set is not a valid key");
      if (tag == value_tag::kPositiveBigInt || tag == value_tag::kNegativeBigInt) {
        return invalid("a bigint is not a valid key");
      }
      if (tag == value_tag::kBoxedPrimitive) {
        return invalid("a boxed primitive (new String(), new Number(), ...) is not a valid key");
      }
      if (tag == value_tag::kBlob) return invalid("a Blob is not a valid key");
      if (tag == value_tag::kFile) return invalid("a File is not a valid key");
      return invalid("this value is not a valid key");
    }
  }
  return invalid("this value is not a valid key");
}

// Where a simple path leads: the position of an item, or a synthetic length.
struct PathTarget {
  bool found = false;
  bool is_length = false;
  size_t pos = 0;
  double length = 0;
};

// Finds the entry `step` in the plain-object map whose header was just read
// (`h`, content at *pos). On success *pos is at the entry's value.
bool FindMapEntry(std::string_view in, size_t* pos, const Header& h, std::string_view step) {
  for (uint64_t i = 0; i < h.arg; ++i) {
    const size_t key_start = *pos;
    Header key_header;
    if (!cbor::ReadHeader(in, pos, &key_header)) return false;
    if (key_header.major == cbor::kText) {
      if (key_header.arg > in.size() - *pos) return false;
      const bool match = Content(in, *pos, key_header.arg) == step;
      *pos += key_header.arg;
      if (match) return true;
    } else {
      *pos = key_start;  // a non-text key cannot name a property
      if (!cbor::SkipItem(in, pos)) return false;
    }
    if (!cbor::SkipItem(in, pos)) return false;
  }
  return false;
}

// The length of a JS string from its UTF-8 (or WTF-8) bytes: UTF-16 code
// units, as JS counts (4-byte sequences count 2).
double Utf16Length(std::string_view bytes) {
  double length = 0;
  for (const char c : bytes) {
    const auto byte = static_cast<uint8_t>(c);
    if ((byte & 0xC0) != 0x80) length += byte >= 0xF0 ? 2 : 1;
  }
  return length;
}

// The length of the string item at *pos (text, or a WTF-8 tag), if it is one.
bool StringLength(std::string_view in, size_t pos, double* length) {
  Header h;
  if (!cbor::ReadHeader(in, &pos, &h)) return false;
  if (h.major == cbor::kTag && h.arg == value_tag::kWtf8String) {
    if (!cbor::ReadHeader(in, &pos, &h) || h.major != cbor::kBytes) return false;
  } else if (h.major != cbor::kText) {
    return false;
  }
  if (h.arg > in.size() - pos) return false;  // a string cut short: malformed, nothing there
  *length = Utf16Length(Content(in, pos, h.arg));
  return true;
}

// A step into a Blob or File (content at *pos, after the tag): "type", "size",
// and for a File "name" and "lastModified", as IndexedDB evaluates them. On
// success either *pos is at the field's item, or *size holds the synthetic size.
bool BlobStep(std::string_view in, size_t* pos, bool is_file, std::string_view step, bool* is_size, double* size) {
  Header fields;
  if (!cbor::ReadHeader(in, pos, &fields) || fields.major != cbor::kArray || fields.arg != (is_file ? 4u : 2u)) {
    return false;
  }
  int wanted;
  if (step == "type") wanted = 0;
  else if (step == "size") wanted = 1;
  else if (is_file && step == "name") wanted = 2;
  else if (is_file && step == "lastModified") wanted = 3;
  else return false;
  for (int i = 0; i < wanted; ++i) {
    if (!cbor::SkipItem(in, pos)) return false;
  }
  *is_size = wanted == 1;
  if (*is_size) {
    Header bytes;
    if (!cbor::ReadHeader(in, pos, &bytes) || bytes.major != cbor::kBytes) return false;
    *size = static_cast<double>(bytes.arg);
  }
  return true;
}

PathTarget FollowPath(std::string_view value, const std::vector<std::string>& steps, Shares* shares) {
  PathTarget target;
  size_t pos = 0;
  auto synthetic = [&](double number) {
    target.found = true;
    target.is_length = true;
    target.length = number;
    return target;
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!SeeThroughSharing(value, shares, &pos)) return target;
    const size_t item = pos;
    Header h;
    if (!cbor::ReadHeader(value, &pos, &h)) return target;
    const bool last = i + 1 == steps.size();
    if (h.major == cbor::kMap) {
      if (!FindMapEntry(value, &pos, h, steps[i])) return target;
      continue;
    }
    if (h.major == cbor::kTag && (h.arg == value_tag::kBlob || h.arg == value_tag::kFile)) {
      bool is_size = false;
      double size = 0;
      if (!BlobStep(value, &pos, h.arg == value_tag::kFile, steps[i], &is_size, &size)) return target;
      if (!is_size) continue;                  // at "type", "name" or "lastModified": the next step reads it
      return last ? synthetic(size) : target;  // a number has no properties
    }
    if (!last || steps[i] != "length") return target;
    // IndexedDB: "length" of an Array, a String, or a String object (its own property).
    if (h.major == cbor::kArray) return synthetic(static_cast<double>(h.arg));
    if (h.major == cbor::kTag && h.arg == value_tag::kBoxedPrimitive) {
      double length;
      return StringLength(value, pos, &length) ? synthetic(length) : target;
    }
    double length;
    if (StringLength(value, item, &length)) return synthetic(length);
    return target;
  }
  // The item itself, not a reference to it.
  if (!SeeThroughSharing(value, shares, &pos)) return target;
  target.found = true;
  target.pos = pos;
  return target;
}

std::optional<Key> EvaluateSimplePath(std::string_view value, const std::vector<std::string>& steps) {
  Shares shares(value);
  PathTarget target = FollowPath(value, steps, &shares);
  if (!target.found) return std::nullopt;
  if (target.is_length) return Key::Number(target.length);
  Key key;
  std::string why;
  size_t pos = target.pos;
  KeyReading reading(&shares);
  if (!ReadKeyItem(value, &pos, &key, &why, 0, &reading)) return std::nullopt;
  return key;
}

}  // namespace

std::string InvalidKeyReason(std::string_view value, const std::vector<std::string>& steps) {
  Shares shares(value);
  PathTarget target = FollowPath(value, steps, &shares);
  if (!target.found || target.is_length) return "";
  if (target.pos < value.size() && static_cast<uint8_t>(value[target.pos]) == 0xF7) return "";  // undefined
  Key key;
  std::string why;
  size_t pos = target.pos;
  KeyReading reading(&shares);
  return ReadKeyItem(value, &pos, &key, &why, 0, &reading) ? "" : why;
}

namespace {

bool HasSurrogateSequence(const std::string& utf8) {
  for (size_t i = 0; i + 1 < utf8.size(); ++i) {
    if (static_cast<uint8_t>(utf8[i]) == 0xED && (static_cast<uint8_t>(utf8[i + 1]) & 0xE0) == 0xA0) return true;
  }
  return false;
}

void AppendNestedObjects(const std::vector<std::string>& steps, size_t from, const Key& key, std::string* out) {
  for (size_t i = from; i < steps.size(); ++i) {
    cbor::WriteHeader(cbor::kMap, 1, out);
    cbor::WriteText(steps[i], out);
  }
  AppendKeyAsValue(key, out);
}

}  // namespace

std::string KeyPath::ToString() const {
  auto join = [](const std::vector<std::string>& steps) {
    std::string out;
    for (size_t i = 0; i < steps.size(); ++i) out += (i ? "." : "") + steps[i];
    return out;
  };
  if (!compound) return paths.empty() ? "" : join(paths[0]);
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) out += (i ? "+" : "") + join(paths[i]);
  return out + "]";
}

std::vector<std::string> SplitDottedPath(const std::string& path) {
  std::vector<std::string> steps;
  size_t start = 0;
  while (true) {
    const size_t dot = path.find('.', start);
    steps.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return steps;
    start = dot + 1;
  }
}

std::optional<Key> EvaluateKeyPath(std::string_view value, const KeyPath& path) {
  if (path.empty()) return std::nullopt;
  if (!path.compound) return EvaluateSimplePath(value, path.paths[0]);
  std::vector<Key> parts;
  parts.reserve(path.paths.size());
  for (const auto& steps : path.paths) {
    std::optional<Key> part = EvaluateSimplePath(value, steps);
    if (!part) return std::nullopt;
    parts.push_back(std::move(*part));
  }
  return Key::Array(std::move(parts));
}

bool SameItemsAtKeyPath(std::string_view a, std::string_view b, const KeyPath& path) {
  for (const auto& steps : path.paths) {
    Shares shares_a(a), shares_b(b);
    const PathTarget in_a = FollowPath(a, steps, &shares_a), in_b = FollowPath(b, steps, &shares_b);
    if (in_a.found != in_b.found || in_a.is_length != in_b.is_length) return false;
    if (!in_a.found) continue;
    if (in_a.is_length) {
      if (in_a.length != in_b.length) return false;
      continue;
    }
    size_t end_a = in_a.pos, end_b = in_b.pos;
    if (!cbor::SkipItem(a, &end_a) || !cbor::SkipItem(b, &end_b)) return false;
    if (a.substr(in_a.pos, end_a - in_a.pos) != b.substr(in_b.pos, end_b - in_b.pos)) return false;
    // Equal bytes holding a reference may still mean different keys (each value numbers its own
    // shares), unless the whole values are the same bytes.
    if (HoldsReference(a, in_a.pos, end_a) && a != b) return false;
  }
  return true;
}

std::vector<Key> EvaluateMultiEntryKeyPath(std::string_view value, const std::vector<std::string>& steps) {
  std::vector<Key> keys;
  Shares shares(value);
  KeyReading reading(&shares);
  PathTarget target = FollowPath(value, steps, &shares);
  if (!target.found) return keys;
  if (target.is_length) {
    keys.push_back(Key::Number(target.length));
    return keys;
  }
  size_t pos = target.pos;
  Header h;
  size_t content = pos;
  if (!cbor::ReadHeader(value, &content, &h)) return keys;
  std::string why;
  if (h.major != cbor::kArray) {
    Key key;
    if (ReadKeyItem(value, &pos, &key, &why, 0, &reading)) keys.push_back(std::move(key));
    return keys;
  }
  std::vector<std::string> seen;       // encoded forms, to drop duplicates
  reading.open_arrays.push_back(pos);  // an element that is the array itself is not a key
  pos = content;
  for (uint64_t i = 0; i < h.arg && pos < value.size(); ++i) {
    Key key;
    if (!ReadKeyItem(value, &pos, &key, &why, 0, &reading)) continue;
    std::string encoded = EncodeKey(key);
    if (std::find(seen.begin(), seen.end(), encoded) != seen.end()) continue;
    seen.push_back(std::move(encoded));
    keys.push_back(std::move(key));
  }
  return keys;
}

Result<Key> ValueToKey(std::string_view encoded) {
  Key key;
  std::string why;
  size_t pos = 0;
  Shares shares(encoded);
  KeyReading reading(&shares);
  if (!ReadKeyItem(encoded, &pos, &key, &why, 0, &reading)) return Status(StatusCode::kData, why);
  if (pos != encoded.size()) return Status(StatusCode::kData, "the encoded key has trailing bytes");
  return key;
}

Result<std::vector<Key>> ValueToKeys(std::string_view encoded) {
  size_t pos = 0;
  Header h;
  if (!cbor::ReadHeader(encoded, &pos, &h) || h.major != cbor::kArray) {
    return Status(StatusCode::kData, "expected an array of keys");
  }
  std::vector<Key> keys;
  keys.reserve(std::min<uint64_t>(h.arg, encoded.size() - pos));  // the count is untrusted: each key takes a byte
  for (uint64_t i = 0; i < h.arg; ++i) {
    Key key;
    std::string why;
    // Each key of the list is a value of its own (js encodeValues): its own share numbers.
    size_t end = pos;
    if (!cbor::SkipItem(encoded, &end)) end = encoded.size();
    Shares shares(encoded, pos, end);
    KeyReading reading(&shares);
    if (!ReadKeyItem(encoded, &pos, &key, &why, 0, &reading)) {
      return Status(StatusCode::kData, "key at position " + std::to_string(i) + ": " + why);
    }
    keys.push_back(std::move(key));
  }
  return keys;
}

void AppendKeyAsValue(const Key& key, std::string* out) {
  switch (key.type) {
    case Key::Type::kNumber: cbor::WriteNumber(key.number, out); return;
    case Key::Type::kDate:
      cbor::WriteTag(value_tag::kDate, out);
      cbor::WriteDouble(key.number, out);
      return;
    case Key::Type::kString:
      if (HasSurrogateSequence(key.bytes)) {
        cbor::WriteTag(value_tag::kWtf8String, out);
        cbor::WriteBytes(key.bytes, out);
      } else {
        cbor::WriteText(key.bytes, out);
      }
      return;
    case Key::Type::kBinary:
      cbor::WriteTag(value_tag::kArrayBuffer, out);
      cbor::WriteBytes(key.bytes, out);
      return;
    case Key::Type::kArray:
      cbor::WriteHeader(cbor::kArray, key.elements.size(), out);
      for (const Key& element : key.elements) AppendKeyAsValue(element, out);
      return;
  }
}

Result<std::string> InjectKey(std::string_view value, const std::vector<std::string>& steps, const Key& key) {
  const Status malformed(StatusCode::kData, "the encoded value is malformed");
  Shares shares(value);
  size_t pos = 0;
  // Find the plain object that takes the key (following references: the key
  // goes into the one object they share), then splice the key into it. New
  // items are not tag-28 items, so no share is renumbered.
  for (size_t step = 0; step < steps.size(); ++step) {
    if (!SeeThroughSharing(value, &shares, &pos)) return malformed;
    const size_t object_start = pos;
    Header h;
    if (!cbor::ReadHeader(value, &pos, &h)) return malformed;
    if (h.major != cbor::kMap) {
      return Status(StatusCode::kData,
                    "cannot store the key at '" + steps[step] + "': the value there is not a plain object");
    }
    const size_t entries = pos;
    size_t entry = pos;
    const bool present = FindMapEntry(value, &entry, h, steps[step]);
    if (present && step + 1 < steps.size()) {
      pos = entry;
      continue;
    }
    std::string out;
    out.reserve(value.size() + 16);
    if (present) {
      // Replaces what is there (undefined: the key was missing).
      size_t after = entry;
      if (!cbor::SkipItem(value, &after)) return malformed;
      // Removing a shared object would renumber the shares after it (never so for a missing key).
      if (Shares(value, entry, after).Find(0) != kNone) {
        return Status(StatusCode::kData, "cannot store the key at '" + steps[step] + "': a shared object is there");
      }
      out.append(value.substr(0, entry));
      AppendKeyAsValue(key, &out);
      out.append(value.substr(after));
      return out;
    }
    size_t end = entries;
    for (uint64_t i = 0; i < 2 * h.arg; ++i) {
      if (!cbor::SkipItem(value, &end)) return malformed;
    }
    out.append(value.substr(0, object_start));
    cbor::WriteHeader(cbor::kMap, h.arg + 1, &out);
    out.append(value.substr(entries, end - entries));
    cbor::WriteText(steps[step], &out);
    AppendNestedObjects(steps, step + 1, key, &out);
    out.append(value.substr(end));
    return out;
  }
  return Status(StatusCode::kData, "cannot store a key at an empty key path");
}

Status CheckValue(std::string_view value) {
  size_t pos = 0;
  if (!cbor::SkipItem(value, &pos) || pos != value.size()) {
    return Status(StatusCode::kData, "the encoded value is malformed");
  }
  return Status::Ok();
}

}  // namespace indexie
