// sql_connection_test.cc: SQLite runs on the indexie VFS, returns typed
// values, reports errors as Status, and named databases keep their bytes
// across close and reopen.
#include "indexie/sql_connection.h"

#include <gtest/gtest.h>

#include "indexie/page_vfs.h"

namespace indexie {
namespace {

std::unique_ptr<SqlConnection> OpenOrDie(const std::string& name) {
  auto connection = SqlConnection::Open(name);
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return std::move(connection).value();
}

TEST(SqlConnection, ReportsTheBundledSqliteVersion) {
  EXPECT_EQ(std::string(SqlConnection::SqliteVersion()).substr(0, 5), "3.53.");
}

TEST(SqlConnection, ReturnsTypedValues) {
  auto db = OpenOrDie(":memory:");
  auto result = db->Execute("SELECT 1 + 1 AS two, 1.5 AS half, 'hé' AS text, x'00ff' AS blob, NULL AS missing");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->columns, (std::vector<std::string>{"two", "half", "text", "blob", "missing"}));
  ASSERT_EQ(result->rows.size(), 1u);
  const auto& row = result->rows[0];
  EXPECT_EQ(std::get<int64_t>(row[0]), 2);
  EXPECT_DOUBLE_EQ(std::get<double>(row[1]), 1.5);
  EXPECT_EQ(std::get<std::string>(row[2]), "hé");
  EXPECT_EQ(std::get<SqlBlob>(row[3]), (SqlBlob{0x00, 0xff}));
  EXPECT_TRUE(std::holds_alternative<std::monostate>(row[4]));
}

TEST(SqlConnection, RunsSeveralStatementsAndReturnsTheLastResult) {
  auto db = OpenOrDie(":memory:");
  auto result = db->Execute(
      "CREATE TABLE t(a INTEGER PRIMARY KEY, b TEXT);"
      "INSERT INTO t(b) VALUES ('x'), ('y'), ('z');"
      "SELECT a, b FROM t ORDER BY a DESC;");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->rows.size(), 3u);
  EXPECT_EQ(std::get<std::string>(result->rows[0][1]), "z");
  EXPECT_EQ(std::get<int64_t>(result->rows[2][0]), 1);
}

TEST(SqlConnection, SyntaxErrorIsSqlErrorAndConnectionStaysUsable) {
  auto db = OpenOrDie(":memory:");
  auto bad = db->Execute("SELEKT 1");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kSql);
  EXPECT_NE(bad.status().message().find("syntax error"), std::string::npos) << bad.status().message();
  auto good = db->Execute("SELECT 7");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(std::get<int64_t>(good->rows[0][0]), 7);
}

TEST(SqlConnection, ConstraintViolationIsConstraintError) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Execute("CREATE TABLE t(k TEXT PRIMARY KEY); INSERT INTO t VALUES ('a')").ok());
  auto duplicate = db->Execute("INSERT INTO t VALUES ('a')");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().code(), StatusCode::kConstraint);
  auto count = db->Execute("SELECT count(*) FROM t");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(std::get<int64_t>(count->rows[0][0]), 1);
}

TEST(SqlConnection, NamedDatabaseSurvivesCloseAndReopen) {
  const std::string name = "sql_connection_test_reopen.db";
  PageVfsDeleteFile(name);
  {
    auto db = OpenOrDie(name);
    ASSERT_TRUE(db->Execute("CREATE TABLE kv(k, v); INSERT INTO kv VALUES (1, 'one')").ok());
  }
  EXPECT_TRUE(PageVfsFileExists(name));
  EXPECT_GT(PageVfsFileSize(name), 0);
  {
    auto db = OpenOrDie(name);
    auto result = db->Execute("SELECT v FROM kv WHERE k = 1");
    ASSERT_TRUE(result.ok()) << result.status().ToString();
    ASSERT_EQ(result->rows.size(), 1u);
    EXPECT_EQ(std::get<std::string>(result->rows[0][0]), "one");
  }
  PageVfsDeleteFile(name);
  EXPECT_FALSE(PageVfsFileExists(name));
}

TEST(SqlConnection, RolledBackTransactionLeavesNoTrace) {
  auto db = OpenOrDie(":memory:");
  ASSERT_TRUE(db->Execute("CREATE TABLE t(a); INSERT INTO t VALUES (1)").ok());
  ASSERT_TRUE(db->Execute("BEGIN; INSERT INTO t VALUES (2); UPDATE t SET a = 10 WHERE a = 1; ROLLBACK").ok());
  auto result = db->Execute("SELECT a FROM t ORDER BY a");
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result->rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(result->rows[0][0]), 1);
}

}  // namespace
}  // namespace indexie
