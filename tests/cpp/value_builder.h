// value_builder.h: builds encoded values in tests, as js/src/value-codec.ts
// would write them, so C++ tests need no JS.
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

#include "indexie/cbor.h"
#include "indexie/engine_requests.h"
#include "indexie/value_reader.h"

namespace indexie {

struct V {
  std::string bytes;
  static V Num(double n) {
    V v;
    cbor::WriteNumber(n, &v.bytes);
    return v;
  }
  static V Str(const std::string& s) {
    V v;
    cbor::WriteText(s, &v.bytes);
    return v;
  }
  static V Bool(bool b) {
    V v;
    v.bytes.push_back(static_cast<char>(b ? 0xF5 : 0xF4));
    return v;
  }
  static V Null() {
    V v;
    v.bytes.push_back(static_cast<char>(0xF6));
    return v;
  }
  static V Undefined() {
    V v;
    v.bytes.push_back(static_cast<char>(0xF7));
    return v;
  }
  static V Date(double ms) {
    V v;
    cbor::WriteTag(value_tag::kDate, &v.bytes);
    cbor::WriteDouble(ms, &v.bytes);
    return v;
  }
  static V Buffer(const std::string& raw) {
    V v;
    cbor::WriteTag(value_tag::kArrayBuffer, &v.bytes);
    cbor::WriteBytes(raw, &v.bytes);
    return v;
  }
  static V Arr(std::initializer_list<V> items) {
    V v;
    cbor::WriteHeader(cbor::kArray, items.size(), &v.bytes);
    for (const V& item : items) v.bytes += item.bytes;
    return v;
  }
  static V Obj(std::initializer_list<std::pair<std::string, V>> entries) {
    V v;
    cbor::WriteHeader(cbor::kMap, entries.size(), &v.bytes);
    for (const auto& [k, item] : entries) {
      cbor::WriteText(k, &v.bytes);
      v.bytes += item.bytes;
    }
    return v;
  }
  // Value sharing: `item` marked as shareable (tag 28), and a reference to the n-th such item (tag 29).
  static V Share(const V& item) {
    V v;
    cbor::WriteTag(value_tag::kShareable, &v.bytes);
    v.bytes += item.bytes;
    return v;
  }
  // The sharing root (tag 40107) the JS encoder puts around a value with shares.
  static V Root(const V& value) {
    V v;
    cbor::WriteTag(value_tag::kSharingRoot, &v.bytes);
    v.bytes += value.bytes;
    return v;
  }
  static V Ref(uint64_t n) {
    V v;
    cbor::WriteTag(value_tag::kSharedReference, &v.bytes);
    cbor::WriteHeader(cbor::kUnsigned, n, &v.bytes);
    return v;
  }
  // A boxed primitive (new String('s'), ...): tag 40104 over the primitive.
  static V Boxed(const V& primitive) {
    V v;
    cbor::WriteTag(value_tag::kBoxedPrimitive, &v.bytes);
    v.bytes += primitive.bytes;
    return v;
  }
  // A view on (part of) a buffer: [view tag, buffer item, byteOffset, length].
  static V View(uint64_t view_tag, const V& buffer, uint64_t offset, uint64_t length) {
    V v;
    cbor::WriteTag(value_tag::kBufferView, &v.bytes);
    cbor::WriteHeader(cbor::kArray, 4, &v.bytes);
    cbor::WriteHeader(cbor::kUnsigned, view_tag, &v.bytes);
    v.bytes += buffer.bytes;
    cbor::WriteHeader(cbor::kUnsigned, offset, &v.bytes);
    cbor::WriteHeader(cbor::kUnsigned, length, &v.bytes);
    return v;
  }
  static V BlobOf(const std::string& type, const std::string& raw) {
    V v;
    cbor::WriteTag(value_tag::kBlob, &v.bytes);
    cbor::WriteHeader(cbor::kArray, 2, &v.bytes);
    cbor::WriteText(type, &v.bytes);
    cbor::WriteBytes(raw, &v.bytes);
    return v;
  }
  static V FileOf(const std::string& type, const std::string& raw, const std::string& name, double last_modified) {
    V v;
    cbor::WriteTag(value_tag::kFile, &v.bytes);
    cbor::WriteHeader(cbor::kArray, 4, &v.bytes);
    cbor::WriteText(type, &v.bytes);
    cbor::WriteBytes(raw, &v.bytes);
    cbor::WriteText(name, &v.bytes);
    cbor::WriteNumber(last_modified, &v.bytes);
    return v;
  }
  static V MapOf(std::initializer_list<std::pair<std::string, V>> entries) {
    V v = Obj(entries);
    std::string tagged;
    cbor::WriteTag(value_tag::kMap, &tagged);
    v.bytes = tagged + v.bytes;
    return v;
  }
};

// One operation of an engine request batch (engine_requests.h): [opcode, args...].
inline V RequestOp(EngineOp op, std::initializer_list<V> args = {}) {
  V v;
  cbor::WriteHeader(cbor::kArray, args.size() + 1, &v.bytes);
  cbor::WriteNumber(static_cast<double>(op), &v.bytes);
  for (const V& arg : args) v.bytes += arg.bytes;
  return v;
}

}  // namespace indexie
