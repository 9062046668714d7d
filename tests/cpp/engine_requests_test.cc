// engine_requests_test.cc: the engine's request protocol (engine_requests.h)
// on real SQLite: a batch runs every operation in order and answers one
// result each; a failure stays in its own result; malformed requests get
// InternalError results, never a crash; a cursor opens and reads in one batch.
#include "indexie/engine_requests.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "indexie/page_vfs.h"
#include "indexie/read_set.h"
#include "value_builder.h"

namespace indexie {
namespace {

// One result of a response: ok, and the encoded value or the failure's code.
struct ResultItem {
  bool ok = false;
  std::string value;  // the encoded value (ok) or the code name (failed)
  std::string message;
};

std::string TextAt(std::string_view in, size_t* pos) {
  cbor::Header h;
  EXPECT_TRUE(cbor::ReadHeader(in, pos, &h));
  EXPECT_EQ(h.major, cbor::kText);
  std::string text(in.substr(*pos, h.arg));
  *pos += h.arg;
  return text;
}

std::vector<ResultItem> Results(const std::string& response) {
  size_t pos = 0;
  cbor::Header batch;
  EXPECT_TRUE(cbor::ReadHeader(response, &pos, &batch));
  EXPECT_EQ(batch.major, cbor::kArray);
  std::vector<ResultItem> results;
  for (uint64_t i = 0; i < batch.arg; ++i) {
    cbor::Header pair;
    EXPECT_TRUE(cbor::ReadHeader(response, &pos, &pair));
    ResultItem item;
    item.ok = static_cast<uint8_t>(response[pos++]) == 0xF5;
    if (item.ok) {
      EXPECT_EQ(pair.arg, 2u);
      const size_t start = pos;
      EXPECT_TRUE(cbor::SkipItem(response, &pos));
      item.value = response.substr(start, pos - start);
    } else {
      EXPECT_EQ(pair.arg, 3u);
      item.value = TextAt(response, &pos);
      item.message = TextAt(response, &pos);
    }
    results.push_back(item);
  }
  EXPECT_EQ(pos, response.size());
  return results;
}

V Query(const std::string& table, const std::string& index) {
  return V::Arr({V::Str(table), V::Str(index), V::Bool(false), V::Bool(false), V::Bool(false), V::Num(0), V::Num(-1),
                 V::Arr({})});
}

class EngineRequestsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = std::string("engine_requests_test_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    PageVfsDeleteFile(name_);
    auto session = EngineSession::Open(name_);
    ASSERT_TRUE(session.ok()) << session.status().ToString();
    session_ = std::move(session).value();
    auto results = Run({RequestOp(EngineOp::kSetSchema, {V::Obj({{"users", V::Str("++id, name")}})})});
    ASSERT_TRUE(results[0].ok) << results[0].value << ": " << results[0].message;
  }
  void TearDown() override {
    session_.reset();
    PageVfsDeleteFile(name_);
  }

  std::vector<ResultItem> Run(std::initializer_list<V> ops) { return Results(session_->Execute(V::Arr(ops).bytes)); }

  std::string name_;
  std::unique_ptr<EngineSession> session_;
};

TEST_F(EngineRequestsTest, AWriteAndItsReadsRunInOneBatchInOrder) {
  const V ada = V::Obj({{"name", V::Str("Ada")}});
  auto results = Run({
      RequestOp(EngineOp::kWrite,
                {V::Str("users"), V::Bool(true), V::Arr({ada, V::Obj({{"name", V::Str("Bo")}})}), V::Null()}),
      RequestOp(EngineOp::kCount, {V::Str("users")}),
      RequestOp(EngineOp::kGet, {V::Str("users"), V::Num(1)}),
      RequestOp(EngineOp::kTakeChanges),
  });
  ASSERT_EQ(results.size(), 4u);
  for (const auto& result : results) EXPECT_TRUE(result.ok) << result.value << ": " << result.message;
  // [[1, 2], []]: the generated keys, no failures.
  EXPECT_EQ(results[0].value, V::Arr({V::Arr({V::Num(1), V::Num(2)}), V::Arr({})}).bytes);
  EXPECT_EQ(results[1].value, V::Num(2).bytes);
  // The stored value is the written one with its generated key injected.
  EXPECT_EQ(results[2].value, V::Obj({{"name", V::Str("Ada")}, {"id", V::Num(1)}}).bytes);
  EXPECT_EQ(static_cast<uint8_t>(results[3].value[0]) >> 5, cbor::kBytes);  // the change log
}

TEST_F(EngineRequestsTest, AFailedOperationFailsAloneWithItsCode) {
  auto results = Run({
      RequestOp(EngineOp::kGet, {V::Str("nope"), V::Num(1)}),
      RequestOp(EngineOp::kGet, {V::Str("users"), V::Bool(true)}),
      RequestOp(EngineOp::kCount, {V::Str("users")}),
  });
  ASSERT_EQ(results.size(), 3u);
  EXPECT_FALSE(results[0].ok);
  EXPECT_EQ(results[0].value, "InvalidTableError");
  EXPECT_FALSE(results[1].ok);
  EXPECT_EQ(results[1].value, "DataError");
  EXPECT_TRUE(results[2].ok);
  EXPECT_EQ(results[2].value, V::Num(0).bytes);
}

TEST_F(EngineRequestsTest, BulkWriteFailuresComeBackByPosition) {
  auto results = Run(
      {RequestOp(EngineOp::kWrite, {V::Str("users"), V::Bool(true),
                                    V::Arr({V::Obj({{"id", V::Num(5)}}), V::Obj({{"id", V::Num(5)}})}), V::Null()})});
  ASSERT_TRUE(results[0].ok);
  size_t pos = 0;
  cbor::Header h;
  ASSERT_TRUE(cbor::ReadHeader(results[0].value, &pos, &h));  // [keys, failures]
  ASSERT_TRUE(cbor::SkipItem(results[0].value, &pos));        // keys: [5, undefined]
  ASSERT_TRUE(cbor::ReadHeader(results[0].value, &pos, &h));
  EXPECT_EQ(h.arg, 1u);  // one failure
  ASSERT_TRUE(cbor::ReadHeader(results[0].value, &pos, &h));
  ASSERT_TRUE(cbor::ReadHeader(results[0].value, &pos, &h));
  EXPECT_EQ(h.arg, 1u);  // at position 1
  EXPECT_EQ(TextAt(results[0].value, &pos), "ConstraintError");
}

TEST_F(EngineRequestsTest, ACursorOpensAndReadsInOneBatchAndClosesWhenDone) {
  Run({RequestOp(EngineOp::kWrite,
                 {V::Str("users"), V::Bool(true),
                  V::Arr({V::Obj({{"name", V::Str("a")}}), V::Obj({{"name", V::Str("b")}})}), V::Null()})});
  auto results = Run({
      RequestOp(EngineOp::kOpenCursor, {Query("users", "name"), V::Null()}),
      RequestOp(EngineOp::kCursorNext, {V::Num(0), V::Num(1), V::Str("values")}),
  });
  ASSERT_TRUE(results[0].ok && results[1].ok) << results[1].value << results[1].message;
  const std::string id = results[0].value;
  // [bytes, done=false]: one of two rows.
  EXPECT_EQ(static_cast<uint8_t>(results[1].value.back()), 0xF4);
  auto rest = Results(
      session_->Execute(V::Arr({RequestOp(EngineOp::kCursorNext, {V{id}, V::Num(10), V::Str("values")})}).bytes));
  ASSERT_TRUE(rest[0].ok);
  EXPECT_EQ(static_cast<uint8_t>(rest[0].value.back()), 0xF5);  // done
  // Done closed it: another batch is an error, not a read of freed state.
  auto after = Results(
      session_->Execute(V::Arr({RequestOp(EngineOp::kCursorNext, {V{id}, V::Num(10), V::Str("values")})}).bytes));
  EXPECT_FALSE(after[0].ok);
  EXPECT_EQ(after[0].value, "InternalError");
}

TEST_F(EngineRequestsTest, MalformedRequestsAreInternalErrorsNotCrashes) {
  // Not an array.
  auto results = Results(session_->Execute(V::Num(3).bytes));
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].value, "InternalError");
  // An unknown opcode, a wrong argument type, too many arguments: each fails alone.
  results = Run({
      V::Arr({V::Num(999)}),
      RequestOp(EngineOp::kCount, {V::Num(1)}),
      RequestOp(EngineOp::kCount, {V::Str("users"), V::Str("extra")}),
      RequestOp(EngineOp::kCount, {V::Str("users")}),
  });
  ASSERT_EQ(results.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(results[i].value, "InternalError") << i;
  EXPECT_TRUE(results[3].ok);
  // A batch cut short: the operations that cannot be framed fail, one result each.
  std::string cut =
      V::Arr({RequestOp(EngineOp::kCount, {V::Str("users")}), RequestOp(EngineOp::kCount, {V::Str("users")})}).bytes;
  cut.resize(cut.size() - 3);
  results = Results(session_->Execute(cut));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_EQ(results[1].value, "InternalError");
}

TEST_F(EngineRequestsTest, FailAllAnswersEveryOperation) {
  const std::string request =
      V::Arr({RequestOp(EngineOp::kInfo), RequestOp(EngineOp::kCount, {V::Str("users")})}).bytes;
  auto results = Results(EngineSession::FailAll(request, Status(StatusCode::kDatabaseClosed, "closed")));
  ASSERT_EQ(results.size(), 2u);
  for (const auto& result : results) EXPECT_EQ(result.value, "DatabaseClosedError");
}

TEST_F(EngineRequestsTest, InfoDescribesTablesInTheJsShape) {
  auto results = Run({RequestOp(EngineOp::kInfo)});
  ASSERT_TRUE(results[0].ok);
  const std::string& info = results[0].value;
  EXPECT_NE(info.find("primKey"), std::string::npos);
  EXPECT_NE(info.find("++id"), std::string::npos);
  EXPECT_NE(info.find("name"), std::string::npos);
}

// The bytes of a byte-string result value.
std::string BytesOf(const std::string& value) {
  size_t pos = 0;
  cbor::Header h;
  EXPECT_TRUE(cbor::ReadHeader(value, &pos, &h));
  EXPECT_EQ(h.major, cbor::kBytes);
  return value.substr(pos);
}

// Read recording as engine ops (kRecordReads/kTakeReads): the read set a
// session records, serialized, merged into another ReadSet (as a live query
// in another tab or the main thread does), re-runs for exactly the changes
// the same reads recorded directly into a ReadSet re-run for.
TEST_F(EngineRequestsTest, ReadsRecordedThroughOpsIntersectExactlyTheChangesTheDirectRecordingDoes) {
  std::initializer_list<V> people = {
      V::Obj({{"name", V::Str("Ann")}}), V::Obj({{"name", V::Str("Bo")}}), V::Obj({{"name", V::Str("Cy")}}),
      V::Obj({{"name", V::Str("Di")}}),  V::Obj({{"name", V::Str("Ed")}}),
  };
  Run({RequestOp(EngineOp::kWrite, {V::Str("users"), V::Bool(true), V::Arr(people), V::Null()}),
       RequestOp(EngineOp::kTakeChanges)});
  // A point read, a limited index scan (Ann, Bo) and a count.
  auto reads = [&] {
    V limited = V::Arr({V::Str("users"), V::Str("name"), V::Bool(false), V::Bool(false), V::Bool(false), V::Num(0),
                        V::Num(2), V::Arr({})});
    return std::vector<V>{RequestOp(EngineOp::kGet, {V::Str("users"), V::Num(4)}),
                          RequestOp(EngineOp::kQuery, {limited, V::Null(), V::Str("values")}),
                          RequestOp(EngineOp::kQuery, {Query("users", ""), V::Null(), V::Str("count")})};
  };
  auto run = [&](std::vector<V> ops) {
    std::string request;
    cbor::WriteHeader(cbor::kArray, ops.size(), &request);
    for (const V& op : ops) request += op.bytes;
    return Results(session_->Execute(request));
  };

  ReadSet direct;
  session_->database().set_read_recorder(&direct);
  for (const auto& result : run(reads())) ASSERT_TRUE(result.ok) << result.message;
  session_->database().set_read_recorder(nullptr);

  std::vector<V> recorded = {RequestOp(EngineOp::kRecordReads, {V::Bool(true)})};
  for (V& op : reads()) recorded.push_back(std::move(op));
  recorded.push_back(RequestOp(EngineOp::kRecordReads, {V::Bool(false)}));
  recorded.push_back(RequestOp(EngineOp::kGet, {V::Str("users"), V::Num(5)}));  // not recorded: recording is off
  recorded.push_back(RequestOp(EngineOp::kTakeReads));
  recorded.push_back(RequestOp(EngineOp::kTakeReads));
  auto results = run(recorded);
  ASSERT_EQ(results.size(), 8u);
  for (const auto& result : results) ASSERT_TRUE(result.ok) << result.message;
  EXPECT_EQ(results[0].value, V::Null().bytes);
  const std::string bytes = BytesOf(results[6].value);
  ReadSet merged;
  ASSERT_TRUE(merged.MergeSerialized(bytes).ok());
  EXPECT_FALSE(merged.empty());
  ReadSet emptied;  // the second take: taking empties the session's set
  ASSERT_TRUE(emptied.MergeSerialized(BytesOf(results[7].value)).ok());
  EXPECT_TRUE(emptied.empty());

  // Each write, alone: does it re-run the recorded reads?
  const std::vector<std::pair<const char*, V>> writes = {
      {"insert past the limited scan",
       RequestOp(EngineOp::kWrite, {V::Str("users"), V::Bool(false),
                                    V::Arr({V::Obj({{"id", V::Num(9)}, {"name", V::Str("Zed")}})}), V::Null()})},
      {"update of the point read",
       RequestOp(EngineOp::kWrite,
                 {V::Str("users"), V::Bool(false),
                  V::Arr({V::Obj({{"id", V::Num(4)}, {"name", V::Str("Di")}, {"x", V::Num(1)}})}), V::Null()})},
      {"update of a record read by neither",
       RequestOp(EngineOp::kWrite,
                 {V::Str("users"), V::Bool(false),
                  V::Arr({V::Obj({{"id", V::Num(3)}, {"name", V::Str("Cy")}, {"x", V::Num(1)}})}), V::Null()})},
      {"update of a record the key-only read did not need",
       RequestOp(EngineOp::kWrite,
                 {V::Str("users"), V::Bool(false),
                  V::Arr({V::Obj({{"id", V::Num(5)}, {"name", V::Str("Ed")}, {"x", V::Num(2)}})}), V::Null()})},
      {"update inside the limited scan",
       RequestOp(EngineOp::kWrite,
                 {V::Str("users"), V::Bool(false),
                  V::Arr({V::Obj({{"id", V::Num(2)}, {"name", V::Str("Bo")}, {"x", V::Num(1)}})}), V::Null()})},
      {"delete (the count changes)", RequestOp(EngineOp::kDelete, {V::Str("users"), V::Arr({V::Num(3)})})},
  };
  int reruns = 0, skips = 0;
  for (const auto& [what, write] : writes) {
    auto done = run({write, RequestOp(EngineOp::kTakeChanges)});
    ASSERT_TRUE(done[0].ok && done[1].ok) << what << ": " << done[0].message;
    auto changes = ChangeSet::Parse(BytesOf(done[1].value));
    ASSERT_TRUE(changes.ok()) << what;
    const bool expected = direct.Intersects(changes.value());
    EXPECT_EQ(merged.Intersects(changes.value()), expected) << what;
    (expected ? reruns : skips)++;
  }
  // The comparison has cases on both sides (else it could not tell sets apart).
  EXPECT_EQ(reruns, 4);
  EXPECT_EQ(skips, 2);
}

TEST_F(EngineRequestsTest, RecordReadsTakesOneBoolean) {
  auto results = Run({RequestOp(EngineOp::kRecordReads), RequestOp(EngineOp::kRecordReads, {V::Num(1)}),
                      RequestOp(EngineOp::kTakeReads, {V::Num(1)})});
  ASSERT_EQ(results.size(), 3u);
  for (const auto& result : results) EXPECT_EQ(result.value, "InternalError");
}

}  // namespace
}  // namespace indexie
