// value_reader_test.cc: key paths are read out of encoded values with
// IndexedDB's rules (nested paths, compound, multi-entry, absent vs invalid,
// through shared and cyclic references, into Blobs and Files), explicit keys
// give named DataErrors, and key injection edits only the path.
#include "indexie/value_reader.h"

#include <gtest/gtest.h>

#include <cmath>

#include "indexie/key_codec.h"
#include "value_builder.h"

namespace indexie {
namespace {

KeyPath Path(const std::string& dotted) { return KeyPath{{SplitDottedPath(dotted)}, false}; }
KeyPath Compound(std::initializer_list<std::string> parts) {
  KeyPath path;
  path.compound = true;
  for (const auto& p : parts) path.paths.push_back(SplitDottedPath(p));
  return path;
}
std::string Enc(const std::optional<Key>& key) { return key ? EncodeKey(*key) : "<absent>"; }

TEST(ValueReader, SimpleAndNestedPaths) {
  const V user = V::Obj({{"id", V::Num(7)},
                         {"name", V::Str("Ada")},
                         {"address", V::Obj({{"city", V::Str("Paris")}, {"zip", V::Num(75001)}})}});
  EXPECT_EQ(Enc(EvaluateKeyPath(user.bytes, Path("id"))), EncodeKey(Key::Number(7)));
  EXPECT_EQ(Enc(EvaluateKeyPath(user.bytes, Path("name"))), EncodeKey(Key::String("Ada")));
  EXPECT_EQ(Enc(EvaluateKeyPath(user.bytes, Path("address.city"))), EncodeKey(Key::String("Paris")));
  EXPECT_FALSE(EvaluateKeyPath(user.bytes, Path("address.country")));
  EXPECT_FALSE(EvaluateKeyPath(user.bytes, Path("name.first")));  // a string has no properties
  EXPECT_FALSE(EvaluateKeyPath(user.bytes, Path("missing")));
}

TEST(ValueReader, SameItemsAtKeyPathComparesOnlyWhatThePathReads) {
  const V a = V::Obj({{"id", V::Num(1)},
                      {"name", V::Str("Ada")},
                      {"tags", V::Arr({V::Str("x"), V::Str("y")})},
                      {"address", V::Obj({{"city", V::Str("Oslo")}})},
                      {"visits", V::Num(1)}});
  const V b = V::Obj({{"visits", V::Num(2)},
                      {"id", V::Num(1)},
                      {"name", V::Str("Ada")},
                      {"tags", V::Arr({V::Str("x"), V::Str("y")})},
                      {"address", V::Obj({{"city", V::Str("Oslo")}})}});
  const V c = V::Obj({{"id", V::Num(1)},
                      {"name", V::Str("Bea")},
                      {"tags", V::Arr({V::Str("y"), V::Str("x")})},
                      {"address", V::Obj({{"city", V::Str("Rome")}})}});
  // Unrelated fields and property order do not matter.
  for (const char* path : {"id", "name", "tags", "address.city", "tags.length", "missing"}) {
    EXPECT_TRUE(SameItemsAtKeyPath(a.bytes, b.bytes, Path(path))) << path;
  }
  EXPECT_TRUE(SameItemsAtKeyPath(a.bytes, b.bytes, Compound({"id", "name"})));
  // Any difference at the path does, including a reordered array and a path present in only one.
  for (const char* path : {"name", "tags", "address.city", "address", "visits"}) {
    EXPECT_FALSE(SameItemsAtKeyPath(a.bytes, c.bytes, Path(path))) << path;
  }
  EXPECT_TRUE(SameItemsAtKeyPath(a.bytes, c.bytes, Path("tags.length")));
  EXPECT_FALSE(SameItemsAtKeyPath(a.bytes, c.bytes, Compound({"id", "name"})));
}

TEST(ValueReader, InvalidKeyValuesMeanAbsent) {
  const V v = V::Obj({{"b", V::Bool(true)},
                      {"n", V::Null()},
                      {"u", V::Undefined()},
                      {"o", V::Obj({})},
                      {"nan", V::Num(NAN)},
                      {"baddate", V::Date(NAN)},
                      {"m", V::MapOf({})}});
  for (const char* path : {"b", "n", "u", "o", "nan", "baddate", "m"}) {
    EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path(path))) << path;
  }
}

TEST(ValueReader, KeyTypes) {
  const V v = V::Obj({{"d", V::Date(1700000000123)},
                      {"bin", V::Buffer("\x01\x02")},
                      {"neg", V::Num(-5)},
                      {"f", V::Num(2.5)},
                      {"arr", V::Arr({V::Num(1), V::Str("x")})}});
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("d"))), EncodeKey(Key::Date(1700000000123)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("bin"))), EncodeKey(Key::Binary("\x01\x02")));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("neg"))), EncodeKey(Key::Number(-5)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("f"))), EncodeKey(Key::Number(2.5)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("arr"))), EncodeKey(Key::Array({Key::Number(1), Key::String("x")})));
}

TEST(ValueReader, ArrayWithAnInvalidElementIsNotAKey) {
  const V v = V::Obj({{"arr", V::Arr({V::Num(1), V::Null()})}});
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("arr")));
}

TEST(ValueReader, CompoundPathIsAbsentIfAnyPartIs) {
  const V full = V::Obj({{"first", V::Str("Ada")}, {"last", V::Str("Lovelace")}});
  EXPECT_EQ(Enc(EvaluateKeyPath(full.bytes, Compound({"first", "last"}))),
            EncodeKey(Key::Array({Key::String("Ada"), Key::String("Lovelace")})));
  const V partial = V::Obj({{"first", V::Str("Ada")}});
  EXPECT_FALSE(EvaluateKeyPath(partial.bytes, Compound({"first", "last"})));
}

TEST(ValueReader, MultiEntryDropsDuplicatesAndSkipsInvalidElements) {
  const V v = V::Obj({{"tags", V::Arr({V::Str("a"), V::Str("b"), V::Str("a"), V::Null(), V::Obj({}), V::Num(3)})}});
  std::vector<Key> keys = EvaluateMultiEntryKeyPath(v.bytes, {"tags"});
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(EncodeKey(keys[0]), EncodeKey(Key::String("a")));
  EXPECT_EQ(EncodeKey(keys[1]), EncodeKey(Key::String("b")));
  EXPECT_EQ(EncodeKey(keys[2]), EncodeKey(Key::Number(3)));

  const V single = V::Obj({{"tags", V::Str("solo")}});
  keys = EvaluateMultiEntryKeyPath(single.bytes, {"tags"});
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(EncodeKey(keys[0]), EncodeKey(Key::String("solo")));
  EXPECT_TRUE(EvaluateMultiEntryKeyPath(V::Obj({}).bytes, {"tags"}).empty());
}

TEST(ValueReader, LengthOfArraysAndStrings) {
  const V v = V::Obj({{"list", V::Arr({V::Num(1), V::Num(2)})}, {"word", V::Str("h\xc3\xa9\xf0\x9f\x98\x80")}});
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("list.length"))), EncodeKey(Key::Number(2)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("word.length"))), EncodeKey(Key::Number(4)));  // UTF-16 units
}

// Found by tests/fuzz/value_reader_fuzzer.cc: arrays nested 300 deep were a
// key here, but DecodeKey and EncodedKeySize (which joins index entries to
// their records) refuse keys deeper than kMaxKeyDepth, so such a key was
// stored and could not be read back.
TEST(ValueReader, KeysNestOnlyAsDeepAsTheCodecReads) {
  auto nested = [](int arrays) { return std::string(arrays, '\x81') + "\x01"; };  // [[...[1]...]]
  auto deepest = ValueToKey(nested(kMaxKeyDepth));
  ASSERT_TRUE(deepest.ok()) << deepest.status().ToString();
  EXPECT_TRUE(DecodeKey(EncodeKey(deepest.value())).ok());
  const Status too_deep = ValueToKey(nested(kMaxKeyDepth + 1)).status();
  EXPECT_EQ(too_deep.code(), StatusCode::kData);
  EXPECT_NE(too_deep.message().find("the key is nested too deeply"), std::string::npos) << too_deep.message();
  const V deep = V::Obj({{"k", V{nested(kMaxKeyDepth + 1)}}});
  EXPECT_FALSE(EvaluateKeyPath(deep.bytes, Path("k")).has_value());
}

// Found by tests/fuzz/value_reader_fuzzer.cc: the length of a string whose
// header claims more bytes than the value holds read past the value's end.
TEST(ValueReader, TheLengthOfAStringCutShortIsNoKey) {
  const std::string cut = V::Obj({{"word", V::Str("hello")}}).bytes.substr(0, 8);  // {"word": "he
  EXPECT_FALSE(EvaluateKeyPath(cut, Path("word.length")).has_value());
  EXPECT_TRUE(EvaluateMultiEntryKeyPath(cut, {"word", "length"}).empty());
}

TEST(ValueReader, ExplicitKeysNameWhyTheyAreInvalid) {
  EXPECT_EQ(ValueToKey(V::Num(NAN).bytes).status().message(), "NaN is not a valid key");
  EXPECT_EQ(ValueToKey(V::Null().bytes).status().message(), "null is not a valid key");
  EXPECT_EQ(ValueToKey(V::Bool(false).bytes).status().message(), "a boolean is not a valid key");
  EXPECT_EQ(ValueToKey(V::Obj({}).bytes).status().message(), "an object is not a valid key");
  EXPECT_EQ(ValueToKey(V::Date(NAN).bytes).status().message(), "an invalid Date is not a valid key");
  EXPECT_EQ(ValueToKey(V::Arr({V::Num(1), V::Undefined()}).bytes).status().code(), StatusCode::kData);
  auto good = ValueToKey(V::Str("k").bytes);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(EncodeKey(good.value()), EncodeKey(Key::String("k")));
}

TEST(ValueReader, KeysRoundTripThroughTheValueFormat) {
  const Key key = Key::Array({Key::Number(-0.5), Key::Date(12), Key::String("s"), Key::Binary("\x00\x01"),
                              Key::Array({Key::Number(9007199254740991.0)})});
  std::string encoded;
  AppendKeyAsValue(key, &encoded);
  auto back = ValueToKey(encoded);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(EncodeKey(back.value()), EncodeKey(key));
}

TEST(ValueReader, InjectKeyAddsOrReplacesOnlyThatPath) {
  const V user = V::Obj({{"name", V::Str("Ada")}});
  auto injected = InjectKey(user.bytes, {"id"}, Key::Number(42));
  ASSERT_TRUE(injected.ok());
  EXPECT_EQ(injected.value(), V::Obj({{"name", V::Str("Ada")}, {"id", V::Num(42)}}).bytes);

  const V existing = V::Obj({{"id", V::Num(1)}, {"x", V::Num(2)}});
  injected = InjectKey(existing.bytes, {"id"}, Key::Number(5));
  ASSERT_TRUE(injected.ok());
  EXPECT_EQ(injected.value(), V::Obj({{"id", V::Num(5)}, {"x", V::Num(2)}}).bytes);

  injected = InjectKey(V::Obj({}).bytes, {"meta", "id"}, Key::Number(3));
  ASSERT_TRUE(injected.ok());
  EXPECT_EQ(injected.value(), V::Obj({{"meta", V::Obj({{"id", V::Num(3)}})}}).bytes);

  EXPECT_EQ(InjectKey(V::Num(1).bytes, {"id"}, Key::Number(1)).status().code(), StatusCode::kData);
  EXPECT_EQ(InjectKey(V::Obj({{"meta", V::Num(1)}}).bytes, {"meta", "id"}, Key::Number(1)).status().code(),
            StatusCode::kData);
}

TEST(ValueReader, MalformedValuesAreRejected) {
  EXPECT_TRUE(CheckValue(V::Obj({{"a", V::Num(1)}}).bytes).ok());
  EXPECT_EQ(CheckValue("\xa1\x61").code(), StatusCode::kData);             // map cut short
  EXPECT_EQ(CheckValue(V::Num(1).bytes + "x").code(), StatusCode::kData);  // trailing bytes
}

// Found by tests/fuzz/value_reader_fuzzer.cc: a key list whose header claims
// 2^59 keys made ValueToKeys reserve that many (std::length_error: abort).
TEST(ValueReader, AKeyListCountIsNotTrusted) {
  const std::string huge_count("\x9b\x08\x00\x00\x00\x00\x00\x00\x00\x01", 10);  // array(2^59), then 1
  EXPECT_EQ(ValueToKeys(huge_count).status().code(), StatusCode::kData);
}

// {owner: <shared {city: "Oslo"}>, home: ref 0, tags: <shared ["a", "b"]>, also: ref 1}
V SharedValue() {
  return V::Root(V::Obj({{"owner", V::Share(V::Obj({{"city", V::Str("Oslo")}}))},
                         {"home", V::Ref(0)},
                         {"tags", V::Share(V::Arr({V::Str("a"), V::Str("b")}))},
                         {"also", V::Ref(1)}}));
}

TEST(ValueReader, PathsAndKeysGoThroughSharedReferences) {
  const V v = SharedValue();
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("owner.city"))), EncodeKey(Key::String("Oslo")));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("home.city"))), EncodeKey(Key::String("Oslo")));
  const Key ab = Key::Array({Key::String("a"), Key::String("b")});
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("also"))), EncodeKey(ab));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("also.length"))), EncodeKey(Key::Number(2)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Compound({"home.city", "tags"}))),
            EncodeKey(Key::Array({Key::String("Oslo"), ab})));
  const std::vector<Key> multi = EvaluateMultiEntryKeyPath(v.bytes, SplitDottedPath("also"));
  ASSERT_EQ(multi.size(), 2u);
  EXPECT_EQ(EncodeKey(multi[1]), EncodeKey(Key::String("b")));
  EXPECT_EQ(InvalidKeyReason(v.bytes, SplitDottedPath("home")), "an object is not a valid key");
  // The same array twice inside one key is a key (as Chromium converts it); a reference out of range is nothing.
  const V twice = V::Obj({{"k", V::Arr({V::Share(V::Arr({V::Num(1)})), V::Ref(0)})}});
  EXPECT_EQ(Enc(EvaluateKeyPath(twice.bytes, Path("k"))),
            EncodeKey(Key::Array({Key::Array({Key::Number(1)}), Key::Array({Key::Number(1)})})));
  const V dangling = V::Obj({{"a", V::Ref(3)}});
  EXPECT_FALSE(EvaluateKeyPath(dangling.bytes, Path("a")));
  EXPECT_FALSE(EvaluateKeyPath(dangling.bytes, Path("a.b")));
}

TEST(ValueReader, CyclesNeverLoop) {
  // o = {id: 1, self: o, list: [1, list]}: shares 0 (o) and 1 (list).
  const V o = V::Root(
      V::Share(V::Obj({{"id", V::Num(1)}, {"self", V::Ref(0)}, {"list", V::Share(V::Arr({V::Num(1), V::Ref(1)}))}})));
  EXPECT_EQ(Enc(EvaluateKeyPath(o.bytes, Path("self.self.self.id"))), EncodeKey(Key::Number(1)));
  EXPECT_FALSE(EvaluateKeyPath(o.bytes, Path("self")));  // an object
  EXPECT_FALSE(EvaluateKeyPath(o.bytes, Path("list")));  // an array that contains itself is not a key
  EXPECT_EQ(InvalidKeyReason(o.bytes, SplitDottedPath("list")),
            "an array key holds an invalid element: an array key cannot contain itself");
  const std::vector<Key> multi = EvaluateMultiEntryKeyPath(o.bytes, SplitDottedPath("list"));
  ASSERT_EQ(multi.size(), 1u);  // the element that is the array itself is skipped
  EXPECT_EQ(EncodeKey(multi[0]), EncodeKey(Key::Number(1)));
  EXPECT_EQ(EvaluateMultiEntryKeyPath(o.bytes, SplitDottedPath("self.self.list")).size(), 1u);
  // Malformed chains of marks and references end (a tag 28 over a reference to itself).
  V loop;
  cbor::WriteTag(value_tag::kShareable, &loop.bytes);
  loop.bytes += V::Ref(0).bytes;
  const V holder = V::Obj({{"a", loop}});
  EXPECT_FALSE(EvaluateKeyPath(holder.bytes, Path("a")));
  EXPECT_FALSE(EvaluateKeyPath(holder.bytes, Path("a.b")));
  EXPECT_TRUE(CheckValue(holder.bytes).ok());
}

TEST(ValueReader, AValueReferringToAnArrayExponentiallyOftenIsNoKeyButAnswers) {
  // x0 = [1], x(i+1) = [xi, xi]: 2^40 leaves if expanded; the reference budget stops it.
  V x = V::Share(V::Arr({V::Num(1)}));
  for (int i = 0; i < 40; ++i) x = V::Share(V::Arr({x, V::Ref(static_cast<uint64_t>(i))}));
  const V v = V::Obj({{"k", x}});
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("k")));
}

TEST(ValueReader, ChangesBehindReferencesAreNeverTakenForSame) {
  // Byte-identical items holding a reference may refer to different objects.
  const V a =
      V::Obj({{"x", V::Share(V::Arr({V::Num(1)}))}, {"y", V::Share(V::Arr({V::Num(2)}))}, {"k", V::Arr({V::Ref(0)})}});
  const V b =
      V::Obj({{"x", V::Share(V::Arr({V::Num(9)}))}, {"y", V::Share(V::Arr({V::Num(2)}))}, {"k", V::Arr({V::Ref(0)})}});
  EXPECT_NE(Enc(EvaluateKeyPath(a.bytes, Path("k"))), Enc(EvaluateKeyPath(b.bytes, Path("k"))));
  EXPECT_FALSE(SameItemsAtKeyPath(a.bytes, b.bytes, Path("k")));
  EXPECT_TRUE(SameItemsAtKeyPath(a.bytes, b.bytes, Path("y")));
}

TEST(ValueReader, InjectKeyFollowsReferencesAndRenumbersNothing) {
  // {meta: <shared {}>, alias: ref 0, later: <shared [1]>, again: ref 1}, key path "alias.id".
  const V v = V::Obj({{"meta", V::Share(V::Obj({}))},
                      {"alias", V::Ref(0)},
                      {"later", V::Share(V::Arr({V::Num(1)}))},
                      {"again", V::Ref(1)}});
  auto injected = InjectKey(v.bytes, SplitDottedPath("alias.id"), Key::Number(5));
  ASSERT_TRUE(injected.ok()) << injected.status().message();
  EXPECT_EQ(Enc(EvaluateKeyPath(injected.value(), Path("meta.id"))), EncodeKey(Key::Number(5)));
  EXPECT_EQ(Enc(EvaluateKeyPath(injected.value(), Path("again"))), EncodeKey(Key::Array({Key::Number(1)})));
  // New nested objects on the way are plain, unmarked: the references after them still resolve.
  auto nested = InjectKey(v.bytes, SplitDottedPath("meta.a.b"), Key::Number(6));
  ASSERT_TRUE(nested.ok());
  EXPECT_EQ(Enc(EvaluateKeyPath(nested.value(), Path("alias.a.b"))), EncodeKey(Key::Number(6)));
  EXPECT_EQ(Enc(EvaluateKeyPath(nested.value(), Path("again"))), EncodeKey(Key::Array({Key::Number(1)})));
  // A cyclic root: {self: ref 0} under tag 28.
  const V cyclic = V::Root(V::Share(V::Obj({{"self", V::Ref(0)}})));
  auto rooted = InjectKey(cyclic.bytes, SplitDottedPath("self.id"), Key::Number(7));
  ASSERT_TRUE(rooted.ok());
  EXPECT_EQ(Enc(EvaluateKeyPath(rooted.value(), Path("id"))), EncodeKey(Key::Number(7)));
  EXPECT_EQ(Enc(EvaluateKeyPath(rooted.value(), Path("self.self.id"))), EncodeKey(Key::Number(7)));
  EXPECT_TRUE(CheckValue(rooted.value()).ok());
}

TEST(ValueReader, BoxedPrimitivesAreNotKeysButAStringObjectHasALength) {
  const V v =
      V::Obj({{"s", V::Boxed(V::Str("h\xC3\xA9llo"))}, {"n", V::Boxed(V::Num(3))}, {"b", V::Boxed(V::Bool(true))}});
  for (const char* path : {"s", "n", "b"}) {
    EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path(path))) << path;
    EXPECT_EQ(InvalidKeyReason(v.bytes, SplitDottedPath(path)),
              "a boxed primitive (new String(), new Number(), ...) is not a valid key");
  }
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("s.length"))), EncodeKey(Key::Number(5)));
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("n.length")));
  EXPECT_FALSE(ValueToKey(V::Boxed(V::Str("x")).bytes).ok());
}

TEST(ValueReader, BlobsAndFilesAreNotKeysButTheirPropertiesAre) {
  const V v = V::Obj({{"blob", V::BlobOf("text/plain", "hello")},
                      {"file", V::FileOf("image/png", std::string("\x89PNG\0", 5), "cat.png", 1700000000000)}});
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("blob")));
  EXPECT_EQ(InvalidKeyReason(v.bytes, SplitDottedPath("blob")), "a Blob is not a valid key");
  EXPECT_EQ(InvalidKeyReason(v.bytes, SplitDottedPath("file")), "a File is not a valid key");
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("blob.size"))), EncodeKey(Key::Number(5)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("blob.type"))), EncodeKey(Key::String("text/plain")));
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("blob.name")));  // a Blob has no name
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("file.name"))), EncodeKey(Key::String("cat.png")));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("file.size"))), EncodeKey(Key::Number(5)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("file.lastModified"))), EncodeKey(Key::Number(1700000000000)));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("file.type.length"))), EncodeKey(Key::Number(9)));
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("file.size.x")));
}

TEST(ValueReader, AViewOnPartOfASharedBufferIsTheBytesItViews) {
  // {buf: <shared ArrayBuffer 01..08>, part: Uint8Array(buf, 2, 3), words: Uint16Array(buf, 4, 2), dv: DataView(buf, 7,
  // 1)}
  const V v = V::Root(V::Obj({{"buf", V::Share(V::Buffer(std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8)))},
                              {"part", V::View(64, V::Ref(0), 2, 3)},
                              {"words", V::View(69, V::Ref(0), 4, 2)},
                              {"dv", V::View(value_tag::kDataView, V::Ref(0), 7, 1)},
                              {"past", V::View(69, V::Ref(0), 4, 3)},
                              {"inline", V::View(86, V::Buffer(std::string(16, '\0')), 8, 1)}}));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("part"))), EncodeKey(Key::Binary(std::string("\x03\x04\x05", 3))));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("words"))), EncodeKey(Key::Binary(std::string("\x05\x06\x07\x08", 4))));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("dv"))), EncodeKey(Key::Binary(std::string("\x08", 1))));
  EXPECT_EQ(Enc(EvaluateKeyPath(v.bytes, Path("inline"))), EncodeKey(Key::Binary(std::string(8, '\0'))));
  EXPECT_FALSE(EvaluateKeyPath(v.bytes, Path("past")));
  EXPECT_EQ(InvalidKeyReason(v.bytes, SplitDottedPath("past")), "the encoded view reaches past its buffer");
  EXPECT_TRUE(CheckValue(v.bytes).ok());
}

}  // namespace
}  // namespace indexie
