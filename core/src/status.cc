// status.cc: names of status codes. These names are part of the JS contract
// (js/src/errors.ts maps them to error classes): do not rename one.
#include "indexie/status.h"

namespace indexie {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "Ok";
    case StatusCode::kInvalidArgument: return "InvalidArgumentError";
    case StatusCode::kConstraint: return "ConstraintError";
    case StatusCode::kData: return "DataError";
    case StatusCode::kNotFound: return "NotFoundError";
    case StatusCode::kInvalidTable: return "InvalidTableError";
    case StatusCode::kSchema: return "SchemaError";
    case StatusCode::kUpgrade: return "UpgradeError";
    case StatusCode::kVersion: return "VersionError";
    case StatusCode::kReadOnly: return "ReadOnlyError";
    case StatusCode::kDatabaseClosed: return "DatabaseClosedError";
    case StatusCode::kQuotaExceeded: return "QuotaExceededError";
    case StatusCode::kAbort: return "AbortError";
    case StatusCode::kCorruption: return "CorruptionError";
    case StatusCode::kSql: return "SqlError";
    case StatusCode::kInternal: return "InternalError";
  }
  return "InternalError";
}

std::string Status::ToString() const {
  if (ok()) return "Ok";
  return std::string(StatusCodeName(code_)) + ": " + message_;
}

}  // namespace indexie
