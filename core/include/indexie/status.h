// status.h: how the engine reports failure, without exceptions.
//
// Every fallible core function returns a Status or a Result<T>. The core is
// built with -fno-exceptions (a C++ throw aborts a wasm module), so errors
// travel as values up to the engine's request protocol (engine_requests.h),
// which hands the code's name and the message to JavaScript; js/src/errors
// is the one place that turns that name into a JS error class.
//
// Codes are named after the JS errors they become (Dexie's names). Messages
// are written for a web developer: what failed and why.
#pragma once

#include <optional>
#include <string>
#include <utility>

namespace indexie {

// The codes are listed once, in status_codes.def, with their JS error names.
enum class StatusCode {
  kOk = 0,
#define INDEXIE_STATUS_CODE(code, js_name, meaning) code,
#include "indexie/status_codes.def"
#undef INDEXIE_STATUS_CODE
};

// The stable name of a code, as JavaScript sees it ("ConstraintError", ...).
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "ConstraintError: <message>", for logs and test failure output.
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT: implicit by design

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace indexie
