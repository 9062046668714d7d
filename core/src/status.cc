// status.cc: names of status codes, from status_codes.def (the one list,
// checked against the JS side by tests/node/error-codes.test.mjs).
#include "indexie/status.h"

namespace indexie {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "Ok";
#define INDEXIE_STATUS_CODE(code, js_name, meaning) \
  case StatusCode::code:                            \
    return js_name;
#include "indexie/status_codes.def"
#undef INDEXIE_STATUS_CODE
  }
  return "InternalError";
}

std::string Status::ToString() const {
  if (ok()) return "Ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace indexie
