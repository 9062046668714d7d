// status_test.cc: Status and Result carry codes and messages unchanged, and
// code names (the JS contract) are the documented error class names.
#include "indexie/status.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace indexie {
namespace {

TEST(Status, DefaultIsOk) {
  Status status;
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(status.ToString(), "Ok");
}

TEST(Status, CarriesCodeAndMessage) {
  Status status(StatusCode::kConstraint, "key 1 already exists in table 'users'");
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kConstraint);
  EXPECT_EQ(status.ToString(), "ConstraintError: key 1 already exists in table 'users'");
}

TEST(Status, CodeNamesAreTheJsErrorNames) {
  EXPECT_STREQ(StatusCodeName(StatusCode::kData), "DataError");
  EXPECT_STREQ(StatusCodeName(StatusCode::kSchema), "SchemaError");
  EXPECT_STREQ(StatusCodeName(StatusCode::kDatabaseClosed), "DatabaseClosedError");
  EXPECT_STREQ(StatusCodeName(StatusCode::kQuotaExceeded), "QuotaExceededError");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good(42);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 42);

  Result<int> bad(Status(StatusCode::kNotFound, "no table 'x'"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
}

TEST(StatusCodesTest, EveryCodeHasAUniqueJsErrorName) {
  std::set<std::string> names;
  int codes = 0;
#define INDEXIE_STATUS_CODE(code, js_name, meaning)                                   \
  ++codes;                                                                            \
  EXPECT_STREQ(StatusCodeName(StatusCode::code), js_name);                            \
  EXPECT_TRUE(std::string(js_name).size() > 5 &&                                      \
              std::string(js_name).rfind("Error") == std::string(js_name).size() - 5) \
      << js_name;                                                                     \
  names.insert(js_name);
#include "indexie/status_codes.def"
#undef INDEXIE_STATUS_CODE
  EXPECT_EQ(static_cast<int>(names.size()), codes);
  EXPECT_STREQ(StatusCodeName(StatusCode::kOk), "Ok");
}

}  // namespace
}  // namespace indexie
