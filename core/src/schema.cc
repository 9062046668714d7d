// schema.cc: the store-spec parser (grammar in schema.h).
#include "indexie/schema.h"

#include <set>

namespace indexie {
namespace {

std::string Trim(const std::string& s) {
  const size_t begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string::npos) return "";
  const size_t end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string RemoveSpaces(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out.push_back(c);
  }
  return out;
}

bool IsIdentChar(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' ||
         c >= 0x80;
}

Status Error(const std::string& table, const std::string& entry, const std::string& why) {
  return Status(StatusCode::kSchema, "invalid schema for table '" + table + "': entry '" + entry + "' " + why);
}

// Validates a dotted path and returns its steps.
Result<std::vector<std::string>> ParsePath(const std::string& table, const std::string& entry,
                                           const std::string& path) {
  if (path.empty()) return Error(table, entry, "has an empty key path");
  for (unsigned char c : path) {
    if (c == '.') continue;
    if (c == ':') return Error(table, entry, "has a type annotation (':'), which indexie does not support");
    if (!IsIdentChar(c)) {
      return Error(table, entry,
                   std::string("has an unexpected character '") + static_cast<char>(c) +
                       "' (use letters, digits, '_', '$' and '.' in key paths)");
    }
  }
  std::vector<std::string> steps = SplitDottedPath(path);
  for (const auto& step : steps) {
    if (step.empty()) return Error(table, entry, "has an empty step in the dotted key path '" + path + "'");
  }
  return steps;
}

Result<IndexSpec> ParseEntry(const std::string& table, const std::string& source, bool primary) {
  const std::string entry = RemoveSpaces(source);
  const std::string raw_entry = Trim(source);  // as shown in error messages
  IndexSpec spec;
  size_t pos = 0;
  while (pos < entry.size()) {
    if (entry.compare(pos, 2, "++") == 0) {
      spec.auto_increment = true;
      pos += 2;
    } else if (entry[pos] == '&') {
      spec.unique = true;
      ++pos;
    } else if (entry[pos] == '*') {
      spec.multi_entry = true;
      ++pos;
    } else {
      break;
    }
  }
  const std::string name = entry.substr(pos);
  if (!name.empty() && !IsIdentChar(static_cast<unsigned char>(name[0])) && name[0] != '[') {
    return Error(table, raw_entry,
                 std::string("starts with the unknown prefix '") + name[0] +
                     "' (known prefixes: '++' auto-increment, '&' unique, '*' multi-entry)");
  }
  if (spec.auto_increment && !primary) {
    return Error(table, raw_entry, "uses '++' (auto-increment), which only the primary key (the first entry) may use");
  }
  if (spec.multi_entry && primary)
    return Error(table, raw_entry, "makes the primary key multi-entry ('*'), which is not allowed");

  if (name.empty()) {
    if (!primary) return Error(table, raw_entry, "is empty: every index needs a name");
    if (spec.unique || spec.multi_entry) return Error(table, raw_entry, "has prefixes but no key path");
    return spec;  // outbound primary key
  }
  spec.name = name;
  if (name.front() == '[') {
    if (name.back() != ']' || name.size() < 3) return Error(table, raw_entry, "opens '[' without a matching ']'");
    if (spec.multi_entry)
      return Error(table, raw_entry, "makes a compound index multi-entry ('*'), which is not allowed");
    if (spec.auto_increment)
      return Error(table, raw_entry, "makes a compound primary key auto-increment, which is not allowed");
    const std::string inner = name.substr(1, name.size() - 2);
    spec.key_path.compound = true;
    size_t start = 0;
    while (true) {
      const size_t plus = inner.find('+', start);
      const std::string part = inner.substr(start, plus == std::string::npos ? std::string::npos : plus - start);
      auto steps = ParsePath(table, raw_entry, part);
      if (!steps.ok()) return steps.status();
      spec.key_path.paths.push_back(std::move(steps).value());
      if (plus == std::string::npos) break;
      start = plus + 1;
    }
    return spec;
  }
  auto steps = ParsePath(table, raw_entry, name);
  if (!steps.ok()) return steps.status();
  spec.key_path.paths.push_back(std::move(steps).value());
  return spec;
}

}  // namespace

std::string IndexSpec::ToSpec() const {
  std::string out;
  if (auto_increment) out += "++";
  if (unique) out += "&";
  if (multi_entry) out += "*";
  return out + name;
}

std::string TableSchema::ToSpec() const {
  std::string out = primary_key.ToSpec();
  for (const auto& index : indexes) out += "," + index.ToSpec();
  return out;
}

const IndexSpec* TableSchema::FindIndex(const std::string& index_name) const {
  for (const auto& index : indexes) {
    if (index.name == index_name) return &index;
  }
  return nullptr;
}

Status ValidateTableName(const std::string& table_name) {
  if (Trim(table_name).empty()) return Status(StatusCode::kSchema, "a table name must not be empty");
  for (unsigned char c : table_name) {
    if (c < 0x20)
      return Status(StatusCode::kSchema, "the table name '" + table_name + "' contains a control character");
  }
  return Status::Ok();
}

Result<TableSchema> ParseTableSchema(const std::string& table_name, const std::string& spec) {
  Status name_status = ValidateTableName(table_name);
  if (!name_status.ok()) return name_status;
  TableSchema schema;
  schema.name = table_name;
  std::vector<std::string> entries;
  size_t start = 0;
  while (true) {
    const size_t comma = spec.find(',', start);
    entries.push_back(spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    auto parsed = ParseEntry(table_name, entries[i], i == 0);
    if (!parsed.ok()) return parsed.status();
    IndexSpec index = std::move(parsed).value();
    const std::string path = index.key_path.ToString();
    // As Dexie, the primary key's path may be named again as an index ("++id,name,id"): the
    // primary key already serves it, so the entry adds nothing and is left out.
    if (i > 0 && !path.empty() && path == schema.primary_key.key_path.ToString() && !index.multi_entry) continue;
    if (!path.empty() && !seen.insert(path).second) {
      return Error(table_name, Trim(entries[i]), "duplicates another index on the same key path '" + path + "'");
    }
    if (i == 0) schema.primary_key = std::move(index);
    else schema.indexes.push_back(std::move(index));
  }
  return schema;
}

}  // namespace indexie
