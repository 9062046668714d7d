// query_test.cc: ranges are normalized exactly, and the executor returns the
// rows of a where-clause in index order over every index layout, with
// reverse, offset, limit, distinct, unique keys, sorting, counts and
// aggregates.
#include "indexie/query.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "indexie/key_codec.h"
#include "indexie/page_vfs.h"
#include "value_builder.h"

namespace indexie {
namespace {

KeyRangeSpec Between(std::optional<Key> lo, std::optional<Key> hi, bool lo_open = false, bool hi_open = false) {
  KeyRangeSpec r;
  r.lower = std::move(lo);
  r.upper = std::move(hi);
  r.lower_open = lo_open;
  r.upper_open = hi_open;
  return r;
}

KeyRangeSpec Prefix(const std::string& s) {
  KeyRangeSpec r;
  r.kind = KeyRangeSpec::Kind::kStringPrefix;
  r.lower = Key::String(s);
  return r;
}

class QueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PageVfsDeleteFile("query_test");
    auto db = Database::Open("query_test");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->SetSchema({{"people", "++id, name, &email, age, *tags, [age+name]"}}).ok());
    const struct {
      const char* name;
      double age;
      std::vector<std::string> tags;
    } people[] = {
        {"Carl", 30, {"a", "b"}}, {"Ada", 25, {"b"}}, {"Bob", 30, {}}, {"Ada", 41, {"a", "c"}}, {"Dan", 19, {"c"}},
    };
    std::vector<std::string> values;
    for (size_t i = 0; i < 5; ++i) {
      V tags;
      cbor::WriteHeader(cbor::kArray, people[i].tags.size(), &tags.bytes);
      for (const auto& t : people[i].tags) cbor::WriteText(t, &tags.bytes);
      values.push_back(V::Obj({{"name", V::Str(people[i].name)},
                               {"email", V::Str(std::string("e") + std::to_string(i))},
                               {"age", V::Num(people[i].age)},
                               {"tags", tags}})
                           .bytes);
    }
    std::vector<std::string_view> views(values.begin(), values.end());
    ASSERT_TRUE(db_->Write("people", WriteMode::kAdd, views, nullptr).failures.empty());
  }
  void TearDown() override {
    db_.reset();
    PageVfsDeleteFile("query_test");
  }

  // Primary keys of the rows, as numbers.
  std::vector<double> Ids(const QuerySpec& spec) {
    QueryExecutor executor(db_.get());
    auto rows = executor.Run(spec, false);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<double> ids;
    if (rows.ok())
      for (const auto& row : rows.value()) ids.push_back(DecodeKey(row.primary_key).value().number);
    return ids;
  }

  QuerySpec On(const std::string& index, std::vector<KeyRangeSpec> ranges) {
    QuerySpec spec;
    spec.table = "people";
    spec.index = index;
    spec.ranges = NormalizeRanges(ranges);
    return spec;
  }

  std::unique_ptr<Database> db_;
};

TEST(NormalizeRanges, DropsEmptyAndMergesOverlapping) {
  EXPECT_TRUE(NormalizeRanges({Between(Key::Number(5), Key::Number(1))}).empty());
  EXPECT_TRUE(NormalizeRanges({Between(Key::Number(1), Key::Number(1), true, false)}).empty());
  EXPECT_EQ(NormalizeRanges({Between(Key::Number(1), Key::Number(1))}).size(), 1u);
  auto merged = NormalizeRanges({Between(Key::Number(5), Key::Number(9)), Between(Key::Number(1), Key::Number(6)),
                                 Between(Key::Number(20), std::nullopt)});
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].lo, EncodeKey(Key::Number(1)));
  EXPECT_EQ(*merged[0].hi, EncodeKey(Key::Number(9)) + '\xFF');
  EXPECT_FALSE(merged[1].hi);
}

TEST_F(QueryTest, PrimaryKeyRanges) {
  EXPECT_EQ(Ids(On("", {Between(Key::Number(2), Key::Number(4))})), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(Ids(On("", {Between(Key::Number(2), Key::Number(4), true, true)})), (std::vector<double>{3}));
  EXPECT_EQ(Ids(On("", {Between(std::nullopt, Key::Number(2))})), (std::vector<double>{1, 2}));
  QuerySpec reversed = On("", {Between(Key::Number(2), std::nullopt)});
  reversed.reverse = true;
  EXPECT_EQ(Ids(reversed), (std::vector<double>{5, 4, 3, 2}));
}

TEST_F(QueryTest, IndexOrderIsIndexKeyThenPrimaryKeyAndReverseFlipsBoth) {
  QuerySpec spec = On("name", {Between(std::nullopt, std::nullopt)});
  EXPECT_EQ(Ids(spec), (std::vector<double>{2, 4, 3, 1, 5}));  // Ada(2), Ada(4), Bob, Carl, Dan
  spec.reverse = true;
  EXPECT_EQ(Ids(spec), (std::vector<double>{5, 1, 3, 4, 2}));
}

TEST_F(QueryTest, UniqueIndexAndStringPrefix) {
  EXPECT_EQ(Ids(On("email", {Between(Key::String("e1"), Key::String("e3"))})), (std::vector<double>{2, 3, 4}));
  EXPECT_EQ(Ids(On("name", {Prefix("A")})), (std::vector<double>{2, 4}));
  EXPECT_EQ(Ids(On("name", {Prefix("")})).size(), 5u);
  EXPECT_TRUE(Ids(On("name", {Prefix("Z")})).empty());
}

TEST_F(QueryTest, SeveralRangesComeInOrderAndOffsetLimitApplyAcrossThem) {
  QuerySpec spec = On("age", {Between(Key::Number(41), Key::Number(41)), Between(Key::Number(19), Key::Number(25))});
  EXPECT_EQ(Ids(spec), (std::vector<double>{5, 2, 4}));
  spec.offset = 1;
  spec.limit = 1;
  EXPECT_EQ(Ids(spec), (std::vector<double>{2}));
  spec.offset = 10;
  EXPECT_TRUE(Ids(spec).empty());
  spec.offset = 0;
  spec.limit = 0;
  EXPECT_TRUE(Ids(spec).empty());
}

TEST_F(QueryTest, MultiEntryDuplicatesAndDistinct) {
  QuerySpec spec = On("tags", {Between(Key::String("a"), Key::String("b"))});
  EXPECT_EQ(Ids(spec), (std::vector<double>{1, 4, 1, 2}));
  spec.distinct = true;
  EXPECT_EQ(Ids(spec), (std::vector<double>{1, 4, 2}));
  QueryExecutor executor(db_.get());
  EXPECT_EQ(executor.Count(spec).value(), 3);
  spec.distinct = false;
  EXPECT_EQ(executor.Count(spec).value(), 4);
}

TEST_F(QueryTest, UniqueKeys) {
  QuerySpec spec = On("name", {Between(std::nullopt, std::nullopt)});
  spec.unique_keys = true;
  QueryExecutor executor(db_.get());
  auto rows = executor.Run(spec, false);
  ASSERT_TRUE(rows.ok());
  std::vector<std::string> names;
  for (const auto& row : rows.value()) names.push_back(DecodeKey(row.key).value().bytes);
  EXPECT_EQ(names, (std::vector<std::string>{"Ada", "Bob", "Carl", "Dan"}));
  // Each key's row is the one with the lowest primary key, in both directions (IndexedDB's
  // nextunique / prevunique); offset and limit count unique keys.
  EXPECT_EQ(Ids(spec), (std::vector<double>{2, 3, 1, 5}));
  spec.reverse = true;
  EXPECT_EQ(Ids(spec), (std::vector<double>{5, 1, 3, 2}));
  spec.offset = 1;
  spec.limit = 2;
  EXPECT_EQ(Ids(spec), (std::vector<double>{1, 3}));
}

TEST_F(QueryTest, CompoundIndexPrefixServesTheFirstField) {
  KeyRangeSpec age30;
  age30.kind = KeyRangeSpec::Kind::kArrayPrefix;
  age30.lower = Key::Array({Key::Number(30)});
  age30.upper = Key::Array({Key::Number(30)});
  EXPECT_EQ(Ids(On("[age+name]", {age30})), (std::vector<double>{3, 1}));  // Bob, Carl
  KeyRangeSpec over25 = age30;
  over25.lower = Key::Array({Key::Number(25)});
  over25.lower_open = true;
  over25.upper = std::nullopt;
  EXPECT_EQ(Ids(On("[age+name]", {over25})), (std::vector<double>{3, 1, 4}));
}

TEST_F(QueryTest, OrderByValuePathsWithMixedDirections) {
  QuerySpec spec = On("", {Between(std::nullopt, std::nullopt)});
  spec.order_by = {SortField{{"name"}, false}, SortField{{"age"}, true}};
  EXPECT_EQ(Ids(spec), (std::vector<double>{4, 2, 3, 1, 5}));  // Ada 41, Ada 25, Bob, Carl, Dan
  spec.offset = 1;
  spec.limit = 2;
  EXPECT_EQ(Ids(spec), (std::vector<double>{2, 3}));
}

TEST_F(QueryTest, CountWithoutValues) {
  QueryExecutor executor(db_.get());
  QuerySpec spec = On("age", {Between(Key::Number(20), std::nullopt)});
  EXPECT_EQ(executor.Count(spec).value(), 4);
  spec.offset = 1;
  spec.limit = 2;
  EXPECT_EQ(executor.Count(spec).value(), 2);
  EXPECT_EQ(executor.Count(On("age", {})).value(), 0);
}

TEST_F(QueryTest, Aggregates) {
  QueryExecutor executor(db_.get());
  QuerySpec all = On("", {Between(std::nullopt, std::nullopt)});
  EXPECT_EQ(executor.Aggregate(all, AggregateOp::kSum, {"age"}).value()->number, 145);
  EXPECT_EQ(executor.Aggregate(all, AggregateOp::kAvg, {"age"}).value()->number, 29);
  EXPECT_EQ(executor.Aggregate(all, AggregateOp::kMin, {"age"}).value()->number, 19);
  EXPECT_EQ(executor.Aggregate(all, AggregateOp::kMax, {"name"}).value()->bytes, "Dan");
  EXPECT_FALSE(executor.Aggregate(all, AggregateOp::kAvg, {"missing"}).value());
  QuerySpec thirty = On("age", {Between(Key::Number(30), Key::Number(30))});
  EXPECT_EQ(executor.Aggregate(thirty, AggregateOp::kSum, {"age"}).value()->number, 60);
}

TEST_F(QueryTest, BatchesResumeAfterWritesBetweenThem) {
  QueryExecutor executor(db_.get());
  QuerySpec spec = On("", {Between(std::nullopt, std::nullopt)});
  ScanPosition position;
  std::vector<QueryRow> rows;
  ASSERT_TRUE(executor.ScanBatch(spec, &position, 2, true, &rows).ok());
  ASSERT_EQ(rows.size(), 2u);
  // Delete the next record between batches: the scan continues past it.
  ASSERT_TRUE(db_->Delete("people", {Key::Number(3)}).ok());
  ASSERT_TRUE(executor.ScanBatch(spec, &position, 10, true, &rows).ok());
  std::vector<double> ids;
  for (const auto& row : rows) ids.push_back(DecodeKey(row.primary_key).value().number);
  EXPECT_EQ(ids, (std::vector<double>{1, 2, 4, 5}));
  EXPECT_TRUE(position.done);
}

// Values of an index scan come from the store in the same statement: every
// layout returns each row's own record, in index order, in batches and at
// once; a store that lost a record the index points at is Corruption.
TEST_F(QueryTest, IndexScansReturnEachRowsOwnValue) {
  QueryExecutor executor(db_.get());
  for (const char* index : {"name", "email", "tags", "[age+name]"}) {
    QuerySpec spec = On(index, {Between(std::nullopt, std::nullopt)});
    auto rows = executor.Run(spec, true);
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_FALSE(rows.value().empty());
    ScanPosition position;
    std::vector<QueryRow> batched;
    while (!position.done) ASSERT_TRUE(executor.ScanBatch(spec, &position, 2, true, &batched).ok());
    ASSERT_EQ(batched.size(), rows.value().size()) << index;
    for (size_t i = 0; i < batched.size(); ++i) {
      const QueryRow& row = rows.value()[i];
      auto stored = db_->ReadRecord("people", row.primary_key);
      ASSERT_TRUE(stored.ok() && stored.value());
      EXPECT_EQ(*row.value, *stored.value()) << index << " row " << i;
      EXPECT_EQ(batched[i].primary_key, row.primary_key);
      EXPECT_EQ(*batched[i].value, *row.value);
    }
  }
  EXPECT_EQ(Ids(On("name", {Between(std::nullopt, std::nullopt)})), (std::vector<double>{2, 4, 3, 1, 5}));
  // With an offset (SQLite skips rows, values read afterwards), each row still has its own value.
  QuerySpec page = On("name", {Between(std::nullopt, std::nullopt)});
  page.offset = 2;
  page.limit = 2;
  auto paged = executor.Run(page, true);
  ASSERT_TRUE(paged.ok());
  ASSERT_EQ(paged.value().size(), 2u);
  for (const QueryRow& row : paged.value()) EXPECT_EQ(*row.value, *db_->ReadRecord("people", row.primary_key).value());
  EXPECT_EQ(DecodeKey(paged.value()[0].primary_key).value().number, 3);

  // Remove record 2 behind the engine's back.
  auto layout = db_->LayoutOf("people", "");
  ASSERT_TRUE(layout.ok());
  auto stmt = db_->sql().Prepare("DELETE FROM s" + std::to_string(layout.value().store) + " WHERE k = ?");
  ASSERT_TRUE(stmt.ok());
  const std::string pk = EncodeKey(Key::Number(2));
  ASSERT_EQ(stmt.value()->BindBlob(1, pk).Step(), SQLITE_DONE);
  stmt.value()->Reset();
  for (const char* index : {"name", "email"}) {
    auto rows = executor.Run(On(index, {Between(std::nullopt, std::nullopt)}), true);
    EXPECT_EQ(rows.status().code(), StatusCode::kCorruption) << index;
    EXPECT_NE(rows.status().message().find("points at a record that does not exist"), std::string::npos);
  }
}

}  // namespace
}  // namespace indexie
