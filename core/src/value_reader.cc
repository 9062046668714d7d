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

// Reads the item at *pos as a key and advances past it, valid or not.
// On an invalid key, returns false and says why.
bool ReadKeyItem(std::string_view in, size_t* pos, Key* key, std::string* why, int depth) {
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
      std::vector<Key> elements;
      elements.reserve(std::min<uint64_t>(h.arg, 64));
      for (uint64_t i = 0; i < h.arg; ++i) {
        Key element;
        if (!ReadKeyItem(in, pos, &element, why, depth + 1)) {
          *why = "an array key holds an invalid element: " + *why;
          return invalid(why->c_str());
        }
        elements.push_back(std::move(element));
      }
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

PathTarget FollowPath(std::string_view value, const std::vector<std::string>& steps) {
  PathTarget target;
  size_t pos = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    Header h;
    if (!cbor::ReadHeader(value, &pos, &h)) return target;
    const bool last = i + 1 == steps.size();
    if (h.major == cbor::kMap) {
      if (!FindMapEntry(value, &pos, h, steps[i])) return target;
      continue;
    }
    if (last && steps[i] == "length" && (h.major == cbor::kArray || h.major == cbor::kText)) {
      // IndexedDB: "length" of an Array or String; a string's length counts
      // UTF-16 code units, as JS does (4-byte UTF-8 sequences count 2).
      double length = static_cast<double>(h.arg);
      if (h.major == cbor::kText) {
        if (h.arg > value.size() - pos) return target;  // a string cut short: malformed, nothing there
        length = 0;
        for (uint64_t b = 0; b < h.arg; ++b) {
          const auto byte = static_cast<uint8_t>(value[pos + b]);
          if ((byte & 0xC0) != 0x80) length += byte >= 0xF0 ? 2 : 1;
        }
      }
      target.found = true;
      target.is_length = true;
      target.length = length;
      return target;
    }
    return target;
  }
  target.found = true;
  target.pos = pos;
  return target;
}

std::optional<Key> EvaluateSimplePath(std::string_view value, const std::vector<std::string>& steps) {
  PathTarget target = FollowPath(value, steps);
  if (!target.found) return std::nullopt;
  if (target.is_length) return Key::Number(target.length);
  Key key;
  std::string why;
  size_t pos = target.pos;
  if (!ReadKeyItem(value, &pos, &key, &why, 0)) return std::nullopt;
  return key;
}

}  // namespace

std::string InvalidKeyReason(std::string_view value, const std::vector<std::string>& steps) {
  PathTarget target = FollowPath(value, steps);
  if (!target.found || target.is_length) return "";
  if (target.pos < value.size() && static_cast<uint8_t>(value[target.pos]) == 0xF7) return "";  // undefined
  Key key;
  std::string why;
  size_t pos = target.pos;
  return ReadKeyItem(value, &pos, &key, &why, 0) ? "" : why;
}

namespace {

bool HasSurrogateSequence(const std::string& utf8) {
  for (size_t i = 0; i + 1 < utf8.size(); ++i) {
    if (static_cast<uint8_t>(utf8[i]) == 0xED && (static_cast<uint8_t>(utf8[i + 1]) & 0xE0) == 0xA0) return true;
  }
  return false;
}

// Copies one item at *pos to *out verbatim.
bool CopyItem(std::string_view in, size_t* pos, std::string* out) {
  const size_t start = *pos;
  if (!cbor::SkipItem(in, pos)) return false;
  out->append(in.substr(start, *pos - start));
  return true;
}

void AppendNestedObjects(const std::vector<std::string>& steps, size_t from, const Key& key, std::string* out) {
  for (size_t i = from; i < steps.size(); ++i) {
    cbor::WriteHeader(cbor::kMap, 1, out);
    cbor::WriteText(steps[i], out);
  }
  AppendKeyAsValue(key, out);
}

Status InjectAt(std::string_view in, size_t* pos, const std::vector<std::string>& steps, size_t step, const Key& key,
                std::string* out) {
  Header h;
  if (!cbor::ReadHeader(in, pos, &h)) return Status(StatusCode::kData, "the encoded value is malformed");
  if (h.major != cbor::kMap) {
    return Status(StatusCode::kData,
                  "cannot store the key at '" + steps[step] + "': the value there is not a plain object");
  }
  // First pass: is the step present?
  size_t probe = *pos;
  const bool present = FindMapEntry(in, &probe, h, steps[step]);
  cbor::WriteHeader(cbor::kMap, present ? h.arg : h.arg + 1, out);
  for (uint64_t i = 0; i < h.arg; ++i) {
    const size_t key_start = *pos;
    if (!cbor::SkipItem(in, pos)) return Status(StatusCode::kData, "the encoded value is malformed");
    out->append(in.substr(key_start, *pos - key_start));
    const bool match = present && *pos == probe;
    if (!match) {
      if (!CopyItem(in, pos, out)) return Status(StatusCode::kData, "the encoded value is malformed");
      continue;
    }
    if (step + 1 == steps.size()) {
      if (!cbor::SkipItem(in, pos)) return Status(StatusCode::kData, "the encoded value is malformed");
      AppendKeyAsValue(key, out);
    } else {
      Status status = InjectAt(in, pos, steps, step + 1, key, out);
      if (!status.ok()) return status;
    }
  }
  if (!present) {
    cbor::WriteText(steps[step], out);
    AppendNestedObjects(steps, step + 1, key, out);
  }
  return Status::Ok();
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
    const PathTarget in_a = FollowPath(a, steps), in_b = FollowPath(b, steps);
    if (in_a.found != in_b.found || in_a.is_length != in_b.is_length) return false;
    if (!in_a.found) continue;
    if (in_a.is_length) {
      if (in_a.length != in_b.length) return false;
      continue;
    }
    size_t end_a = in_a.pos, end_b = in_b.pos;
    if (!cbor::SkipItem(a, &end_a) || !cbor::SkipItem(b, &end_b)) return false;
    if (a.substr(in_a.pos, end_a - in_a.pos) != b.substr(in_b.pos, end_b - in_b.pos)) return false;
  }
  return true;
}

std::vector<Key> EvaluateMultiEntryKeyPath(std::string_view value, const std::vector<std::string>& steps) {
  std::vector<Key> keys;
  PathTarget target = FollowPath(value, steps);
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
    if (ReadKeyItem(value, &pos, &key, &why, 0)) keys.push_back(std::move(key));
    return keys;
  }
  std::vector<std::string> seen;  // encoded forms, to drop duplicates
  pos = content;
  for (uint64_t i = 0; i < h.arg && pos < value.size(); ++i) {
    Key key;
    if (!ReadKeyItem(value, &pos, &key, &why, 0)) continue;
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
  if (!ReadKeyItem(encoded, &pos, &key, &why, 0)) return Status(StatusCode::kData, why);
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
    if (!ReadKeyItem(encoded, &pos, &key, &why, 0)) {
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
  std::string out;
  out.reserve(value.size() + 16);
  size_t pos = 0;
  Status status = InjectAt(value, &pos, steps, 0, key, &out);
  if (!status.ok()) return status;
  return out;
}

Status CheckValue(std::string_view value) {
  size_t pos = 0;
  if (!cbor::SkipItem(value, &pos) || pos != value.size()) {
    return Status(StatusCode::kData, "the encoded value is malformed");
  }
  return Status::Ok();
}

}  // namespace indexie
