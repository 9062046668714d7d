// make_seeds.cc: writes the seed corpora of the fuzz targets into
// tests/fuzz/corpus/<target>/ (committed; regenerate after a format change):
//   cmake --build build/fuzz --target indexie_fuzz_make_seeds
//   build/fuzz/tests/fuzz/indexie_fuzz_make_seeds tests/fuzz/corpus
// Each seed is a small valid input of its target, built with the engine's
// own writers, so that the fuzzers start from inputs that reach deep.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "../cpp/value_builder.h"
#include "indexie/change_set.h"
#include "indexie/database.h"
#include "indexie/engine_requests.h"
#include "indexie/key_codec.h"
#include "indexie/page_vfs.h"
#include "indexie/read_set.h"

using namespace indexie;
namespace fs = std::filesystem;

namespace {

fs::path root;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  fs::create_directories(root / target);
  std::ofstream(root / target / name, std::ios::binary) << bytes;
}

std::string Keys(std::initializer_list<Key> keys) {
  std::string out;
  for (const Key& key : keys) AppendEncodedKey(key, &out);
  return out;
}

void KeyCodecSeeds() {
  const double inf = std::numeric_limits<double>::infinity();
  Write("key_codec", "numbers",
        Keys({Key::Number(-inf), Key::Number(-1.5), Key::Number(0), Key::Number(42), Key::Number(5e-324),
              Key::Number(inf)}));
  Write("key_codec", "dates", Keys({Key::Date(0), Key::Date(1700000000123), Key::Number(1700000000123)}));
  Write("key_codec", "strings", Keys({Key::String(""), Key::String("a"), Key::String("ab"), Key::String("b")}));
  Write("key_codec", "string_nul", Keys({Key::String(std::string("a\0b", 3)), Key::String("a")}));
  Write("key_codec", "string_astral",
        Keys({Key::String("\xef\xbf\xbf"), Key::String("\xf0\x9f\x98\x80"), Key::String("\xf0\x9f\x98\x80x")}));
  Write("key_codec", "string_lone_surrogate", Keys({Key::String("\xed\xa0\xbd"), Key::String("\xf0\x9f\x98\x80")}));
  Write("key_codec", "binary", Keys({Key::Binary(""), Key::Binary(std::string("\0\0\xff", 3)), Key::Binary("\xff")}));
  Write("key_codec", "arrays",
        Keys({Key::Array({}), Key::Array({Key::Number(1)}), Key::Array({Key::Number(1), Key::String("a")}),
              Key::Array({Key::Array({Key::Binary("x")}), Key::Date(3)})}));
  Write("key_codec", "mixed", Keys({Key::String("name"), Key::Number(7)}));  // an index entry: key || primary key
  Write("key_codec", "not_a_key", std::string("\x30\x61\x00\x01", 4));
}

void ValueReaderSeeds() {
  auto seed = [](const std::string& name, const std::string& path, const V& value) {
    Write("value_reader", name, path + "\n" + value.bytes);
  };
  const V user = V::Obj({{"id", V::Num(7)},
                         {"name", V::Str("Ada")},
                         {"tags", V::Arr({V::Str("x"), V::Str("y"), V::Str("x"), V::Null()})},
                         {"address", V::Obj({{"city", V::Str("Oslo")}, {"zip", V::Num(150)}})},
                         {"born", V::Date(-1000)},
                         {"avatar", V::Buffer(std::string("\x89PNG\0", 5))}});
  seed("id", "id", user);
  seed("nested", "address.city", user);
  seed("compound", "[name+address.zip]", user);
  seed("multi_entry", "tags", user);
  seed("length", "name.length", user);
  seed("date", "born", user);
  seed("binary", "avatar", user);
  seed("missing", "address.street", user);
  seed("not_an_object", "name.first", user);
  seed("key_array", "", V::Arr({V::Num(1), V::Str("a"), V::Arr({V::Date(5)})}));
  seed("key_string", "", V::Str("\xf0\x9f\x98\x80"));
  seed("invalid_keys", "v", V::Obj({{"v", V::Arr({V::Bool(true), V::Undefined(), V::Num(NAN), V::Obj({})})}}));
  seed("map", "m.a", V::Obj({{"m", V::MapOf({{"a", V::Num(1)}})}}));
  // Value sharing: a shared object reached through a reference, and cycles.
  const V shared = V::Root(V::Obj({{"owner", V::Share(V::Obj({{"city", V::Str("Oslo")}}))},
                                   {"home", V::Ref(0)},
                                   {"tags", V::Share(V::Arr({V::Str("a"), V::Str("b")}))},
                                   {"also", V::Ref(1)}}));
  seed("shared_path", "home.city", shared);
  seed("shared_key", "also", shared);
  seed("shared_compound", "[home.city+also]", shared);
  seed("shared_inject", "home.id", shared);
  const V cyclic = V::Root(
      V::Share(V::Obj({{"id", V::Num(1)}, {"self", V::Ref(0)}, {"list", V::Share(V::Arr({V::Num(1), V::Ref(1)}))}})));
  seed("cycle_path", "self.self.id", cyclic);
  seed("cycle_key", "self.list", cyclic);
  seed("cycle_inject", "self.n", cyclic);
  seed("cycle_key_only", "", V::Root(V::Share(V::Arr({V::Ref(0)}))));
  // Views on part of a (shared) buffer.
  seed("buffer_view", "v",
       V::Root(V::Obj({{"b", V::Share(V::Buffer("abcdefgh"))}, {"v", V::View(69, V::Ref(0), 2, 3)}})));
  // Boxed primitives, Blobs and Files.
  const V objects = V::Obj({{"s", V::Boxed(V::Str("hello"))},
                            {"blob", V::BlobOf("text/plain", "hi")},
                            {"file", V::FileOf("image/png", "PNG", "cat.png", 1700000000000)}});
  seed("boxed_length", "s.length", objects);
  seed("blob_size", "blob.size", objects);
  seed("file_name", "file.name", objects);
  seed("file_type_length", "file.type.length", objects);
  Write("value_reader", "no_path", V::Obj({{"id", V::Str("k")}}).bytes);
}

void SchemaSeeds() {
  const std::vector<std::pair<std::string, std::string>> specs = {
      {"friends", "++id, name, &email, *tags"},
      {"people", "[first+last], address.city, [address.city+age]"},
      {"outbound", ""},
      {"outbound_auto", "++, a"},
      {"unique_pk", "&code, $weird_name, _x, ünïcödé"},
      {"spaces", " ++ id ,  & email , * tags "},
      {"bad_prefix", "id, ?x"},
      {"bad_compound", "id, *[a+b]"},
      {"duplicate", "id, a, a"},
      {"type_annotation", "id:number"},
  };
  for (const auto& [name, spec] : specs) Write("schema", name, name + "\n" + spec);
  Write("schema", "no_table_name", "++id,x");
}

void ChangeSetSeeds() {
  auto record = [](double pk, bool before, bool after) {
    RecordChange r;
    r.primary_key = EncodeKey(Key::Number(pk));
    r.existed_before = before;
    r.exists_after = after;
    IndexChange name{"name", {}, {}};
    if (before) name.before.push_back(EncodeKey(Key::String("old")) + r.primary_key);
    if (after) name.after.push_back(EncodeKey(Key::String("new")) + r.primary_key);
    r.indexes.push_back(name);
    r.indexes.push_back(IndexChange{"[a+b]", {}, {EncodeKey(Key::Array({Key::Number(1), Key::Number(2)}))}});
    return r;
  };
  ChangeSet empty;
  Write("change_set", "empty", empty.Serialize());
  ChangeSet records;
  records.AddRecord("users", record(1, false, true));
  records.AddRecord("users", record(2, true, true));
  records.AddRecord("users", record(3, true, false));
  records.AddRecord("tags", record(4, false, true));
  Write("change_set", "records", records.Serialize());
  ChangeSet whole = records;
  whole.AddWholeTable("users");
  Write("change_set", "whole_table", whole.Serialize());
  ChangeSet everything;
  everything.AddEverything();
  Write("change_set", "everything", everything.Serialize());
}

void ReadSetSeeds() {
  ReadSet empty;
  Write("read_set", "empty", empty.Serialize());
  ReadSet reads;
  reads.AddPrimaryKey("users", EncodeKey(Key::Number(7)));
  reads.Add("users", "name", ByteRange{EncodeKey(Key::String("a")), EncodeKey(Key::String("m"))},
            ReadSet::Kind::kValues);
  reads.Add("users", "name", ByteRange{EncodeKey(Key::String("x")), std::nullopt}, ReadSet::Kind::kKeys);
  reads.Add("tags", "", ByteRange{"", std::nullopt}, ReadSet::Kind::kKeys);
  Write("read_set", "ranges", reads.Serialize());
}

// A database built by the engine, its file copied out.
void PageFileSeed(const std::string& seed, int page_size, const std::map<std::string, std::string>& schema,
                  const std::map<std::string, std::vector<V>>& records) {
  const std::string name = "seed_" + seed;
  PageVfsDeleteFile(name);
  {
    auto db = Database::Open(name);
    if (!db.ok() || !db.value()->SetSchema(schema).ok() || !db.value()->SetVersion(3).ok()) std::abort();
    for (const auto& [table, values] : records) {
      std::vector<std::string_view> views;
      for (const V& v : values) views.push_back(v.bytes);
      std::vector<Key> keys;
      for (size_t i = 0; i < values.size(); ++i) keys.push_back(Key::Number(100 + i));
      const bool outbound = db.value()->FindTable(table).value()->primary_key.outbound();
      if (!db.value()->Write(table, WriteMode::kAdd, views, outbound ? &keys : nullptr).failures.empty()) std::abort();
    }
    if (page_size != 4096 && !db.value()->sql().Run("PRAGMA page_size=" + std::to_string(page_size)).ok()) std::abort();
    if (!db.value()->sql().Run("VACUUM").ok()) std::abort();
  }
  const auto size = static_cast<size_t>(PageVfsFileSize(name));
  std::string bytes =
      PageVfsReadPages(name, 0, static_cast<uint32_t>((size + kPageVfsPageSize - 1) / kPageVfsPageSize));
  bytes.resize(size);
  Write("page_file", seed, bytes);
  PageVfsDeleteFile(name);
}

V Person(int i) {
  return V::Obj({{"id", V::Num(i)},
                 {"name", V::Str("name" + std::to_string(i % 3))},
                 {"email", V::Str("p" + std::to_string(i) + "@x")},
                 {"tags", V::Arr({V::Str("t" + std::to_string(i % 2)), V::Str("all")})},
                 {"address", V::Obj({{"city", V::Str(i % 2 ? "Oslo" : "Rome")}})},
                 {"age", V::Num(20 + i)}});
}

void PageFileSeeds() {
  std::vector<V> five, twenty;
  for (int i = 1; i <= 5; ++i) five.push_back(Person(i));
  for (int i = 1; i <= 20; ++i) twenty.push_back(Person(i));
  PageFileSeed("empty_512", 512, {}, {});
  PageFileSeed("friends_512", 512, {{"friends", "++id, name, &email, *tags"}}, {{"friends", five}});
  PageFileSeed("compound_512", 512, {{"people", "id, [name+age], address.city"}}, {{"people", twenty}});
  PageFileSeed("outbound_512", 512, {{"notes", ", name"}}, {{"notes", five}});
  PageFileSeed("two_tables_512", 512, {{"a", "id, &email"}, {"b", "++id, *tags"}}, {{"a", five}, {"b", five}});
  PageFileSeed("friends_4096", 4096, {{"friends", "++id, name, &email, *tags"}}, {{"friends", five}});
}

void EngineRequestSeeds() {
  const V query = V::Arr(
      {V::Str("t"), V::Str("name"), V::Bool(false), V::Bool(false), V::Bool(false), V::Num(0), V::Num(-1), V::Arr({})});
  const V range = V::Arr({V::Arr({V::Num(0), V::Str("a"), V::Str("z"), V::Bool(false), V::Bool(true)})});
  Write("engine_requests", "write_get",
        V::Arr({RequestOp(EngineOp::kWrite,
                          {V::Str("t"), V::Bool(false), V::Arr({V::Obj({{"name", V::Str("c")}})}), V::Null()}),
                RequestOp(EngineOp::kGet, {V::Str("t"), V::Num(1)}), RequestOp(EngineOp::kTakeChanges),
                RequestOp(EngineOp::kPageChanges),
                RequestOp(EngineOp::kPageDiffs, {V::Num(9007199254740991.0), V::Num(32)})})
            .bytes);
  Write("engine_requests", "query_cursor",
        V::Arr({RequestOp(EngineOp::kQuery, {query, range, V::Str("values")}),
                RequestOp(EngineOp::kOpenCursor, {query, V::Null()}),
                RequestOp(EngineOp::kCursorNext, {V::Num(0), V::Num(1), V::Str("rows")}),
                RequestOp(EngineOp::kAggregate, {query, V::Null(), V::Str("max"), V::Str("id")})})
            .bytes);
  Write("engine_requests", "transaction",
        V::Arr({RequestOp(EngineOp::kBegin), RequestOp(EngineOp::kDelete, {V::Str("t"), V::Arr({V::Num(1)})}),
                RequestOp(EngineOp::kBulkGet, {V::Str("t"), V::Arr({V::Num(1), V::Num(2)}), V::Bool(true)}),
                RequestOp(EngineOp::kRollback), RequestOp(EngineOp::kInfo),
                RequestOp(EngineOp::kGetByIndex, {V::Str("t"), V::Str("tags"), V::Str("x")})})
            .bytes);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s <corpus-dir>\n", argv[0]);
    return 2;
  }
  root = argv[1];
  KeyCodecSeeds();
  ValueReaderSeeds();
  SchemaSeeds();
  ChangeSetSeeds();
  ReadSetSeeds();
  PageFileSeeds();
  EngineRequestSeeds();
  return 0;
}
