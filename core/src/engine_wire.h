// engine_wire.h (internal to core/src): the pieces of the request protocol
// (engine_requests.h) shared by its source files: the reader of an
// operation's arguments, and writers of the values results carry.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "indexie/cbor.h"
#include "indexie/query.h"
#include "indexie/status.h"
#include "indexie/value_reader.h"

namespace indexie::wire {

inline constexpr char kEncodedUndefined = static_cast<char>(0xF7);
inline constexpr char kEncodedNull = static_cast<char>(0xF6);
inline constexpr char kEncodedTrue = static_cast<char>(0xF5);
inline constexpr char kEncodedFalse = static_cast<char>(0xF4);

inline Status Malformed(const char* what) {
  return Status(StatusCode::kInternal, std::string("malformed engine request: ") + what);
}

inline bool IsUndefinedOrNull(std::string_view item) {
  return item.size() == 1 && (item[0] == kEncodedUndefined || item[0] == kEncodedNull);
}

void WriteBool(bool value, std::string* out);
// An int64 as the value format has it: a number when exact, else a bigint.
void WriteInteger(int64_t value, std::string* out);
// A page-number list as a Uint32Array value.
void WriteUint32Array(const std::vector<uint32_t>& numbers, std::string* out);
// rows -> one encoded array (engine_requests.h: query outputs).
Status AppendRows(const std::vector<QueryRow>& rows, std::string_view output, std::string* out);
// An encoded key (key_codec) as a value.
Status AppendEncodedKeyAsValue(std::string_view encoded, std::string* out);

// Reads the arguments of one operation, in order. Each reader checks the
// item's type and fails with Malformed on anything else.
class RequestReader {
 public:
  RequestReader(std::string_view request, size_t* pos, uint64_t args) : in_(request), pos_(pos), left_(args) {}

  uint64_t args_left() const { return left_; }

  Status Item(std::string_view* item) {
    if (left_ == 0) return Malformed("too few arguments");
    const size_t start = *pos_;
    if (!cbor::SkipItem(in_, pos_)) return Malformed("an argument is not well-formed CBOR");
    --left_;
    *item = in_.substr(start, *pos_ - start);
    return Status::Ok();
  }

  Status Text(std::string* text) {
    std::string_view item;
    if (Status s = Item(&item); !s.ok()) return s;
    size_t p = 0;
    cbor::Header h;
    if (!cbor::ReadHeader(item, &p, &h) || h.major != cbor::kText) return Malformed("expected a string");
    text->assign(item.substr(p));
    return Status::Ok();
  }

  Status Bytes(std::string_view* bytes) {
    std::string_view item;
    if (Status s = Item(&item); !s.ok()) return s;
    size_t p = 0;
    cbor::Header h;
    if (!cbor::ReadHeader(item, &p, &h)) return Malformed("expected bytes");
    if (h.major == cbor::kTag && !cbor::ReadHeader(item, &p, &h)) return Malformed("expected bytes");  // a typed array
    if (h.major != cbor::kBytes) return Malformed("expected bytes");
    *bytes = item.substr(p);
    return Status::Ok();
  }

  Status Bool(bool* value) {
    std::string_view item;
    if (Status s = Item(&item); !s.ok()) return s;
    if (item.size() != 1 || (item[0] != kEncodedTrue && item[0] != kEncodedFalse))
      return Malformed("expected a boolean");
    *value = item[0] == kEncodedTrue;
    return Status::Ok();
  }

  Status Number(double* value) {
    std::string_view item;
    if (Status s = Item(&item); !s.ok()) return s;
    size_t p = 0;
    cbor::Header h;
    if (!cbor::ReadHeader(item, &p, &h)) return Malformed("expected a number");
    if (h.major == cbor::kUnsigned) {
      *value = static_cast<double>(h.arg);
    } else if (h.major == cbor::kNegative) {
      *value = -1 - static_cast<double>(h.arg);
    } else if (!cbor::FloatValue(h, value)) {
      return Malformed("expected a number");
    }
    return Status::Ok();
  }

  // A whole number in [min, max].
  Status Integer(int64_t min, int64_t max, int64_t* value) {
    double number = 0;
    if (Status s = Number(&number); !s.ok()) return s;
    if (!(number >= static_cast<double>(min) && number <= static_cast<double>(max)) || std::floor(number) != number) {
      return Malformed("a number is out of range");
    }
    *value = static_cast<int64_t>(number);
    return Status::Ok();
  }

  // An array header; its items follow (read them with a nested Call).
  Status ArrayHeader(uint64_t* count) {
    if (left_ == 0) return Malformed("too few arguments");
    cbor::Header h;
    if (!cbor::ReadHeader(in_, pos_, &h) || h.major != cbor::kArray) return Malformed("expected an array");
    if (h.arg > in_.size() - *pos_) return Malformed("an array is longer than the request");
    --left_;
    *count = h.arg;
    return Status::Ok();
  }

  // The query description and its ranges (two arguments).
  Status Query(QuerySpec* spec) {
    uint64_t fields = 0;
    if (Status s = ArrayHeader(&fields); !s.ok()) return s;
    if (fields != 8) return Malformed("a query has 8 fields");
    RequestReader query(in_, pos_, fields);
    int64_t offset = 0, limit = 0;
    uint64_t sort_fields = 0;
    Status s = query.Text(&spec->table);
    if (s.ok()) s = query.Text(&spec->index);
    if (s.ok()) s = query.Bool(&spec->reverse);
    if (s.ok()) s = query.Bool(&spec->distinct);
    if (s.ok()) s = query.Bool(&spec->unique_keys);
    if (s.ok()) s = query.Integer(0, std::numeric_limits<int64_t>::max() / 2, &offset);
    if (s.ok()) s = query.Integer(-1, std::numeric_limits<int64_t>::max() / 2, &limit);
    if (s.ok()) s = query.ArrayHeader(&sort_fields);
    for (uint64_t i = 0; s.ok() && i < sort_fields; ++i) {
      uint64_t pair = 0;
      RequestReader sort(in_, pos_, 1);
      s = sort.ArrayHeader(&pair);
      if (s.ok() && pair != 2) s = Malformed("a sort field is [keyPath, descending]");
      RequestReader field(in_, pos_, 2);
      std::string path;
      SortField sort_field;
      if (s.ok()) s = field.Text(&path);
      if (s.ok()) s = field.Bool(&sort_field.descending);
      sort_field.steps = SplitDottedPath(path);
      if (s.ok()) spec->order_by.push_back(std::move(sort_field));
    }
    if (!s.ok()) return s;
    spec->offset = offset;
    spec->limit = limit;
    std::string_view ranges;
    if (s = Item(&ranges); !s.ok()) return s;
    if (IsUndefinedOrNull(ranges)) {
      spec->ranges = AllKeys();
      return Status::Ok();
    }
    auto parsed = ParseRangeSpecs(ranges);
    if (!parsed.ok()) return parsed.status();
    spec->ranges = NormalizeRanges(parsed.value());
    return Status::Ok();
  }

  // A reader of `count` items that follow here (an array's, after ArrayHeader).
  RequestReader Nested(uint64_t count) { return RequestReader(in_, pos_, count); }

  // Checks that the operation read every argument (so the next operation starts right).
  Status Finish() {
    if (left_ != 0) return Malformed("too many arguments");
    return Status::Ok();
  }

 private:
  std::string_view in_;
  size_t* pos_;
  uint64_t left_;
};

}  // namespace indexie::wire
