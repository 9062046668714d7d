// engine_requests_fuzzer.cc: fuzzes the engine's request protocol
// (core/include/indexie/engine_requests.h), the one entry point the JS side
// (and a later Worker host) calls with bytes it built.
//
// Input: arbitrary bytes, run as one request batch on a fresh engine
// database whose table 't' has the schema '++id, name, *tags, [a+b]' and a
// few records.
//
// Asserts:
//   - Execute never crashes and always answers a well-formed response: an
//     array with one result per operation of the request (one result when
//     the request is not an array of operations), each [true, value] or
//     [false, "<name>Error" or "Ok"-free code name, message];
//   - (kExecuteSql is skipped: it runs arbitrary SQL, which may rightly run
//     for ever, e.g. a recursive query; it is a diagnostic escape hatch);
//   - afterwards the database still answers (info succeeds once any
//     transaction the batch left open is rolled back; the batch may have
//     dropped 't' or reverted the file, so nothing more is assumed).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "../cpp/value_builder.h"
#include "fuzz_util.h"
#include "indexie/engine_requests.h"
#include "indexie/page_vfs.h"

using namespace indexie;

namespace {

constexpr const char* kFile = "engine_requests_fuzz";

// Checks one result item at *pos and advances past it; returns whether it succeeded.
bool CheckResult(std::string_view response, size_t* pos) {
  cbor::Header pair;
  FUZZ_CHECK(cbor::ReadHeader(response, pos, &pair) && pair.major == cbor::kArray);
  FUZZ_CHECK(*pos < response.size());
  const auto flag = static_cast<uint8_t>(response[(*pos)++]);
  FUZZ_CHECK(flag == 0xF5 || flag == 0xF4);
  if (flag == 0xF5) {
    FUZZ_CHECK(pair.arg == 2);
    FUZZ_CHECK(cbor::SkipItem(response, pos));
    return true;
  }
  FUZZ_CHECK(pair.arg == 3);
  cbor::Header code;
  FUZZ_CHECK(cbor::ReadHeader(response, pos, &code) && code.major == cbor::kText);
  const std::string name(response.substr(*pos, code.arg));
  FUZZ_CHECK(name.size() > 5 && name.compare(name.size() - 5, 5, "Error") == 0);
  *pos += code.arg;
  cbor::Header message;
  FUZZ_CHECK(cbor::ReadHeader(response, pos, &message) && message.major == cbor::kText);
  *pos += message.arg;
  return false;
}

// Whether the request has a kExecuteSql operation (as far as it can be framed).
bool RunsSql(std::string_view request) {
  size_t pos = 0;
  cbor::Header batch;
  if (!cbor::ReadHeader(request, &pos, &batch) || batch.major != cbor::kArray) return false;
  for (uint64_t i = 0; i < batch.arg && pos < request.size(); ++i) {
    const size_t start = pos;
    cbor::Header op, opcode;
    if (cbor::ReadHeader(request, &pos, &op) && op.major == cbor::kArray && op.arg >= 1 &&
        cbor::ReadHeader(request, &pos, &opcode)) {
      double number = -1;
      if (opcode.major == cbor::kUnsigned) number = static_cast<double>(opcode.arg);
      else if (opcode.major == cbor::kSimple) (void)cbor::FloatValue(opcode, &number);
      if (number == static_cast<double>(EngineOp::kExecuteSql)) return true;
    }
    pos = start;
    if (!cbor::SkipItem(request, &pos)) return false;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (RunsSql(std::string_view(reinterpret_cast<const char*>(data), size))) return 0;
  PageVfsDeleteFile(kFile);
  auto session = EngineSession::Open(kFile);
  FUZZ_CHECK(session.ok());
  EngineSession& engine = *session.value();
  const std::string setup =
      V::Arr(
          {RequestOp(EngineOp::kSetSchema, {V::Obj({{"t", V::Str("++id, name, *tags, [a+b]")}})}),
           RequestOp(EngineOp::kWrite, {V::Str("t"), V::Bool(true),
                                        V::Arr({V::Obj({{"name", V::Str("ada")}, {"tags", V::Arr({V::Str("x")})}}),
                                                V::Obj({{"name", V::Str("bo")}, {"a", V::Num(1)}, {"b", V::Num(2)}})}),
                                        V::Null()})})
          .bytes;
  engine.Execute(setup);

  const std::string_view request(reinterpret_cast<const char*>(data), size);
  const std::string response = engine.Execute(request);
  size_t pos = 0;
  cbor::Header batch;
  FUZZ_CHECK(cbor::ReadHeader(response, &pos, &batch) && batch.major == cbor::kArray);
  size_t request_pos = 0;
  cbor::Header request_batch;
  const bool framed = cbor::ReadHeader(request, &request_pos, &request_batch) && request_batch.major == cbor::kArray &&
                      request_batch.arg <= request.size();
  FUZZ_CHECK(batch.arg == (framed ? request_batch.arg : 1));
  for (uint64_t i = 0; i < batch.arg; ++i) CheckResult(response, &pos);
  FUZZ_CHECK(pos == response.size());

  while (engine.database().in_transaction()) (void)engine.database().Rollback();
  const std::string info = engine.Execute(V::Arr({RequestOp(EngineOp::kInfo)}).bytes);
  pos = 0;
  FUZZ_CHECK(cbor::ReadHeader(info, &pos, &batch) && batch.arg == 1);
  FUZZ_CHECK(CheckResult(info, &pos));
  session.value().reset();
  PageVfsDeleteFile(kFile);
  return 0;
}
