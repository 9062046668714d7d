// live_sets_test.cc: reads record exactly what they depended on, writes log
// old and new index columns, and a read set intersects a change set only
// when the change could alter what was read (DESIGN §8). All on real SQLite.
#include <gtest/gtest.h>

#include <functional>

#include "indexie/change_set.h"
#include "indexie/database.h"
#include "indexie/key_codec.h"
#include "indexie/page_vfs.h"
#include "indexie/query.h"
#include "indexie/read_set.h"
#include "value_builder.h"

namespace indexie {
namespace {

KeyRangeSpec Between(double lo, double hi) {
  KeyRangeSpec r;
  r.lower = Key::Number(lo);
  r.upper = Key::Number(hi);
  return r;
}

std::string Person(double id, const std::string& name, double age) {
  return V::Obj({{"id", V::Num(id)}, {"name", V::Str(name)}, {"age", V::Num(age)}}).bytes;
}

class LiveSetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PageVfsDeleteFile("live_sets_test");
    auto db = Database::Open("live_sets_test");
    ASSERT_TRUE(db.ok());
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->SetSchema({{"people", "id, name, age"}, {"pets", "id"}}).ok());
    for (double id = 1; id <= 6; ++id) Put("people", Person(id, std::string(1, static_cast<char>('A' + id)), id * 10));
    (void)db_->TakeChanges();
  }
  void TearDown() override {
    db_.reset();
    PageVfsDeleteFile("live_sets_test");
  }

  void Put(const std::string& table, const std::string& value) {
    std::vector<std::string_view> values{value};
    ASSERT_TRUE(db_->Write(table, WriteMode::kPut, values, nullptr).failures.empty());
  }
  void Delete(double id) { ASSERT_TRUE(db_->Delete("people", {Key::Number(id)}).ok()); }

  QuerySpec Ages(double lo, double hi) {
    QuerySpec spec;
    spec.table = "people";
    spec.index = "age";
    spec.ranges = NormalizeRanges({Between(lo, hi)});
    return spec;
  }

  // Records what `read` reads, then whether `write` re-runs it.
  bool Reruns(const std::function<void(QueryExecutor&)>& read, const std::function<void()>& write) {
    ReadSet reads;
    db_->set_read_recorder(&reads);
    QueryExecutor executor(db_.get());
    read(executor);
    db_->set_read_recorder(nullptr);
    EXPECT_FALSE(reads.empty());
    write();
    return reads.Intersects(db_->TakeChanges());
  }

  std::unique_ptr<Database> db_;
};

TEST_F(LiveSetsTest, ValueReadOfARangeRerunsOnlyForRowsWhoseOldOrNewKeyIsInside) {
  auto read = [&](QueryExecutor& q) { ASSERT_TRUE(q.Run(Ages(20, 30), true).ok()); };
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(7, "X", 50)); }));               // insert outside
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(6, "Y", 55)); }));               // update outside -> outside
  EXPECT_FALSE(Reruns(read, [&] { Delete(5); }));                                       // delete outside
  EXPECT_FALSE(Reruns(read, [&] { Put("pets", V::Obj({{"id", V::Num(1)}}).bytes); }));  // other table
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(8, "Z", 25)); }));                // insert inside
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(2, "B2", 20)); }));               // update inside, key kept
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(6, "Y", 30)); }));                // moves in
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(3, "C", 99)); }));                // moves out
  EXPECT_TRUE(Reruns(read, [&] { Delete(2); }));                                        // delete inside
  EXPECT_TRUE(Reruns(read, [&] { ASSERT_TRUE(db_->Clear("people").ok()); }));
}

TEST_F(LiveSetsTest, CountsRerunOnlyWhenAnEntryAppearsOrDisappearsInTheRange) {
  auto read = [&](QueryExecutor& q) { ASSERT_TRUE(q.Count(Ages(20, 30)).ok()); };
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(2, "renamed", 20)); }));  // same age, other field
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(7, "X", 50)); }));
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(2, "B", 45)); }));
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(7, "X", 21)); }));
  auto total = [&](QueryExecutor&) { ASSERT_TRUE(db_->Count("people").ok()); };
  EXPECT_FALSE(Reruns(total, [&] { Put("people", Person(1, "renamed", 10)); }));
  EXPECT_TRUE(Reruns(total, [&] { Delete(1); }));
}

TEST_F(LiveSetsTest, ALimitedScanRecordsOnlyUpToTheLastRowItLookedAt) {
  // Names are B..G; the first two by name are B (id 1) and C (id 2).
  QuerySpec spec;
  spec.table = "people";
  spec.index = "name";
  spec.ranges = AllKeys();
  spec.limit = 2;
  auto read = [&](QueryExecutor& q) {
    auto rows = q.Run(spec, true);
    ASSERT_TRUE(rows.ok());
    ASSERT_EQ(rows.value().size(), 2u);
  };
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(9, "Zed", 1)); }));
  EXPECT_FALSE(Reruns(read, [&] { Delete(6); }));
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(9, "Aaron", 1)); }));  // now first: Aaron, B
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(5, "Bz", 50)); }));   // F -> Bz: after B
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(5, "Ab", 50)); }));    // between Aaron and B
  spec.reverse = true;                                                       // the last two: E, D
  EXPECT_FALSE(Reruns(read, [&] { Put("people", Person(9, "A0", 1)); }));
  EXPECT_TRUE(Reruns(read, [&] { Put("people", Person(9, "Zz", 1)); }));
}

TEST_F(LiveSetsTest, PointReadsRerunForTheirOwnKeyOnly) {
  auto get3 = [&](QueryExecutor&) { ASSERT_TRUE(db_->Get("people", Key::Number(3)).ok()); };
  EXPECT_FALSE(Reruns(get3, [&] { Put("people", Person(4, "D", 1)); }));
  EXPECT_TRUE(Reruns(get3, [&] { Put("people", Person(3, "C", 31)); }));
  auto missing = [&](QueryExecutor&) { ASSERT_TRUE(db_->Get("people", Key::Number(42)).ok()); };
  EXPECT_TRUE(Reruns(missing, [&] { Put("people", Person(42, "new", 1)); }));
  auto by_name = [&](QueryExecutor&) { ASSERT_TRUE(db_->GetByIndex("people", "name", Key::String("C")).ok()); };
  EXPECT_FALSE(Reruns(by_name, [&] { Put("people", Person(4, "D2", 1)); }));
  EXPECT_TRUE(Reruns(by_name, [&] { Put("people", Person(4, "C", 1)); }));
}

TEST_F(LiveSetsTest, SchemaChangesAndBigWritesDegradeToCoarserChanges) {
  ASSERT_TRUE(db_->SetSchema({{"people", "id, name, age, email"}, {"pets", "id"}}).ok());
  EXPECT_TRUE(db_->TakeChanges().everything());
  for (size_t i = 0; i <= ChangeSet::kMaxRecordsPerTable; ++i) Put("people", Person(100.0 + i, "n", 1));
  const ChangeSet big = db_->TakeChanges();
  ASSERT_EQ(big.tables().count("people"), 1u);
  EXPECT_TRUE(big.tables().at("people").whole_table);
  EXPECT_TRUE(big.tables().at("people").records.empty());
  EXPECT_TRUE(db_->TakeChanges().empty());  // taking empties the log
}

TEST_F(LiveSetsTest, ChangeSetsSurviveTheWireFormat) {
  Put("people", Person(2, "B", 25));
  Delete(3);
  ASSERT_TRUE(db_->Clear("pets").ok());
  const ChangeSet original = db_->TakeChanges();
  auto parsed = ChangeSet::Parse(original.Serialize());
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed.value().Serialize(), original.Serialize());
  const RecordChange& update = parsed.value().tables().at("people").records[0];
  EXPECT_TRUE(update.existed_before && update.exists_after);
  EXPECT_EQ(update.primary_key, EncodeKey(Key::Number(2)));
  const RecordChange& removal = parsed.value().tables().at("people").records[1];
  EXPECT_TRUE(removal.existed_before && !removal.exists_after);
  EXPECT_TRUE(parsed.value().tables().at("pets").whole_table);

  const std::string bytes = original.Serialize();
  EXPECT_EQ(ChangeSet::Parse(bytes.substr(0, bytes.size() - 1)).status().code(), StatusCode::kData);
  EXPECT_EQ(ChangeSet::Parse("").status().code(), StatusCode::kData);
  std::string future = bytes;
  future[1] = 2;  // format number
  EXPECT_EQ(ChangeSet::Parse(future).status().code(), StatusCode::kData);
}

TEST_F(LiveSetsTest, MergedReadSetsAndChangeSetsKeepEveryPart) {
  ReadSet a, b;
  db_->set_read_recorder(&a);
  ASSERT_TRUE(db_->Get("people", Key::Number(1)).ok());
  db_->set_read_recorder(&b);
  ASSERT_TRUE(db_->Get("people", Key::Number(5)).ok());
  db_->set_read_recorder(nullptr);
  a.Merge(b);
  Put("people", Person(5, "F", 5));
  ChangeSet changes = db_->TakeChanges();
  EXPECT_TRUE(a.Intersects(changes));
  ChangeSet merged;
  merged.Merge(changes);
  EXPECT_TRUE(b.Intersects(merged));
  a.Clear();
  EXPECT_FALSE(a.Intersects(merged));
}

// The read-set wire format (read_set.h): what one side records, the other
// side matches exactly; anything malformed is a DataError that merges nothing.
TEST_F(LiveSetsTest, ReadSetsSurviveTheWireFormat) {
  ReadSet original;
  db_->set_read_recorder(&original);
  QueryExecutor executor(db_.get());
  ASSERT_TRUE(executor.Run(Ages(20, 30), true).ok());
  ASSERT_TRUE(executor.Count(Ages(50, 60)).ok());
  ASSERT_TRUE(db_->Get("people", Key::Number(6)).ok());
  QuerySpec open_ended;  // unbounded above: hi is null on the wire
  open_ended.table = "people";
  open_ended.index = "name";
  open_ended.ranges = AllKeys();
  ASSERT_TRUE(executor.Count(open_ended).ok());
  db_->set_read_recorder(nullptr);
  const std::string bytes = original.Serialize();

  ReadSet copy;
  ASSERT_TRUE(copy.MergeSerialized(bytes).ok());
  EXPECT_EQ(copy.Serialize(), bytes);
  // Writes the copy must agree on: some re-run the reads, some do not.
  const std::vector<std::function<void()>> writes = {
      [&] { Put("people", Person(7, "X", 55)); },   // into the counted range
      [&] { Put("people", Person(2, "B", 21)); },   // inside the value range
      [&] { Put("people", Person(4, "D", 45)); },   // moves out of [20, 30]
      [&] { Put("people", Person(5, "E", 50)); },   // same keys, outside the value range
      [&] { Put("people", Person(6, "F2", 60)); },  // the point read
      [&] {
        Put("pets", V::Obj({{"id", V::Num(1)}}).bytes);
      },
  };
  int reruns = 0;
  for (const auto& write : writes) {
    write();
    const ChangeSet changes = db_->TakeChanges();
    EXPECT_EQ(copy.Intersects(changes), original.Intersects(changes));
    reruns += original.Intersects(changes) ? 1 : 0;
  }
  EXPECT_GT(reruns, 0);
  EXPECT_LT(reruns, static_cast<int>(writes.size()));

  // Malformed: every truncation, a future format, trailing bytes, a wrong type.
  ReadSet target;
  ASSERT_TRUE(db_->Get("people", Key::Number(1)).ok());
  target.AddPrimaryKey("people", EncodeKey(Key::Number(1)));
  const std::string before = target.Serialize();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_EQ(target.MergeSerialized(bytes.substr(0, cut)).code(), StatusCode::kData) << cut;
  }
  std::string future = bytes;
  future[1] = 2;  // the format number
  EXPECT_EQ(target.MergeSerialized(future).code(), StatusCode::kData);
  EXPECT_EQ(target.MergeSerialized(bytes + '\0').code(), StatusCode::kData);
  std::string text_for_bytes = bytes;
  size_t lo = 4;  // the first range: [lo: bytes, hi]
  while (lo + 1 < bytes.size() &&
         !(static_cast<uint8_t>(bytes[lo]) == 0x82 && static_cast<uint8_t>(bytes[lo + 1]) >> 5 == cbor::kBytes)) {
    ++lo;
  }
  ASSERT_LT(lo + 1, bytes.size());
  text_for_bytes[lo + 1] = static_cast<char>(text_for_bytes[lo + 1] + 0x20);  // bytes -> text
  EXPECT_EQ(target.MergeSerialized(text_for_bytes).code(), StatusCode::kData);
  EXPECT_EQ(target.Serialize(), before);  // nothing merged by any of them
}

}  // namespace
}  // namespace indexie
