// schema_test.cc: the store-spec parser accepts Dexie's syntax and rejects
// every malformed spec with a SchemaError naming the table and the entry.
#include "indexie/schema.h"

#include <gtest/gtest.h>

namespace indexie {
namespace {

TableSchema ParseOk(const std::string& spec) {
  auto schema = ParseTableSchema("t", spec);
  EXPECT_TRUE(schema.ok()) << spec << ": " << schema.status().ToString();
  return schema.ok() ? schema.value() : TableSchema{};
}

void ExpectSchemaError(const std::string& spec, const std::string& fragment) {
  auto schema = ParseTableSchema("users", spec);
  ASSERT_FALSE(schema.ok()) << spec;
  EXPECT_EQ(schema.status().code(), StatusCode::kSchema);
  EXPECT_NE(schema.status().message().find("table 'users'"), std::string::npos) << schema.status().message();
  EXPECT_NE(schema.status().message().find(fragment), std::string::npos)
      << "'" << fragment << "' not in: " << schema.status().message();
}

TEST(Schema, FullSyntax) {
  TableSchema s = ParseOk("++id, &email, name, *tags, [first+last], address.city");
  EXPECT_TRUE(s.primary_key.auto_increment);
  EXPECT_EQ(s.primary_key.name, "id");
  ASSERT_EQ(s.indexes.size(), 5u);
  EXPECT_TRUE(s.indexes[0].unique);
  EXPECT_EQ(s.indexes[0].name, "email");
  EXPECT_FALSE(s.indexes[1].unique);
  EXPECT_TRUE(s.indexes[2].multi_entry);
  EXPECT_TRUE(s.indexes[3].key_path.compound);
  EXPECT_EQ(s.indexes[3].name, "[first+last]");
  ASSERT_EQ(s.indexes[3].key_path.paths.size(), 2u);
  EXPECT_EQ(s.indexes[4].key_path.paths[0], (std::vector<std::string>{"address", "city"}));
  EXPECT_EQ(s.ToSpec(), "++id,&email,name,*tags,[first+last],address.city");
  EXPECT_NE(s.FindIndex("[first+last]"), nullptr);
  EXPECT_EQ(s.FindIndex("nope"), nullptr);
}

TEST(Schema, PrimaryKeyForms) {
  EXPECT_FALSE(ParseOk("id").primary_key.auto_increment);
  EXPECT_FALSE(ParseOk("id").primary_key.outbound());
  TableSchema outbound_auto = ParseOk("++");
  EXPECT_TRUE(outbound_auto.primary_key.outbound());
  EXPECT_TRUE(outbound_auto.primary_key.auto_increment);
  TableSchema outbound = ParseOk(",name");
  EXPECT_TRUE(outbound.primary_key.outbound());
  EXPECT_FALSE(outbound.primary_key.auto_increment);
  EXPECT_EQ(outbound.indexes.size(), 1u);
  EXPECT_TRUE(ParseOk("").primary_key.outbound());
  TableSchema compound = ParseOk("[a+b], c");
  EXPECT_TRUE(compound.primary_key.key_path.compound);
  EXPECT_TRUE(ParseOk("&id").primary_key.unique);
}

TEST(Schema, SpacesAnywhere) {
  TableSchema s = ParseOk("  ++ id ,& email,  [ a + b ] , * tags ");
  EXPECT_EQ(s.ToSpec(), "++id,&email,[a+b],*tags");
}

TEST(Schema, Errors) {
  ExpectSchemaError("id, name, name", "duplicates another index");
  // As Dexie: the primary key named again as an index is accepted, and adds no index.
  auto again = ParseTableSchema("t", "++id, name, id");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again.value().indexes.size(), 1u);
  EXPECT_EQ(again.value().ToSpec(), "++id,name");
  ExpectSchemaError("*id, name", "multi-entry");
  ExpectSchemaError("id, *[a+b]", "compound index multi-entry");
  ExpectSchemaError("++[a+b]", "compound primary key auto-increment");
  ExpectSchemaError("id, , name", "is empty");
  ExpectSchemaError("id, name,", "is empty");
  ExpectSchemaError("id, #name", "unknown prefix '#'");
  ExpectSchemaError("id, @name", "unknown prefix '@'");
  ExpectSchemaError("id, ++count", "only the primary key");
  ExpectSchemaError("id, a..b", "empty step");
  ExpectSchemaError("id, [a+]", "empty key path");
  ExpectSchemaError("id, [a+b", "without a matching ']'");
  ExpectSchemaError("id, na-me", "unexpected character '-'");
  ExpectSchemaError("id, doc:Y.Doc", "type annotation");
}

TEST(Schema, TableNames) {
  EXPECT_EQ(ParseTableSchema("", "id").status().code(), StatusCode::kSchema);
  EXPECT_EQ(ParseTableSchema("a\nb", "id").status().code(), StatusCode::kSchema);
  EXPECT_TRUE(ParseTableSchema("my table ünïcode", "id").ok());
}

}  // namespace
}  // namespace indexie
