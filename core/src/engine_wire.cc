// engine_wire.cc: the value writers of the request protocol (engine_wire.h,
// engine_requests.h): what results carry, in the value format.
#include "engine_wire.h"

#include <variant>

#include "indexie/engine_requests.h"
#include "indexie/key_codec.h"

namespace indexie {
namespace {

constexpr uint64_t kUint32ArrayTag = 70;  // RFC 8746, little-endian (wasm and x86 are)
constexpr uint64_t kPositiveBigIntTag = 2;
constexpr uint64_t kNegativeBigIntTag = 3;

void WriteKeyPathValue(const IndexSpec& index, std::string* out) {
  auto dotted = [](const std::vector<std::string>& steps) {
    std::string text;
    for (size_t i = 0; i < steps.size(); ++i) text += (i ? "." : "") + steps[i];
    return text;
  };
  if (index.key_path.compound) {
    cbor::WriteHeader(cbor::kArray, index.key_path.paths.size(), out);
    for (const auto& steps : index.key_path.paths) cbor::WriteText(dotted(steps), out);
  } else if (!index.key_path.empty()) {
    cbor::WriteText(dotted(index.key_path.paths[0]), out);
  } else {
    out->push_back(wire::kEncodedNull);
  }
}

// {name, keyPath, unique, multi, auto, compound, src}: Dexie's IndexSpec shape.
void WriteIndexSpecValue(const IndexSpec& index, std::string* out) {
  cbor::WriteHeader(cbor::kMap, 7, out);
  cbor::WriteText("name", out);
  cbor::WriteText(index.name, out);
  cbor::WriteText("keyPath", out);
  WriteKeyPathValue(index, out);
  cbor::WriteText("unique", out);
  wire::WriteBool(index.unique, out);
  cbor::WriteText("multi", out);
  wire::WriteBool(index.multi_entry, out);
  cbor::WriteText("auto", out);
  wire::WriteBool(index.auto_increment, out);
  cbor::WriteText("compound", out);
  wire::WriteBool(index.key_path.compound, out);
  cbor::WriteText("src", out);
  cbor::WriteText(index.ToSpec(), out);
}

}  // namespace

namespace wire {
void WriteBool(bool value, std::string* out) { out->push_back(value ? kEncodedTrue : kEncodedFalse); }

// An int64 as the value format has it: a number when exact, else a bigint.
void WriteInteger(int64_t value, std::string* out) {
  constexpr int64_t kMaxSafe = (int64_t{1} << 53) - 1;
  if (value >= -kMaxSafe && value <= kMaxSafe) {
    cbor::WriteNumber(static_cast<double>(value), out);
    return;
  }
  const bool negative = value < 0;
  // -1 - n for negatives (tag 3), computed without overflow.
  uint64_t magnitude = negative ? static_cast<uint64_t>(-(value + 1)) : static_cast<uint64_t>(value);
  std::string bytes;
  for (; magnitude > 0; magnitude >>= 8) bytes.insert(bytes.begin(), static_cast<char>(magnitude & 0xFF));
  cbor::WriteTag(negative ? kNegativeBigIntTag : kPositiveBigIntTag, out);
  cbor::WriteBytes(bytes, out);
}

// A page-number list as a Uint32Array value.
void WriteUint32Array(const std::vector<uint32_t>& numbers, std::string* out) {
  cbor::WriteTag(kUint32ArrayTag, out);
  std::string bytes(numbers.size() * 4, '\0');
  for (size_t i = 0; i < numbers.size(); ++i) {
    for (int b = 0; b < 4; ++b) bytes[i * 4 + b] = static_cast<char>((numbers[i] >> (8 * b)) & 0xFF);
  }
  cbor::WriteBytes(bytes, out);
}

// Appends an encoded key (key_codec) as a value. Numbers, the common case,
// are converted without building a Key.
Status AppendEncodedKeyAsValue(std::string_view encoded, std::string* out) {
  double number = 0;
  if (DecodeNumberKey(encoded, &number)) {
    cbor::WriteNumber(number, out);
    return Status::Ok();
  }
  auto key = DecodeKey(encoded);
  if (!key.ok()) return key.status();
  AppendKeyAsValue(key.value(), out);
  return Status::Ok();
}

// rows -> one encoded array. "values" / "keys" / "primaryKeys": one item per
// row; "rows": (key, primary key, value or undefined) triples; "keyPairs":
// the same triples, values not read.
Status AppendRows(const std::vector<QueryRow>& rows, std::string_view output, std::string* out) {
  const bool triples = output == "rows" || output == "keyPairs";
  cbor::WriteHeader(cbor::kArray, rows.size() * (triples ? 3 : 1), out);
  for (const QueryRow& row : rows) {
    Status status;
    if (triples || output == "keys") status = AppendEncodedKeyAsValue(row.key, out);
    if (status.ok() && (triples || output == "primaryKeys")) status = AppendEncodedKeyAsValue(row.primary_key, out);
    if (!status.ok()) return status;
    if (triples || output == "values") {
      if (row.value) {
        *out += *row.value;
      } else {
        out->push_back(kEncodedUndefined);
      }
    }
  }
  return Status::Ok();
}

}  // namespace wire

void AppendTableSchemaValue(const TableSchema& schema, std::string* out) {
  cbor::WriteHeader(cbor::kMap, 4, out);
  cbor::WriteText("name", out);
  cbor::WriteText(schema.name, out);
  cbor::WriteText("spec", out);
  cbor::WriteText(schema.ToSpec(), out);
  cbor::WriteText("primKey", out);
  WriteIndexSpecValue(schema.primary_key, out);
  cbor::WriteText("indexes", out);
  cbor::WriteHeader(cbor::kArray, schema.indexes.size(), out);
  for (const IndexSpec& index : schema.indexes) WriteIndexSpecValue(index, out);
}

void AppendSqlResultValue(const SqlResult& result, std::string* out) {
  cbor::WriteHeader(cbor::kMap, 3, out);
  cbor::WriteText("columns", out);
  cbor::WriteHeader(cbor::kArray, result.columns.size(), out);
  for (const std::string& column : result.columns) cbor::WriteText(column, out);
  cbor::WriteText("rows", out);
  cbor::WriteHeader(cbor::kArray, result.rows.size(), out);
  for (const auto& row : result.rows) {
    cbor::WriteHeader(cbor::kArray, row.size(), out);
    for (const SqlValue& cell : row) {
      struct Writer {
        std::string* out;
        void operator()(std::monostate) const { out->push_back(wire::kEncodedNull); }
        void operator()(int64_t v) const { wire::WriteInteger(v, out); }
        void operator()(double v) const { cbor::WriteDouble(v, out); }
        void operator()(const std::string& v) const { cbor::WriteText(v, out); }
        void operator()(const SqlBlob& v) const {
          cbor::WriteTag(64, out);  // a Uint8Array
          cbor::WriteBytes(std::string_view(reinterpret_cast<const char*>(v.data()), v.size()), out);
        }
      };
      std::visit(Writer{out}, cell);
    }
  }
  cbor::WriteText("changes", out);
  wire::WriteInteger(result.changes, out);
}

std::string OkResultValue(std::string_view encoded_value) {
  std::string out;
  out.reserve(encoded_value.size() + 2);
  cbor::WriteHeader(cbor::kArray, 2, &out);
  out.push_back(wire::kEncodedTrue);
  out += encoded_value;
  return out;
}

std::string FailedResultValue(const Status& status) {
  std::string out;
  cbor::WriteHeader(cbor::kArray, 3, &out);
  out.push_back(wire::kEncodedFalse);
  cbor::WriteText(StatusCodeName(status.code()), &out);
  cbor::WriteText(status.message(), &out);
  return out;
}

}  // namespace indexie
